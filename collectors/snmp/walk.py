"""GETBULK table walks, sans-IO: which OIDs to ask for next and what the answers mean.

A ``TableWalk`` walks the columns of one ``Group`` side by side: each request carries the next
OID of every unfinished column; the response holds ``max_repetitions`` rows of successors in
wire order (RFC 3416 §4.2.3). A column is finished when a successor leaves its subtree or is
``endOfMibView``. A walk also stops on an OID that does not increase (a broken agent would loop
us forever) and after ``max_requests``. No sockets, no pysnmp: the client feeds varbinds in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from collectors.snmp.oids import Group, Oid
from collectors.snmp.values import Exceptional, Value, VarBind

#: index suffix → value, per column name
Rows = dict[str, dict[Oid, Value]]

#: varbinds per response we aim for; devices truncate bigger GETBULK answers anyway
MAX_VARBINDS = 480


@dataclass
class TableWalk:
    group: Group
    rows_hint: int
    max_requests: int = 64
    rows: Rows = field(init=False)
    requests: int = field(init=False, default=0)
    broken: str | None = field(init=False, default=None)
    _next: list[Oid] = field(init=False)
    _done: list[bool] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = {c.name: {} for c in self.group.columns}
        self._next = [c.oid for c in self.group.columns]
        self._done = [False] * len(self.group.columns)

    @property
    def finished(self) -> bool:
        return all(self._done) or self.broken is not None

    def request(self) -> tuple[list[Oid], int]:
        """The OIDs of the next GETBULK (unfinished columns) and its max-repetitions."""
        oids = [self._next[i] for i, done in enumerate(self._done) if not done]
        per_column = max(1, MAX_VARBINDS // max(1, len(oids)))
        return oids, max(1, min(self.rows_hint + 1, per_column))

    def absorb(self, varbinds: Sequence[VarBind]) -> None:
        """Take one GETBULK response (repeaters only, wire order) for the last ``request``."""
        self.requests += 1
        pending = [i for i, done in enumerate(self._done) if not done]
        if not varbinds:
            self.broken = "empty GETBULK response"
            return
        width = len(pending)
        for position, (name, value) in enumerate(varbinds):
            i = pending[position % width]
            if self._done[i]:
                continue
            column = self.group.columns[i]
            prefix = column.oid
            if value is Exceptional.END_OF_MIB_VIEW or name[: len(prefix)] != prefix:
                self._done[i] = True
                continue
            if name <= self._next[i]:
                self.broken = f"agent returned non-increasing OID {'.'.join(map(str, name))}"
                return
            self._next[i] = name
            self.rows[column.name][name[len(prefix) :]] = value
        if self.requests >= self.max_requests and not all(self._done):
            self.broken = f"walk of {self.group.name} not finished after {self.requests} requests"

    @property
    def row_count(self) -> int:
        return max((len(values) for values in self.rows.values()), default=0)


def rows_from_varbinds(group: Group, varbinds: Sequence[VarBind]) -> Rows:
    """GET results → rows of ``group`` (varbinds outside the group's columns are ignored)."""
    rows: Rows = {c.name: {} for c in group.columns}
    for name, value in varbinds:
        for column in group.columns:
            if name[: len(column.oid)] == column.oid:
                rows[column.name][name[len(column.oid) :]] = value
                break
    return rows
