"""Dashboard access: users with a role (admin, operator, viewer), tenants as sets of sites, and
salted scrypt password hashes.

Owns the layout of the access file (``tenants:`` and ``users:`` at the top level, or under a
``dashboard:`` key of a bigger file), ``load_access_config`` (every problem in one
``ConfigError`` line naming file, line and key), ``hash_password`` / ``verify_password`` and the
rule of which sites a user may see. Passwords are never stored or logged in clear: a user carries
``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (base64). Must not: read the lake or talk to the network.

A user without ``tenant`` and ``sites`` sees every site; otherwise the union of the tenant's
sites and the user's own ``sites`` (names or shell-style patterns such as ``br-nyc-*``).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from assurance.config.problems import validation_issues
from assurance.config.types import Name, StrictModel
from assurance.config.yamldoc import YamlDoc, config_error, parse_yaml, read_yaml

Role = Literal["admin", "operator", "viewer"]
#: Roles that may approve, reject and roll back path-policy changes.
WRITE_ROLES: frozenset[str] = frozenset({"admin", "operator"})

_SCHEME = "scrypt"
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` for ``password`` with a fresh 16-byte salt."""
    if not password:
        raise ValueError("the password is empty")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=32
    )
    return f"{_SCHEME}${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def _parse_hash(text: str) -> tuple[int, int, int, bytes, bytes]:
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        raise ValueError(
            "expected scrypt$<n>$<r>$<p>$<salt>$<hash> "
            "(make one with: wanassure dashboard --hash-password)"
        )
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError:
        raise ValueError("scrypt parameters must be integers and salt/hash base64") from None
    if n < 2 or n & (n - 1) or n > 2**20 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise ValueError("scrypt parameters out of range (n a power of two up to 2^20)")
    if len(salt) < 8 or len(digest) < 16:
        raise ValueError("salt must be at least 8 bytes and hash at least 16 bytes")
    return n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    n, r, p, salt, digest = _parse_hash(stored)
    maxmem = max(_MAXMEM, 130 * n * r * p)
    got = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=len(digest)
    )
    return hmac.compare_digest(got, digest)


#: Checked against when the user name is unknown, so a wrong name costs as much as a wrong
#: password and response time does not tell which names exist.
_DUMMY_HASH = hash_password("x", salt=b"\0" * 16)


class User(StrictModel):
    """One dashboard user."""

    name: Name
    role: Role
    password_hash: str = Field(min_length=1)
    tenant: Name | None = None
    sites: tuple[str, ...] = ()
    display_name: str = ""

    @field_validator("password_hash")
    @classmethod
    def _hash_format(cls, value: str) -> str:
        _parse_hash(value)
        return value

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES


class AccessConfig(StrictModel):
    """Tenants (name → site names or patterns) and users."""

    tenants: dict[Name, tuple[str, ...]] = Field(default_factory=dict)
    users: tuple[User, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> AccessConfig:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        seen: set[str] = set()
        for i, user in enumerate(self.users):
            if user.name in seen:
                problems.append((("users", i, "name"), f"duplicate user {user.name!r}"))
            seen.add(user.name)
            if user.tenant is not None and user.tenant not in self.tenants:
                known = ", ".join(sorted(self.tenants)) or "none"
                problems.append(
                    (("users", i, "tenant"), f"unknown tenant {user.tenant!r} (known: {known})")
                )
        if problems:
            # the inventory's error type: problems.validation_issues locates each one
            raise PydanticCustomError(
                "inventory_semantics",
                "inconsistent access config: {summary}",
                {"summary": "; ".join(m for _, m in problems), "problems": problems},
            )
        return self

    def user(self, name: str) -> User | None:
        return next((u for u in self.users if u.name == name), None)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if name and password match, else None (same cost either way)."""
        user = self.user(name.strip())
        ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
        return user if ok and user is not None else None

    def patterns(self, user: User) -> tuple[str, ...] | None:
        """The site patterns ``user`` may see; None means every site."""
        if user.tenant is None and not user.sites:
            return None
        tenant = self.tenants.get(user.tenant, ()) if user.tenant else ()
        return (*tenant, *user.sites)

    def allowed_sites(self, user: User, sites: Iterable[str]) -> list[str]:
        """The subset of ``sites`` that ``user`` may see, in the given order."""
        pats = self.patterns(user)
        if pats is None:
            return list(sites)
        return [s for s in sites if any(fnmatch.fnmatchcase(s, p) for p in pats)]


def _from_doc(doc: YamlDoc) -> AccessConfig:
    data: Any = doc.data
    if isinstance(data, dict) and "dashboard" in data:
        doc = doc.sub("dashboard")
        data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        got = type(data).__name__
        raise config_error(doc.file, [doc.issue((), f"expected a mapping with users, got {got}")])
    try:
        return AccessConfig.model_validate(data)
    except ValidationError as exc:
        raise config_error(doc.file, validation_issues(doc, exc, AccessConfig)) from None


def load_access_config(path: str | os.PathLike[str]) -> AccessConfig:
    """Read and validate an access file; every problem in one ``ConfigError``."""
    return _from_doc(read_yaml(Path(path)))


def access_config_from_text(text: str, source: str = "<string>") -> AccessConfig:
    return _from_doc(parse_yaml(text, source))


__all__ = [
    "WRITE_ROLES",
    "AccessConfig",
    "Role",
    "User",
    "access_config_from_text",
    "hash_password",
    "load_access_config",
    "verify_password",
]
