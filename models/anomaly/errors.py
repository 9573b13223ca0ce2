"""Errors raised by the anomaly detectors.

Owns the small hierarchy callers catch; every error is also a ``ValueError`` so generic callers
that validate input keep working. Never raised for odd *values* (NaN, inf, gaps are data).
"""

from __future__ import annotations

from collections.abc import Iterable


class AnomalyError(ValueError):
    """Root of every error raised by ``models.anomaly``."""


class UnknownDetector(AnomalyError):
    """A detector name that is not registered; the message lists the known names."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown detector {name!r}; known: {', '.join(self.known)}")


class InvalidParameter(AnomalyError):
    """A detector parameter outside its allowed range or of the wrong kind."""


class InvalidInput(AnomalyError):
    """Input the detectors cannot interpret: a non-finite time, mismatched shapes or widths."""
