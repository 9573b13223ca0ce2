"""The REST API (FastAPI) over the read API and the operator services: versioned under
``/api/v1`` with its OpenAPI document at ``/api/v1/openapi.json``, bearer tokens with the
dashboard's roles and tenant scopes, pagination and RFC 9457 problem+json errors.

Modules: ``tokens`` (token file), ``auth`` (who is calling), ``state`` (lake, inventory,
tenants), ``problems`` (errors), ``pages`` (paging, times), ``routes`` (one module per kind of
object), ``app`` (the application), ``server`` (uvicorn). Reads only through
``assurance.query``; writes only through ``assurance.policy.service`` and the alert outbox.
Must not: build SQL from request text.
"""

from assurance.api.app import PREFIX, build_state, create_app

__all__ = ["PREFIX", "build_state", "create_app"]
