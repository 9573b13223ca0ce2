"""``wanassure parse``: decode captured exports offline, to JSON lines or Parquet.

Owns the offline path from files to records: reading pcap/pcapng captures (UDP payloads, exporter
from the IP header) or the *raw* framing defined here (each datagram preceded by its length as a
4-byte big-endian unsigned integer), driving one ``FlowDecoder`` over every file in order (one
template cache), and rendering the result: one JSON object per record on stdout, or a Parquet
file of the ``flows`` table. Warnings and the summary go to stderr, so stdout stays pure JSONL.
Must not decode bytes itself (that is ``collectors.flow``), touch the lake or open sockets.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import os
import struct
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pyarrow.parquet as pq
import typer

from assurance.cli import syslog_parse
from assurance.cli.ui import fail
from collectors.errors import MalformedPacket
from collectors.flow import DecodeResult, FlowDecoder, Rejected
from collectors.flow.jsonview import flow_objects, option_objects
from collectors.pcap import ReadStats, iter_udp
from collectors.tables import FLOW_OPTIONS, FLOWS

app = typer.Typer(
    help="Decode captured exports offline (no lake, no sockets).", no_args_is_help=True
)

#: Datagrams decoded per ``decode_many`` call: large enough to batch, small enough to stream.
BATCH = 1024
#: Length prefix of the raw format: 4-byte big-endian unsigned integer.
RAW_PREFIX = struct.Struct(">I")
#: Largest datagram the raw format accepts (the largest UDP payload); more means broken framing.
RAW_MAX = 65535
#: Exit code when input was read but nothing in it could be decoded.
EXIT_NOTHING_DECODED = 3


#: Where warnings go: one line each, without the "warning: " prefix.
Warn = Callable[[str], None]


class InputFormat(enum.StrEnum):
    pcap = "pcap"
    raw = "raw"


# -- input ---------------------------------------------------------------------------------------


class RawFormatError(Exception):
    """The raw framing is broken at ``offset``; the rest of the file cannot be split."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at offset {offset}")
        self.offset = offset


def frame_raw(datagrams: list[bytes]) -> bytes:
    """Datagrams in the raw format: each one preceded by its length (4 octets, big-endian)."""
    return b"".join(RAW_PREFIX.pack(len(d)) + d for d in datagrams)


def iter_raw(data: bytes) -> Iterator[bytes]:
    """The datagrams of a raw-format file; ``RawFormatError`` where the framing breaks."""
    pos = 0
    while pos < len(data):
        if len(data) - pos < RAW_PREFIX.size:
            raise RawFormatError(f"{len(data) - pos} stray octets instead of a length", pos)
        (length,) = RAW_PREFIX.unpack_from(data, pos)
        if length > RAW_MAX:
            raise RawFormatError(f"datagram length {length} exceeds {RAW_MAX}", pos)
        if length > len(data) - pos - RAW_PREFIX.size:
            left = len(data) - pos - RAW_PREFIX.size
            raise RawFormatError(f"datagram of {length} octets cut short ({left} left)", pos)
        start = pos + RAW_PREFIX.size
        yield data[start : start + length]
        pos = start + length


@dataclass(frozen=True)
class Datagram:
    payload: bytes
    exporter: str
    received_us: int
    file: str
    number: int  # 1-based position in its file


def iter_datagrams(
    path: Path, data: bytes, fmt: InputFormat, exporter: str | None, now_us: int, warn: Warn
) -> Iterator[Datagram]:
    """The datagrams of one file; damage to the file itself is warned about, not raised."""
    name = str(path)
    number = 0
    try:
        if fmt is InputFormat.raw:
            for payload in iter_raw(data):
                number += 1
                yield Datagram(payload, exporter or "0.0.0.0", now_us, name, number)
            return
        stats = ReadStats()
        for d in iter_udp(data, stats):
            number += 1
            yield Datagram(d.payload, exporter or d.src_ip, d.ts_us, name, number)
        skipped = stats.truncated + stats.malformed + stats.fragments
        if skipped:
            warn(
                f"{name}: skipped {stats.truncated} truncated, {stats.malformed} malformed and "
                f"{stats.fragments} fragmented packets"
            )
    except (RawFormatError, MalformedPacket) as exc:
        kind = "raw framing" if fmt is InputFormat.raw else "capture"
        if number:
            warn(f"{name}: damaged {kind} after datagram {number}: {exc}; rest skipped")
        else:
            warn(f"{name}: not readable as {fmt.value} input: {exc}; file skipped")
        raise _Damaged from None


class _Damaged(Exception):
    """A file could not be read to its end (already warned about)."""


# -- the run -------------------------------------------------------------------------------------


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


@dataclass
class Totals:
    datagrams: int = 0
    records: int = 0
    option_records: int = 0
    rejected_datagrams: int = 0
    held_rejects: int = 0  # data sets rejected after waiting for their template
    templates: int = 0
    damaged_files: int = 0


@dataclass
class Output:
    """Where records go: JSON lines on stdout, or Parquet files (written on ``close``)."""

    out: Path | None
    include_options: bool
    writers: dict[str, tuple[pq.ParquetWriter, Path]] = field(default_factory=dict)
    rows: int = 0

    def paths(self) -> dict[str, Path]:
        assert self.out is not None
        found = {"flows": self.out}
        if self.include_options:
            found["flow_options"] = self.out.with_name(f"{self.out.stem}.options.parquet")
        return found

    def open(self) -> None:
        if self.out is None:
            return
        schemas = {"flows": FLOWS.schema, "flow_options": FLOW_OPTIONS.schema}
        for table, path in self.paths().items():
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            self.writers[table] = (pq.ParquetWriter(tmp, schemas[table], compression="zstd"), tmp)

    def write(self, result: DecodeResult) -> None:
        options = result.options if self.include_options else None
        self.rows += result.flows.num_rows
        if self.out is not None:
            if result.flows.num_rows:
                self.writers["flows"][0].write_table(result.flows)
            if options is not None and options.num_rows:
                self.writers["flow_options"][0].write_table(options)
            return
        objects: list[dict[str, Any]] = list(flow_objects(result.flows, self.include_options))
        if options is not None:
            objects.extend(option_objects(options))
        if objects:
            sys.stdout.write("".join(json.dumps(o) + "\n" for o in objects))

    def close(self, keep: bool) -> None:
        paths = self.paths() if self.out is not None else {}
        for table, (writer, tmp) in self.writers.items():
            writer.close()
            if keep:
                os.replace(tmp, paths[table])
            else:
                tmp.unlink(missing_ok=True)
        self.writers.clear()


def _problem(r: Rejected) -> str:
    at = f" at offset {r.error.offset}" if r.error.offset is not None else ""
    return f"{type(r.error).__name__}{at}: {r.error.reason}"


def _report(
    rejected: list[Rejected], batch: list[Datagram], totals: Totals, warn: Warn, end: bool
) -> None:
    """One warning line per rejected datagram, and one per data set given up on."""
    by_datagram: dict[int, list[Rejected]] = {}
    for r in rejected:
        if r.datagram is None:  # a data set held for its template: expired, evicted or bad
            totals.held_rejects += 1
            when = " (end of input)" if end else ""
            domain = r.error.domain
            warn(f"exporter {r.exporter} domain {domain}: {_problem(r)}{when}")
        else:
            by_datagram.setdefault(r.datagram, []).append(r)
    for index, group in by_datagram.items():
        d = batch[index]
        totals.rejected_datagrams += 1
        problems = "; ".join(_problem(r) for r in group)
        warn(f"{d.file} datagram {d.number} (exporter {d.exporter}): {problems}")


def run(
    files: list[Path],
    fmt: InputFormat,
    exporter: str | None,
    output: Output,
    warn: Warn = _warn,
) -> Totals:
    """Decode ``files`` in order with one decoder; records go to ``output``."""
    decoder = FlowDecoder(keep_all_fields=output.out is None)
    totals = Totals()
    now_us = time.time_ns() // 1000

    def decode(batch: list[Datagram]) -> None:
        result = decoder.decode_many((d.payload, d.exporter, d.received_us) for d in batch)
        _account(result, batch)

    def _account(result: DecodeResult, batch: list[Datagram], end: bool = False) -> None:
        totals.records += result.counters.records
        totals.option_records += result.counters.option_records
        totals.templates += result.counters.templates_learned
        _report(result.rejected, batch, totals, warn, end)
        output.write(result)

    for path in files:
        data = path.read_bytes()
        batch: list[Datagram] = []
        try:
            for d in iter_datagrams(path, data, fmt, exporter, now_us, warn):
                totals.datagrams += 1
                batch.append(d)
                if len(batch) >= BATCH:
                    decode(batch)
                    batch = []
        except _Damaged:
            totals.damaged_files += 1
        if batch:
            decode(batch)
    _account(decoder.expire(1 << 62), [], end=True)  # data sets still waiting for a template
    return totals


def _readable(files: list[Path]) -> str | None:
    for path in files:
        if not path.exists():
            return f"cannot read {path}: no such file"
        if path.is_dir():
            return f"cannot read {path}: it is a directory"
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            return f"cannot read {path}: {exc.strerror or exc}"
    return None


FLOW_HELP = """Decode jflow (IPFIX, NetFlow v9, v5) exports from files to JSON lines.

FILEs are decoded in the order given with one decoder (one template cache),
so templates learned from one file decode the data of the next.

Input formats (--format):
  pcap  pcap or pcapng capture (the default): every UDP payload is a
        datagram; its exporter is the packet's IP source address (unless
        --exporter), its receive time the capture timestamp.
  raw   datagrams back to back, each preceded by its length as a 4-byte
        big-endian unsigned integer (0..65535); no timestamps (receive
        time = now); the exporter is --exporter (default 0.0.0.0).

Output: one JSON object per flow record on stdout with the keys exporter,
observation_domain, version, template_id, src_addr, dst_addr, src_port,
dst_port, protocol, ip_version, bytes, packets, in_if, out_if, tcp_flags,
tos, start_time, end_time, next_hop, src_as, dst_as, sampling_rate, each
only when the record has it (times ISO-8601 UTC with milliseconds and a
trailing Z), then "fields": every decoded element under its IANA name
(ie<pen>_<id> for enterprise ones), integers and floats as JSON numbers,
booleans as true/false, everything else as strings. ICMP records carry
type*256+code in dst_port and 0 in src_port. Records come in decode order:
per batch of datagrams, grouped by template.

--include-options adds the options records and a "type" key on every line
("flow" or "options"); options lines have exporter, observation_domain,
version, template_id, export_time, "scope" and "fields".

--out FILE.parquet writes the flows table (the lake's flows schema) there
instead of JSON; with --include-options the options records go to
FILE.options.parquet.

stderr gets one warning line per rejected datagram (file, datagram number,
exporter, error, offset, reason) and a summary line at the end (records,
datagrams, rejects, templates). Exit status: 0 when something was decoded
(or the input had no errors), 1 when a FILE is missing or unreadable
(nothing is decoded then), 3 when nothing in the input could be decoded.
"""


@app.command("flow", help=FLOW_HELP)
def flow(
    files: Annotated[
        list[Path], typer.Argument(help="Input files, decoded in order", show_default=False)
    ],
    format_: Annotated[
        InputFormat, typer.Option("--format", help="Input format: pcap/pcapng, or raw")
    ] = InputFormat.pcap,
    exporter: Annotated[
        str | None,
        typer.Option(help="Exporter IP for every datagram (raw input; overrides pcap sources)"),
    ] = None,
    include_options: Annotated[
        bool, typer.Option("--include-options", help="Also output options records")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the flows as Parquet to this file")
    ] = None,
) -> None:
    if exporter is not None:
        try:
            exporter = str(ipaddress.ip_address(exporter))
        except ValueError:
            message = f"{exporter!r} is not an IP address"
            raise typer.BadParameter(message, param_hint="--exporter") from None
    problem = _readable(files)
    if problem is not None:
        raise fail(problem, 1)
    if out is not None and not out.parent.is_dir():
        raise fail(f"cannot write {out}: {out.parent} is not a folder", 1)
    output = Output(out, include_options)
    try:
        output.open()
        totals = run(files, format_, exporter, output)
        output.close(keep=True)
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None
    except OSError as exc:
        output.close(keep=False)
        raise fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}", 1) from None
    summary = (
        f"{totals.records} flow records, {totals.option_records} options records from "
        f"{totals.datagrams} datagrams in {len(files)} file{'s' if len(files) != 1 else ''}; "
        f"{totals.rejected_datagrams} rejected datagrams; {totals.templates} templates"
    )
    if totals.held_rejects:
        summary += f"; {totals.held_rejects} held data sets rejected"
    if out is not None:
        summary += f"; wrote {output.rows} rows to {out}"
    sys.stderr.write(summary + "\n")
    decoded = totals.records or totals.option_records or totals.templates
    if not decoded and (totals.rejected_datagrams or totals.held_rejects or totals.damaged_files):
        raise typer.Exit(EXIT_NOTHING_DECODED)


app.command("syslog", help=syslog_parse.HELP)(syslog_parse.command)
