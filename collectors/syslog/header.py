"""Syslog headers: PRI, RFC 5424, RFC 3164/BSD, relayed second headers, and header timestamps.

Owns turning the text of one line into a ``Header`` (facility, severity, timestamp text,
hostname, APP-NAME/tag, PROCID, MSGID and the rest of the line: structured data and message),
the same for the RFC 5424 lines of a whole batch at once (``scan_rfc5424``, NumPy over one
byte buffer), and turning header timestamps into UTC microseconds (``Clock``: zone per
device, BSD year inference; ``iso_batch_us`` for a batch). Must not look into structured data
or message contents (beyond the Junos event tag conventions in ``junos``) or do I/O. Raises
only ``SyslogError``.

Accepted header forms (lenient where real senders are):

* RFC 5424: ``<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]``; also without
  VERSION (``<166> 2023-05-08T10:54:24+10:00 host app - - - msg``) and with a space-padded
  timestamp (``2011-11-30T00: 6:15.274``, as in some Junos documentation samples).
* RFC 3164/BSD: ``[<PRI>]Mmm dd hh:mm:ss[.ffffff] [HOSTNAME] TAG[PID]: MSG``; also with a year
  (``Mmm dd yyyy hh:mm:ss``, Junos ``time-format year``), with an ISO 8601 timestamp in place of
  the BSD one (rsyslog forwarding format), without hostname (``Oct  5 06:01:35   RT_UTM: ...``)
  and with PRI only (RFC 3164 section 4.3.3: the whole rest is the message).
* A relayed line carries a second header: the message of the outer header starts with
  ``<PRI>`` or a timestamp (``<13>Mar  1 12:00:01 relay <14>Mar  1 12:00:00 srx1 RT_FLOW: ...``).
  The inner header wins (it is the device's); the outer hostname is kept as ``relay_host``.

A timestamp without zone is in the device's configured zone (``Clock``); a BSD timestamp without
year takes the year that puts it closest to the receive time (so Dec 31 → Jan 1 works both ways).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from collectors.syslog.junos import embedded_tag, split_event_tag
from collectors.syslog.model import SyslogError

#: "0".."191" → (facility, severity); anything else (leading zeros, >191) is not a PRI.
PRI: dict[str, tuple[int, int]] = {str(p): divmod(p, 8) for p in range(192)}

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    )
}

_VERSION = re.compile(r"(\d{1,2}) ")
_SPACES = re.compile(r" *")
#: An RFC 5424 / ISO 8601 timestamp, allowing space-padded time fields.
_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ]([\d ]\d):([\d ]\d):([\d ]\d)(?:[.,](\d{1,9}))?"
    r"(Z|z|[+-]\d\d:?\d\d)?(?= |$)"
)
_BSD = re.compile(
    r"([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?= |$)"
)
_TAG = re.compile(r"([^\s\[\]:<>]{1,64})(?:\[([^\]\s]{0,32})\])?:(?: |$)")
_INNER_PRI = re.compile(r"<\d{1,3}>")

MAX_RELAY_DEPTH = 3


@dataclass(slots=True)
class Header:
    """A parsed header. ``rest`` is what follows it: SD and MSG (5424) or the message (BSD)."""

    format: str
    facility: int | None
    severity: int | None
    ts: str | None
    hostname: str | None
    app_name: str | None
    proc_id: str | None
    msg_id: str | None
    rest: str
    relay_host: str | None = None


def _nil(value: str | None) -> str | None:
    return None if value is None or value == "-" or value == "" else value


def parse_header(text: str, depth: int = 0) -> Header:
    """The header of one line (``text`` without trailing newline). Raises ``SyslogError``."""
    if not text.strip():
        raise SyslogError("empty line", offset=0)
    pos = 0
    facility: int | None = None
    severity: int | None = None
    has_pri = False
    if text.startswith("<"):
        close = text.find(">", 1, 6)
        if close < 0:
            raise SyslogError("'<' without a valid PRI", offset=0)
        pri = PRI.get(text[1:close])
        if pri is None:
            raise SyslogError(f"invalid PRI <{text[1:close]}>", offset=1)
        facility, severity = pri
        pos = close + 1
        has_pri = True
    version = _VERSION.match(text, pos)
    if has_pri and version is not None and not _ISO.match(text, pos):
        header = _rfc5424(text, version.end(), facility, severity)
    else:
        pos = _SPACES.match(text, pos).end()  # type: ignore[union-attr]
        iso = _ISO.match(text, pos)
        if iso is not None:
            header = _iso_without_version(text, pos, iso.end(), facility, severity)
        else:
            bsd = _BSD.match(text, pos)
            if bsd is not None:
                header = _rfc3164(text, bsd.group(0), bsd.end(), facility, severity)
            elif has_pri:
                header = Header("rfc3164", facility, severity, None, None, None, None, None, "")
                _bsd_body(header, text[pos:])
            else:
                raise SyslogError("no syslog header (neither <PRI> nor a timestamp)", offset=0)
    if depth < MAX_RELAY_DEPTH:
        return _unwrap_relay(header, depth)
    return header


def _rfc5424(text: str, pos: int, fac: int | None, sev: int | None) -> Header:
    iso = _ISO.match(text, pos)
    if iso is not None:
        ts: str | None = iso.group(0)
        after = iso.end() + 1
    else:
        end = text.find(" ", pos)
        ts = text[pos:] if end < 0 else text[pos:end]
        after = len(text) if end < 0 else end + 1
    parts = text[after:].split(" ", 4)
    parts += [""] * (5 - len(parts))
    host, app, proc, msgid, rest = parts
    header = Header(
        "rfc5424", fac, sev, _nil(ts), _nil(host), _nil(app), _nil(proc), _nil(msgid), rest
    )
    _junos_5424_tags(header)
    return header


def _junos_5424_tags(header: Header) -> None:
    """Junos PFE lines carry ``host TAG: text`` in MSG with APP-NAME and MSGID nil."""
    if header.msg_id is not None or not header.rest.startswith("- "):
        return
    found = embedded_tag(header.rest[2:])
    if found is not None:
        header.msg_id, _ = found


def _iso_without_version(text: str, pos: int, end: int, fac: int | None, sev: int | None) -> Header:
    """``<PRI>TIMESTAMP ...``: RFC 5424 without VERSION if SD follows four tokens, else BSD."""
    parts = text[end + 1 :].split(" ", 4)
    if len(parts) == 5 and parts[4][:1] in ("-", "[") and not parts[1].endswith(":"):
        host, app, proc, msgid, rest = parts
        header = Header(
            "rfc5424", fac, sev, text[pos:end], _nil(host), _nil(app), _nil(proc), _nil(msgid), rest
        )
        _junos_5424_tags(header)
        return header
    return _rfc3164(text, text[pos:end], end, fac, sev)


def _rfc3164(text: str, ts: str, end: int, fac: int | None, sev: int | None) -> Header:
    header = Header("rfc3164", fac, sev, ts, None, None, None, None, "")
    rest = text[end:].lstrip(" ")
    tag = _TAG.match(rest)
    if tag is None and rest and not _starts_header(rest):
        host, _, rest = rest.partition(" ")
        header.hostname = host
        rest = rest.lstrip(" ")
    _bsd_body(header, rest)
    return header


def _bsd_body(header: Header, rest: str) -> None:
    tag = _TAG.match(rest)
    if tag is not None:
        header.app_name = tag.group(1)
        header.proc_id = tag.group(2) or None
        rest = rest[tag.end() :]
    found = split_event_tag(rest)
    if found is not None:
        header.msg_id, rest = found
    header.rest = rest


def _starts_header(text: str) -> bool:
    first = text[:1]
    if first == "<":
        return _INNER_PRI.match(text) is not None
    if first.isdigit():
        return _ISO.match(text) is not None
    return text[:3] in MONTHS and _BSD.match(text) is not None


def _unwrap_relay(outer: Header, depth: int) -> Header:
    """If the message is itself a syslog line (a relay's second header), parse that instead."""
    if outer.format == "rfc5424":
        if outer.rest.startswith("- "):
            message = outer.rest[2:]
        elif outer.rest == "-":
            return outer
        else:
            return outer  # SD present: the message is not a bare relayed line
    else:
        if outer.app_name is not None or outer.msg_id is not None:
            return outer
        message = outer.rest
    if not message or not _starts_header(message):
        return outer
    try:
        inner = parse_header(message, depth + 1)
    except SyslogError:
        return outer
    if inner.facility is None:
        inner.facility, inner.severity = outer.facility, outer.severity
    inner.relay_host = outer.hostname
    return inner


# --------------------------------------------------------------------------- timestamps


def _zone(name: str) -> ZoneInfo | None:
    if name.upper() in ("UTC", "Z", "ETC/UTC", "GMT"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()


def _naive_us(year: int, month: int, day: int, h: int, mi: int, s: int) -> int | None:
    """Microseconds since the epoch of a UTC wall time, None if the date is impossible."""
    try:
        ordinal = datetime(year, month, day).toordinal()
    except ValueError:
        return None
    if h > 23 or mi > 59 or s > 60:
        return None
    s = min(s, 59)  # a leap second is kept in the same minute
    return ((ordinal - _EPOCH_ORDINAL) * 86400 + h * 3600 + mi * 60 + s) * 1_000_000


def _frac_us(frac: str | None) -> int:
    if not frac:
        return 0
    return int((frac + "000000")[:6])


def _bsd_parts(ts: str) -> tuple[int, int, int | None, int, int, int, int] | None:
    """(month or 0 if unknown, day, year or None, hour, minute, second, µs) of a BSD timestamp."""
    m = _BSD.fullmatch(ts)
    if m is None:
        return None
    year = m.group(3)
    return (
        MONTHS.get(m.group(1), 0),
        int(m.group(2)),
        None if year is None else int(year),
        int(m.group(4)),
        int(m.group(5)),
        int(m.group(6)),
        _frac_us(m.group(7)),
    )


class Clock:
    """Header timestamps → UTC microseconds, with a zone per device and small caches.

    ``device_tz`` maps a hostname (as in the header) or a sender IP to an IANA zone name; the
    hostname is looked up first. Timestamps with an explicit offset ignore the zone.
    """

    MAX_CACHE = 200_000
    MAX_LEAD_US = 7 * 86_400 * 1_000_000

    def __init__(self, default_tz: str = "UTC", device_tz: Mapping[str, str] | None = None):
        self.default = default_tz
        self._zones: dict[str, ZoneInfo | None] = {default_tz: _zone(default_tz)}
        self.device_tz = dict(device_tz or {})
        for name in self.device_tz.values():
            if name not in self._zones:
                self._zones[name] = _zone(name)
        self._iso: dict[str, int | None] = {}
        self._local: dict[tuple[str, int, int, int, int, int, int], int | None] = {}
        self._year_of: dict[int, int] = {}
        self._bsd: dict[str, tuple[int, int, int | None, int, int, int, int] | None] = {}
        #: (BSD timestamp, zone, year received) → its UTC times in the candidate years, latest
        #: first (``bsd_us`` picks the first within the lead of the receive time)
        self._bsd_years: dict[tuple[str, str, int], tuple[int, ...]] = {}

    def is_utc(self, zone: str) -> bool:
        return zone in self._zones and self._zones[zone] is None

    def zone_name(self, hostname: str | None, sender: str) -> str:
        if self.device_tz:
            if hostname is not None and hostname in self.device_tz:
                return self.device_tz[hostname]
            return self.device_tz.get(sender, self.default)
        return self.default

    def iso_us(self, ts: str, zone: str) -> int | None:
        """An RFC 5424 / ISO 8601 timestamp; a naive one is in ``zone``. None if invalid."""
        key = ts if zone == self.default else ts + "\x00" + zone
        try:
            return self._iso[key]
        except KeyError:
            pass
        if len(self._iso) > self.MAX_CACHE:
            self._iso.clear()
        value = self._parse_iso(ts, zone)
        self._iso[key] = value
        return value

    def _parse_iso(self, ts: str, zone: str) -> int | None:
        m = _ISO.fullmatch(ts)
        if m is None:
            return None
        try:
            y, mo, d, h, mi, s = (int(m.group(i).replace(" ", "0")) for i in range(1, 7))
        except ValueError:
            return None
        offset = m.group(8)
        frac = _frac_us(m.group(7))
        if offset is None:
            base = self.local_us(zone, y, mo, d, h, mi, s)
            return None if base is None else base + frac
        base = _naive_us(y, mo, d, h, mi, s)
        if base is None:
            return None
        if offset in ("Z", "z"):
            return base + frac
        digits = offset[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:])
        if oh > 23 or om > 59:
            return None
        delta = (oh * 3600 + om * 60) * 1_000_000
        return base + frac - delta if offset[0] == "+" else base + frac + delta

    def local_us(self, zone: str, y: int, mo: int, d: int, h: int, mi: int, s: int) -> int | None:
        """A wall-clock time in ``zone`` (whole seconds) → UTC microseconds."""
        tz = self._zones.get(zone)
        if tz is None and zone not in self._zones:
            tz = self._zones.setdefault(zone, _zone(zone))
        base = _naive_us(y, mo, d, h, mi, s)
        if base is None or tz is None:
            return base
        key = (zone, y, mo, d, h, mi, s)
        cached = self._local.get(key, -1)
        if cached != -1:
            return cached
        if len(self._local) > self.MAX_CACHE:
            self._local.clear()
        try:
            offset = datetime(y, mo, d, h, mi, min(s, 59), tzinfo=tz).utcoffset()
        except (ValueError, OverflowError):
            value = None
        else:
            value = base - (offset or timedelta(0)) // timedelta(microseconds=1)
        self._local[key] = value
        return value

    def bsd_us(self, ts: str, zone: str, received_us: int) -> int | None:
        """A BSD timestamp; without a year, the latest year that puts it at most
        ``MAX_LEAD_US`` after ``received_us`` (a device clock may run a little ahead; a date
        months ahead is last year's), so Dec 31 → Jan 1 rolls over in both directions."""
        try:
            parts = self._bsd[ts]
        except KeyError:
            if len(self._bsd) > self.MAX_CACHE:
                self._bsd.clear()
            parts = self._bsd[ts] = _bsd_parts(ts)
        if parts is None:
            return None if _ISO.fullmatch(ts) is None else self.iso_us(ts, zone)
        month, day, given_year, h, mi, s, frac = parts
        if month == 0:
            return None
        if given_year is not None:
            base = self.local_us(zone, given_year, month, day, h, mi, s)
            return None if base is None else base + frac
        year = self._received_year(received_us, zone)
        key = (ts, zone, year)
        choices = self._bsd_years.get(key)
        if choices is None:
            # latest year first; only a January date can fall within the lead into next year
            years = (year + 1, year, year - 1) if month == 1 else (year, year - 1)
            found = [self.local_us(zone, y, month, day, h, mi, s) for y in years]
            choices = tuple(v for v in found if v is not None)
            if len(self._bsd_years) > self.MAX_CACHE:
                self._bsd_years.clear()
            self._bsd_years[key] = choices
        limit = received_us + self.MAX_LEAD_US
        for value in choices:
            if value <= limit:
                return value + frac
        return None

    def _received_year(self, received_us: int, zone: str) -> int:
        tz = self._zones.get(zone)
        day = received_us // 86_400_000_000
        if tz is None:  # a UTC day lies within one year
            cached = self._year_of.get(day)
            if cached is not None:
                return cached
        try:
            year = datetime.fromtimestamp(received_us / 1e6, tz or UTC).year
        except (OverflowError, OSError, ValueError):
            year = 1970
        if tz is None:
            if len(self._year_of) > self.MAX_CACHE:
                self._year_of.clear()
            self._year_of[day] = year
        return year


# --------------------------------------------------------------------------- batch scan

#: An RFC 5424 timestamp the batch path converts (anything else goes line by line).
ISO_STRICT = (
    r"^(?:[1-9]\d{3}|0[1-9]\d\d|00[1-9]\d|000[1-9])-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$"
)
_ZONED = r"(?:Z|[+-]\d\d:\d\d)$"


@dataclass
class Scan:
    """Where the RFC 5424 header fields of each line of a byte buffer are.

    ``ok`` lines have ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [``: a valid PRI,
    VERSION 1, five non-empty space-separated fields and structured data starting at
    ``sd_start``. ``bounds[:, 0]`` is where the timestamp starts; ``bounds[:, k]`` (k = 1..5)
    is the space after field k.
    """

    ok: np.ndarray
    facility: np.ndarray
    severity: np.ndarray
    bounds: np.ndarray
    sd_start: np.ndarray


def scan_rfc5424(data: np.ndarray, start: np.ndarray, end: np.ndarray, spaces: np.ndarray) -> Scan:
    """Find the RFC 5424 headers of lines ``data[start[i]:end[i]]`` at once.

    ``data`` must extend at least 8 bytes past the last line; ``spaces`` holds the sorted
    positions of the space character in ``data``. The per-line twin is ``parse_header``.
    """

    def at(offset: int | np.ndarray) -> np.ndarray:
        return np.asarray(data[start + offset], np.int16)

    d1, d2, d3 = at(1) - 48, at(2) - 48, at(3) - 48
    width = np.where(at(2) == 62, 1, np.where(at(3) == 62, 2, np.where(at(4) == 62, 3, 0)))
    digit = [(x >= 0) & (x <= 9) for x in (d1, d2, d3)]
    pri = np.where(width == 1, d1, np.where(width == 2, d1 * 10 + d2, d1 * 100 + d2 * 10 + d3))
    ok = (at(0) == 60) & (
        ((width == 1) & digit[0])
        | ((width == 2) & digit[0] & digit[1] & (d1 != 0))
        | ((width == 3) & digit[0] & digit[1] & digit[2] & (d1 != 0))
    )
    ok &= (pri >= 0) & (pri <= 191)
    version = start + width + 2
    ok &= (data[version] == 49) & (data[version + 1] == 32)
    first = version + 2
    at_space = np.searchsorted(spaces, first)
    ok &= at_space + 4 < len(spaces)
    pick = np.minimum(at_space[:, None] + np.arange(5), max(len(spaces) - 1, 0))
    bounds = np.empty((len(start), 6), np.int64)
    bounds[:, 0] = first
    bounds[:, 1:] = spaces[pick] if len(spaces) else first[:, None]
    ok &= (bounds[:, 1] > first) & np.all(bounds[:, 2:] > bounds[:, 1:-1] + 1, axis=1)
    sd_start = bounds[:, 5] + 1
    ok &= sd_start < end
    ok &= data[np.where(ok, sd_start, 0)] == 91
    pri = np.where(ok, pri, 0).astype(np.uint8)
    return Scan(ok, pri >> 3, pri & 7, bounds, sd_start)


def iso_batch_us(clock: Clock, ts: pa.StringArray, zones: list[str] | None) -> np.ndarray:
    """UTC microseconds of RFC 5424 timestamps; -1 where the batch path cannot tell.

    ``zones`` gives each line's zone name (None: the default zone for all). Results equal
    ``clock.iso_us`` (the per-line twin), which also handles what Arrow's cast refuses.
    """
    count = len(ts)
    out = np.full(count, -1, np.int64)
    valid = pc.match_substring_regex(ts, ISO_STRICT).to_numpy(zero_copy_only=False)
    zoned = pc.match_substring_regex(ts, _ZONED).to_numpy(zero_copy_only=False) & valid
    naive = valid & ~zoned
    for mask, utc in ((zoned, True), (naive, False)):
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        part = ts.take(pa.array(rows))
        if not utc and (zones is not None or not clock.is_utc(clock.default)):
            texts = part.to_pylist()
            names = [zones[i] for i in rows] if zones is not None else [clock.default] * len(rows)
            got = [clock.iso_us(t, z) for t, z in zip(texts, names, strict=True)]
            out[rows] = [-1 if g is None else g for g in got]
            continue
        try:
            cast = pc.cast(part, pa.timestamp("us", tz="UTC" if utc else None))
            out[rows] = cast.cast(pa.int64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            zone = clock.default
            got = [clock.iso_us(t, zone) for t in part.to_pylist()]
            out[rows] = [-1 if g is None else g for g in got]
    return out
