"""Keeping every outlet's decoder in step: templates and sampling learned by other outlets.

Owns the follower of the shared key-value bucket. Outlets of a group share one consumer, so a
template or an options record (sampling rate, exporter init time) of an exporter reaches one
outlet while the exporter's data goes to all of them. The template cache asks the bucket on a
miss (``templates.KvTemplateStore``), which covers new templates; this follower also delivers
*changes* — a template redefined or withdrawn, a new sampling rate — to every outlet within
milliseconds, and publishes the sampling state this outlet learned. Updates arrive on the event
loop and are applied on the decoding thread before its next batch (the decoder's state is only
ever touched by that thread). Applying a template learned elsewhere does not write it back.

Keys: templates ``<exporter>.<domain>.<template id>`` (see ``templates``), sampling
``sampling.<exporter>.<domain>`` → ``{"exporter", "domain", "sampling", "init_ms"}``.
Must not decode.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import deque
from typing import Any

from nats.js.kv import KV_DEL, KV_PURGE, KeyValue

from assurance.bus.envelope import subject_token
from assurance.bus.templates import KvTemplateStore
from collectors.flow.decode import FlowDecoder
from collectors.flow.options import Sampling
from collectors.flow.templates import Template

log = logging.getLogger(__name__)
SAMPLING = "sampling"


def sampling_key(exporter: str, domain: int) -> str:
    return f"{SAMPLING}.{subject_token(exporter)}.{domain}"


class SharedState:
    """Follows the bucket for one outlet and publishes what its decoder learns."""

    def __init__(self, kv: KeyValue, store: KvTemplateStore) -> None:
        self.kv = kv
        self.store = store
        self.applied = 0
        self._updates: deque[tuple[str, bytes | None]] = deque()
        self._task: asyncio.Task[None] | None = None
        self._published: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()

    async def start(self) -> None:
        watcher = await self.kv.watch(">")
        self._task = asyncio.create_task(self._follow(watcher))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self, watcher: Any) -> None:
        try:
            async for entry in watcher:
                if entry is None:
                    continue  # the end of the initial values
                gone = entry.operation in (KV_DEL, KV_PURGE)
                self._updates.append((entry.key, None if gone else entry.value))
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await watcher.stop()
            raise
        except Exception as exc:  # the connection closed under the watcher
            log.warning("stopped following shared decoder state: %s", exc)

    # -- on the decoding thread ------------------------------------------------------------

    def apply(self, decoder: FlowDecoder) -> None:
        """Apply the updates seen since the last call to ``decoder``'s state."""
        state = decoder.state
        while self._updates:
            key, value = self._updates.popleft()
            try:
                if key.startswith(SAMPLING + "."):
                    if value is not None:
                        data = json.loads(value)
                        at = (str(data["exporter"]), int(data["domain"]))
                        state.sampling[at] = Sampling.from_json(data["sampling"])
                        if data.get("init_ms") is not None:
                            state.init_ms[at] = int(data["init_ms"])
                        self._published[at] = value.decode()
                    continue
                if value is None:
                    token, domain, template_id = key.rsplit(".", 2)
                    with self.store.muted():
                        for (exporter, dom, tid), _t in state.templates.items():
                            if (subject_token(exporter), dom, tid) == (
                                token,
                                int(domain),
                                int(template_id),
                            ):
                                state.templates.withdraw(exporter, dom, tid)
                    continue
                data = json.loads(value)
                with self.store.muted():
                    state.templates.learn(
                        str(data["exporter"]), int(data["domain"]), Template.from_json(data)
                    )
                self.applied += 1
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("ignoring unreadable shared state %s: %s", key, exc)

    def publish_sampling(self, decoder: FlowDecoder, exporters: set[str]) -> None:
        """Queue writes of the sampling state of ``exporters`` that changed here."""
        state = decoder.state
        for at, sampling in list(state.sampling.items()):
            if at[0] not in exporters:
                continue
            value = json.dumps(
                {
                    "exporter": at[0],
                    "domain": at[1],
                    "sampling": sampling.to_json(),
                    "init_ms": state.init_ms.get(at),
                },
                sort_keys=True,
            )
            if self._published.get(at) != value:
                self._published[at] = value
                self.store.queue_put(sampling_key(*at), value.encode())
