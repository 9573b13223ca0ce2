"""Data set bodies → raw field columns, the one place record bytes are cut into fields.

Owns record framing: how many records a data set holds, the fixed-length fast path (one
``np.frombuffer`` over the concatenated record bytes of many sets, fields as views of the
template's structured dtype) and the per-record slow path for templates with variable-length
fields (RFC 7011 §7: 1-octet length, or 255 then a 2-octet length). Must not interpret values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from collectors.errors import MalformedPacket
from collectors.flow.columns import Raw
from collectors.flow.templates import NUMERIC_VIEW, Template


def fixed_count(template: Template, body_len: int) -> int:
    """Records in a body of a fixed-length template; the remainder is padding (RFC 7011 §3.3.1)."""
    return body_len // template.record_len


def fixed_columns(template: Template, payload: bytes, count: int) -> list[Raw]:
    """Field columns of ``count`` packed records: views into one structured array."""
    assert template.dtype is not None
    recs = np.frombuffer(payload, dtype=template.dtype, count=count)
    out: list[Raw] = []
    for i, f in enumerate(template.fields):
        out.append(recs[f"f{i}"] if f.length else np.zeros((count, 0), np.uint8))
    return out


def variable_columns(template: Template, data: bytes, start: int, end: int) -> list[list[bytes]]:
    """Per-field lists of value bytes for a data set of a template with variable-length fields.

    Stops at trailing padding (fewer bytes left than the shortest record); a length that runs past
    the set is ``MalformedPacket`` at its offset.
    """
    cols: list[list[bytes]] = [[] for _ in template.fields]
    lengths = [f.length for f in template.fields]
    variable = [f.variable for f in template.fields]
    pos = start
    while end - pos >= template.record_len:
        for i, ln in enumerate(lengths):
            if variable[i]:
                if pos >= end:
                    raise MalformedPacket("variable-length field truncated", offset=pos)
                ln = data[pos]
                pos += 1
                if ln == 255:
                    if end - pos < 2:
                        raise MalformedPacket("variable-length prefix truncated", offset=pos)
                    ln = (data[pos] << 8) | data[pos + 1]
                    pos += 2
            if ln > end - pos:
                raise MalformedPacket(f"field of {ln} octets runs past the set", offset=pos)
            cols[i].append(data[pos : pos + ln])
            pos += ln
    return cols


def pack_fixed(template: Template, cols: list[list[bytes]]) -> list[Raw]:
    """Turn the fixed-length fields of a slow-path decode into arrays like the fast path's."""
    out: list[Raw] = []
    for f, values in zip(template.fields, cols, strict=True):
        if f.variable:
            out.append(values)
            continue
        flat = np.frombuffer(b"".join(values), np.uint8)
        mat: npt.NDArray[Any] = flat.reshape(len(values), f.length)
        if f.length in (1, 2, 4, 8) and f.type in NUMERIC_VIEW:
            out.append(np.ascontiguousarray(mat).view(f">u{f.length}").reshape(len(values)))
        else:
            out.append(mat)
    return out


def concat(parts: list[list[Raw]]) -> list[Raw]:
    """Concatenate per-field columns of several slow-path decodes of one template."""
    if len(parts) == 1:
        return parts[0]
    out: list[Raw] = []
    for cols in zip(*parts, strict=True):
        if isinstance(cols[0], list):
            merged: list[bytes] = []
            for c in cols:
                assert isinstance(c, list)
                merged.extend(c)
            out.append(merged)
        else:
            out.append(np.concatenate(cols))
    return out
