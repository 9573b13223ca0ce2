"""Delivery: POST due outbox events to their receivers, classify the answer, schedule retries.

Owns the retry policy: a 2xx answer delivers; a timeout, a connection failure, a 5xx, 408 or 429
is retried after ``uniform(0, min(cap, base * 2**(attempt-1)))`` seconds (exponential backoff
with full jitter), or after the receiver's ``Retry-After`` when that is longer (bounded by
``max_retry_after``); any other 4xx, or a receiver that is not configured or lacks its secret,
makes the event a dead letter at once, as does running out of ``max_attempts``. Each event keeps
its id on every attempt; bodies are rendered and signed at send time, so secrets live only in
memory. Error texts and logs name receivers, never URLs or secrets. Must not: evaluate rules or
decide grouping.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from assurance.alerts.config import AlertsConfig, Receiver, redact_url
from assurance.alerts.formats import headers, render
from assurance.alerts.outbox import Event, Outbox
from assurance.errors import ConfigError

log = logging.getLogger(__name__)


class _RedactUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; webhook URLs carry tokens in their path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                redact_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_RedactUrls())

RETRY_STATUS = frozenset({408, 429})


@dataclass(frozen=True)
class Attempt:
    """What one POST came to."""

    event_id: str
    delivered: bool
    retry: bool
    error: str | None = None
    retry_after: float | None = None
    status_code: int | None = None


@dataclass
class DeliveryStats:
    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0

    def add(self, other: DeliveryStats) -> None:
        self.attempted += other.attempted
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.dead += other.dead


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret (and a URL's path and query) replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class Deliverer:
    """Sends due events for one outbox with one configuration."""

    def __init__(
        self,
        outbox: Outbox | None,
        config: AlertsConfig,
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.outbox = outbox
        self.config = config
        self.rng = rng or random.Random()
        self.clock = clock
        retry = config.retry
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=retry.concurrency * 2),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Deliverer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one attempt ---------------------------------------------------------------------

    def _receiver(self, name: str) -> Receiver | None:
        return next((r for r in self.config.receivers if r.name == name), None)

    def post(self, receiver: Receiver, event_id: str, payload: dict[str, object]) -> Attempt:
        """POST one notification (``payload``) as event ``event_id``; never raises."""
        try:
            url = receiver.resolved_url()
            secret = receiver.resolved_secret()
        except ConfigError as exc:
            return Attempt(event_id, False, False, exc.problems[0])
        body = render(receiver.kind, payload, secret=secret, topic=receiver.mist_topic)
        sent_at = self.clock()
        hdrs = headers(receiver.kind, event_id, int(sent_at), body, secret)
        timeout = (
            receiver.timeout_s if receiver.timeout_s is not None else self.config.retry.timeout
        )
        try:
            response = self._client.post(url, content=body, headers=hdrs, timeout=timeout)
        except httpx.TimeoutException:
            return Attempt(event_id, False, True, f"timed out after {timeout:g} s")
        except httpx.HTTPError as exc:
            reason = scrub(str(exc) or type(exc).__name__, (url, secret))
            return Attempt(event_id, False, True, f"{type(exc).__name__}: {reason}")
        code = response.status_code
        if 200 <= code < 300:
            return Attempt(event_id, True, False, status_code=code)
        error = f"HTTP {code} {response.reason_phrase}".strip()
        if code >= 500 or code in RETRY_STATUS:
            wait = parse_retry_after(response.headers.get("retry-after"), self.clock())
            return Attempt(event_id, False, True, error, retry_after=wait, status_code=code)
        return Attempt(event_id, False, False, error + " (not retried)", status_code=code)

    def attempt(self, event: Event) -> Attempt:
        receiver = self._receiver(event.receiver)
        if receiver is None:
            return Attempt(
                event.event_id, False, False, f"receiver {event.receiver} is not configured"
            )
        return self.post(receiver, event.event_id, event.payload)

    # -- policy --------------------------------------------------------------------------

    def backoff(self, attempts: int) -> float:
        retry = self.config.retry
        ceiling = min(retry.cap, retry.base * 2 ** max(0, attempts - 1))
        return self.rng.uniform(0.0, ceiling)

    def outcome(
        self, event: Event, result: Attempt, now: float
    ) -> tuple[str, int, float, str | None]:
        """(state, attempts, next attempt time, last error) after ``result``."""
        attempts = event.attempts + 1
        if result.delivered:
            return "delivered", attempts, now, None
        if not result.retry or attempts >= self.config.retry.max_attempts:
            return "dead", attempts, now, result.error
        delay = self.backoff(attempts)
        if result.retry_after is not None:
            delay = max(delay, min(result.retry_after, self.config.retry.max_retry_after))
        return "retrying", attempts, now + delay, result.error

    # -- batches -------------------------------------------------------------------------

    def _box(self) -> Outbox:
        if self.outbox is None:
            raise AssertionError("this deliverer has no outbox (it only posts)")
        return self.outbox

    def lease(self) -> float:
        """How long a claimed event is ours: the longest request timeout, twice, plus 5 s."""
        timeouts = [r.timeout_s for r in self.config.receivers if r.timeout_s is not None]
        return 2 * max([self.config.retry.timeout, *timeouts]) + 5.0

    def deliver_due(self, limit: int | None = None) -> DeliveryStats:
        """Claim due events (``4 x concurrency`` at a time), send them ``concurrency`` at a time,
        record the results."""
        batch = limit if limit is not None else 4 * self.config.retry.concurrency
        events = self._box().claim(self.clock(), batch, self.lease())
        stats = DeliveryStats()
        if not events:
            return stats
        workers = min(self.config.retry.concurrency, len(events))
        if workers == 1:
            results = [self.attempt(e) for e in events]
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="alert-send") as pool:
                results = list(pool.map(self.attempt, events))
        now = self.clock()
        rows = []
        for event, result in zip(events, results, strict=True):
            state, attempts, at, error = self.outcome(event, result, now)
            rows.append((event.event_id, state, attempts, at, error))
            stats.attempted += 1
            if state == "delivered":
                stats.delivered += 1
                log.debug("alert event %s delivered to %s", event.event_id, event.receiver)
            elif state == "dead":
                stats.dead += 1
                log.warning(
                    "alert event %s to %s is a dead letter after %d attempt(s): %s",
                    event.event_id,
                    event.receiver,
                    attempts,
                    error,
                )
            else:
                stats.retrying += 1
                log.info(
                    "alert event %s to %s failed (%s); retry in %.1f s",
                    event.event_id,
                    event.receiver,
                    error,
                    at - now,
                )
        self._box().record(rows, now)
        return stats

    def drain(
        self, wait: float = 0.0, sleep: Callable[[float], None] = time.sleep
    ) -> DeliveryStats:
        """Deliver everything due now, then keep retrying for up to ``wait`` seconds."""
        deadline = self.clock() + wait
        total = DeliveryStats()
        while True:
            batch = self.deliver_due()
            total.add(batch)
            if batch.attempted:
                continue
            upcoming = self._box().next_due()
            now = self.clock()
            if upcoming is None or upcoming > deadline:
                return total
            sleep(max(0.0, min(upcoming, deadline) - now))


def iso_now(clock: Callable[[], float] = time.time) -> str:
    return datetime.fromtimestamp(clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
