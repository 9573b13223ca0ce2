"""Exactly-once into the lake over an at-least-once bus: chunk intents and the dedup sink.

Owns how an outlet makes a redelivered message land in the lake once. The choice, and why:

An outlet works in *chunks*: it decodes a run of messages into a private ``LakeWriter`` whose
writer id is the chunk id, so every file the chunk publishes is named ``part-<chunk id>-<n>``.
Before publishing it records an *intent* in a key-value bucket: chunk id → the stream sequence
numbers of its messages. Then it publishes (one file per table and hour, each atomic), then it
acknowledges the messages, then it deletes the intent. A crash anywhere leaves the messages
unacknowledged, so the server redelivers them (to this outlet after a restart, or to another);
a redelivered message is looked up in the intents, and for each (table, hour) of its decoded
rows the outlet checks whether a file ``part-<chunk id>-*`` of an earlier chunk that held it
already exists in that partition: if so those rows are in the lake already and are dropped,
otherwise they are written. This is exact because a chunk writes all its rows of one (table,
hour) into one file, published in one atomic step, and a message's decode is deterministic.

Rejected alternatives: a per-exporter sequence watermark needs per-exporter ordering, which a
consumer shared by several outlets does not give; file names derived from message ranges alone
break when redelivery regroups messages differently. Intents cost one small key-value write and
delete per chunk (seconds of data), nothing per message; they expire with the stream's max age.
Must not decode or talk to sockets other than through the key-value bucket it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import pyarrow as pa
from nats.js.errors import KeyNotFoundError, NoKeysError
from nats.js.kv import KeyValue

from assurance.lake import LakeStore
from assurance.lake.conform import conform
from assurance.lake.layout import Partition, split_by_hour
from assurance.tables import REGISTRY
from collectors.sink import Sink


def ranges(seqs: Iterable[int]) -> list[list[int]]:
    """Sorted sequence numbers as inclusive ``[first, last]`` runs."""
    out: list[list[int]] = []
    for s in sorted(set(seqs)):
        if out and s == out[-1][1] + 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    return out


class ChunkLog:
    """Chunk intents in a key-value bucket: written before a chunk publishes, deleted after."""

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv

    async def begin(self, chunk_id: str, seqs: Sequence[int]) -> None:
        await self.kv.put(chunk_id, json.dumps({"seqs": ranges(seqs)}).encode())

    async def end(self, chunk_id: str) -> None:
        await self.kv.purge(chunk_id)

    async def earlier(self) -> dict[int, list[str]]:
        """Stream sequence → ids of the unfinished chunks that held it."""
        try:
            keys = await self.kv.keys()
        except NoKeysError:
            return {}
        out: dict[int, list[str]] = {}
        for key in keys:
            try:
                entry = await self.kv.get(key)
            except KeyNotFoundError:
                continue
            if entry.value is None:
                continue
            for first, last in json.loads(entry.value)["seqs"]:
                for s in range(int(first), int(last) + 1):
                    out.setdefault(s, []).append(key)
        return out


class DedupSink:
    """A ``Sink`` for the rows of one redelivered message: rows of a (table, hour) that one of
    ``chunks`` already published are dropped, the rest go on to ``target``."""

    def __init__(self, target: Sink, store: LakeStore, chunks: Sequence[str]) -> None:
        self.target = target
        self.store = store
        self.prefixes = tuple(f"part-{c}-" for c in chunks)
        self.skipped = 0
        self.kept = 0

    def published(self, partition: Partition) -> bool:
        names = (f.path.rsplit("/", 1)[-1] for f in self.store.list_files(partition.path))
        return any(name.startswith(self.prefixes) for name in names)

    def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
        spec = REGISTRY[table]
        rows = conform(spec, batch)
        for hour_index, part in split_by_hour(rows, spec.time_column):
            if self.published(Partition.from_hour_index(table, hour_index)):
                self.skipped += part.num_rows
            else:
                self.kept += part.num_rows
                self.target.write(table, part)

    def flush(self) -> None:
        """Nothing of its own: the chunk's writer publishes."""

    def close(self) -> None:
        """Nothing of its own: the chunk's writer publishes."""
