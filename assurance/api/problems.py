"""Errors as RFC 9457 problem details (``application/problem+json``).

Owns ``ApiProblem`` (raise it from a route), the ``Problem`` body model that the OpenAPI
document declares for every error status, and the exception handlers that turn request
validation errors, read-API errors (``QueryError`` → 400) and anything unexpected (500, with no
internal detail in the body) into problem documents. Must not: read the lake or log request
bodies or tokens.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from assurance.errors import AssuranceError
from assurance.query.sle import QueryError

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://wan-assurance.invalid/problems/"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid request",
    500: "Internal server error",
}


class Problem(BaseModel):
    """An RFC 9457 problem document; ``errors`` lists each invalid request field."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[dict[str, Any]] | None = None


class ApiProblem(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or _TITLES.get(status, "error").lower().replace(" ", "-")
        self.headers = headers


def not_found(what: str, key: str) -> ApiProblem:
    """The one answer for an unknown object and for another tenant's object alike."""
    return ApiProblem(404, f"{what} {key!r} not found", kind="not-found")


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or _TITLES.get(status, "error").lower().replace(" ", "-")),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        out.append(
            {
                "location": ".".join(str(p) for p in e.get("loc", ())),
                "message": str(e.get("msg", "")),
            }
        )
    return out


def install(app: FastAPI) -> None:
    """Register the handlers that make every error a problem document."""

    @app.exception_handler(ApiProblem)
    async def _api(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, kind=exc.kind, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        first = errors[0] if errors else {"location": "request", "message": "invalid"}
        detail = f"{first['location']}: {first['message']}"
        return problem_response(request, 422, detail, kind="invalid-request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(QueryError)
    async def _query(request: Request, exc: QueryError) -> JSONResponse:
        return problem_response(request, 400, str(exc).splitlines()[0], kind="bad-query")

    @app.exception_handler(AssuranceError)
    async def _assurance(request: Request, exc: AssuranceError) -> JSONResponse:
        log.error("%s %s: %s", request.method, request.url.path, str(exc).splitlines()[0])
        return problem_response(request, 500, "the server could not answer this request")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return problem_response(request, 500, "the server could not answer this request")


#: The error responses every route declares in the OpenAPI document.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": _TITLES[status]}
    for status in (400, 401, 403, 404, 422)
}
