"""The collectors' error hierarchy.

Every failure a collector can meet on input is one of these, carrying the context needed to find
the offending bytes again (exporter, observation domain, offset). Codecs raise only ``WireError``
subclasses; listeners turn them into ``rejects`` rows and keep running.
"""

from __future__ import annotations


class CollectorError(Exception):
    """Root of every error raised by code under ``collectors/``."""


class WireError(CollectorError):
    """Input bytes or text that cannot be decoded."""

    def __init__(
        self,
        reason: str,
        *,
        exporter: str | None = None,
        domain: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.reason = reason
        self.exporter = exporter
        self.domain = domain
        self.offset = offset
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = [
            f"{label}={value}"
            for label, value in (
                ("exporter", self.exporter),
                ("domain", self.domain),
                ("offset", self.offset),
            )
            if value is not None
        ]
        return f"{self.reason} ({', '.join(where)})" if where else self.reason


class MalformedPacket(WireError):
    """Lengths, counts or field values that contradict the protocol."""


class UnknownTemplate(WireError):
    """Data that refers to a template the exporter has not (yet) announced."""


class UnsupportedVersion(WireError):
    """A protocol version this collector does not speak."""


class SchemaError(CollectorError):
    """A batch handed to a sink does not fit the table's declared schema."""
