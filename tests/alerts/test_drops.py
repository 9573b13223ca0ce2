"""``collector_drops`` against a real Prometheus endpoint serving the flow collector's metrics."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import start_http_server

from assurance.alerts.config import alerts_config_from_text
from assurance.alerts.engine import AlertEngine
from collectors.flow.metrics import FlowMetrics
from tests.alerts.lakedata import AT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def collector() -> Iterator[tuple[FlowMetrics, str]]:
    metrics = FlowMetrics()
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=metrics.registry)
    yield metrics, f"http://127.0.0.1:{port}/metrics"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_drops_fire_on_growth_and_unreachable_endpoints(
    tmp_path: Path, collector: tuple[FlowMetrics, str]
) -> None:
    metrics, url = collector
    dead = f"http://127.0.0.1:{free_port()}/metrics"
    lake = tmp_path / "lake"
    lake.mkdir()
    cfg = alerts_config_from_text(
        f"""
rules:
  - name: drops
    kind: collector_drops
    metrics_urls: ["{url}", "{dead}"]
    max_drops: 3
""",
        "drops.yaml",
    )
    kernel = metrics.kernel_drops.labels(listen="0.0.0.0:2055")
    kernel.set(5)
    metrics.queue_overflow.set(0)
    metrics.decode_errors.labels(exporter="10.0.0.1", error="MalformedPacket").inc(50)
    with AlertEngine(str(lake), cfg) as engine:

        def fired() -> list[dict[str, str]]:
            found, failed = engine.evaluate(AT)
            assert failed == []
            return [dict(a.labels) for a in found["drops"]]

        port = url.split(":")[2].split("/")[0]
        down = {"alertname": "drops", "instance": dead.split("/")[2], "metric": "up"}
        assert fired() == [down]  # first sight of the counters: nothing to compare yet
        kernel.set(12)
        metrics.queue_overflow.set(2)  # below max_drops
        metrics.decode_errors.labels(exporter="10.0.0.1", error="MalformedPacket").inc(50)
        assert fired() == [
            {
                "listen": "0.0.0.0:2055",
                "alertname": "drops",
                "instance": f"127.0.0.1:{port}",
                "metric": "wanassure_flow_kernel_drops",
            },
            down,
        ]
        assert fired() == [down]  # no growth since: the drop alert resolves
        kernel.set(4)  # the collector restarted: 4 new drops since
        assert len(fired()) == 2
