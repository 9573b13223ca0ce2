"""Plain Python forms of SNMP values and the textual conventions the collector decodes.

pysnmp hands out pyasn1 objects, which ``client`` converts once into the ``Value`` union below;
``ber`` decodes v2c responses straight into it. Everything downstream (walk, normalize,
notifications) is plain, typed and testable without pysnmp. Also decodes the index encodings
and textual conventions used by the polled tables: length-prefixed strings, InetAddress,
DateAndTime. Pure functions, no I/O.
"""

from __future__ import annotations

import enum
import ipaddress
from datetime import UTC, datetime, timedelta, timezone

from collectors.snmp.oids import Oid, dotted


class Exceptional(enum.Enum):
    """The SNMPv2 varbind exceptions (RFC 3416)."""

    NO_SUCH_OBJECT = "noSuchObject"
    NO_SUCH_INSTANCE = "noSuchInstance"
    END_OF_MIB_VIEW = "endOfMibView"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: int for INTEGER/Counter/Gauge/TimeTicks/Unsigned, bytes for OCTET STRING and Opaque,
#: str for IpAddress, a tuple for OBJECT IDENTIFIER, or a varbind exception
Value = int | bytes | str | tuple[int, ...] | Exceptional
VarBind = tuple[Oid, Value]


def as_int(value: Value | None) -> int | None:
    return value if isinstance(value, int) else None


def as_text(value: Value | None) -> str | None:
    """An OCTET STRING as text (UTF-8, undecodable bytes replaced); other types → None."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return None


def display(value: Value) -> str:
    """A value as one string for ``fields`` maps: text when printable, else 0x-hex."""
    if isinstance(value, Exceptional):
        return value.value
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return "0x" + value.hex()
        return text if text.isprintable() else "0x" + value.hex()
    if isinstance(value, tuple):
        return dotted(value)
    return str(value)


def index_string(index: Oid, pos: int) -> tuple[str, int]:
    """A length-prefixed string in an index at ``pos`` → (text, position after it)."""
    length = index[pos]
    raw = bytes(index[pos + 1 : pos + 1 + length])
    if len(raw) != length:
        raise ValueError(f"index {dotted(index)} ends inside a string")
    return raw.decode("utf-8", "replace"), pos + 1 + length


def inet_address(address_type: int | None, raw: Value | None) -> str | None:
    """InetAddressType + InetAddress (INET-ADDRESS-MIB) → text; ipv4(1), ipv6(2), dns(16)."""
    if not isinstance(raw, bytes):
        return raw if isinstance(raw, str) else None
    if len(raw) == 4 and address_type in (1, None):
        return str(ipaddress.IPv4Address(raw))
    if len(raw) == 16 and address_type in (2, None):
        return str(ipaddress.IPv6Address(raw))
    if address_type == 16 or (address_type is None and raw.isascii()):
        return raw.decode("ascii", "replace")
    return "0x" + raw.hex() if raw else None


def index_inet_address(index: Oid, pos: int) -> tuple[str | None, int]:
    """``type.length.octets`` (a non-IMPLIED InetAddressType, InetAddress index pair)."""
    address_type, length = index[pos], index[pos + 1]
    raw = bytes(index[pos + 2 : pos + 2 + length])
    if len(raw) != length:
        raise ValueError(f"index {dotted(index)} ends inside an address")
    return inet_address(address_type, raw), pos + 2 + length


def date_and_time_us(raw: Value | None) -> int | None:
    """SNMPv2-TC DateAndTime (8 or 11 octets) → µs since the epoch, UTC; None if invalid.

    Without the 3 zone octets the time is taken as UTC.
    """
    if not isinstance(raw, bytes) or len(raw) not in (8, 11):
        return None
    year = raw[0] << 8 | raw[1]
    zone = UTC
    if len(raw) == 11:
        sign = -1 if raw[8] == ord("-") else 1
        zone = timezone(sign * timedelta(hours=raw[9], minutes=raw[10]))
    try:
        when = datetime(year, raw[2], raw[3], raw[4], raw[5], raw[6], raw[7] * 100_000, zone)
    except ValueError:
        return None
    return (when - _EPOCH) // timedelta(microseconds=1)
