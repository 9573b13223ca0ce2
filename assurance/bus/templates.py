"""Flow templates in a JetStream key-value bucket, shared by every outlet of an exporter.

Owns ``KvTemplateStore``, the ``collectors.flow.templates.TemplateStore`` that an outlet's
template cache asks on a miss and tells of every new or withdrawn template, so that any outlet
decodes an exporter's data at once — after taking it over from another outlet or after a
restart — without waiting for the exporter's next template refresh. Keys are
``<exporter>.<domain>.<template id>``; values are the template's JSON (``Template.to_json``).

The cache calls it from the decoding thread while the NATS client lives on the outlet's event
loop: reads block that thread on the loop (bounded by a timeout), writes are queued and
``settle`` awaits them before the outlet acknowledges the messages that carried the templates.
A miss is remembered for ``miss_ttl_s`` so that data for a template nobody announced does not
ask the bucket once per data set. Must not decode.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from assurance.bus.envelope import subject_token
from collectors.flow.templates import Template

log = logging.getLogger(__name__)


def template_key(exporter: str, domain: int, template_id: int) -> str:
    return f"{subject_token(exporter)}.{domain}.{template_id}"


class KvTemplateStore:
    """A ``TemplateStore`` over a key-value bucket, used from a thread other than the loop's."""

    def __init__(
        self,
        kv: KeyValue,
        loop: asyncio.AbstractEventLoop,
        *,
        timeout_s: float = 5.0,
        miss_ttl_s: float = 1.0,
    ) -> None:
        self.kv = kv
        self.loop = loop
        self.timeout_s = timeout_s
        self.miss_ttl_s = miss_ttl_s
        self.loads = self.hits = self.saves = 0
        self._misses: dict[str, float] = {}
        self._pending: list[concurrent.futures.Future[Any]] = []
        self._lock = threading.Lock()
        self._muted = False

    def load(self, exporter: str, domain: int, template_id: int) -> Template | None:
        key = template_key(exporter, domain, template_id)
        now = time.monotonic()
        if now - self._misses.get(key, -1e18) < self.miss_ttl_s:
            return None
        self.loads += 1
        try:
            entry = self._call(self.kv.get(key))
        except KeyNotFoundError:
            self._misses[key] = now
            return None
        except Exception as exc:  # bucket unreachable: the data set is held and retried later
            log.warning("template %s not readable from the bus: %s", key, exc)
            self._misses[key] = now
            return None
        if entry.value is None:
            self._misses[key] = now
            return None
        try:
            data = json.loads(entry.value)
            if data.get("exporter") != exporter or int(data.get("domain", -1)) != domain:
                return None  # two exporters whose addresses map to one key: not ours
            template = Template.from_json(data)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("template %s in the bus is unreadable: %s", key, exc)
            return None
        self.hits += 1
        return template

    @contextlib.contextmanager
    def muted(self) -> Iterator[None]:
        """Within: learning or withdrawing templates does not write to the bucket (they came
        from it)."""
        self._muted = True
        try:
            yield
        finally:
            self._muted = False

    def queue_put(self, key: str, value: bytes) -> None:
        """Write ``key`` in the background (``settle`` waits for it)."""
        self._queue(self.kv.put(key, value))

    def save(self, exporter: str, domain: int, template: Template) -> None:
        if self._muted:
            return
        key = template_key(exporter, domain, template.template_id)
        value = json.dumps({"exporter": exporter, "domain": domain, **template.to_json()})
        self._misses.pop(key, None)
        self.saves += 1
        self._queue(self.kv.put(key, value.encode()))

    def forget(self, exporter: str, domain: int, template_id: int) -> None:
        if self._muted:
            return
        self._queue(self.kv.delete(template_key(exporter, domain, template_id)))

    async def settle(self) -> None:
        """Wait until every queued write reached the bucket; raises the first failure."""
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            await asyncio.gather(*(asyncio.wrap_future(f) for f in pending))

    def _queue(self, coro: Coroutine[Any, Any, Any]) -> None:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        with self._lock:
            self._pending.append(future)

    def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        if _on_loop(self.loop):
            coro.close()
            raise RuntimeError("KvTemplateStore reads must not run on the event loop's thread")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(self.timeout_s)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
