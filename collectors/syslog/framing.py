"""Sans-IO framing of syslog byte streams (RFC 6587 over TCP, RFC 5425 over TLS) into messages.

Owns the rules that cut a connection's bytes into syslog messages; does no I/O, keeps no clock
and never raises on input (every input is framed somehow, and anomalies are counted on the
framer). Must not parse message contents: that is ``collectors.syslog.parse``.

Rules:

* **Mode per connection.** The first byte that is not a separator (LF, CR, NUL, SP) decides:
  an ASCII digit selects *octet counting* (``MSG-LEN SP MSG``, RFC 6587 §3.4.1 / RFC 5425 §4.3),
  anything else *non-transparent framing* (RFC 6587 §3.4.2). ``mode="octet"`` or
  ``mode="newline"`` forces one (files are always newline framed).
* **Non-transparent framing.** LF and NUL both end a message; one CR before the terminator is
  dropped (CRLF). Empty messages are skipped.
* **Octet counting.** Separators (LF, CR, NUL, SP) between frames are skipped. A header that is
  not 1-9 digits followed by SP is a framing error: it is counted and the connection falls back
  to non-transparent framing from the first byte of that header, so no bytes are lost. Trailing
  LF, CR and NUL inside a frame are stripped (some senders count the newline in MSG-LEN).
* **Size cap.** A message longer than ``max_message`` octets is truncated to its first
  ``max_message`` octets, the rest of it is discarded, and ``oversize`` goes up. Memory per
  connection therefore stays below about ``max_message`` whatever the peer sends.
* **End of stream.** ``close()`` returns an unterminated final message (and, with octet
  counting, the received part of an unfinished frame, counted in ``incomplete``), then resets
  the framer for a new stream.

The messages a stream yields do not depend on how it is cut into ``feed`` calls.
"""

from __future__ import annotations

from typing import Literal, cast

FramingMode = Literal["auto", "octet", "newline"]
#: a framed message: bytes, or (``feed_views``) a view of the data fed
Message = bytes | memoryview

DEFAULT_MAX_MESSAGE = 64 * 1024
MAX_LENGTH_DIGITS = 9
_SEPARATORS = b"\n\r\0 "
_TRAILERS = b"\n\r\0"
_DIGITS = frozenset(b"0123456789")
_SEPARATOR_SET = frozenset(_SEPARATORS)
_TRAILER_SET = frozenset(_TRAILERS)


class StreamFramer:
    """Cuts one stream (one TCP or TLS connection, or one file) into syslog messages."""

    def __init__(self, max_message: int = DEFAULT_MAX_MESSAGE, mode: FramingMode = "auto") -> None:
        if max_message < 1:
            raise ValueError("max_message must be at least 1")
        self.max_message = max_message
        self.requested_mode: FramingMode = mode
        #: messages returned so far
        self.messages = 0
        #: messages truncated to ``max_message``
        self.oversize = 0
        #: octet-counting headers that were not ``DIGITS SP`` (the stream fell back to newlines)
        self.framing_errors = 0
        #: octet-counted frames cut short by the end of the stream
        self.incomplete = 0
        #: bytes thrown away: the excess of oversize messages and stray separator-free digits
        self.discarded_bytes = 0
        self._reset()

    def _reset(self) -> None:
        self.mode: Literal["octet", "newline"] | None = (
            None if self.requested_mode == "auto" else self.requested_mode
        )
        self._buf = b""  # newline mode: the unterminated line; octet mode: header digits
        self._discarding = False  # newline mode: inside the discarded tail of an oversize line
        self._remaining = -1  # octet mode: body bytes still to come (-1: reading a header)
        self._body: list[bytes] = []
        self._body_len = 0
        self._frame_len = 0

    @property
    def partial(self) -> bool:
        """True while the framer holds part of a message (or is skipping an oversize one)."""
        return bool(self._buf) or self._discarding or self._remaining >= 0

    def feed(self, data: bytes) -> list[bytes]:
        """Messages completed by ``data``, in stream order."""
        return cast(list[bytes], self._feed(data, False))  # without views, all are bytes

    def feed_views(self, data: bytes) -> list[Message]:
        """``feed``, but a message that lies whole within ``data`` comes as a read-only view of
        ``data`` instead of a copy (``bytes(message)`` copies it; the view keeps ``data``)."""
        return self._feed(data, True)

    def _feed(self, data: bytes, views: bool) -> list[Message]:
        out: list[Message] = []
        if not data:
            return out
        if self.mode is None:
            start = 0
            while start < len(data) and data[start] in _SEPARATORS:
                start += 1
            if start == len(data):
                return out
            data = data[start:]
            self.mode = "octet" if data[0] in _DIGITS else "newline"
        if self.mode == "octet":
            self._feed_octet(data, out, views)
        else:
            self._feed_newline(data, out)
        self.messages += len(out)
        return out

    def close(self) -> list[bytes]:
        """The final unterminated message (if any); the framer is then ready for a new stream."""
        out: list[Message] = []
        if self.mode == "newline":
            if self._buf and not self._discarding:
                self._emit_line(self._buf, out)
        elif self.mode == "octet":
            if self._remaining >= 0:
                self.incomplete += 1
                self._emit_frame(out)
            elif self._buf:
                self.framing_errors += 1
                self.discarded_bytes += len(self._buf)
        self.messages += len(out)
        self._reset()
        return cast(list[bytes], out)

    # -- non-transparent framing -----------------------------------------------------------

    def _feed_newline(self, data: bytes, out: list[Message]) -> None:
        if b"\0" in data:
            data = data.replace(b"\0", b"\n")
        if self._discarding:
            end = data.find(b"\n")
            if end < 0:
                self.discarded_bytes += len(data)
                return
            self.discarded_bytes += end
            self._discarding = False
            data = data[end + 1 :]
        if self._buf:
            data = self._buf + data
            self._buf = b""
        lines = data.split(b"\n")
        rest = lines.pop()
        for line in lines:
            self._emit_line(line, out)
        # A CR may still be followed by LF, so a line is known to be too long only once it
        # holds more than max_message + 1 octets without a terminator.
        if len(rest) > self.max_message + 1:
            self.oversize += 1
            self.discarded_bytes += len(rest) - self.max_message
            out.append(rest[: self.max_message])
            self._discarding = True
        else:
            self._buf = rest

    def _emit_line(self, line: bytes, out: list[Message]) -> None:
        size = len(line)  # the CR counts as discarded when the line is cut anyway
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            return
        if len(line) > self.max_message:
            self.oversize += 1
            self.discarded_bytes += size - self.max_message
            line = line[: self.max_message]
        out.append(line)

    # -- octet counting --------------------------------------------------------------------

    def _feed_octet(self, data: bytes, out: list[Message], views: bool = False) -> None:
        pos, end = 0, len(data)
        while pos < end:
            if self._remaining >= 0:  # inside a frame body
                take = min(self._remaining, end - pos)
                room = self.max_message - self._body_len
                if room > 0:
                    piece = data[pos : pos + min(take, room)]
                    self._body.append(piece)
                    self._body_len += len(piece)
                pos += take
                self._remaining -= take
                if self._remaining == 0:
                    self._emit_frame(out)
                continue
            if not self._buf:  # between frames: whole frames first, then header by header
                pos = self._whole_frames(data, pos, out, views)
                if pos == end:
                    return
            # reading a header: up to MAX_LENGTH_DIGITS digits, then SP
            window = min(end, pos + MAX_LENGTH_DIGITS - len(self._buf) + 1)
            space = data.find(b" ", pos, window)
            digits = self._buf + data[pos : space if space >= 0 else window]
            if not digits.isdigit() or len(digits) > MAX_LENGTH_DIGITS:
                self._fall_back(data, pos, out)
                return
            if space < 0:  # the header continues in the next chunk
                self._buf = digits
                return
            self._buf = b""
            self._frame_len = int(digits)
            self._remaining = self._frame_len
            self._body, self._body_len = [], 0
            pos = space + 1
            if self._remaining == 0:
                self._emit_frame(out)

    def _whole_frames(self, data: bytes, pos: int, out: list[Message], views: bool) -> int:
        """Take the separators and whole frames of acceptable size that start at ``pos``;
        returns where the first thing that is neither starts (a header cut by the end of
        ``data``, a bad header, an oversize or empty frame), or ``len(data)``."""
        end, find, append, limit = len(data), data.find, out.append, self.max_message
        separators, trailers = _SEPARATOR_SET, _TRAILER_SET
        source: bytes | memoryview = memoryview(data) if views else data
        while pos < end:
            if data[pos] in separators:
                pos += 1
                continue
            space = find(b" ", pos, pos + MAX_LENGTH_DIGITS + 1)
            if space <= pos:
                return pos
            digits = data[pos:space]
            if not digits.isdigit():
                return pos
            stop = space + 1 + int(digits)
            if stop > end or stop == space + 1 or stop - space - 1 > limit:
                return pos
            message = source[space + 1 : stop]
            if message[-1] in trailers:
                message = bytes(message).rstrip(_TRAILERS)
            if message:
                append(message)
            pos = stop
        return pos

    def _fall_back(self, data: bytes, pos: int, out: list[Message]) -> None:
        """A malformed octet-counting header: newline framing from the header's first byte."""
        self.framing_errors += 1
        pending = self._buf + data[pos:]
        self._buf = b""
        self._remaining = -1
        self.mode = "newline"
        self._feed_newline(pending, out)

    def _emit_frame(self, out: list[Message]) -> None:
        body = b"".join(self._body)
        self._body, self._body_len = [], 0
        if self._frame_len > self.max_message and self._remaining == 0:
            self.oversize += 1
            self.discarded_bytes += self._frame_len - self.max_message
        self._remaining = -1
        body = body.rstrip(_TRAILERS)
        if body:
            out.append(body)
