"""The read API: the only way dashboards, notebooks and integrations read the lake.

``SleQuery`` answers SLE questions (summary, trend, classifier breakdown, histogram, impacted
users/apps/links/APs/ports/gateways) shaped after Mist's SLE API. Must not write to the lake.
"""

from assurance.query.sle import QueryError, SleQuery

__all__ = ["QueryError", "SleQuery"]
