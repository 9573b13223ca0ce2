"""Device drivers: how a rendered change reaches a gateway (NETCONF, the simulator, nowhere).

Owns the ``Driver`` protocol and the request a driver gets. Each driver pushes a change so that
it undoes itself unless confirmed (``push``), makes it permanent (``confirm``) or restores the
configuration before it (``rollback``), and answers with the device's reply as one line.
Must not: decide whether a change helped (``loop`` does) or write to the lake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Request:
    action_id: str
    site: str
    device: str
    change_set: str
    rollback_set: str
    confirm_minutes: int = 10


class Driver(Protocol):
    name: str

    def push(self, req: Request) -> str: ...

    def confirm(self, req: Request) -> str: ...

    def rollback(self, req: Request) -> str: ...


class DryRunDriver:
    """Records what it was asked to do and touches nothing (the default driver)."""

    name = "dry-run"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def push(self, req: Request) -> str:
        self.calls.append(("push", req.action_id))
        lines = len([ln for ln in req.change_set.splitlines() if ln.strip()])
        return f"dry-run: {lines} line(s) for {req.device} recorded, nothing sent"

    def confirm(self, req: Request) -> str:
        self.calls.append(("confirm", req.action_id))
        return "dry-run: confirm recorded, nothing sent"

    def rollback(self, req: Request) -> str:
        self.calls.append(("rollback", req.action_id))
        return "dry-run: rollback recorded, nothing sent"


__all__ = ["Driver", "DryRunDriver", "Request"]
