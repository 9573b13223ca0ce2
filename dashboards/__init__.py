"""Streamlit pages. They read through ``assurance.query`` (and config) only.

``app.py`` is the entry script (``wanassure dashboard --lake PATH [--config FILE]`` runs it):
login, the shared page context (``context.py``: user, visible sites, time range and scope in the
URL), and the pages in ``views/``. ``widgets.py`` holds the charts and unit formats;
``access.example.yaml`` shows the access file (users, roles, tenants). Ranges over two hours
read whole days and hours from the SLE roll-ups and the ``assurance.rollups`` daily and hourly
tables (``wanassure run``/``serve``/``demo``/``sle compute`` bring them up to date, as does
``python -m assurance.rollups --lake PATH``); page times on a 30-day, 200-site lake:
``benchmarks/dashboard_pages.py``.
"""
