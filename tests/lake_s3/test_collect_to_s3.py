"""``wanassure collect flow --lake s3://…``: real UDP in, objects in the bucket, templates kept
in a local state folder so a restarted collector decodes data without a template refresh."""

from __future__ import annotations

import io
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from collectors.flow import IpfixEncoder
from tests.lake_s3.conftest import Bucket

ROOT = Path(__file__).resolve().parents[2]
WANASSURE = Path(sys.executable).with_name("wanassure")
FIELDS = ["sourceIPv4Address", "destinationIPv4Address", "octetDeltaCount", "flowEndMilliseconds"]


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def records(first: int, count: int) -> list[dict[str, object]]:
    return [
        {
            "sourceIPv4Address": "10.1.0.5",
            "destinationIPv4Address": "52.112.0.1",
            "octetDeltaCount": 1000 + i,
            "flowEndMilliseconds": 1_780_000_000_000,
        }
        for i in range(first, first + count)
    ]


def run_collector(
    bucket: Bucket, state_home: Path, port: int, send: list[bytes], expect: int
) -> None:
    """Run the collector on ``port`` until it has decoded ``expect`` records, then stop it."""
    metrics_port = free_port(socket.SOCK_STREAM)
    proc = subprocess.Popen(
        [
            str(WANASSURE),
            "collect",
            "flow",
            "--lake",
            bucket.url,
            "--listen",
            f"127.0.0.1:{port}",
            "--metrics",
            f"127.0.0.1:{metrics_port}",
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**bucket.process_env(), "XDG_STATE_HOME": str(state_home), "COLUMNS": "200"},
    )
    assert proc.stderr is not None
    assert "collecting jflow" in proc.stderr.readline()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in send:
            sock.sendto(datagram, ("127.0.0.1", port))
    want = f'wanassure_flow_records_total{{exporter="127.0.0.1"}} {float(expect)}'
    deadline = time.monotonic() + 30
    metrics = ""
    while want not in metrics:
        assert time.monotonic() < deadline, metrics
        time.sleep(0.1)
        metrics = (
            urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
            .read()
            .decode()
        )
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest


def test_collector_writes_s3_and_keeps_templates_across_a_restart(
    bucket: Bucket, tmp_path: Path
) -> None:
    port = free_port(socket.SOCK_DGRAM)
    encoder = IpfixEncoder(domain=3)
    encoder.define(256, FIELDS)
    run_collector(bucket, tmp_path, port, encoder.encode(256, records(0, 100), export_time=1), 100)
    state_file = tmp_path / "wanassure" / "s3" / bucket.name / "lake" / f"flow-{port}.json"
    assert state_file.is_file()

    # Restarted on the same port, it decodes data sets that come without their template.
    later = encoder.encode(256, records(100, 50), export_time=2, with_template=False)
    run_collector(bucket, tmp_path, port, later, 50)

    objects = [k for k in bucket.objects() if k.startswith("lake/flows/")]
    assert objects and all(k.endswith(".parquet") for k in objects)
    rows = pa.concat_tables(pq.read_table(io.BytesIO(bucket.get(k))) for k in objects)
    assert sorted(rows.column("bytes").to_pylist()) == [1000 + i for i in range(150)]
    assert set(rows.column("exporter").to_pylist()) == {"127.0.0.1"}
