"""The error hierarchy of the ``assurance`` root.

Errors carry enough context to act on without a traceback: the CLI prints ``str(error)`` and
exits non-zero; services log it and keep running where the design says they must.
"""

from __future__ import annotations


class AssuranceError(Exception):
    """Root of every error raised by code under ``assurance/``."""


class ConfigError(AssuranceError):
    """A configuration or inventory file is missing, unreadable or invalid.

    ``problems`` lists each problem as one line ``<file>[:<line>]: <key.path>: <what is wrong>``.
    """

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        head = f"{file}: invalid configuration ({count})"
        super().__init__("\n".join([head, *(f"  {p}" for p in problems)]))


class LakeError(AssuranceError):
    """The lake cannot be opened, read or written as asked."""


class SchemaMismatch(LakeError):
    """A batch does not fit the declared schema of its table."""
