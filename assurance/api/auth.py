"""Who is calling: the bearer token, its role and the sites it may see.

Owns ``Caller`` and the FastAPI dependencies ``caller`` (any valid token) and ``writer`` (admin
or operator). Scope follows the dashboard's rule exactly (``assurance.config.access``): a token
without tenant and sites sees every site, otherwise the tenant's site patterns plus its own;
a tenant the access config does not know gives no sites (fail closed). A missing or wrong token
is a 401 problem with ``WWW-Authenticate: Bearer``; a viewer on a write endpoint a 403. Another
tenant's object is answered by ``Caller.site`` exactly like an object that does not exist.
Must not: log tokens or read the lake beyond the list of site names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assurance.api.problems import ApiProblem, not_found
from assurance.api.state import ApiState
from assurance.api.tokens import Token
from assurance.config.access import User
from assurance.query.scoping import Scoper

_bearer = HTTPBearer(auto_error=False, description="An API token: wanassure api token create")


@dataclass(frozen=True)
class Caller:
    """A verified token with the sites it may see out of every site known."""

    token: Token
    user: User
    every: list[str]
    sites: list[str]
    restricted: bool
    scoper: Scoper

    @property
    def scope(self) -> list[str] | None:
        """The site filter for read-API calls: None (every site) unless restricted."""
        return self.sites if self.restricted else None

    @property
    def can_write(self) -> bool:
        return self.user.can_write

    @property
    def actor(self) -> str:
        return f"api:{self.token.name}"

    def sees(self, site: str | None) -> bool:
        return not self.restricted or (site is not None and site in self.sites)

    def site(self, name: str) -> str:
        """``name`` if it is a site this caller may see; the not-found problem otherwise."""
        if name not in self.sites:
            raise not_found("site", name)
        return name


def state_of(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


def _user(token: Token) -> User:
    # The dashboard's User, built without a password: the API's role and scope rules are the
    # dashboard's own (AccessConfig.patterns / allowed_sites, User.can_write).
    return User.model_construct(
        name=token.name,
        role=token.role,
        password_hash="",
        tenant=token.tenant,
        sites=token.sites,
        display_name=token.name,
    )


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    state = state_of(request)
    token = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        token = state.tokens.verify(credentials.credentials)
    if token is None:
        raise ApiProblem(
            401,
            "a valid API token is required (Authorization: Bearer <token>)",
            kind="unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="wanassure"'},
        )
    user = _user(token)
    every = state.every_site()
    patterns = state.access.patterns(user)
    restricted = patterns is not None
    sites = state.access.allowed_sites(user, every) if restricted else list(every)
    return Caller(
        token, user, every, sites, restricted, Scoper(every, sites if restricted else None)
    )


def writer(who: Annotated[Caller, Depends(caller)]) -> Caller:
    if not who.can_write:
        raise ApiProblem(
            403,
            f"role {who.user.role!r} may only read; approving, rejecting, rolling back, "
            "silencing and resending need an operator or admin token",
            kind="forbidden",
        )
    return who


Reader = Annotated[Caller, Depends(caller)]
Writer = Annotated[Caller, Depends(writer)]
