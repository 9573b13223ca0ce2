"""Pure algorithms: anomaly detectors, root-cause ranking, forecasting.

Inputs are arrays, dicts and DataFrames; outputs are the same. This root never touches files,
sockets, the lake, DuckDB, ``assurance`` or ``collectors``.
"""
