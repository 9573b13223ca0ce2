"""Benchmark: REST API latency under load on a 30-day, 200-site lake.

Starts the API (uvicorn, the real application) in its own process over a lake built by
``benchmarks/big_lake.py`` (fixed seed; built first when ``--lake`` does not hold one yet), then a
local load generator (asyncio + httpx, ``--concurrency`` requests in flight, ``--requests`` per
scenario, each scenario also bounded by ``--max-seconds``) calls:

- the org SLE summary over the whole 30 days and over the last 24 hours, as an org-wide token
  and as a tenant token scoped to 20 sites;
- one site's SLE summary (WAN link health over 30 days, a different site each request);
- the incidents list (first page of 100) as an org-wide and as a tenant token.

The API keeps org-wide answers for ``--cache-seconds`` (its default, 10); ``--cache-seconds 0``
measures every request going to the lake. The site summary asks for a different site each
time, so it measures the lake either way.

Prints per scenario: requests, p50 / p95 / p99 / max latency in ms, requests per second, and the
API process's CPU milliseconds per request (from /proc), plus the 1-minute load average (the
machine may be shared: wall figures are inflated by other work, CPU per request much less).

    .venv/bin/python benchmarks/api_load.py --lake /tmp/big-lake [--requests 200 --concurrency 8]

Must not write to the lake (the API's write endpoints are not called).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TENANT_SITES = 20


def _serve(lake: str, tokens: str, access: str, port: int, cache: float) -> None:
    from assurance.api import build_state
    from assurance.api.server import run

    run(build_state(lake, tokens, access=access, cache_seconds=cache), f"127.0.0.1:{port}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float
    cpu: float
    errors: int

    def row(self) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        n = len(ms)
        q = statistics.quantiles(ms, n=100, method="inclusive") if n > 1 else ms * 99
        return (
            f"{self.name:<44} {n:>5} {q[49]:>8.1f} {q[94]:>8.1f} {q[98]:>8.1f} {ms[-1]:>8.1f} "
            f"{n / self.seconds:>7.1f} {1000 * self.cpu / max(n, 1):>8.1f} {self.errors:>4}"
        )


async def _scenario(
    client: httpx.AsyncClient,
    name: str,
    urls: list[str],
    token: str,
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
    pid: int,
) -> Result:
    headers = {"Authorization": f"Bearer {token}"}
    for url in urls[:3]:  # warm-up: connections, DuckDB caches, file cache
        (await client.get(url, headers=headers)).raise_for_status()
    latencies: list[float] = []
    errors = 0
    issued = 0
    began = time.perf_counter()
    cpu0 = _cpu_seconds(pid)

    async def worker() -> None:
        nonlocal issued, errors
        while issued < requests and time.perf_counter() - began < max_seconds:
            url = urls[issued % len(urls)]
            issued += 1
            t = time.perf_counter()
            r = await client.get(url, headers=headers)
            latencies.append(time.perf_counter() - t)
            errors += r.status_code != 200

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, latencies, time.perf_counter() - began, _cpu_seconds(pid) - cpu0, errors)


def _tokens(tmp: Path, sites: list[str]) -> tuple[Path, Path, str, str]:
    from assurance.api.tokens import create

    access = tmp / "access.yaml"
    access.write_text("tenants:\n  bench: [" + ", ".join(sites[:TENANT_SITES]) + "]\n")
    path = tmp / "tokens.json"
    admin, _ = create(path, role="admin", name="bench-admin")
    tenant, _ = create(path, role="viewer", tenant="bench", name="bench-tenant")
    return path, access, admin, tenant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", default="/tmp/big-lake", help="built here if missing")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=90.0, help="per scenario")
    parser.add_argument(
        "--cache-seconds",
        type=float,
        default=10.0,
        help="the API's answer cache for org-wide reads (0: every request queries the lake)",
    )
    args = parser.parse_args()

    lake = Path(args.lake)
    if not (lake / "sle_days").is_dir():
        from benchmarks.big_lake import build

        print(f"building a {args.days}-day, {args.sites}-site lake at {lake} …", file=sys.stderr)
        build(str(lake), sites=args.sites, days=args.days, seed=args.seed)

    from assurance.query.org import OrgQuery

    org = OrgQuery(str(lake))
    sites = org.sites()
    bounds = org.time_range()
    org.close()
    if bounds is None or not sites:
        raise SystemExit(f"{lake}: no SLE data")
    start, end = (t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in bounds)
    day = (bounds[1].replace(minute=0, second=0, microsecond=0)).timestamp() - 86400
    last_day = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(day))

    with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
        tokens, access, admin, tenant = _tokens(Path(tmp), sites)
        port = _free_port()
        ctx = multiprocessing.get_context("spawn")
        server = ctx.Process(
            target=_serve,
            args=(str(lake), str(tokens), str(access), port, args.cache_seconds),
        )
        server.start()
        assert server.pid is not None
        base = f"http://127.0.0.1:{port}/api/v1"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(f"{base}/openapi.json", timeout=5).raise_for_status()
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or not server.is_alive():
                        raise SystemExit("the API did not start") from None
                    time.sleep(0.2)
            scenarios = [
                (
                    "org SLE summary, 30 days, org token",
                    [f"/org/sle/summary?start={start}&end={end}"],
                    admin,
                ),
                (
                    "org SLE summary, 30 days, 20-site tenant",
                    [f"/org/sle/summary?start={start}&end={end}"],
                    tenant,
                ),
                (
                    "org SLE summary, last 24 h, org token",
                    [f"/org/sle/summary?start={last_day}&end={end}"],
                    admin,
                ),
                (
                    "site SLE summary (WAN link), 30 days",
                    [
                        f"/sites/{s}/sle/wan-link-health/summary?start={start}&end={end}"
                        for s in sites
                    ],
                    admin,
                ),
                ("incidents, first 100, org token", ["/incidents?limit=100"], admin),
                ("incidents, first 100, 20-site tenant", ["/incidents?limit=100"], tenant),
            ]
            results = asyncio.run(_run(base, scenarios, args, server.pid))
        finally:
            server.terminate()
            server.join(timeout=30)

    print(
        f"API under load: {len(sites)} sites, {start} → {end}, concurrency {args.concurrency}, "
        f"up to {args.requests} requests per scenario, answer cache {args.cache_seconds:g} s; "
        f"load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"{'scenario':<44} {'reqs':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'req/s':>7} {'cpu ms/r':>8} {'errs':>4}"
    )
    for r in results:
        print(r.row())


async def _run(
    base: str, scenarios: list[tuple[str, list[str], str]], args: argparse.Namespace, pid: int
) -> list[Result]:
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        return [
            await _scenario(
                client,
                name,
                urls,
                token,
                requests=args.requests,
                concurrency=args.concurrency,
                max_seconds=args.max_seconds,
                pid=pid,
            )
            for name, urls, token in scenarios
        ]


if __name__ == "__main__":
    main()
