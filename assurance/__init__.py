"""wan-assurance: everything that composes collectors and models into the product.

Config and inventory, the Parquet lake, the DuckDB catalog, SLE SQL, analysis pipelines, alerts,
path policy, the read API ``assurance.query`` and the ``wanassure`` CLI live here.
"""

__version__ = "0.1.0"
