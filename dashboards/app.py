"""The dashboard's entry script (``streamlit run dashboards/app.py``; ``wanassure dashboard``
starts it): login, the shared page context, and the pages with their URL paths.

Pages live in ``dashboards/views/`` (not ``pages/``, which Streamlit would serve without
the login); a link such as ``/site?site=br-nyc-012&sle=wan-link-health
&from=...&to=...`` opens the site page on that scope (after the login form if needed).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboards import auth
from dashboards.context import context

HERE = Path(__file__).parent

st.set_page_config(page_title="WAN assurance", page_icon="📶", layout="wide")

st.session_state.pop("_ctx", None)  # set again below, once the user is known
cfg = auth.config()
PAGES = [
    st.Page(HERE / "views/overview.py", title="Org overview", url_path="overview", default=True),
    st.Page(HERE / "views/site.py", title="Site", url_path="site"),
    st.Page(HERE / "views/wan.py", title="WAN links", url_path="wan"),
    st.Page(HERE / "views/apps.py", title="Applications", url_path="apps"),
    st.Page(HERE / "views/wifi_lan.py", title="Wi-Fi and LAN", url_path="wifi-lan"),
    st.Page(HERE / "views/incidents.py", title="Incidents", url_path="incidents"),
    st.Page(HERE / "views/actions.py", title="Actions", url_path="actions"),
    st.Page(HERE / "views/alerts.py", title="Alerts", url_path="alerts"),
    st.Page(HERE / "views/ask.py", title="Ask", url_path="ask"),
]
# Navigation first, so the page a link asked for (``/site?...``) is still the page after the
# login form's rerun; hidden until someone is logged in, and no page runs before that.
page = st.navigation(PAGES, position="sidebar" if auth.logged_in(cfg) else "hidden")
user = auth.login(cfg)
if cfg is None:
    st.sidebar.caption("Open, read-only dashboard (no access config)")
st.session_state["_ctx"] = context(user, cfg)
page.run()
