"""Plain records shared by the telemetry decoders, normalizer and listeners.

``Origin`` says who sent something (address, and inventory device/site when known); ``Header``
is what one telemetry message says about itself; ``DeviceCounts`` are the per-device tallies a
decode step returns so that metrics and logs can wrap it from outside. No behaviour beyond
arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

#: values of the ``source`` column written by these collectors
SOURCES = ("jti-grpc", "jti-udp", "gnmi")


@dataclass(frozen=True, slots=True)
class Origin:
    """Who a message came from: the address it was received from or dialled, and the inventory
    device and site when the composition root knows them."""

    exporter: str
    device: str | None = None
    site: str | None = None

    @property
    def label(self) -> str:
        """The name to use in metrics and logs: the device name, else the address."""
        return self.device or self.exporter


@dataclass(slots=True)
class Header:
    """One telemetry message's envelope."""

    origin: Origin
    source: str
    sensor: str
    time_us: int
    received_us: int
    component_id: int | None = None
    sequence: int | None = None


@dataclass(slots=True)
class DeviceCounts:
    """What decoding saw for one device in one step (added into running totals by callers)."""

    messages: int = 0
    values: int = 0
    sync_responses: int = 0
    sequence_gaps: int = 0
    sequence_lost: int = 0
    counter_resets: int = 0
    unmapped_values: int = 0
    rejects: int = 0
    reset_instances: list[str] = field(default_factory=list)
    unknown_sensors: set[str] = field(default_factory=set)

    def add(self, other: DeviceCounts) -> None:
        for f in fields(self):
            mine = getattr(self, f.name)
            theirs = getattr(other, f.name)
            if isinstance(mine, int):
                setattr(self, f.name, mine + theirs)
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                mine.update(theirs)
