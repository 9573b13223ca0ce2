"""The API's routers, one module per kind of object; ``ROUTERS`` lists them in document order."""

from assurance.api.routes.actions import router as actions
from assurance.api.routes.alerts import router as alerts
from assurance.api.routes.ask import router as ask
from assurance.api.routes.incidents import router as incidents
from assurance.api.routes.inventory import router as inventory
from assurance.api.routes.sle import router as sle

ROUTERS = (sle, inventory, incidents, actions, alerts, ask)

__all__ = ["ROUTERS"]
