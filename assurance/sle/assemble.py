"""Assembling a job's outputs from the per-SLE verdict tables ``v_<sle>``.

Owns putting every SLE's verdict beside the window's user minutes (``user_minutes``: one row
per client-minute, five columns per SLE, looked up by row id in Arrow; the client's names
looked up by number the same way) and the roll-ups (``sle_minutes``: good and total user
minutes per SLE, site, scope and classifier, and its hourly sum). The statements are generated
from the SLE catalogue and the table declarations only — names, never user text. Must not
judge minutes (the ``.sql`` files do).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assurance.errors import AssuranceError
from assurance.sle import sqlfiles
from assurance.sle.catalog import SLE_NAMES
from assurance.tables import USER_MINUTES

#: The ``user_minutes`` identity columns, in order.
_IDENTITY = (
    "minute",
    "site",
    "client_id",
    "client_mac",
    "client_ip",
    "username",
    "hostname",
    "os",
    "ssid",
    "band",
    "wireless",
    "gateway",
    "wan_link",
    "overlay_path",
    "application",
    "ap",
    "switch",
    "switch_port",
    "bytes_up",
    "bytes_down",
    "flows",
    "evidence_sources",
)
#: The client's names kept beside the SQL (``ClientNames``), not carried through it.
_NAMED = ("client_id", "client_mac", "client_ip", "username", "hostname", "os", "ssid")
#: What the hourly query reads from ``uw``: the identity columns the SQL carries, the client's
#: number ``k`` and attribute row ``arow``, and the MAC and IP seen in its traffic.
_CARRIED = (
    "rid",
    "k",
    "arow",
    "traffic_mac",
    "traffic_ip",
    *(c for c in _IDENTITY if c not in _NAMED),
)
_SCOPE = ("gateway", "wan_link", "application", "ap", "switch", "switch_port", "band")


class VerdictError(AssuranceError):
    """A verdict table that does not fit its user minutes (an engine bug, never bad input)."""


#: The columns of a verdict table ``v_<sle>``, in the order ``user_minutes`` has them per SLE.
VERDICT_COLUMNS = ("ok", "classifier", "sub", "value", "evidence")
#: Fixed-width verdict columns, gathered by NumPy indexing (cheaper than Arrow's ``take``).
_FIXED_WIDTH = ("ok", "value")


class Verdicts:
    """Every SLE's verdict table, fetched once, with each row's place by user-minute ``rid``.

    A verdict table holds at most one row per user minute (each SLE view joins its state
    tables on their keys), so a user minute's verdict is found by position instead of a join.
    """

    def __init__(self, tables: Mapping[str, pa.Table], minutes: int) -> None:
        self.tables = dict(tables)
        self.places: dict[str, np.ndarray] = {}
        self.dense: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        for sle, table in self.tables.items():
            place = np.full(minutes, -1, dtype=np.int64)
            place[table.column("rid").to_numpy()] = np.arange(table.num_rows)
            if np.count_nonzero(place >= 0) != table.num_rows:
                raise VerdictError(f"{sle}: more than one verdict for a user minute")
            self.places[sle] = place
            for name in _FIXED_WIDTH:
                column = table.column(name)
                if table.num_rows and _is_fixed_width(column.type):
                    filler = False if pa.types.is_boolean(column.type) else 0
                    values = column.fill_null(filler).to_numpy()
                    self.dense[sle, name] = values, column.is_null().to_numpy()

    def columns(self, rids: np.ndarray) -> dict[str, pa.Array | pa.ChunkedArray]:
        """The five verdict columns of every SLE for the user minutes ``rids``, in order
        (null where the SLE does not apply)."""
        out: dict[str, pa.Array | pa.ChunkedArray] = {}
        for sle in SLE_NAMES:
            table = self.tables[sle]
            found = self.places[sle][rids]
            missing = found < 0
            index = pa.array(found, mask=missing)
            at = np.where(missing, 0, found)
            for name in VERDICT_COLUMNS:
                dense = self.dense.get((sle, name))
                if dense is None:
                    out[f"{sle}_{name}"] = table.column(name).take(index)
                else:
                    values, nulls = dense
                    out[f"{sle}_{name}"] = pa.array(values[at], mask=missing | nulls[at])
        return out


def _is_fixed_width(type_: pa.DataType) -> bool:
    return bool(
        pa.types.is_boolean(type_) or pa.types.is_integer(type_) or pa.types.is_floating(type_)
    )


class ClientNames:
    """The job's client names in Arrow, looked up by number instead of carried through the SQL.

    ``client_id`` is found by the client's number ``k`` (``d_client``); MAC, IP, username,
    hostname, OS and SSID by ``arow``, the row of the client's attributes in force at the minute
    (``attr_min``; null when it has none fresh). The SLE stages only read ``k`` and ``arow``.
    """

    ATTRIBUTES = ("mac", "ip", "username", "hostname", "os", "ssid")

    def __init__(self, client_ids: pa.Array, attributes: pa.Table) -> None:
        self.client_ids = client_ids
        self.attributes = attributes

    @classmethod
    def fetch(cls, con: duckdb.DuckDBPyConnection) -> ClientNames:
        """Read ``d_client`` and ``attr_min`` (both numbered densely from their first row)."""
        ids = con.sql("SELECT k, cid FROM d_client ORDER BY k").to_arrow_table()
        k = ids.column("k").to_numpy()
        if not np.array_equal(k, np.arange(1, len(k) + 1)):
            raise VerdictError("client numbers are not 1..n")
        attributes = con.sql(
            f"SELECT {', '.join(cls.ATTRIBUTES)} FROM attr_min ORDER BY rowid"  # noqa: S608
        ).to_arrow_table()
        # index 0 stands for no client: k starts at 1
        cid = ids.column("cid")
        client_ids = pa.concat_arrays([pa.nulls(1, cid.type), *cid.chunks])
        return cls(client_ids, attributes)

    def columns(
        self,
        k: pa.ChunkedArray,
        arow: pa.ChunkedArray,
        traffic_mac: pa.ChunkedArray,
        traffic_ip: pa.ChunkedArray,
    ) -> dict[str, pa.ChunkedArray]:
        """The named columns of user minutes with these numbers (the traffic's MAC and IP
        first, the attributes' after)."""
        found = {name: self.attributes.column(name).take(arow) for name in self.ATTRIBUTES}
        return {
            "client_id": self.client_ids.take(k),
            "client_mac": pc.coalesce(traffic_mac, found["mac"]),
            "client_ip": pc.coalesce(traffic_ip, found["ip"]),
            "username": found["username"],
            "hostname": found["hostname"],
            "os": found["os"],
            "ssid": found["ssid"],
        }


def user_minutes_hour_sql() -> str:
    """What ``user_minutes`` takes from ``uw`` for one hour, ``[$a, $b)``."""
    return (
        f"SELECT {', '.join(_CARRIED)} FROM uw "  # noqa: S608
        "WHERE minute >= $a AND minute < $b"
    )


def user_minutes(
    con: duckdb.DuckDBPyConnection,
    verdicts: Verdicts,
    names: ClientNames,
    start: datetime,
    end: datetime,
) -> pa.Table:
    """The ``user_minutes`` rows of [start, end): identity from ``uw`` and ``names``, every
    SLE's verdict looked up by ``rid``."""
    rows = con.sql(user_minutes_hour_sql(), params={"a": start, "b": end}).to_arrow_table()
    named = names.columns(
        rows.column("k"), rows.column("arow"), rows.column("traffic_mac"), rows.column("traffic_ip")
    )
    columns = {c: named[c] if c in named else rows.column(c) for c in _IDENTITY}
    columns.update(verdicts.columns(rows.column("rid").to_numpy()))
    assert list(columns) == list(USER_MINUTES.column_names)
    return pa.table(columns)


#: The scope dimensions kept in ``sle_minutes`` for each SLE (the others are null there), so
#: that a minute of a site collapses to a few rows: WAN SLEs by gateway, link and app, wired by
#: switch port, wireless by AP and band. Per-client detail stays in ``user_minutes``.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "gateway_health": ("gateway",),
    "wan_link_health": ("gateway", "wan_link"),
    "application_health": ("gateway", "wan_link", "application"),
    "gateway_bandwidth": ("gateway", "wan_link"),
    "wired_throughput": ("switch", "switch_port"),
    "wired_successful_connects": ("switch", "switch_port"),
    "switch_health": ("switch",),
    "time_to_connect": ("ap", "band"),
    "successful_connects": ("ap", "band"),
    "coverage": ("ap", "band"),
    "roaming": ("ap", "band"),
    "wireless_throughput": ("ap", "band"),
    "capacity": ("ap", "band"),
    "ap_health": ("ap", "switch", "switch_port"),
}


def sle_minutes_sql() -> str:
    """``out_sle_minutes``: each SLE's verdicts counted by minute, site, its own scope
    dimensions and classifier (grouped per SLE: the dimensions it does not keep are null)."""
    parts = []
    for sle in SLE_NAMES:
        dims = ", ".join(c if c in DIMENSIONS[sle] else f"NULL::VARCHAR AS {c}" for c in _SCOPE)
        keys = ", ".join(("minute", "site", *DIMENSIONS[sle], "classifier", "sub"))
        parts.append(
            f"SELECT minute, site, '{sle}' AS sle, {dims}, classifier, "  # noqa: S608
            "sub AS sub_classifier, count(*)::UINTEGER AS total, "
            "count(*) FILTER (WHERE ok)::UINTEGER AS good, "
            "round(fsum(value), 6) AS value_sum, count(value)::UINTEGER AS value_count "
            f"FROM v_{sle} GROUP BY {keys}"
        )
    return "CREATE OR REPLACE TEMP TABLE out_sle_minutes AS " + " UNION ALL ".join(parts)


#: Microseconds per roll-up grain (UTC buckets).
_GRAIN_US = {"hour": 3_600_000_000, "day": 86_400_000_000}


def rollup_sql(source: str, target: str, time_in: str, time_out: str, grain: str) -> str:
    """Sum ``source`` (sle_minutes or sle_hours rows) into ``grain`` buckets as ``target``."""
    scope = ", ".join(_SCOPE)
    # the bucket by epoch arithmetic, as sql/macros.sql does (this also runs outside a job)
    us, unit = f"epoch_us({time_in})", _GRAIN_US[grain]
    bucket = f"make_timestamptz({us} - (({us} % {unit}) + {unit}) % {unit})"
    return (
        f"CREATE OR REPLACE TEMP TABLE {target} AS "  # noqa: S608
        f"SELECT {bucket} AS {time_out}, site, sle, {scope}, "
        "classifier, sub_classifier, sum(total)::UBIGINT AS total, sum(good)::UBIGINT AS good, "
        "round(fsum(value_sum), 6) AS value_sum, sum(value_count)::UBIGINT AS value_count "
        f"FROM {source} GROUP BY ALL"
    )


def run(con: duckdb.DuckDBPyConnection) -> None:
    """The roll-ups as tables (``user_minutes`` is assembled hour by hour by ``user_minutes``)."""
    sqlfiles.execute(con, sle_minutes_sql())
    sqlfiles.execute(
        con, rollup_sql("out_sle_minutes", "out_sle_hours", "minute", "hour_start", "hour")
    )
