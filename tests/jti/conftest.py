"""Fixtures of the JTI tests: a throwaway certificate authority made with the openssl CLI."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tools import require_tool


@dataclass(frozen=True)
class Pki:
    ca: Path
    other_ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def _ca(directory: Path, name: str) -> Path:
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.pem",
        cwd=directory,
    )  # fmt: skip
    return directory / f"{name}.pem"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    require_tool("openssl")
    d = tmp_path_factory.mktemp("pki")
    ca = _ca(d, "test-ca")
    other = _ca(d, "other-ca")
    (d / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "device.key", "-out", "device.csr", cwd=d,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "device.csr", "-CA", "test-ca.pem", "-CAkey", "test-ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "device.pem", cwd=d,
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=wanassure-collector",
        "-keyout", "collector.key", "-out", "collector.csr", cwd=d,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "collector.csr", "-CA", "test-ca.pem", "-CAkey", "test-ca.key",
        "-CAcreateserial", "-days", "2", "-out", "collector.pem", cwd=d,
    )  # fmt: skip
    return Pki(
        ca, other, d / "device.pem", d / "device.key", d / "collector.pem", d / "collector.key"
    )
