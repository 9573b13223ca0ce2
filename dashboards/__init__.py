"""Streamlit pages. They read through ``assurance.query`` (and config) only."""
