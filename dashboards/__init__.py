"""Streamlit pages. They read through ``assurance.query`` (and config) only.

``app.py`` is the entry script (``wanassure dashboard --lake PATH [--config FILE]`` runs it):
login, the shared page context (``context.py``: user, visible sites, time range and scope in the
URL), and the pages in ``views/``. ``widgets.py`` holds the charts and unit formats;
``access.example.yaml`` shows the access file (users, roles, tenants).
"""
