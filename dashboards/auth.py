"""The login gate: who is looking at the dashboard.

Owns the login form, the session's user and logging out. With no access config the dashboard
is open and read-only (no user, viewer rights). Reads users only through
``assurance.config.access``; passwords are checked there and never kept in the session.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from assurance.config.access import AccessConfig, User
from assurance.errors import AssuranceError
from dashboards.context import CONFIG_ENV, access_config


def config() -> AccessConfig | None:
    path = os.environ.get(CONFIG_ENV, "").strip()
    if not path:
        return None
    try:
        return access_config(path)
    except AssuranceError as exc:
        st.error(f"Access config not usable: {exc}")
        st.stop()


@st.cache_resource(show_spinner=False)
def _failures() -> dict[str, int]:
    """Failed logins per user name in this process (shared by every browser session)."""
    return {}


def _check(cfg: AccessConfig, username: str, password: str) -> User | None:
    """Authenticate; each failure for a name makes the next attempt on it wait longer (up to
    4 s), so guessing a password through the form is slow even across sessions."""
    failures = _failures()
    key = username.strip().lower()
    time.sleep(min(4.0, 0.25 * (2 ** failures.get(key, 0) - 1)))
    found = cfg.authenticate(username, password)
    if found is None:
        failures[key] = min(failures.get(key, 0) + 1, 5)
    else:
        failures.pop(key, None)
    return found


def logged_in(cfg: AccessConfig | None) -> bool:
    name = st.session_state.get("_user")
    return cfg is None or (name is not None and cfg.user(name) is not None)


def login(cfg: AccessConfig | None) -> User | None:
    """The logged-in user; draws the login form and stops the run until one logs in. None in
    open mode (no access config)."""
    if cfg is None:
        return None
    name = st.session_state.get("_user")
    user = cfg.user(name) if name else None
    if user is not None:
        with st.sidebar:
            label = user.display_name or user.name
            st.caption(f"Signed in as **{label}** ({user.role})")
            if st.button("Log out"):
                st.session_state.pop("_user", None)
                st.rerun()
        return user
    st.title("WAN assurance")
    with st.form("login"):
        st.subheader("Log in")
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        found = _check(cfg, username, password)
        if found is None:
            st.error("Wrong user name or password.")
        else:
            st.session_state["_user"] = found.name
            st.rerun()
    st.stop()
