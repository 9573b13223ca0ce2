"""The telemetry normalizer: decoded values → ``telemetry`` rows and typed rows, with state.

Every decoder (OpenConfig over gRPC, native GPB over UDP, gNMI) calls the same three steps per
message — ``begin(header)``, ``value(leaf, raw)`` for each value, ``end()`` — and ``tables()``
hands over Arrow tables for the sink. Owns the explicit state that spans messages: counter rates,
sequence numbers per stream, the cache of resolved paths and per-device tallies. Raw before
derived: every value becomes a ``telemetry`` row as reported; typed rows are built beside them.
Sans-IO: no sockets, clocks, logging or metrics here.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pyarrow as pa

from collectors.jti.build import TypedRow, telemetry_table, typed_tables
from collectors.jti.model import DeviceCounts, Header, Origin
from collectors.jti.paths import Keys, split_path
from collectors.jti.routes import FAMILY_TABLES, VPN, resolve
from collectors.jti.typed import finish
from collectors.telemetry.counters import CounterRates

DELETED = "<deleted>"


class Leaf:
    """A resolved path: metric, keys and (when it feeds a typed table) its route, cached."""

    __slots__ = ("accumulate", "column", "keys", "metric", "row_key")

    def __init__(self, path: str) -> None:
        self.metric, self.keys = split_path(path)
        route = resolve(self.metric, self.keys)
        self.row_key: tuple[int, Hashable] | None = None
        self.column = ""
        self.accumulate = False
        if route is not None:
            self.row_key = (route.family, route.instance)
            self.column = route.column
            self.accumulate = route.accumulate

    @classmethod
    def of(cls, metric: str, keys: Keys) -> Leaf:
        """A leaf from an already split path (native GPB and gNMI give keys separately)."""
        leaf = cls.__new__(cls)
        leaf.metric, leaf.keys = metric, keys
        route = resolve(metric, keys)
        leaf.row_key = None if route is None else (route.family, route.instance)
        leaf.column = "" if route is None else route.column
        leaf.accumulate = False if route is None else route.accumulate
        return leaf


class Sequences:
    """Sequence numbers per stream: gaps and the values they skipped."""

    def __init__(self, max_streams: int = 1_000_000) -> None:
        self._last: dict[Hashable, int] = {}
        self.max_streams = max_streams

    def observe(self, stream: Hashable, sequence: int) -> int:
        """Values missing before ``sequence`` (0 when in order, restarted or first seen)."""
        last = self._last.get(stream)
        if last is None and len(self._last) >= self.max_streams:
            self._last.clear()
        self._last[stream] = sequence
        if last is None or sequence <= last:
            return 0  # first message, or the stream restarted (resubscribe, device restart)
        return sequence - last - 1


class Normalizer:
    """Accumulates rows from many messages until ``tables()`` takes them."""

    def __init__(self, *, max_cached_paths: int = 500_000) -> None:
        self.rates = CounterRates()
        self.sequences = Sequences()
        self.max_cached_paths = max_cached_paths
        self._leaves: dict[str, Leaf] = {}
        self._prefixed: dict[str, dict[str, Leaf]] = {}
        self._counts: dict[tuple[Origin, str], DeviceCounts] = {}
        self._origin_ids: dict[Origin, int] = {}
        self._origin_id = 0
        self._header: Header | None = None
        self._open: dict[tuple[int, Hashable], dict[str, Any]] = {}
        self._first_row = 0
        self._routed = 0
        self._reset()

    def _reset(self) -> None:
        self.headers: list[Header] = []
        self.header_rows: list[int] = []
        self.keys: list[Keys] = []
        self.metrics: list[str] = []
        self.values: list[float | None] = []
        self.texts: list[str | None] = []
        self._typed: list[list[TypedRow]] = [[] for _ in FAMILY_TABLES]

    # -- paths ---------------------------------------------------------------------------------

    def leaf(self, path: str) -> Leaf:
        """The resolved leaf of a full path (``/a/b[k='v']/c``), cached."""
        leaf = self._leaves.get(path)
        if leaf is None:
            if len(self._leaves) >= self.max_cached_paths:
                self._leaves.clear()
                self._prefixed.clear()
            leaf = self._leaves[path] = Leaf(path)
        return leaf

    def leaves_under(self, prefix: str) -> dict[str, Leaf]:
        """A cache of leaves keyed by their path relative to ``prefix`` (filled by callers
        through ``leaf(prefix + key)``); saves joining and hashing whole paths per value."""
        cache = self._prefixed.get(prefix)
        if cache is None:
            if len(self._prefixed) >= self.max_cached_paths // 16:
                self._prefixed.clear()
            cache = self._prefixed[prefix] = {}
        return cache

    # -- messages ------------------------------------------------------------------------------

    def counts(self, origin: Origin, source: str) -> DeviceCounts:
        """The running tallies of ``origin`` for ``source`` since ``take_counts``."""
        counts = self._counts.get((origin, source))
        if counts is None:
            counts = self._counts[(origin, source)] = DeviceCounts()
        return counts

    def begin(self, header: Header, *, stream: Hashable = None) -> None:
        """Start a message; ``stream`` identifies its sequence-number space."""
        self._header = header
        self._first_row = len(self.metrics)
        self._routed = 0
        origin_id = self._origin_ids.get(header.origin)
        if origin_id is None:
            origin_id = self._origin_ids[header.origin] = len(self._origin_ids)
        self._origin_id = origin_id
        counts = self.counts(header.origin, header.source)
        counts.messages += 1
        if header.sequence is not None and stream is not None:
            lost = self.sequences.observe((header.origin, stream), header.sequence)
            if lost:
                counts.sequence_gaps += 1
                counts.sequence_lost += lost

    def value(self, leaf: Leaf, raw: object) -> None:
        """One value of the current message (int, float, bool, str or bytes)."""
        self.add_values([leaf], [raw])

    def add_values(self, leaves: list[Leaf], raws: list[object]) -> None:
        """Values of the current message, pairwise (the decoders' fast path)."""
        metrics, keys, values, texts = self.metrics, self.keys, self.values, self.texts
        open_rows = self._open
        routed = 0
        for leaf, raw in zip(leaves, raws, strict=True):
            metrics.append(leaf.metric)
            keys.append(leaf.keys)
            kind = type(raw)
            if kind is int or kind is float or kind is bool:
                values.append(float(raw))  # type: ignore[arg-type]
                texts.append(None)
            elif kind is str:
                values.append(None)
                texts.append(raw)  # type: ignore[arg-type]
            elif kind is bytes:
                values.append(None)
                texts.append(raw.hex())  # type: ignore[attr-defined]
            else:
                values.append(None)
                texts.append(str(raw))
            row_key = leaf.row_key
            if row_key is not None:
                routed += 1
                row = open_rows.get(row_key)
                if row is None:
                    row = open_rows[row_key] = {}
                if leaf.accumulate:
                    if isinstance(raw, int | float):
                        row[leaf.column] = row.get(leaf.column, 0) + raw
                else:
                    row[leaf.column] = raw
        self._routed += routed

    def deleted(self, leaf: Leaf) -> None:
        """The device withdrew ``leaf`` (OpenConfig delete / gNMI delete)."""
        self.metrics.append(leaf.metric)
        self.keys.append(leaf.keys)
        self.values.append(None)
        self.texts.append(DELETED)
        if leaf.row_key is not None and leaf.row_key[0] == VPN:  # an SA went away
            self._open.setdefault(leaf.row_key, {})["deleted"] = True

    def end(self) -> None:
        header = self._header
        assert header is not None, "end() without begin()"
        n = len(self.metrics) - self._first_row
        counts = self.counts(header.origin, header.source)
        counts.values += n
        counts.unmapped_values += n - self._routed
        if n and not self._routed and not self._open:
            counts.unknown_sensors.add(header.sensor)
        if n:
            self.headers.append(header)
            self.header_rows.append(n)
        for (family, instance), leaves in self._open.items():
            row = finish(family, instance, leaves, self.rates, self._origin_id, header.time_us)
            if row.get("counter_reset"):
                counts.counter_resets += 1
                counts.reset_instances.append(str(instance))
            self._typed[family].append((header, row))
        self._open.clear()
        self._header = None

    def abort(self) -> None:
        """Forget the current message (it failed half-way): no partial rows survive."""
        first = self._first_row
        for column in (self.metrics, self.keys, self.values, self.texts):
            del column[first:]
        self._open.clear()
        self._header = None

    def sync_response(self, origin: Origin, source: str) -> None:
        self.counts(origin, source).sync_responses += 1

    # -- output --------------------------------------------------------------------------------

    @property
    def pending_rows(self) -> int:
        return len(self.metrics) + sum(len(rows) for rows in self._typed)

    def tables(self) -> dict[str, pa.Table]:
        """Every row accumulated since the last call, by table name (empty tables left out)."""
        out: dict[str, pa.Table] = {}
        if self.metrics:
            out["telemetry"] = telemetry_table(
                self.headers, self.header_rows, self.keys, self.metrics, self.values, self.texts
            )
        out.update(typed_tables(self._typed))
        self._reset()
        return out

    def take_counts(self) -> dict[tuple[Origin, str], DeviceCounts]:
        counts, self._counts = self._counts, {}
        return counts
