"""Templates: parsing template records, compiling them to NumPy dtypes, and the template cache.

Owns the ``Template`` value (fields, options scope, compiled record layout), the cache keyed by
(exporter, observation domain, template id) with withdrawal and a size bound, and the wire parsing
of IPFIX template/options-template sets and v9 template/options-template flowsets. Must not decode
data records or touch the clock; errors are ``MalformedPacket`` with the offset in the datagram
(the decoder adds exporter and domain).
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from collectors.errors import MalformedPacket
from collectors.flow import ies

#: A template with more fields than this is treated as garbage rather than allocated.
MAX_FIELDS = 512
_HH = struct.Struct(">HH")
_HHH = struct.Struct(">HHH")
_I = struct.Struct(">I")
NUMERIC_VIEW = ies.INTEGER_TYPES | ies.NTP_TYPES | {ies.IPV4, ies.F64}


@dataclass(frozen=True, slots=True)
class Field:
    """One template field: element id, length on the wire (65535 = variable) and PEN."""

    ie: int
    length: int
    pen: int = 0
    name: str = ""
    type: str = ""

    @staticmethod
    def of(ie: int, length: int, pen: int = 0) -> Field:
        info = ies.lookup(ie, pen)
        return Field(ie, length, pen, info.name, info.type)

    @property
    def variable(self) -> bool:
        return self.length == ies.VARLEN

    @property
    def key(self) -> tuple[int, int]:
        return (self.pen, self.ie)


@dataclass(eq=False)
class Template:
    """A (options) template as announced, with its compiled fixed-length record layout."""

    version: int
    template_id: int
    fields: tuple[Field, ...]
    scope_count: int = 0
    options: bool = False
    #: Minimum record length (exact length when ``dtype`` is not None).
    record_len: int = field(init=False)
    #: Big-endian structured dtype of one record; None for templates with variable-length fields.
    dtype: np.dtype[np.void] | None = field(init=False)
    #: Slot where the decoder caches its per-template column plan.
    plan: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        variable = self.version == 10 and any(f.variable for f in self.fields)
        self.record_len = sum(1 if (variable and f.variable) else f.length for f in self.fields)
        self.dtype = None if variable else compile_dtype(self.fields)

    def same_layout(self, other: Template) -> bool:
        return (
            self.version == other.version
            and self.options == other.options
            and self.scope_count == other.scope_count
            and self.fields == other.fields
        )

    def to_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "template_id": self.template_id,
            "scope_count": self.scope_count,
            "options": self.options,
            "fields": [[f.ie, f.length, f.pen] for f in self.fields],
        }

    @staticmethod
    def from_json(data: dict[str, object]) -> Template:
        """A template from ``to_json`` output; ValueError/TypeError/KeyError when it is not."""
        raw_fields = data["fields"]
        if not isinstance(raw_fields, list) or not 0 < len(raw_fields) <= MAX_FIELDS:
            raise ValueError("template fields must be a non-empty list")
        fields = []
        for ie, length, pen in raw_fields:
            if not (0 <= int(ie) <= 0x7FFF and 0 <= int(length) <= 0xFFFF):
                raise ValueError(f"bad field {ie}/{length}")
            fields.append(Field.of(int(ie), int(length), int(pen)))
        template = Template(
            version=int(str(data["version"])),
            template_id=int(str(data["template_id"])),
            fields=tuple(fields),
            scope_count=int(str(data["scope_count"])),
            options=bool(data["options"]),
        )
        if template.record_len == 0 or template.version not in (9, 10):
            raise ValueError("template describes empty records")
        return template


def compile_dtype(fields: tuple[Field, ...]) -> np.dtype[np.void]:
    """One record as a packed big-endian structured dtype, field ``i`` named ``f<i>``.

    Integer-like fields of 1, 2, 4 or 8 octets become ``>uN`` scalars; anything else (3, 5, 6, 7
    octets, addresses other than IPv4, strings) becomes a ``(N,) u1`` sub-array that the column
    layer widens or formats with whole-array operations.
    """
    names: list[str] = []
    formats: list[object] = []
    offsets: list[int] = []
    pos = 0
    for i, f in enumerate(fields):
        if f.length > 0:
            names.append(f"f{i}")
            offsets.append(pos)
            if f.length in (1, 2, 4, 8) and f.type in NUMERIC_VIEW:
                formats.append(f">u{f.length}")
            else:
                formats.append(("u1", (f.length,)))
        pos += f.length
    spec = {"names": names, "formats": formats, "offsets": offsets, "itemsize": pos}
    return np.dtype(spec)  # type: ignore[call-overload,no-any-return]


TemplateKey = tuple[str, int, int]


class TemplateStore(Protocol):
    """Templates shared beyond one decoder (e.g. a key-value bucket that several decoders of
    the same exporters read): consulted on a cache miss, told of every new or withdrawn one."""

    def load(self, exporter: str, domain: int, template_id: int) -> Template | None: ...

    def save(self, exporter: str, domain: int, template: Template) -> None: ...

    def forget(self, exporter: str, domain: int, template_id: int) -> None: ...


class TemplateCache:
    """Templates by (exporter, domain, template id); the oldest are dropped beyond ``limit``.

    With a ``store``, a miss asks the store, and learned or withdrawn templates are passed on.
    """

    def __init__(self, limit: int = 65536, store: TemplateStore | None = None) -> None:
        self.limit = limit
        self.store = store
        self._items: OrderedDict[TemplateKey, Template] = OrderedDict()

    def get(self, exporter: str, domain: int, template_id: int) -> Template | None:
        found = self._items.get((exporter, domain, template_id))
        if found is None and self.store is not None:
            found = self.store.load(exporter, domain, template_id)
            if found is not None:
                self._put((exporter, domain, template_id), found)
        return found

    def learn(self, exporter: str, domain: int, template: Template) -> tuple[Template, bool]:
        """Store ``template``; returns the cached object and whether it is new or changed.

        An identical re-announcement (the periodic template refresh) keeps the cached object,
        so batches keyed by template identity stay together.
        """
        key = (exporter, domain, template.template_id)
        old = self._items.get(key)
        if old is not None and old.same_layout(template):
            return old, False
        self._put(key, template)
        if self.store is not None:
            self.store.save(exporter, domain, template)
        return template, True

    def _put(self, key: TemplateKey, template: Template) -> None:
        self._items[key] = template
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)

    def withdraw(self, exporter: str, domain: int, template_id: int) -> bool:
        if self.store is not None:
            self.store.forget(exporter, domain, template_id)
        return self._items.pop((exporter, domain, template_id), None) is not None

    def withdraw_all(self, exporter: str, domain: int, options: bool) -> int:
        doomed = [
            k
            for k, t in self._items.items()
            if k[0] == exporter and k[1] == domain and t.options == options
        ]
        for k in doomed:
            del self._items[k]
            if self.store is not None:
                self.store.forget(*k)
        return len(doomed)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> Iterator[tuple[TemplateKey, Template]]:
        return iter(list(self._items.items()))


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A template withdrawal record; ``template_id`` None withdraws every template of the kind."""

    template_id: int | None
    options: bool


def parse_ipfix_templates(
    data: bytes, start: int, end: int, set_id: int
) -> list[Template | Withdrawal]:
    """Records of an IPFIX template (set id 2) or options template (set id 3) set body."""
    options = set_id == 3
    out: list[Template | Withdrawal] = []
    pos = start
    while end - pos >= 4:
        tid, count = _HH.unpack_from(data, pos)
        if tid == 0 and count == 0:
            break  # zero padding at the end of the set
        rec_start = pos
        pos += 4
        if count == 0:
            if tid == set_id:
                out.append(Withdrawal(None, options))
            elif tid >= 256:
                out.append(Withdrawal(tid, options))
            else:
                raise MalformedPacket(f"withdrawal of invalid template id {tid}", offset=rec_start)
            continue
        if tid < 256:
            raise MalformedPacket(f"template id {tid} below 256", offset=rec_start)
        scope = 0
        if options:
            if end - pos < 2:
                raise MalformedPacket("options template record truncated", offset=rec_start)
            (scope,) = struct.unpack_from(">H", data, pos)
            pos += 2
            if scope == 0 or scope > count:
                raise MalformedPacket(f"scope field count {scope} of {count}", offset=rec_start)
        if count > MAX_FIELDS or count * 4 > end - pos:
            raise MalformedPacket(f"field count {count} exceeds the set", offset=rec_start)
        fields = []
        for _ in range(count):
            if end - pos < 4:
                raise MalformedPacket("field specifier truncated", offset=pos)
            ie, length = _HH.unpack_from(data, pos)
            pos += 4
            pen = 0
            if ie & 0x8000:
                if end - pos < 4:
                    raise MalformedPacket("enterprise number truncated", offset=pos)
                (pen,) = _I.unpack_from(data, pos)
                pos += 4
                ie &= 0x7FFF
            fields.append(Field.of(ie, length, pen))
        out.append(_checked(Template(10, tid, tuple(fields), scope, options), rec_start))
    return out


def parse_v9_templates(data: bytes, start: int, end: int) -> list[Template | Withdrawal]:
    """Records of a v9 template flowset (flowset id 0)."""
    out: list[Template | Withdrawal] = []
    pos = start
    while end - pos >= 4:
        tid, count = _HH.unpack_from(data, pos)
        if tid == 0 and count == 0:
            break
        if tid < 256 or count == 0:
            raise MalformedPacket(f"template {tid} with {count} fields", offset=pos)
        if count > MAX_FIELDS or count * 4 > end - pos - 4:
            raise MalformedPacket(f"field count {count} exceeds the flowset", offset=pos)
        rec_start = pos
        pos += 4
        fields = []
        for _ in range(count):
            ftype, length = _HH.unpack_from(data, pos)
            pos += 4
            fields.append(Field.of(ies.v9_ie(ftype), length))
        out.append(_checked(Template(9, tid, tuple(fields)), rec_start))
    return out


def parse_v9_options_templates(data: bytes, start: int, end: int) -> list[Template | Withdrawal]:
    """Records of a v9 options template flowset (flowset id 1); scope lengths may be zero."""
    out: list[Template | Withdrawal] = []
    pos = start
    while end - pos >= 6:
        tid, scope_len, opt_len = _HHH.unpack_from(data, pos)
        if tid == 0:
            break
        if tid < 256:
            raise MalformedPacket(f"options template id {tid} below 256", offset=pos)
        if scope_len % 4 or opt_len % 4 or scope_len == 0:
            raise MalformedPacket("options template lengths not multiples of 4", offset=pos)
        if scope_len + opt_len > end - pos - 6:
            raise MalformedPacket("options template exceeds the flowset", offset=pos)
        if (scope_len + opt_len) // 4 > MAX_FIELDS:
            raise MalformedPacket("options template has too many fields", offset=pos)
        rec_start = pos
        pos += 6
        fields = []
        for i in range((scope_len + opt_len) // 4):
            ftype, length = _HH.unpack_from(data, pos)
            pos += 4
            if i < scope_len // 4:
                fields.append(Field.of(ftype, length, ies.V9_SCOPE_PEN))
            else:
                fields.append(Field.of(ies.v9_ie(ftype), length))
        template = Template(9, tid, tuple(fields), scope_len // 4, options=True)
        out.append(_checked(template, rec_start))
    return out


def _checked(template: Template, offset: int) -> Template:
    if template.record_len == 0:
        raise MalformedPacket("template describes empty records", offset=offset)
    return template
