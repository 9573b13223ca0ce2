"""SLE engine: user-minute service level expectations over the lake (see SIGNALS.md).

The package root imports nothing so that ``assurance.tables`` can read the catalogue; the engine
is in ``assurance.sle.compute``.
"""
