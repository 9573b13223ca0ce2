"""``wanassure parse syslog FILE...``: parse syslog text files offline to JSON lines.

Owns the offline path from files to JSON: each file is one newline-framed stream (LF, CRLF or
NUL ends a message; empty lines are skipped), cut by the collector's own ``StreamFramer``,
parsed in batches by ``SyslogParser`` and printed through ``collectors.syslog.jsonview``, one
object per message on stdout; the summary goes to stderr. Must not parse or render messages
itself, touch the lake or open sockets.

Registered by ``assurance.cli.parse`` as ``app.command("syslog", help=HELP)(command)``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from assurance.cli.ui import fail
from collectors.syslog.framing import StreamFramer
from collectors.syslog.jsonview import records_for_json
from collectors.syslog.model import Line
from collectors.syslog.parse import SyslogParser

#: Lines parsed per ``parse_batch`` call.
BATCH = 2048
#: Longest line kept whole by the framer; the parser cuts longer ones and notes it.
MAX_LINE = 1024 * 1024
READ_SIZE = 1024 * 1024
#: The sender recorded for lines read from files.
FILE_SENDER = "0.0.0.0"
#: Exit codes: a FILE missing or unreadable; nothing in the input could be parsed.
EXIT_UNREADABLE = 1
EXIT_NOTHING_PARSED = 3

HELP = """Parse syslog text files to JSON lines, one object per message.

Each FILE is read as a stream of messages separated by LF, CRLF or NUL
(empty lines are skipped), in the order given. Every message becomes one
JSON object on stdout with the keys ts (event time, ISO 8601 UTC), host,
app_name, proc_id, msg_id, severity, facility, format, sd (structured data
as sent), canonical keys (src_addr, dst_port, session_id, …), typed (the
row the message makes in sessions, sla_metrics, client_events,
security_events or device_events), notes, raw, and error for a message the
parser could not read.

stderr gets a summary line. Exit status: 0 when something was parsed (or
the input was empty), 1 when a FILE is missing or unreadable (nothing is
parsed then), 3 when no message could be parsed.
"""


def _lines(path: Path, received_us: int) -> Iterator[Line]:
    framer = StreamFramer(max_message=MAX_LINE, mode="newline")
    with path.open("rb") as stream:
        while chunk := stream.read(READ_SIZE):
            for raw in framer.feed(chunk):
                yield Line(raw, FILE_SENDER, received_us, "tcp")
    for raw in framer.close():
        yield Line(raw, FILE_SENDER, received_us, "tcp")


def _unreadable(files: list[Path]) -> str | None:
    for path in files:
        if path.is_dir():
            return f"cannot read {path}: it is a directory"
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            return f"cannot read {path}: {exc.strerror or exc}"
    return None


def parse_syslog_command(files: list[Path]) -> int:
    """Print one JSON object per message of ``files``; returns the exit status."""
    problem = _unreadable(files)
    if problem is not None:
        fail(problem)
        return EXIT_UNREADABLE
    parser = SyslogParser()
    received_us = time.time_ns() // 1000
    messages = unparsed = 0

    def flush(batch: list[Line]) -> None:
        nonlocal unparsed
        records = records_for_json(parser.parse_batch(batch))
        unparsed += sum(1 for r in records if r.get("format") == "unparsed")
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))

    try:
        for path in files:
            batch: list[Line] = []
            for line in _lines(path, received_us):
                batch.append(line)
                if len(batch) >= BATCH:
                    flush(batch)
                    messages += len(batch)
                    batch = []
            if batch:
                flush(batch)
                messages += len(batch)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}")
        return EXIT_UNREADABLE
    plural = "s" if len(files) != 1 else ""
    sys.stderr.write(
        f"{messages} messages from {len(files)} file{plural}; {unparsed} could not be parsed\n"
    )
    return EXIT_NOTHING_PARSED if messages and unparsed == messages else 0


def command(
    files: Annotated[
        list[Path], typer.Argument(help="Syslog text files, read in order", show_default=False)
    ],
) -> None:
    """The typer command body: ``app.command("syslog", help=HELP)(command)``."""
    code = parse_syslog_command(files)
    if code:
        raise typer.Exit(code)
