"""The batch path: RFC 5424 lines with one well-formed SD element, cut up column-wise.

Owns finding, for many lines of one byte buffer at once (NumPy over the buffer, Arrow takes
of zero-copy slices of it), the header fields, the single structured-data element, its
values and its layout (``templates``: lines with the same SD-ID and parameter names share one
``Template``, read once), and the typed columns of the families that are built column-wise
(``sessions``, ``sla_metrics``). A line it cannot take is simply not in ``FastRows.line``; the
per-line parser then takes it, and both give the same rows (tests compare them). Must not
build ``syslog_events`` (``parse`` assembles the batch) or know message formats beyond the
RFC 5424 header and SD syntax. Never raises on input.

Buffer layout (built by the caller): the lines are ``data[start[i]:end[i]]`` (increasing,
disjoint), and at least ``PADDING`` bytes follow the last one (reads look a little past a
line's end).

A line is taken when it is ``<PRI>1 TIMESTAMP HOST APP PROCID MSGID [ID name="v" ...]``, then
the end of the line or a space and a message; with a header within ``HEADER_WINDOW`` bytes,
an SD-ID of at most ``MAX_SD_ID`` bytes, an ISO timestamp the batch converter reads, and a
layout ``templates.read_skeleton`` accepts (callers have checked: ASCII, no backslash, no line
terminator at the end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.lib.stride_tricks import as_strided

from collectors.syslog.header import Clock, iso_batch_us, scan_rfc5424
from collectors.syslog.templates import Template, TemplateCache

HEADER_WINDOW = 256
SHORT_WINDOW = 128
MAX_SD_ID = 32
#: bytes the buffer must extend past its last line
PADDING = HEADER_WINDOW + 16
#: piece of the first value, counted from a line's SD-ID piece (values are every other piece)
FIRST_VALUE = 3
_SPACE, _QUOTE, _CLOSE, _DASH = 32, 34, 93, 45


@dataclass
class FastRows:
    """What the batch path made of some lines (one entry per taken line, in line order).

    ``line`` indexes the candidate arrays given to ``cut``. ``pieces`` slices the buffer so
    that a taken line's SD-ID is piece ``base`` and its ``k``-th value piece ``base + 3 + 2k``;
    ``template`` indexes ``templates``. String columns are compact arrays of the taken lines.
    """

    line: np.ndarray
    event_us: np.ndarray
    facility: np.ndarray
    severity: np.ndarray
    hostname: pa.StringArray
    app_name: pa.StringArray
    proc_id: pa.StringArray
    msg_id: pa.StringArray
    message: pa.StringArray
    pieces: pa.StringArray
    base: np.ndarray
    template: np.ndarray
    templates: list[Template]
    #: once set (``use_values``): a compact array holding every row's SD-ID and values
    values: pa.StringArray | None = None
    sd_id_at: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.line)

    def use_values(self, values: pa.StringArray, sd_id_at: np.ndarray) -> None:
        """Read values from ``values`` from now on: row ``r``'s SD-ID is ``values[sd_id_at[r]]``
        and its parameters follow it in order (as in a ``fields`` map built from the rows)."""
        self.values, self.sd_id_at = values, sd_id_at

    def value_source(self) -> tuple[pa.StringArray, np.ndarray, int]:
        """(array, index of each row's first value, step between a row's values)."""
        if self.values is not None and self.sd_id_at is not None:
            return self.values, self.sd_id_at + 1, 1
        return self.pieces, self.base + FIRST_VALUE, 2


def spans(
    buffer: pa.Buffer, starts: np.ndarray, ends: np.ndarray, valid: np.ndarray | None = None
) -> pa.StringArray:
    """Strings ``buffer[starts[i]:ends[i]]`` for increasing, non-overlapping spans (null where
    not ``valid``): one take of zero-copy slices, so each string is copied in one piece."""
    count = len(starts)
    if count == 0:
        return pa.array([], pa.string())
    bounds = np.empty(2 * count, np.int64)
    bounds[0::2] = starts
    bounds[1::2] = ends
    cut = pa.StringArray.from_buffers(2 * count - 1, pa.py_buffer(bounds.astype(np.int32)), buffer)
    mask = None if valid is None or valid.all() else ~valid
    return cut.take(pa.array(np.arange(0, 2 * count, 2), mask=mask))


def _rows_of(data: np.ndarray, at: np.ndarray, width: int) -> np.ndarray:
    """``width`` bytes from each position of ``at`` (a copy; ``data`` must extend far enough)."""
    view = as_strided(data, shape=(max(len(data) - width + 1, 0), width), strides=(1, 1))
    rows: np.ndarray = view[at]
    return rows


def _header_spaces(data: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Sorted positions of the spaces in the first ``HEADER_WINDOW`` bytes of each line (a
    short window first; lines with fewer than six spaces in it look further)."""
    found = _spaces_within(data, start, end, SHORT_WINDOW)
    per_line = np.bincount(found[1], minlength=len(start))
    longer = np.flatnonzero((per_line < 6) & (end - start > SHORT_WINDOW))
    if not len(longer):
        return found[0]
    more = _spaces_within(data, start[longer], end[longer], HEADER_WINDOW)[0]
    return np.union1d(found[0], more)


def _spaces_within(
    data: np.ndarray, start: np.ndarray, end: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """(positions, line) of the spaces in the first ``width`` bytes of each line."""
    window = _rows_of(data, start, width)
    hits = window == _SPACE
    hits &= np.arange(width) < (end - start)[:, None]
    flat = np.flatnonzero(hits)
    line = flat // width
    return start[line] + flat % width, line


def _token(data: np.ndarray, buffer: pa.Buffer, bounds: np.ndarray, k: int) -> pa.StringArray:
    """Header field ``k`` (2 hostname … 5 MSGID) of ``scan_rfc5424`` bounds; NILVALUE as null."""
    first = bounds[:, k - 1] + 1
    stop = bounds[:, k]
    nil = (stop - first == 1) & (data[first] == _DASH)
    return spans(buffer, first, stop, ~nil)


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(lo[i], hi[i])``."""
    counts = hi - lo
    first = np.zeros(len(lo) + 1, np.int64)
    np.cumsum(counts, out=first[1:])
    return np.arange(first[-1], dtype=np.int64) + np.repeat(lo - first[:-1], counts)


def _within(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first entry of each group, index within its group of every entry) for group sizes."""
    first = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=first[1:])
    return first, np.arange(first[-1], dtype=np.int64) - np.repeat(first[:-1], counts)


def cut(
    data: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    clock: Clock,
    cache: TemplateCache,
    senders: Sequence[str] | None = None,
) -> FastRows | None:
    """Batch-path rows of the lines ``data[start[i]:end[i]]`` (increasing, disjoint); None if
    it takes none. ``senders`` (one per line) is needed only when the clock has device zones."""
    count = len(start)
    if count == 0:
        return None
    buffer = pa.py_buffer(data)
    scan = scan_rfc5424(data, start, end, _header_spaces(data, start, end))
    ok = scan.ok
    sd_start = scan.sd_start
    lo_all, hi_all = int(start[0]), int(end[-1])
    quotes = np.flatnonzero(data[lo_all:hi_all] == _QUOTE)
    quotes += lo_all
    # the element ends at the first '"]' after '[': then the line ends or a space follows
    closing = quotes[data[quotes + 1] == _CLOSE]
    if not len(closing):
        return None
    k = np.searchsorted(closing, sd_start)
    ok &= k < len(closing)
    last_quote = closing[np.minimum(k, len(closing) - 1)]
    after = last_quote + 2
    ok &= after <= end
    ok &= (after == end) | (data[np.minimum(after, len(data) - 1)] == _SPACE)
    q_lo = np.searchsorted(quotes, sd_start)
    q_hi = np.searchsorted(quotes, last_quote) + 1
    n_quotes = q_hi - q_lo
    ok &= (n_quotes >= 2) & (n_quotes % 2 == 0)
    # the SD-ID runs to the first space, before the first quote
    id_window = _rows_of(data, sd_start + 1, MAX_SD_ID + 1)
    has_space = (id_window == _SPACE).any(axis=1)
    sd_id_end = sd_start + 1 + np.argmax(id_window == _SPACE, axis=1)
    ok &= has_space & (sd_id_end > sd_start + 1)
    ok &= sd_id_end < quotes[np.minimum(q_lo, len(quotes) - 1)]
    sel = np.flatnonzero(ok)
    if not len(sel):
        return None
    bounds = scan.bounds[sel]
    ts = spans(buffer, bounds[:, 0], bounds[:, 1])
    zones = None
    if clock.device_tz:
        hosts = _token(data, buffer, bounds, 2).to_pylist()
        assert senders is not None, "senders are needed with device zones"
        zones = [clock.zone_name(h, senders[i]) for h, i in zip(hosts, sel.tolist(), strict=True)]
    event_us = iso_batch_us(clock, ts, zones)
    timed = event_us >= 0
    sel, event_us, bounds = sel[timed], event_us[timed], bounds[timed]
    if not len(sel):
        return None

    # pieces: per line [SD-ID, "", gap, value, gap, value, ..., gap] and what lies between
    # lines, so that the skeleton (SD-ID and gaps) is every even piece
    n_q = n_quotes[sel]
    every = int(n_q.sum()) == len(quotes)
    chosen = quotes if every else quotes[_ranges(q_lo[sel], q_hi[sel])]
    chosen = chosen.copy() if chosen is quotes else chosen
    chosen[0::2] += 1  # every line holds an even number of quotes: even ones open a value
    line_first = np.zeros(len(sel) + 1, np.int64)
    np.cumsum(n_q + 4, out=line_first[1:])
    edges = np.empty(int(line_first[-1]), np.int64)
    slot = np.ones(len(edges), bool)
    line_first = line_first[:-1]
    sd_id_stop = sd_id_end[sel]
    for where, value in (
        (line_first, sd_start[sel] + 1),
        (line_first + 1, sd_id_stop),
        (line_first + 2, sd_id_stop),
        (line_first + n_q + 3, last_quote[sel] + 2),
    ):
        edges[where] = value
        slot[where] = False
    edges[slot] = chosen
    pieces = pa.StringArray.from_buffers(
        len(edges) - 1, pa.py_buffer(edges.astype(np.int32)), buffer
    )
    parts = pieces.take(pa.array(np.arange(0, len(edges) - 1, 2)))
    part_offsets = np.frombuffer(parts.buffers()[1], np.int32)
    bounds_of_line = np.append(line_first, len(edges)) // 2
    skeletons = pa.StringArray.from_buffers(
        len(sel),
        pa.py_buffer(np.ascontiguousarray(part_offsets[bounds_of_line])),
        parts.buffers()[2],
    )
    encoded = skeletons.dictionary_encode()
    found = [cache.get(s) for s in encoded.dictionary.to_pylist()]
    usable = np.array([t is not None for t in found], bool)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    keep = usable[codes]
    if not keep.any():
        return None
    renumber = np.cumsum(usable) - 1
    templates = [t for t in found if t is not None]
    sel, event_us, bounds = sel[keep], event_us[keep], bounds[keep]
    fields_base = line_first[keep]
    template = renumber[codes[keep]]

    msg_start = after[sel] + 1
    has_message = msg_start < end[sel]
    pri_facility, pri_severity = scan.facility[sel], scan.severity[sel]

    return FastRows(
        line=sel,
        event_us=event_us,
        facility=pri_facility,
        severity=pri_severity,
        hostname=_token(data, buffer, bounds, 2),
        app_name=_token(data, buffer, bounds, 3),
        proc_id=_token(data, buffer, bounds, 4),
        msg_id=_token(data, buffer, bounds, 5),
        message=spans(buffer, np.where(has_message, msg_start, end[sel]), end[sel], has_message),
        pieces=pieces,
        base=fields_base,
        template=template.astype(np.int64),
        templates=templates,
    )


def value_strings(
    rows: FastRows, which: np.ndarray, names: Sequence[str]
) -> dict[str, pa.StringArray]:
    """The value of each parameter ``names`` for rows ``which`` (null where a row lacks it)."""
    wanted = list(dict.fromkeys(names))
    position = np.full((len(rows.templates), max(len(wanted), 1)), -1, np.int64)
    for t, tpl in enumerate(rows.templates):
        for k, name in enumerate(wanted):
            position[t, k] = tpl.position.get(name, -1)
    at = position[rows.template[which]].T  # (names, rows)
    source, first, step = rows.value_source()
    index = first[which] + step * at
    missing = at < 0
    flat = np.where(missing, 0, index).ravel()
    taken = source.take(pa.array(flat, mask=missing.ravel() if missing.any() else None))
    count = len(which)
    return {name: taken.slice(k * count, count) for k, name in enumerate(wanted)}


def fields_map(rows: FastRows, which: np.ndarray, with_sd_id: bool = True) -> pa.MapArray:
    """``fields`` of rows ``which``: ``_sd_id`` (unless not ``with_sd_id``) and parameters."""
    skip = 0 if with_sd_id else 1
    key_first, keys = template_keys(rows.templates)
    sizes = np.array([len(t.keys) for t in rows.templates], np.int64)
    runs = rows.template[which]
    taken_keys, counts = gather_runs(keys, key_first + skip, key_first + sizes, runs)
    first, within = _within(counts)
    entry = within + skip
    source, value_first, step = rows.value_source()
    value_at = np.repeat(value_first[which], counts) + step * (entry - 1)
    if with_sd_id:
        sd_id_at = rows.base if rows.sd_id_at is None else rows.sd_id_at
        value_at[first[:-1]] = sd_id_at[which]
    return pa.MapArray.from_arrays(
        pa.array(first.astype(np.int32)),
        taken_keys,
        source.take(pa.array(value_at)),
    )


def template_keys(templates: Sequence[Template]) -> tuple[np.ndarray, pa.StringArray]:
    """(index of each template's first key, all templates' ``fields`` keys in one array)."""
    first = np.zeros(len(templates) + 1, np.int64)
    np.cumsum([len(t.keys) for t in templates], out=first[1:])
    return first[:-1], pa.array([k for t in templates for k in t.keys], pa.string())


def gather_runs(
    source: pa.StringArray, run_lo: np.ndarray, run_hi: np.ndarray, run_of_row: np.ndarray
) -> tuple[pa.StringArray, np.ndarray]:
    """Entries ``source[run_lo[r]:run_hi[r]]`` for ``r = run_of_row[i]``, row after row, and
    the number of entries of each row. Runs are increasing and disjoint; their bytes are
    copied in one piece per row (not one per entry)."""
    run_lo = np.asarray(run_lo, np.int64)
    run_hi = np.asarray(run_hi, np.int64)
    offsets = np.frombuffer(source.buffers()[1], np.int32)[source.offset :][: len(source) + 1]
    counts = (run_hi - run_lo)[run_of_row]
    if not len(run_lo) or not len(run_of_row):
        return source.slice(0, 0), counts
    bounds = np.empty(2 * len(run_lo), np.int32)
    bounds[0::2] = offsets[run_lo]
    bounds[1::2] = offsets[run_hi]
    data = source.buffers()[2]
    if data is None:  # all entries empty
        data = pa.py_buffer(b"")
    pieces = pa.StringArray.from_buffers(2 * len(run_lo) - 1, pa.py_buffer(bounds), data)
    joined = pieces.take(pa.array(2 * np.asarray(run_of_row, np.int64)))
    joined_offsets = np.frombuffer(joined.buffers()[1], np.int32)[: len(joined) + 1]
    _, within = _within(counts)
    entry = np.repeat(run_lo[run_of_row], counts) + within
    shift = joined_offsets[:-1].astype(np.int64) - bounds[0::2][run_of_row]
    out = np.empty(len(entry) + 1, np.int32)
    out[:-1] = offsets[entry] + np.repeat(shift, counts)
    out[-1] = joined_offsets[-1]
    data = joined.buffers()[2] or pa.py_buffer(b"")
    return pa.StringArray.from_buffers(len(entry), pa.py_buffer(out), data), counts
