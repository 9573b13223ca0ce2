"""Options data records → ``flow_options`` rows, sampling rates and exporter init time.

Owns the meaning of options records: which elements describe sampling (IEs 34/35, 48-50,
302-311 and their v9 equivalents), interface names (82/83 with an ifIndex scope), exporter
statistics (41/42) and systemInitTimeMilliseconds (160), and the rule for the sampling rate a
flow record gets. Must not parse bytes or hold state; the decoder applies what this returns.

Sampling rate rules: interval 34 / random interval 50 give 1-in-N directly (0 means unsampled,
rate 1); count-based 305/306 give (interval + space) / interval; n-out-of-N 309/310 give N / n;
probability 311 gives 1 / p. A record carrying a sampler id (48/302) sets that sampler's rate;
the domain default is the latest rate from a record without a sampler id, or, while there has
been none, the latest rate from any record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from collectors.flow import columns as C
from collectors.flow import ies
from collectors.flow.flows import NO_SAMPLERS, Ctx
from collectors.flow.templates import Template

_U32 = 0xFFFFFFFF
_INTERFACE_SCOPE = (ies.V9_SCOPE_PEN, 2)


@dataclass(frozen=True)
class Sampling:
    """Sampling in force for one (exporter, domain): default and per-sampler 1-in-N rates."""

    rate: int = 0
    by_sampler: Mapping[int, int] = field(default_factory=lambda: NO_SAMPLERS)
    from_sampler: bool = True

    def with_rate(self, rate: int, sampler: int | None) -> Sampling:
        if sampler is None:
            return Sampling(rate, self.by_sampler, from_sampler=False)
        by = dict(self.by_sampler)
        by[sampler] = rate
        keep = self.rate and not self.from_sampler
        return Sampling(self.rate if keep else rate, MappingProxyType(by), from_sampler=not keep)

    def to_json(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "by_sampler": {str(k): v for k, v in self.by_sampler.items()},
            "from_sampler": self.from_sampler,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Sampling:
        by = {int(k): int(v) for k, v in dict(data.get("by_sampler", {})).items()}
        return Sampling(int(data["rate"]), MappingProxyType(by), bool(data["from_sampler"]))


@dataclass
class OptionsRecord:
    """One decoded options record: its table row and what it says about the exporter."""

    row: dict[str, Any]
    rate: int | None
    sampler: int | None
    init_ms: int | None


def decode_options(template: Template, cols: list[C.Raw], ctx: Ctx) -> list[OptionsRecord]:
    n = len(cols[0]) if cols else 0
    fields = template.fields
    texts = [C.text(f.type, f.length, col).to_pylist() for f, col in zip(fields, cols, strict=True)]
    ints: list[tuple[tuple[int, int], list[Any]]] = []
    for f, col in zip(fields, cols, strict=True):
        if 1 <= f.length <= 8 and (f.type in ies.INTEGER_TYPES or f.pen == ies.V9_SCOPE_PEN):
            values, valid = C.widen(col)
            listed: list[Any] = values.tolist()
            if valid is not None:
                listed = [v if ok else None for v, ok in zip(listed, valid.tolist(), strict=True)]
            ints.append((f.key, listed))
    out = []
    for r in range(n):
        nums: dict[tuple[int, int], int] = {}
        for key, listed in ints:
            if listed[r] is not None:
                nums.setdefault(key, listed[r])
        named = {f.key: texts[i][r] for i, f in reversed(list(enumerate(fields)))}
        out.append(_record(template, ctx, nums, named, [t[r] for t in texts]))
    return out


def _record(
    template: Template,
    ctx: Ctx,
    nums: dict[tuple[int, int], int],
    named: dict[tuple[int, int], str | None],
    texts: list[str | None],
) -> OptionsRecord:
    def first(*ids: int, limit: int = _U32) -> int | None:
        for ie in ids:
            v = nums.get((0, ie))
            if v is not None:
                return v if v <= limit else None
        return None

    fields = template.fields
    scope = [(f.name, texts[i] or "") for i, f in enumerate(fields[: template.scope_count])]
    values = [(f.name, texts[i] or "") for i, f in enumerate(fields) if i >= template.scope_count]
    if_index = nums.get(_INTERFACE_SCOPE, first(10))
    sampler = first(302, 48, limit=1 << 64)
    row = {
        "event_time": ctx.export_us,
        "received_at": ctx.received_us,
        "exporter": ctx.exporter,
        "device": None,
        "site": None,
        "version": template.version,
        "observation_domain": ctx.domain,
        "template_id": template.template_id,
        "sequence": ctx.sequence,
        "scope": scope,
        "sampling_interval": first(34, 50, 305),
        "sampling_algorithm": first(35, 49, 304, limit=255),
        "sampler_id": sampler if sampler is not None and sampler <= _U32 else None,
        "if_index": if_index if if_index is not None and if_index <= _U32 else None,
        "if_name": named.get((0, 82)),
        "if_description": named.get((0, 83)),
        "exported_messages": first(41, limit=1 << 64),
        "exported_records": first(42, limit=1 << 64),
        "values": values,
    }
    rate = sampling_rate(nums, _float(named.get((0, 311))))
    init_ms = nums.get((0, 160))
    if init_ms is not None and init_ms >= 1 << 53:
        init_ms = None  # not a plausible epoch time in ms; would overflow the µs arithmetic
    return OptionsRecord(row, rate, sampler, init_ms)


def sampling_rate(nums: Mapping[tuple[int, int], int], probability: float | None) -> int | None:
    """1-in-N rate described by an options record's sampling elements; None if it has none."""
    for ie in (34, 50):
        v = nums.get((0, ie))
        if v is not None:
            return min(max(v, 1), _U32)
    interval = nums.get((0, 305))
    if interval:
        return min(max(1, round((interval + nums.get((0, 306), 0)) / interval)), _U32)
    size, population = nums.get((0, 309)), nums.get((0, 310))
    if size and population:
        return min(max(1, round(population / size)), _U32)
    if probability is not None and 0 < probability <= 1:
        return min(max(1, round(1 / max(probability, 1 / _U32))), _U32)
    return None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:  # a samplingProbability of odd length is shown as hex
        return None
