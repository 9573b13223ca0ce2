"""The SNMP poller: one asyncio task per device, every device on its own interval.

Each cycle walks the groups of ``oids.WALKED`` side by side (GETBULK, MIB lookup off), GETs the
RPM result rows of the tests found, normalizes what came back and writes it to the sink.
A failing device never holds up another: requests are bounded by the device's timeout and
retries, and the failure becomes one log line per change of state and a counter per device.
Groups answered before a failure are written all the same. A cycle that overruns its interval
skips the starts it missed (counted in ``wanassure_snmp_missed_intervals``) rather than
queueing them. Must not import ``assurance``: targets arrive as plain parameters.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from collectors.sink import Sink
from collectors.snmp import oids
from collectors.snmp.client import Credentials, Engines, Requester, open_session
from collectors.snmp.errors import SnmpError
from collectors.snmp.metrics import SnmpMetrics
from collectors.snmp.normalize import Normalizer, Sample, Walked, rpm_calc_oids
from collectors.snmp.oids import Group, dotted
from collectors.snmp.rows import Origin
from collectors.snmp.values import Exceptional, VarBind
from collectors.snmp.walk import TableWalk, rows_from_varbinds

log = logging.getLogger(__name__)

#: OIDs per GET request
GET_CHUNK = 48


@dataclass(frozen=True)
class Target:
    """One device to poll; ``device``/``site`` are its inventory names when known."""

    address: str
    credentials: Credentials
    port: int = 161
    interval_s: float = 60.0
    timeout_s: float = 5.0
    retries: int = 1
    device: str | None = None
    site: str | None = None

    @property
    def label(self) -> str:
        return self.device or (self.address if self.port == 161 else f"{self.address}:{self.port}")


@dataclass
class PollReport:
    """What one cycle of one device did."""

    label: str
    groups: list[str] = field(default_factory=list)  # groups walked to the end
    errors: list[SnmpError] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # OIDs answered noSuch*
    requests: int = 0
    varbinds: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    counter_resets: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def result(self) -> str:
        if not self.errors:
            return "ok"
        return "partial" if self.groups else "failed"


class _Device:
    """Poll state of one target."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.origin = Origin(target.address, target.device, target.site)
        self.session: Requester | None = None
        self.rows_hint = {g.name: g.initial_rows for g in oids.WALKED}
        self.counters_32 = False
        self.state = "new"
        self.missing_state = False
        self.reset_interfaces: set[str] = set()
        self.lock = asyncio.Lock()


class SnmpPoller:
    """Polls ``targets`` until stopped and writes their rows to ``sink``."""

    def __init__(
        self,
        sink: Sink,
        targets: Iterable[Target],
        *,
        metrics: SnmpMetrics | None = None,
        max_concurrent: int = 128,
        stagger: bool = True,
        wallclock_us: Callable[[], int] = lambda: time.time_ns() // 1000,
    ) -> None:
        self.sink = sink
        self.metrics = metrics or SnmpMetrics()
        self.normalizer = Normalizer()
        self.engines = Engines()
        self.stagger = stagger
        self._now_us = wallclock_us
        self._devices = {t: _Device(t) for t in targets}
        self._limit = asyncio.Semaphore(max_concurrent)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def targets(self) -> list[Target]:
        return list(self._devices)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for device in self._devices.values():
            self._tasks.append(loop.create_task(self._run(device), name=device.target.label))
        log.info("polling %d devices over SNMP", len(self._devices))

    async def stop(self) -> None:
        """Cancel the device loops (a poll in flight is abandoned) and flush the sink."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self.sink.flush()
        await self.engines.close()

    async def _run(self, device: _Device) -> None:
        loop = asyncio.get_running_loop()
        interval = device.target.interval_s
        due = loop.time()
        if self.stagger:  # spread devices over the interval, the same way every run
            due += (zlib.crc32(device.target.label.encode()) % 10_000) / 10_000 * interval
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            await self.poll(device.target)
            due += interval
            missed = 0
            now = loop.time()
            while due <= now:
                missed += 1
                due += interval
            if missed:
                self.metrics.missed_intervals.labels(device.target.label).inc(missed)
                log.warning(
                    "snmp %s: poll took longer than the %g s interval; %d cycle(s) skipped",
                    device.target.label,
                    interval,
                    missed,
                )

    # -- one cycle -------------------------------------------------------------------------

    async def poll(self, target: Target) -> PollReport:
        """Poll ``target`` once, write its rows and return what happened."""
        device = self._devices.get(target)
        if device is None:
            device = self._devices[target] = _Device(target)
        async with device.lock, self._limit:
            started = time.perf_counter()
            report = PollReport(target.label)
            sample = await self._collect(device, report)
            self._write(device, sample, report)
            report.seconds = time.perf_counter() - started
        self._account(device, report)
        return report

    async def _collect(self, device: _Device, report: PollReport) -> Sample:
        sample = Sample(device.origin)
        if device.session is None:
            try:
                device.session = await open_session(
                    self.engines,
                    device.target.address,
                    device.target.port,
                    device.target.credentials,
                    timeout_s=device.target.timeout_s,
                    retries=device.target.retries,
                )
            except SnmpError as exc:
                report.errors.append(exc)
                return sample
        session = device.session
        groups = [
            oids.INTERFACES_32 if g is oids.INTERFACES and device.counters_32 else g
            for g in oids.WALKED
        ]
        await asyncio.gather(*(self._walk(session, device, g, sample, report) for g in groups))
        summary = sample.groups.get(oids.RPM_SUMMARY.name)
        if summary is not None:
            await self._get_rpm_rows(session, summary, sample, report)
        interfaces = sample.groups.get(oids.INTERFACES.name)
        if (
            interfaces is not None
            and not device.counters_32
            and interfaces.rows["ifDescr"]
            and not interfaces.rows["ifHCInOctets"]
        ):
            device.counters_32 = True
            log.info("snmp %s: no ifHCInOctets; using 32-bit counters", device.target.label)
        return sample

    async def _walk(
        self, session: Requester, device: _Device, group: Group, sample: Sample, report: PollReport
    ) -> None:
        walk = TableWalk(group, device.rows_hint.get(group.name, group.initial_rows))
        with_uptime = group.name == oids.INTERFACES.name
        try:
            while not walk.finished:
                columns, repetitions = walk.request()
                scalars = [oids.SYS_UPTIME_PREFIX] if with_uptime else []
                head, varbinds = await session.bulk(scalars, columns, repetitions)
                report.requests += 1
                report.varbinds += len(head) + len(varbinds)
                if with_uptime:
                    self._uptime(head, sample)
                    with_uptime = False
                walk.absorb(varbinds)
        except SnmpError as exc:
            report.errors.append(exc)
        finally:
            if any(walk.rows.values()):
                sample.groups[group.name] = Walked(walk.rows, self._now_us())
        if walk.broken is not None:
            report.errors.append(SnmpError("walk", f"{group.name}: {walk.broken}"))
        elif walk.finished:
            report.groups.append(group.name)
            device.rows_hint[group.name] = walk.row_count

    def _uptime(self, head: list[VarBind], sample: Sample) -> None:
        for name, value in head:
            if name == oids.SYS_UPTIME_0 and isinstance(value, int):
                sample.uptime = (value, self._now_us())

    async def _get_rpm_rows(
        self, session: Requester, summary: Walked, sample: Sample, report: PollReport
    ) -> None:
        wanted = rpm_calc_oids(summary.rows)
        answers: list[VarBind] = []
        try:
            for start in range(0, len(wanted), GET_CHUNK):
                answers += await session.get(wanted[start : start + GET_CHUNK])
                report.requests += 1
        except SnmpError as exc:
            report.errors.append(exc)
        report.varbinds += len(answers)
        report.missing += [dotted(name) for name, value in answers if _missing(value)]
        now = self._now_us()
        for group in (oids.RPM_CALC, oids.RPM_TARGET):
            rows = rows_from_varbinds(group, answers)
            if any(rows.values()):
                sample.groups[group.name] = Walked(rows, now)

    def _write(self, device: _Device, sample: Sample, report: PollReport) -> None:
        normalized = self.normalizer.normalize(sample)
        report.counter_resets = normalized.counter_resets
        for table, rows in normalized.tables.items():
            try:
                self.sink.write(table, rows)
            except Exception as exc:  # a sink failure must not end the device's loop
                report.errors.append(SnmpError("sink", f"cannot write {table}: {exc}"))
                log.exception("snmp %s: writing %s failed", device.target.label, table)
                continue
            report.rows[table] = rows.num_rows

    # -- accounting and logging ------------------------------------------------------------

    def _account(self, device: _Device, report: PollReport) -> None:
        m, label = self.metrics, report.label
        m.polls.labels(label, report.result).inc()
        m.requests.labels(label).inc(report.requests)
        m.varbinds.labels(label).inc(report.varbinds)
        m.poll_seconds.observe(report.seconds)
        m.up.labels(label).set(1 if report.varbinds else 0)
        for kind in dict.fromkeys(error.kind for error in report.errors):
            m.errors.labels(label, kind).inc()  # once per kind and cycle
        for table, count in report.rows.items():
            m.rows.labels(table).inc(count)
        if report.missing:
            m.missing.labels(label).inc(len(report.missing))
        if report.counter_resets:
            m.counter_resets.labels(label).inc(len(report.counter_resets))
        self._log_changes(device, report)

    def _log_changes(self, device: _Device, report: PollReport) -> None:
        label = report.label
        state = report.errors[0].kind if report.errors else "ok"
        if state != device.state:
            if report.errors:
                reasons = "; ".join(dict.fromkeys(e.reason for e in report.errors))
                log.warning("snmp %s: %s poll: %s", label, report.result, reasons)
            elif device.state != "new":
                log.info("snmp %s: polling normally again (was: %s)", label, device.state)
            device.state = state
        if bool(report.missing) != device.missing_state:
            device.missing_state = bool(report.missing)
            if report.missing:
                log.warning(
                    "snmp %s: %d object(s) answered noSuchObject/noSuchInstance, e.g. %s",
                    label,
                    len(report.missing),
                    report.missing[0],
                )
            else:
                log.info("snmp %s: no more missing objects", label)
        resets = set(report.counter_resets)
        for name in sorted(resets - device.reset_interfaces):
            log.warning("snmp %s: octet counters of %s went backwards (reset)", label, name)
        device.reset_interfaces = resets


def _missing(value: object) -> bool:
    return value in (Exceptional.NO_SUCH_OBJECT, Exceptional.NO_SUCH_INSTANCE)
