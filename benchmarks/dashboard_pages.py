"""Benchmark: how long each dashboard page takes on a big lake, for the default range and 30 days.

Opens every page (overview, site, WAN links, applications, Wi-Fi and LAN, incidents, actions,
alerts) through Streamlit's AppTest — the real page scripts, the real read API — with no access
config (an open dashboard sees every site), and times each page run twice over:

- *cold*: the first run of a new browser session opened on that page (a new user arriving on a
  running dashboard: the process's lake connection and inventory are already loaded, the
  session has nothing yet);
- *warm*: the same page run again in that session.

Before those, the first page after a server start (Streamlit's caches cleared: the lake
connection, its views and the inventory are loaded by that run) is timed once and shown apart.

Each is repeated ``--repeat`` times; the table shows medians of the page's wall time and of the
time spent inside read-API queries (``LakeReader`` / ``SleQuery`` calls), and the CPU seconds
of this process per page run. Figures on a shared machine are inflated by the load: the
1-minute load average is printed.

    .venv/bin/python benchmarks/big_lake.py --out /tmp/big-lake          # once
    .venv/bin/python -m assurance.rollups --lake /tmp/big-lake          # once (hours, days)
    .venv/bin/python benchmarks/dashboard_pages.py --lake /tmp/big-lake [--repeat 3]

Must not write to the lake (roll-ups are built by ``python -m assurance.rollups``).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from assurance.lake.store import LakeStore
from assurance.query.reader import LakeReader
from assurance.query.sle import SleQuery
from assurance.rollups import ROLLUPS
from assurance.rollups.build import stale_hours
from dashboards.context import CONFIG_ENV, LAKE_ENV

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
PAGES = ["overview", "site", "wan", "apps", "wifi_lan", "incidents", "actions", "alerts"]
#: Pages whose URL path is not their file name (``dashboards/app.py``).
URL_PATHS = {"wifi_lan": "wifi-lan"}
#: Each page's title, to check that the page asked for is the page that ran.
TITLES = {"overview": "Org overview", "site": "Site", "wan": "WAN links", "apps": "Applications",
          "wifi_lan": "Wi-Fi and LAN", "incidents": "Incidents", "actions": "Actions",
          "alerts": "Alerts"}  # fmt: skip
RANGES = {"default (24 h)": "Last 24 h", "30 days": "Last 30 days"}
BUDGET_S = 2.0


class QueryClock:
    """Sums the wall time spent inside the read API's query methods while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    @contextmanager
    def installed(self) -> Iterator[None]:
        originals: list[tuple[type, str, Callable[..., Any]]] = []
        for cls, names in ((LakeReader, ("_rows", "_dicts")), (SleQuery, ("_rows",))):
            for name in names:
                original = cls.__dict__[name]
                originals.append((cls, name, original))
                setattr(cls, name, self._timed(original))
        try:
            yield
        finally:
            for cls, name, original in originals:
                setattr(cls, name, original)

    def _timed(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began
                self.calls += 1

        return timed


@dataclass
class Sample:
    wall: float
    query: float
    cpu: float
    calls: int


def _run(
    at: AppTest, page: str, params: dict[str, str], clock: QueryClock, *, first: bool = False
) -> Sample:
    """One run of ``page`` in ``at``: its first (the page was set by ``_session``) or a later
    one (the sidebar's page link)."""
    at.query_params.clear()
    at.query_params.update(params)
    clock.seconds, clock.calls = 0.0, 0
    if not first:
        at.switch_page(f"views/{page}.py")
    wall, cpu = time.perf_counter(), time.process_time()
    at.run()
    sample = Sample(
        time.perf_counter() - wall, clock.seconds, time.process_time() - cpu, clock.calls
    )
    if at.exception:
        raise RuntimeError(f"page {page} failed: {[e.message for e in at.exception]}")
    title = at.title[0].value if len(at.title) else ""
    if not title.startswith(TITLES[page]):
        raise RuntimeError(f"asked for page {page}, got {title!r}")
    return sample


def _session(choice: str, page: str | None = None) -> AppTest:
    """A new browser session (not run yet) with the time range chosen in its sidebar, opening
    ``page`` (a file in ``views/``) on its first run, as a browser opening its URL would."""
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.session_state["range_choice"] = choice
    if page is not None:
        # Before its first run AppTest.switch_page finds a page by file name only, which misses
        # pages whose URL differs (views/wifi_lan.py is /wifi-lan) and runs the default page
        # instead; a browser asks for the page's URL path, whose hash is what st.Page uses.
        at._page_hash = calc_hash(URL_PATHS.get(page, page))
    return at


def measure(
    lake: str, site: str | None, repeat: int
) -> dict[tuple[str, str], tuple[list[Sample], list[Sample]]]:
    """(range, page) → (cold samples, warm samples)."""
    os.environ[LAKE_ENV] = lake
    os.environ.pop(CONFIG_ENV, None)
    clock = QueryClock()
    out: dict[tuple[str, str], tuple[list[Sample], list[Sample]]] = {}
    with clock.installed():
        st.cache_resource.clear()
        st.cache_data.clear()
        first = _run(
            _session(RANGES["default (24 h)"], "overview"), "overview", {}, clock, first=True
        )
        print(
            f"first page after a server start (overview, connection and inventory loaded): "
            f"{first.wall:.2f} s wall, {first.cpu:.2f} s CPU"
        )
        for label, choice in RANGES.items():
            for page in PAGES:
                params = {"site": site} if page == "site" and site else {}
                cold, warm = [], []
                for _ in range(repeat):
                    at = _session(choice, page)
                    cold.append(_run(at, page, params, clock, first=True))
                    warm.append(_run(at, page, params, clock))
                out[(label, page)] = (cold, warm)
                c, w = (statistics.median(s.wall for s in x) for x in (cold, warm))
                print(f"  {label:15s} {page:10s} cold {c:6.2f} s  warm {w:6.2f} s", file=sys.stderr)
    return out


def _median(samples: list[Sample], key: str) -> float:
    return statistics.median(float(getattr(s, key)) for s in samples)


def report(results: dict[tuple[str, str], tuple[list[Sample], list[Sample]]]) -> bool:
    """Print the table; True when every cold and warm median is under the budget."""
    head = (
        f"{'range':15s} {'page':10s} {'cold s':>7s} {'(query)':>8s} {'warm s':>7s} "
        f"{'(query)':>8s} {'cpu s':>6s} {'queries':>7s}"
    )
    print(head)
    print("-" * len(head))
    ok = True
    for (label, page), (cold, warm) in results.items():
        warm_s = _median(warm, "wall")
        ok = ok and warm_s < BUDGET_S and _median(cold, "wall") < BUDGET_S
        print(
            f"{label:15s} {page:10s} {_median(cold, 'wall'):7.2f} {_median(cold, 'query'):8.2f} "
            f"{warm_s:7.2f} {_median(warm, 'query'):8.2f} {_median(warm, 'cpu'):6.2f} "
            f"{int(_median(warm, 'calls')):7d}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True)
    parser.add_argument("--site", default=None, help="site for the site page (default: first)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # bare AppTest runs warn "missing ScriptRunContext" each time
    if not Path(args.lake).is_dir():
        parser.error(f"--lake {args.lake}: no such folder")
    print(f"lake {args.lake}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    store = LakeStore(args.lake)
    stale = {r.name: len(stale_hours(store, r)[0]) for r in ROLLUPS}
    if any(stale.values()):
        print(
            "warning: roll-ups not up to date ("
            + ", ".join(f"{name} {n}" for name, n in stale.items() if n)
            + f"); pages read the minutes there: python -m assurance.rollups --lake {args.lake}"
        )
    ok = report(measure(args.lake, args.site, max(1, args.repeat)))
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}; cold and warm medians under {BUDGET_S:.0f} s: {ok}")


if __name__ == "__main__":
    main()
