"""The tokens file and the ``wanassure api token`` commands: a token is printed once and only its
SHA-256 is stored; list never shows secrets; revoke removes by id or name; bad input is one line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from assurance.api.tokens import TokenStore
from assurance.cli import app

runner = CliRunner()


def test_create_prints_the_token_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    r = runner.invoke(
        app,
        [
            "api",
            "token",
            "create",
            "--role",
            "operator",
            "--tenant",
            "east",
            "--sites",
            "br-x-*",
            "--name",
            "ops",
            "--tokens",
            str(path),
        ],
    )
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    prefix, token_id, secret = token.split("_", 2)
    assert prefix == "wat" and len(token_id) == 12 and len(secret) == 43
    text = path.read_text()
    assert secret not in text and token not in text
    [row] = json.loads(text)["tokens"]
    assert row["sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert (row["role"], row["tenant"], row["sites"], row["name"]) == (
        "operator",
        "east",
        ["br-x-*"],
        "ops",
    )
    assert path.stat().st_mode & 0o077 == 0
    store = TokenStore(path)
    assert store.verify(token) is not None and store.verify(token).name == "ops"  # type: ignore[union-attr]
    assert store.verify(token + "x") is None and store.verify("") is None
    listed = runner.invoke(app, ["api", "token", "list", "--tokens", str(path)])
    assert (
        "ops" in listed.stdout
        and secret not in listed.stdout
        and row["sha256"] not in listed.stdout
    )
    gone = runner.invoke(app, ["api", "token", "revoke", token_id, "--tokens", str(path)])
    assert gone.exit_code == 0 and json.loads(path.read_text())["tokens"] == []


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    access = tmp_path / "access.yaml"
    access.write_text("tenants:\n  east: [br-*]\n")
    cases = [
        (["--role", "root"], "role 'root'"),
        (["--role", "viewer", "--tenant", "north", "--access", str(access)], "not a tenant"),
    ]
    for extra, words in cases:
        r = runner.invoke(app, ["api", "token", "create", *extra, "--tokens", str(path)])
        assert r.exit_code == 2, r.output
        assert words in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["api", "token", "revoke", "nobody", "--tokens", str(path)])
    assert r.exit_code == 2 and "no token" in r.output
    path.write_text("{not json")
    r = runner.invoke(app, ["api", "token", "list", "--tokens", str(path)])
    assert r.exit_code == 2 and "tokens file" in r.output
