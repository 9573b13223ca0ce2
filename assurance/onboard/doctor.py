"""``wanassure doctor``: per inventory device, what has arrived in the lake and what is wrong.

Owns: the checks — a device that sends nothing, a stream it should send that is missing or stale,
flow templates that never arrive, an unknown sampling rate, a skewed clock, decode errors — and
the exporters that send but are not in the inventory, each finding with the fix in Junos terms.
Must not: write to the lake or talk to devices. All SQL is parameterized; table names come from
the registry.

Clock skew is the median of (receive time − device time) over the inputs whose device time is a
send time (syslog headers, telemetry samples, flow export headers): a flow's end time lags by up
to its active timeout and would read as skew.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import duckdb

from assurance.config.inventory import Inventory

Level = Literal["ok", "warn", "fail"]

#: Stream name → (table, time column whose skew against ``received_at`` means clock skew).
STREAMS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "flow": (("flows", "export_time"), ("flow_options", "event_time")),
    "syslog": (("syslog_events", "event_time"),),
    "telemetry": (
        ("telemetry", "event_time"),
        ("interface_stats", "event_time"),
        ("device_health", "event_time"),
    ),
}

_ACTIVITY_SQL = """
SELECT exporter, device, max(received_at) AS last_seen, count(*) AS rows,
       median(epoch(received_at) - epoch({skew_column})) AS skew_s
FROM {table}
WHERE received_at >= ? AND received_at <= ?
GROUP BY exporter, device
"""

_SAMPLING_SQL = """
SELECT device, count(*) FILTER (WHERE sampling_rate IS NULL) AS unknown,
       count(*) AS rows, list(DISTINCT sampling_rate) FILTER (WHERE sampling_rate IS NOT NULL)
FROM flows WHERE received_at >= ? AND received_at <= ? AND device IS NOT NULL
GROUP BY device
"""

_REJECTS_SQL = """
SELECT exporter, device, source, error, count(*) AS n, any_value(reason) AS reason
FROM rejects WHERE event_time >= ? AND event_time <= ?
GROUP BY exporter, device, source, error
"""

_SYSLOG_EVER_SQL = """
SELECT coalesce(device, hostname), max(received_at) FROM syslog_events
WHERE received_at <= ? GROUP BY ALL
"""

_AP_SQL = """
SELECT hostname, max(received_at), count(*) FROM syslog_events
WHERE received_at >= ? AND received_at <= ? AND hostname IN (SELECT unnest(?::VARCHAR[]))
GROUP BY hostname
"""


@dataclass(frozen=True)
class Finding:
    level: Level
    problem: str
    fix: str


@dataclass
class StreamSeen:
    last_seen: datetime | None = None
    rows: int = 0
    skew_s: float | None = None


@dataclass
class DeviceReport:
    device: str
    site: str
    kind: str
    streams: dict[str, StreamSeen] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def skew_s(self) -> float | None:
        """Clock offset: receive − device time is transport delay (≥ 0) plus the offset, so
        the stream with the smallest value bounds it best."""
        skews = [s.skew_s for s in self.streams.values() if s.skew_s is not None and s.rows]
        return min(skews) if skews else None

    @property
    def level(self) -> Level:
        levels = {f.level for f in self.findings}
        return "fail" if "fail" in levels else "warn" if "warn" in levels else "ok"


@dataclass(frozen=True)
class UnknownExporter:
    exporter: str
    streams: tuple[str, ...]
    rows: int
    last_seen: datetime


@dataclass
class _Unknown:
    last: datetime
    streams: set[str] = field(default_factory=set)
    rows: int = 0

    def add(self, stream: str, rows: int, last: datetime | None) -> None:
        self.streams.add(stream)
        self.rows += rows
        if last is not None:
            self.last = max(self.last, last)


@dataclass
class Diagnosis:
    now: datetime
    window: timedelta
    devices: list[DeviceReport]
    unknown: list[UnknownExporter]

    @property
    def level(self) -> Level:
        levels = {d.level for d in self.devices} | ({"fail"} if self.unknown else set())
        return "fail" if "fail" in levels else "warn" if "warn" in levels else "ok"


@dataclass(frozen=True)
class DoctorSettings:
    window: timedelta = timedelta(hours=1)
    stale_after: timedelta = timedelta(minutes=10)
    max_skew_s: float = 30.0
    collector: str = "<collector address>"


def expected_streams(kind: str, has_telemetry: bool) -> tuple[str, ...]:
    if kind == "gateway":
        return ("flow", "syslog", "telemetry") if has_telemetry else ("flow", "syslog")
    if kind == "switch":
        return ("syslog", "telemetry") if has_telemetry else ("syslog",)
    return ("syslog",)


def newest_receive_time(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest receive time in the lake: the default "now" for a lake that is not live."""
    newest: datetime | None = None
    for parts in STREAMS.values():
        for table, _ in parts:
            row = con.execute(f"SELECT max(received_at) FROM {table}").fetchone()  # noqa: S608
            if row and row[0] is not None and (newest is None or row[0] > newest):
                newest = row[0]
    return newest


def diagnose(
    con: duckdb.DuckDBPyConnection,
    inventory: Inventory,
    now: datetime,
    settings: DoctorSettings = DoctorSettings(),
) -> Diagnosis:
    start = now - settings.window
    seen: dict[tuple[str, str], StreamSeen] = {}
    unknown: dict[str, _Unknown] = {}
    for stream, parts in STREAMS.items():
        for table, skew_column in parts:
            sql = _ACTIVITY_SQL.format(table=table, skew_column=skew_column or "event_time")
            for exporter, device, last, rows, skew in con.execute(sql, [start, now]).fetchall():
                if device is None:
                    unknown.setdefault(exporter, _Unknown(last)).add(stream, rows, last)
                    continue
                _merge(seen.setdefault((device, stream), StreamSeen()), last, rows, skew)

    ap_names = [ap.name for site in inventory.sites for ap in site.aps]
    for host, last, rows in con.execute(_AP_SQL, [start, now, ap_names]).fetchall():
        _merge(seen.setdefault((host, "syslog"), StreamSeen()), last, rows, None)

    for name, last in con.execute(_SYSLOG_EVER_SQL, [now]).fetchall():
        ever = seen.setdefault((name, "syslog"), StreamSeen())
        if ever.last_seen is None:
            ever.last_seen = last  # seen before the window, not in it

    sampling = {
        device: (unknown_n, rows, sorted(rates or ()))
        for device, unknown_n, rows, rates in con.execute(_SAMPLING_SQL, [start, now]).fetchall()
    }
    rejects: dict[str, list[tuple[str, str, int, str]]] = defaultdict(list)
    for exporter, device, source, error, n, reason in con.execute(
        _REJECTS_SQL, [start, now]
    ).fetchall():
        if device is None:
            unknown.setdefault(exporter, _Unknown(start)).add(f"{source} (undecodable)", n, None)
        else:
            rejects[device].append((source, error, n, reason))

    reports = []
    for site in inventory.sites:
        devices: list[tuple[str, str, bool]] = [
            *((g.name, "gateway", g.telemetry is not None) for g in site.gateways),
            *((s.name, "switch", s.telemetry is not None) for s in site.switches),
            *((a.name, "ap", False) for a in site.aps),
        ]
        for name, kind, has_telemetry in devices:
            report = DeviceReport(name, site.name, kind)
            for stream in expected_streams(kind, has_telemetry):
                report.streams[stream] = seen.get((name, stream), StreamSeen())
            _check(report, now, settings, sampling.get(name), rejects.get(name, []))
            reports.append(report)

    unknown_list = [
        UnknownExporter(exporter, tuple(sorted(u.streams)), u.rows, u.last)
        for exporter, u in sorted(unknown.items())
    ]
    return Diagnosis(now, settings.window, reports, unknown_list)


def _merge(s: StreamSeen, last: datetime, rows: int, skew: float | None) -> None:
    if skew is not None:
        # Row-weighted mean of the per-table medians: close enough to tell 2 s from 10 min.
        s.skew_s = skew if s.skew_s is None else (s.skew_s * s.rows + skew * rows) / (s.rows + rows)
    s.rows += rows
    s.last_seen = last if s.last_seen is None else max(s.last_seen, last)


def _check(
    report: DeviceReport,
    now: datetime,
    settings: DoctorSettings,
    sampling: tuple[int, int, list[int]] | None,
    rejects: list[tuple[str, str, int, str]],
) -> None:
    add = report.findings.append
    device = report.device
    render = f"wanassure junos-config --inventory INVENTORY --device {device}"
    template_rejects = sum(n for source, error, n, _ in rejects if error == "UnknownTemplate")
    if all(s.rows == 0 for s in report.streams.values()) and not rejects:
        add(
            Finding(
                "fail",
                f"nothing received in the last {_span(settings.window)}",
                f"apply `{render}` on the device, then check that it reaches"
                f" {settings.collector} (routing instance, firewall filters, NAT)",
            )
        )
        return
    for stream, s in report.streams.items():
        event_driven = stream == "syslog" and report.kind != "gateway"
        if s.rows == 0 and event_driven and s.last_seen is not None:
            continue  # switches and APs log only when something happens; it has before
        if s.rows == 0:
            if stream == "flow" and template_rejects:
                continue  # reported below as missing templates
            add(Finding("fail", f"no {stream} received", _missing_fix(stream, render)))
        elif not event_driven and s.last_seen and now - s.last_seen > settings.stale_after:
            add(
                Finding(
                    "warn",
                    f"{stream} stopped {_span(now - s.last_seen)} ago"
                    f" (last at {s.last_seen:%Y-%m-%d %H:%M:%S} UTC)",
                    f"check the device's {stream} export and its path to {settings.collector}",
                )
            )
    if template_rejects:
        flows = report.streams.get("flow", StreamSeen()).rows
        add(
            Finding(
                "fail" if flows == 0 else "warn",
                f"flow templates never arrived: {template_rejects} datagram(s) held and dropped"
                " for an unknown template" + ("" if flows == 0 else f" ({flows} records decoded)"),
                "make the device send templates from the same source address as the data"
                " (`inline-jflow source-address`) and refresh them often: `set services"
                " flow-monitoring version-ipfix template <name> template-refresh-rate seconds 60`",
            )
        )
    if sampling is not None:
        unknown_n, rows, rates = sampling
        if unknown_n == rows:
            add(
                Finding(
                    "warn",
                    "sampling rate unknown: no options record with the sampling interval",
                    "set `option-refresh-rate seconds 60` on the IPFIX template so byte and"
                    " packet counts can be scaled",
                )
            )
        elif len(rates) > 1:
            add(
                Finding(
                    "warn",
                    f"several sampling rates seen: {', '.join(f'1:{r}' for r in rates)}",
                    "use one `input rate` in the sampling instance",
                )
            )
    skew = report.skew_s
    if skew is not None and abs(skew) > settings.max_skew_s:
        side = "behind" if skew > 0 else "ahead of"
        add(
            Finding(
                "fail",
                f"clock {_span(timedelta(seconds=abs(skew)))} {side} the collector",
                "configure NTP on the device: `set system ntp server <ntp server>` and"
                " `set system time-zone UTC`",
            )
        )
    other = [r for r in rejects if r[1] != "UnknownTemplate"]
    if other:
        total = sum(r[2] for r in other)
        source, error, _, reason = max(other, key=lambda r: r[2])
        add(
            Finding(
                "warn",
                f"{total} input(s) could not be decoded, mostly {source} {error}: {reason}",
                "see `rejects` in the lake for the raw bytes;"
                " the device's export format or version is not the one rendered",
            )
        )


def _missing_fix(stream: str, render: str) -> str:
    what = {
        "flow": "the inline jflow part (services flow-monitoring, forwarding-options sampling)",
        "syslog": "the syslog part (security log stream, system syslog host)",
        "telemetry": "the gRPC service (or native JTI) and the telemetry block of the inventory",
    }[stream]
    return f"apply {what} of `{render}`"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


__all__ = ["Diagnosis", "DoctorSettings", "Finding", "diagnose", "newest_receive_time"]
