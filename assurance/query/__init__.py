"""The read API: the only way dashboards, notebooks and integrations read the lake.

``SleQuery`` answers SLE questions (summary, trend, classifier breakdown, histogram, impacted
users/apps/links/APs/ports/gateways) shaped after Mist's SLE API; ``IncidentQuery`` answers
incidents with ranked causes and the actions that go with them. Must not write to the lake.
"""

from assurance.query.incidents import IncidentQuery
from assurance.query.sle import QueryError, SleQuery

__all__ = ["IncidentQuery", "QueryError", "SleQuery"]
