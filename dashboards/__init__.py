"""Streamlit pages. They read through ``assurance.query`` (and config) only.

``app.py`` is the entry script (``wanassure dashboard --lake PATH [--config FILE]`` runs it):
login, the shared page context (``context.py``: user, visible sites, time range and scope in the
URL), and the pages in ``views/``. ``widgets.py`` holds the charts and unit formats;
``access.example.yaml`` shows the access file (users, roles, tenants). Ranges over a day read
whole days/hours from the SLE roll-ups and the ``assurance.rollups`` hourly tables (bring them
up to date with ``python -m assurance.rollups --lake PATH`` after each SLE run); page times on a
30-day, 200-site lake: ``benchmarks/dashboard_pages.py``.
"""
