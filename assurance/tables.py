"""The table registry: every lake table, raw and derived, declared once.

Raw tables are declared by the collectors that write them (``collectors.tables``); the derived
tables written by ``assurance`` are declared here. The Parquet writer, the DuckDB views, the SQL
column check and the dashboards' dimensions are all derived from ``REGISTRY``.
"""

from __future__ import annotations

import pyarrow as pa

from assurance.sle.catalog import SLES
from collectors.schema import TIMESTAMP, Column, TableSpec, col, required
from collectors.tables import BOOL, F64, KV, RAW_TABLES, STR, U32, U64


def _verdict_columns() -> tuple[Column, ...]:
    """Five columns per SLE: verdict, classifier, sub-classifier, measured value, evidence."""
    out: list[Column] = []
    for s in SLES:
        out += [
            col(f"{s.name}_ok", BOOL, f"{s.key}: good (true), bad (false), not applicable (null)"),
            col(f"{s.name}_classifier", STR, f"{s.key}: classifier of a bad minute (precedence)"),
            col(f"{s.name}_sub", STR, f"{s.key}: sub-classifier of a bad minute"),
            col(f"{s.name}_value", F64, f"{s.key}: measured {s.metric} behind the verdict"),
            col(f"{s.name}_evidence", STR, f"{s.key}: every classifier/sub that fired, in order"),
        ]
    return tuple(out)


USER_MINUTES = TableSpec(
    name="user_minutes",
    doc="One row per active client per minute per site: identity, path and every SLE's verdict",
    kind="derived",
    time_column="minute",
    columns=(
        required("minute", TIMESTAMP, "Start of the minute (UTC)"),
        required("site", STR, "Site the client was active at"),
        required("client_id", STR, "Client identity: MAC when known, else IP"),
        col("client_mac", STR, "Client MAC address"),
        col("client_ip", STR, "Client IP address"),
        col("username", STR, "User identity where known"),
        col("hostname", STR, "Client hostname where known"),
        col("os", STR, "Client operating system"),
        col("ssid", STR, "SSID of a wireless client"),
        col("band", STR, "Wi-Fi band; null for wired clients"),
        col("wireless", BOOL, "Whether the client is on Wi-Fi (else wired)"),
        col("gateway", STR, "SRX gateway the traffic used"),
        col("wan_link", STR, "Inventory WAN link the traffic egressed"),
        col("overlay_path", STR, "Overlay tunnel (st0.x) of that link"),
        col("application", STR, "Dominant application in the minute"),
        col("ap", STR, "AP the client was associated to"),
        col("switch", STR, "Switch the client or its AP was connected to"),
        col("switch_port", STR, "Switch port of the client or its AP"),
        col("bytes_up", U64, "Octets client → network in the minute (sampling-scaled)"),
        col("bytes_down", U64, "Octets network → client in the minute (sampling-scaled)"),
        col("flows", U32, "Flow records seen for the client in the minute"),
        col(
            "evidence_sources",
            STR,
            "Which raw tables made the minute active (flows,sessions,client_events,displaced)",
        ),
        *_verdict_columns(),
    ),
)

_SCOPE_COLUMNS = (
    col("gateway", STR, "Gateway (the one an outage was charged to, for displaced minutes)"),
    col("wan_link", STR, "WAN link (the failed one, for displaced minutes)"),
    col("application", STR, "Application"),
    col("ap", STR, "AP"),
    col("switch", STR, "Switch"),
    col("switch_port", STR, "Switch port"),
    col("band", STR, "Wi-Fi band"),
    col("classifier", STR, "Classifier of the bad minutes (null: the good minutes)"),
    col("sub_classifier", STR, "Sub-classifier of the bad minutes"),
)


def _rollup(name: str, grain: str, time_column: str, count: pa.DataType) -> TableSpec:
    return TableSpec(
        name=name,
        doc=f"User minutes per SLE, site, scope and classifier, summed per {grain}",
        kind="derived",
        time_column=time_column,
        columns=(
            required(time_column, TIMESTAMP, f"Start of the {grain} (UTC)"),
            required("site", STR, "Site"),
            required("sle", STR, "SLE name (wan_link_health, coverage…)"),
            *_SCOPE_COLUMNS,
            required("total", count, "User minutes"),
            required("good", count, "User minutes that met the SLE"),
            col("value_sum", F64, "Sum of the measured values (mean = value_sum / value_count)"),
            col("value_count", count, "User minutes with a measured value"),
        ),
    )


SLE_MINUTES = _rollup("sle_minutes", "minute", "minute", U32)
SLE_HOURS = _rollup("sle_hours", "hour", "hour_start", U64)
SLE_DAYS = _rollup("sle_days", "day", "day_start", U64)

ANOMALIES = TableSpec(
    name="anomalies",
    doc="Scores of anomaly detectors per series and time step",
    kind="derived",
    time_column="event_time",
    columns=(
        required("event_time", TIMESTAMP, "Time step scored (UTC)"),
        col("site", STR, "Site of the series"),
        required("scope", STR, "What the series describes (site, link, app, AP, port…)"),
        required("metric", STR, "Metric scored"),
        col("value", F64, "Observed value"),
        col("expected", F64, "Value the detector expected"),
        required("score", F64, "Calibrated anomaly score in [0, 1]"),
        required("is_anomaly", BOOL, "Score above the alerting threshold"),
        required("detector", STR, "Detector that produced the score"),
    ),
)

INCIDENTS = TableSpec(
    name="incidents",
    doc="Incidents with ranked root causes, their evidence and the suggested action",
    kind="derived",
    time_column="updated_at",
    columns=(
        required("updated_at", TIMESTAMP, "When this version of the incident was written"),
        required("incident_id", STR, "Stable incident id"),
        col("site", STR, "Site (null for org-wide incidents)"),
        required("status", STR, "open or resolved"),
        required("started_at", TIMESTAMP, "First impacted minute"),
        col("ended_at", TIMESTAMP, "Last impacted minute once resolved"),
        col("sle", STR, "SLE that dropped"),
        required("rank", U32, "Rank of this cause (1 = most likely)"),
        required("root_cause", STR, "Cause (e.g. wan_link:br-nyc-012/isp-a congestion)"),
        col("confidence", F64, "Confidence in [0, 1]"),
        col("impacted_users", U32, "Distinct clients with bad minutes"),
        col("impacted_minutes", U64, "Bad user minutes explained"),
        col("evidence", KV, "Evidence behind the ranking"),
        col("suggested_action", STR, "What to do about it"),
    ),
)

ACTIONS = TableSpec(
    name="actions",
    doc="Path-policy changes: proposal, approval, push, verification, rollback",
    kind="derived",
    time_column="updated_at",
    columns=(
        required("updated_at", TIMESTAMP, "When this state was entered"),
        required("action_id", STR, "Stable action id"),
        col("incident_id", STR, "Incident that motivated the change"),
        required("site", STR, "Site"),
        col("device", STR, "Device the change targets"),
        required("kind", STR, "steer_app, adjust_sla, restore_preference…"),
        required("state", STR, "proposed, approved, pushed, verified, rolled_back, rejected…"),
        col("change_set", STR, "Junos configuration (set form)"),
        col("rollback_set", STR, "Configuration that undoes the change"),
        col("predicted_benefit", F64, "Predicted SLE gain in percentage points"),
        col("risk", STR, "low, medium or high"),
        col("actor", STR, "Who or what moved it to this state"),
        col("note", STR, "Free text"),
    ),
)

ALERTS = TableSpec(
    name="alerts",
    doc="Alert notifications and their delivery state",
    kind="derived",
    time_column="updated_at",
    columns=(
        required("updated_at", TIMESTAMP, "When this delivery state was recorded"),
        required("event_id", STR, "Stable event id, the same on every retry"),
        required("fingerprint", STR, "Identity of the alert across notifications"),
        required("name", STR, "Alert rule name"),
        col("site", STR, "Site"),
        required("severity", STR, "critical, major, minor or info"),
        required("status", STR, "firing or resolved"),
        col("receiver", STR, "Receiver name"),
        col("delivery", STR, "pending, delivered, retrying or dead"),
        col("attempts", U32, "Delivery attempts so far"),
        col("last_error", STR, "Last delivery error"),
        col("labels", KV, "Alert labels"),
        col("payload", STR, "Body sent to the receiver"),
    ),
)

DERIVED_TABLES: tuple[TableSpec, ...] = (
    USER_MINUTES,
    SLE_MINUTES,
    SLE_HOURS,
    SLE_DAYS,
    ANOMALIES,
    INCIDENTS,
    ACTIONS,
    ALERTS,
)

REGISTRY: dict[str, TableSpec] = {t.name: t for t in (*RAW_TABLES, *DERIVED_TABLES)}


def table(name: str) -> TableSpec:
    """The declared table ``name``; raises ``KeyError`` listing the known names otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"unknown lake table {name!r}; known: {', '.join(sorted(REGISTRY))}"
        ) from None


__all__ = ["DERIVED_TABLES", "REGISTRY", "table"]
