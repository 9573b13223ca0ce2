"""RFC 5424 structured data and key=value text, line by line.

Owns reading ``[id name="value" ...][id2 ...]`` into elements and parameters (``parse_sd``,
robust, per line) and the ``fields`` naming convention shared by the per-line path, the batch
path (``columnar`` and ``templates`` follow it for the well-formed single-element case) and
the JSON view:

* parameters of the *primary* element (the first whose SD-ID has an ``@``, else the first) keep
  their names; parameters of any other element are named ``<SD-ID>.<name>``;
* ``_sd_id`` holds the SD-IDs as sent, space separated, in order;
* a name repeated within an element is kept as ``name#2``, ``name#3``… (the first wins the name);
* a parameter name that starts with ``_`` gets one more ``_`` (``_x`` → ``__x``): single
  underscore names are reserved for the parser's own notes (``_truncated``, ``_relay_host``…).

Lenient where real senders are: ``\\"``, ``\\\\`` and ``\\]`` escapes (RFC 5424 section 6.3.3; a
backslash before anything else is kept), Unicode quotes (“value”, ”value”), missing spaces
between parameters, unquoted values, junk tokens inside an element and an element cut off by
truncation: what can be read is kept and ``error`` says what was wrong. Must not know message
families or headers. Never raises.
"""

from __future__ import annotations

import re
from itertools import repeat

Params = list[tuple[str, str]]
Element = tuple[str, Params]

_NAME = re.compile(r"[ \t]*([^\s=\]\"“”]+)=")
_QUOTED = re.compile(r'((?:[^"\\]|\\.)*)"', re.DOTALL)
_UNICODE_QUOTED = re.compile(r'([^“”"]*)[“”"]')
_BARE = re.compile(r"[^\s\]]*")
_SPACE = re.compile(r"\s*")
_JUNK = re.compile(r"[^\s\]]+")
_SD_ID = re.compile(r"[^\s=\]\"]*")
_ESCAPE = re.compile(r"\\([\\\"\]])")
_KV = re.compile(
    r"(?<![\w.\-])([A-Za-z_][\w.\-]*)=(\"(?:[^\"\\]|\\.)*\"|“[^”]*”|”[^”]*”|[^\s,;]*)", re.DOTALL
)


def unescape(value: str) -> str:
    """Undo RFC 5424 PARAM-VALUE escapes (``\\"``, ``\\\\``, ``\\]``); others stay as sent."""
    return _ESCAPE.sub(r"\1", value) if "\\" in value else value


def parse_sd(text: str, pos: int = 0) -> tuple[list[Element], int, str | None]:
    """Elements starting at ``text[pos] == '['`` → (elements, index after them, error or None)."""
    elements: list[Element] = []
    errors: list[str] = []
    n = len(text)
    while pos < n and text[pos] == "[":
        m = _SD_ID.match(text, pos + 1)
        sd_id = m.group(0) if m else ""
        pos = m.end() if m else pos + 1
        params: Params = []
        closed = False
        while pos < n:
            c = text[pos]
            if c == "]":
                pos += 1
                closed = True
                break
            name = _NAME.match(text, pos)
            if name is None:
                pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
                if pos < n and text[pos] != "]":
                    pos = _JUNK.match(text, pos).end()  # type: ignore[union-attr]
                    errors.append("junk in structured data")
                continue
            key = name.group(1)
            pos = name.end()
            quote = text[pos] if pos < n else ""
            if quote == '"':
                v = _QUOTED.match(text, pos + 1)
                if v is None:
                    params.append((key, unescape(text[pos + 1 :])))
                    errors.append("unterminated value")
                    pos = n
                    break
                params.append((key, unescape(v.group(1))))
                pos = v.end()
            elif quote in ("“", "”"):
                v = _UNICODE_QUOTED.match(text, pos + 1)
                if v is None:
                    params.append((key, text[pos + 1 :]))
                    errors.append("unterminated value")
                    pos = n
                    break
                params.append((key, v.group(1)))
                pos = v.end()
            else:
                bare = _BARE.match(text, pos)
                end = bare.end() if bare else pos
                params.append((key, text[pos:end]))
                pos = end
        elements.append((sd_id, params))
        if not closed:
            errors.append("unterminated structured data element")
            break
    return elements, pos, "; ".join(dict.fromkeys(errors)) or None


def primary_index(elements: list[Element]) -> int:
    """Which element's parameters keep plain names: the first with an ``@`` in its SD-ID."""
    for i, (sd_id, _) in enumerate(elements):
        if "@" in sd_id:
            return i
    return 0


def field_name(name: str) -> str:
    """A parameter name as stored in ``fields`` (leading ``_`` doubled)."""
    return "_" + name if name.startswith("_") else name


def sd_fields(elements: list[Element]) -> Params:
    """``fields`` pairs for parsed elements, following the module's naming convention."""
    if not elements:
        return []
    primary = primary_index(elements)
    out: Params = [("_sd_id", " ".join(sd_id for sd_id, _ in elements))]
    for i, (sd_id, params) in enumerate(elements):
        prefix = "" if i == primary else sd_id + "."
        seen: dict[str, int] = {}
        for name, value in params:
            key = prefix + field_name(name)
            count = seen.get(key, 0) + 1
            seen[key] = count
            out.append((key if count == 1 else f"{key}#{count}", value))
    return out


def named(params: Params) -> Params:
    """Free-form parameters under the ``fields`` rules (``_`` doubled, repeats numbered).

    Families whose text forms have fixed parameter names need not call it.
    """
    names = {name for name, _ in params}
    if len(names) == len(params) and not any(map(str.startswith, names, repeat("_"))):
        return params
    seen: dict[str, int] = {}
    out: Params = []
    for name, value in params:
        key = field_name(name)
        number = seen.get(key, 0) + 1
        seen[key] = number
        out.append((key if number == 1 else f"{key}#{number}", value))
    return out


def parse_kv(text: str) -> Params:
    """``key=value`` pairs in free text (values bare, "quoted" or “quoted”), in order."""
    out: Params = []
    for m in _KV.finditer(text):
        value = m.group(2)
        if value[:1] == '"':
            value = unescape(value[1:-1])
        elif value[:1] in ("“", "”"):
            value = value[1:-1]
        out.append((m.group(1), value))
    return out
