"""Access file: scrypt hashes (RFC 7914 test vector), roles, tenant scopes, located errors."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from assurance.config.access import (
    AccessConfig,
    access_config_from_text,
    hash_password,
    load_access_config,
    verify_password,
)
from assurance.errors import ConfigError

# RFC 7914 section 12: scrypt(P="pleaseletmein", S="SodiumChloride", N=16384, r=8, p=1), first
# 32 of its 64 bytes (PBKDF2's first block does not depend on the output length).
RFC7914 = bytes.fromhex("7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2")


def test_hash_is_rfc7914_scrypt_with_its_parameters_and_salt() -> None:
    got = hash_password("pleaseletmein", salt=b"SodiumChloride")
    salt = base64.b64encode(b"SodiumChloride").decode()
    assert got == f"scrypt$16384$8$1${salt}${base64.b64encode(RFC7914).decode()}"


def test_fresh_salt_each_time_and_verification() -> None:
    a, b = hash_password("s3cret"), hash_password("s3cret")
    assert a != b
    assert verify_password("s3cret", a) and verify_password("s3cret", b)
    assert not verify_password("s3cret ", a)
    assert not verify_password("", a)
    with pytest.raises(ValueError):
        hash_password("")


def _config(
    users: str, tenants: str = "{east: [br-nyc-012, 'st-bos-*'], west: [br-chi-027]}"
) -> AccessConfig:
    return access_config_from_text(f"tenants: {tenants}\nusers:\n{users}", "access.yaml")


def test_scopes_roles_and_login() -> None:
    h = hash_password("pw")
    cfg = _config(
        f"  - {{name: root, role: admin, password_hash: '{h}'}}\n"
        f"  - {{name: eve, role: viewer, tenant: east, password_hash: '{h}'}}\n"
        f"  - {{name: op, role: operator, sites: [br-chi-027], password_hash: '{h}'}}\n"
    )
    sites = ["br-chi-027", "br-nyc-012", "st-atl-102", "st-bos-101"]
    root, eve, op = (cfg.user(n) for n in ("root", "eve", "op"))
    assert root and eve and op
    assert cfg.allowed_sites(root, sites) == sites
    assert cfg.allowed_sites(eve, sites) == ["br-nyc-012", "st-bos-101"]
    assert cfg.allowed_sites(op, sites) == ["br-chi-027"]
    assert root.can_write and op.can_write and not eve.can_write
    assert cfg.authenticate("eve", "pw") == eve
    assert cfg.authenticate("eve", "wrong") is None
    assert cfg.authenticate("nobody", "pw") is None


def test_dashboard_section_of_a_bigger_file_is_read() -> None:
    h = hash_password("pw")
    cfg = access_config_from_text(
        "lake: {path: x}\ndashboard:\n  users:\n"
        f"    - {{name: a, role: viewer, password_hash: '{h}'}}\n"
    )
    assert [u.name for u in cfg.users] == ["a"]


def test_every_problem_is_named_with_file_line_and_key() -> None:
    h = hash_password("pw")
    with pytest.raises(ConfigError) as info:
        _config(
            "  - {name: a, role: boss, password_hash: 'plain-text'}\n"
            f"  - {{name: b, role: viewer, tenant: south, password_hash: '{h}'}}\n"
            f"  - {{name: b, role: viewer, password_hash: '{h}', colour: red}}\n"
        )
    text = str(info.value)
    assert text.startswith("access.yaml: invalid configuration")
    assert "access.yaml:3: users[0].role:" in text
    assert "access.yaml:3: users[0].password_hash: expected scrypt$" in text
    assert "users[2].colour: unknown key" in text
    assert "plain-text" not in text  # a value that may be a password is never echoed


def test_unknown_tenant_and_duplicate_user_are_located() -> None:
    h = hash_password("pw")
    with pytest.raises(ConfigError) as info:
        _config(
            f"  - {{name: b, role: viewer, tenant: south, password_hash: '{h}'}}\n"
            f"  - {{name: b, role: viewer, password_hash: '{h}'}}\n"
        )
    text = str(info.value)
    assert "access.yaml:3: users[0].tenant: unknown tenant 'south' (known: east, west)" in text
    assert "access.yaml:4: users[1].name: duplicate user 'b'" in text


def test_the_example_file_is_refused_until_hashes_are_filled_in(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "dashboards" / "access.example.yaml"
    with pytest.raises(ConfigError) as info:
        load_access_config(example)
    assert str(info.value).count("password_hash: expected scrypt$") == 3
    filled = tmp_path / "access.yaml"
    placeholder = '"<output of: wanassure dashboard --hash-password>"'
    filled.write_text(example.read_text().replace(placeholder, f'"{hash_password("pw")}"'))
    cfg = load_access_config(filled)
    west = cfg.user("west-viewer")
    assert west is not None and not west.can_write
    assert cfg.allowed_sites(west, ["br-chi-027", "br-nyc-012", "st-atl-102"]) == [
        "br-chi-027",
        "st-atl-102",
    ]
