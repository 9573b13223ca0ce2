"""AppQoE SLA reports: APPQOE_* and APPTRACK_APPQOE_* → ``sla_metrics``.

Owns the mapping of AppQoE parameters to ``sla_metrics`` columns and unit normalisation.
Must not parse other families or guess values the device did not report.

Messages (structured-data form; parameter names as in Juniper's AppQoE messages and the
samples in Juniper's contrail-controller structured-syslog AppQoE spec):

* ``APPQOE_PASSIVE_SLA_METRIC_REPORT`` / ``APPQOE_ACTIVE_SLA_METRIC_REPORT``: ``rtt``,
  ``rtt-jitter``, ``ingress-jitter``, ``egress-jitter`` in microseconds, ``pkt-loss`` in percent,
  ``destination-interface-name``, ``destination-group-name``, ``sla-rule`` (passive) or
  ``active-probe-params`` / ``probe-params-name`` (active), ``monitoring-time``…
* ``APPQOE_SLA_METRIC_VIOLATION``: the same plus ``target-rtt``, ``target-jitter``,
  ``target-pkt-loss``, ``violation-reason`` and ``rtt-/jitter-/pkt-loss-violation-count``.
* ``APPQOE_BEST_PATH_SELECTED``: the path chosen (``destination-interface-name``) and
  ``previous-interface``; no metrics.

Units: ``rtt_ms`` = ``rtt`` / 1000, ``jitter_ms`` = ``rtt-jitter`` (two-way) / 1000, ``loss_pct``
= ``pkt-loss``. ``violation`` is true for violations, false for metric reports and null for
best-path events. ``violated_metric`` lists (``rtt,jitter,loss``) the metrics whose violation
count is above zero, else those above their target, else null. Probe counts are not reported
as such and stay null. A text (non-structured) form is kept in ``syslog_events`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from collectors.syslog.messages.spec import (
    Col,
    Typed,
    columns_from,
    reported,
    row_values,
    to_float,
    to_uint,
)

TABLE = "sla_metrics"

KINDS = {
    "APPQOE_PASSIVE_SLA_METRIC_REPORT": "report",
    "APPQOE_ACTIVE_SLA_METRIC_REPORT": "report",
    "APPQOE_SLA_METRIC_VIOLATION": "violation",
    "APPQOE_BEST_PATH_SELECTED": "best_path",
}
KINDS.update({"APPTRACK_" + tag: kind for tag, kind in list(KINDS.items())})
KINDS.update({tag + "_LS": kind for tag, kind in list(KINDS.items())})

COLUMNS = (
    Col("probe", "str", ("sla-rule", "active-probe-params", "probe-params-name")),
    Col("application", "str", ("application",)),
    Col("interface", "str", ("destination-interface-name",)),
    Col("path", "str", ("destination-group-name",)),
    Col("destination", "str", ("destination-address",)),
    Col("rtt_ms", "f64", ("rtt",), 1000.0),
    Col("jitter_ms", "f64", ("rtt-jitter",), 1000.0),
    Col("loss_pct", "f64", ("pkt-loss",)),
)
_CHECKS = (
    ("rtt", "rtt-violation-count", "rtt", "target-rtt"),
    ("jitter", "jitter-violation-count", "rtt-jitter", "target-jitter"),
    ("loss", "pkt-loss-violation-count", "pkt-loss", "target-pkt-loss"),
)


def violated(fields: Mapping[str, str]) -> str | None:
    counted = [m for m, count, _, _ in _CHECKS if (to_uint(fields.get(count), 2**64) or 0) > 0]
    if counted:
        return ",".join(counted)
    over = []
    for metric, _, measured, target in _CHECKS:
        value, limit = to_float(fields.get(measured)), to_float(fields.get(target))
        if value is not None and limit is not None and value > limit:
            over.append(metric)
    return ",".join(over) or None


def derive(msg_id: str, fields: Mapping[str, str]) -> Typed | None:
    kind = KINDS.get(msg_id)
    params = reported(fields)
    if kind is None or not params:
        return None
    values = row_values(COLUMNS, fields)
    values["source"] = "appqoe"
    values["violation"] = {"report": False, "violation": True}.get(kind)
    values["violated_metric"] = violated(fields) if kind == "violation" else None
    values["fields"] = params
    return Typed(TABLE, values)


CHECK_PARAMS: tuple[str, ...] = tuple(p for _, *names in _CHECKS for p in names)
#: Parameters ``columnar`` reads.
WANTS: tuple[str, ...] = tuple(
    dict.fromkeys([p for c in COLUMNS for p in c.params] + list(CHECK_PARAMS))
)
_VIOLATION = {"report": False, "violation": True}


def columnar(
    tags: Sequence[str] | pa.Array, strings: Mapping[str, pa.Array]
) -> dict[str, pa.Array]:
    """``sla_metrics`` columns (without ``fields``) for many messages (twin of ``derive``)."""
    out = columns_from(COLUMNS, strings)
    if isinstance(tags, pa.Array):
        tags = tags.to_pylist()
    kinds = [KINDS[tag] for tag in tags]
    out["source"] = pa.array(["appqoe"] * len(tags), pa.string())
    out["violation"] = pa.array([_VIOLATION.get(kind) for kind in kinds], pa.bool_())
    metric: list[str | None] = [None] * len(tags)
    rows = [i for i, kind in enumerate(kinds) if kind == "violation"]
    if rows:
        taken = pa.array(rows)
        found = {p: strings[p].take(taken).to_pylist() for p in CHECK_PARAMS}
        for j, i in enumerate(rows):
            metric[i] = violated({p: v[j] for p, v in found.items() if v[j] is not None})
    out["violated_metric"] = pa.array(metric, pa.string())
    return out
