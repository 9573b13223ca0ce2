"""Bearer API tokens: creation, the tokens file, lookup and revocation.

Owns the token format (``wat_<id>_<secret>``: a public 12-hex-digit id and 256 random bits) and
the tokens file (JSON, written atomically with mode 0600): per token its id, name, role, tenant,
extra sites, creation time and the SHA-256 of its secret — never the token itself, which is
shown once when created. A SHA-256 is enough because the secret is high-entropy (no password
to guess); comparison is constant-time and an unknown id costs the same as a wrong secret.
``TokenStore`` re-reads the file when it changes, so a revoked token stops working at once.
Must not: log or keep a token in clear, read the lake or know about HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assurance.config.access import Role
from assurance.errors import ConfigError

PREFIX = "wat_"
ROLES: tuple[str, ...] = ("admin", "operator", "viewer")
_TOKEN_RE = re.compile(r"^wat_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_DUMMY = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True)
class Token:
    """One stored token (its secret only as a hash)."""

    id: str
    name: str
    role: Role
    tenant: str | None
    sites: tuple[str, ...]
    created_at: str
    sha256: str = field(repr=False)

    def public(self) -> dict[str, Any]:
        """What ``token list`` shows: everything but the hash."""
        out = asdict(self)
        del out["sha256"]
        out["sites"] = list(self.sites)
        return out


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _problem(path: Path, message: str) -> ConfigError:
    return ConfigError(str(path), [message])


def _load(path: Path) -> list[Token]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _problem(path, f"not a readable tokens file: {exc}") from None
    rows = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise _problem(path, "tokens: expected a list of tokens")
    out = []
    for i, row in enumerate(rows):
        try:
            token = Token(
                id=str(row["id"]),
                name=str(row["name"]),
                role=row["role"],
                tenant=row.get("tenant"),
                sites=tuple(str(s) for s in row.get("sites") or ()),
                created_at=str(row["created_at"]),
                sha256=str(row["sha256"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise _problem(path, f"tokens.{i}: missing or bad field {exc}") from None
        if token.role not in ROLES:
            raise _problem(path, f"tokens.{i}.role: {token.role!r} is not one of {ROLES}")
        out.append(token)
    return out


def _save(path: Path, tokens: list[Token]) -> None:
    body = json.dumps({"tokens": [asdict(t) for t in tokens]}, indent=2, default=list)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create(
    path: str | os.PathLike[str],
    *,
    role: str,
    tenant: str | None = None,
    sites: tuple[str, ...] = (),
    name: str | None = None,
    now: datetime | None = None,
) -> tuple[str, Token]:
    """Add a token to the file; returns the token text (to show once) and its stored record."""
    file = Path(path)
    if role not in ROLES:
        raise _problem(file, f"role {role!r}: use one of {', '.join(ROLES)}")
    if tenant is not None and not _NAME_RE.match(tenant):
        raise _problem(file, f"tenant {tenant!r}: letters, digits and _.@- only")
    tokens = _load(file)
    token_id = secrets.token_hex(6)
    label = name or f"{role}-{token_id}"
    if not _NAME_RE.match(label):
        raise _problem(file, f"name {label!r}: letters, digits and _.@- only, up to 64")
    if any(t.name == label for t in tokens):
        raise _problem(file, f"a token named {label!r} exists already")
    secret = secrets.token_urlsafe(32)
    record = Token(
        id=token_id,
        name=label,
        role=role,  # type: ignore[arg-type]
        tenant=tenant,
        sites=tuple(sites),
        created_at=(now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        sha256=_digest(secret),
    )
    _save(file, [*tokens, record])
    return f"{PREFIX}{token_id}_{secret}", record


def list_tokens(path: str | os.PathLike[str]) -> list[Token]:
    return _load(Path(path))


def revoke(path: str | os.PathLike[str], key: str) -> Token:
    """Remove the token whose id or name is ``key``; returns what was removed."""
    file = Path(path)
    tokens = _load(file)
    found = [t for t in tokens if key in (t.id, t.name)]
    if not found:
        raise _problem(file, f"no token with id or name {key!r}")
    _save(file, [t for t in tokens if t not in found])
    return found[0]


class TokenStore:
    """The tokens of one file, re-read when the file changes (checked at most once a second)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._by_id: dict[str, Token] = {}
        self.reload()

    def reload(self) -> None:
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._by_id = {t.id: t for t in _load(self.path)}
            self._stamp = stamp

    def _fresh(self) -> None:
        import time

        now = time.monotonic()
        if now - self._checked >= 1.0:
            with self._lock:
                self._checked = now
                # a half-edited file: keep the tokens known before
                with contextlib.suppress(ConfigError):
                    self.reload()

    def __len__(self) -> int:
        return len(self._by_id)

    def verify(self, text: str) -> Token | None:
        """The stored token ``text`` stands for, or None (same cost for every failure)."""
        self._fresh()
        match = _TOKEN_RE.match(text)
        token_id, secret = (match[1], match[2]) if match else ("", "x")
        found = self._by_id.get(token_id)
        ok = hmac.compare_digest(_digest(secret), found.sha256 if found else _DUMMY)
        return found if ok and found is not None and match is not None else None
