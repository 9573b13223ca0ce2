"""A real S3 HTTP endpoint on loopback for the S3 lake tests: moto in server mode.

``moto_server`` runs as a separate process (started once per session, waited for until it
answers), so every request our code makes crosses a real HTTP connection. Tests look at what
the store holds through boto3, a client that shares no code with ours.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import pytest

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key-never-printed"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    env: dict[str, str]  # what a process needs to open an s3:// lake on this server

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    port = free_port()
    binary = Path(sys.executable).with_name("moto_server")
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    proc = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(endpoint, timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start (exit {proc.poll()})")
            time.sleep(0.1)
        env = {
            "WANASSURE_S3__ENDPOINT_URL": endpoint,
            "WANASSURE_S3__REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }
        yield S3Server(endpoint, env)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@dataclass(frozen=True)
class Bucket:
    """A fresh bucket on the server, with the environment that points our code at it."""

    name: str
    server: S3Server

    @property
    def url(self) -> str:
        return f"s3://{self.name}/lake"

    def objects(self, prefix: str = "lake/") -> dict[str, int]:
        """Every object under ``prefix``: key → size, as the server lists them."""
        found: dict[str, int] = {}
        pages = self.server.client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.name, Prefix=prefix):
            found.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
        return found

    def get(self, key: str) -> bytes:
        body: bytes = self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read()
        return body

    def upload_tree(self, folder: Path, prefix: str = "lake") -> int:
        """Copy every file under ``folder`` to ``prefix/…`` (one PUT each); files copied."""
        client = self.server.client()
        count = 0
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            client.put_object(
                Bucket=self.name,
                Key=f"{prefix}/{path.relative_to(folder).as_posix()}",
                Body=path.read_bytes(),
            )
            count += 1
        return count

    def process_env(self) -> dict[str, str]:
        return {**os.environ, **self.server.env}


@pytest.fixture
def bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    for name, value in s3_server.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    name = f"lake-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    return Bucket(name, s3_server)
