"""A real webhook receiver on loopback for the alert tests, with faults on demand.

An ``http.server`` in a thread that records every request and answers according to a fault plan
consumed one request at a time: ``"500"`` (server error), ``"429:<s>"`` (Too Many Requests with
``Retry-After: <s>``), ``"400"``, ``"slow:<s>"`` (sleep before answering, so the sender times
out), ``"reset"`` (close the socket with SO_LINGER 0: a TCP reset), then ``"ok"`` once the plan
is used up. It checks Standard Webhooks and X-Hub-Signature-256 signatures with its own HMAC code
(the golden tests pin both against openssl) and counts accepted deliveries per event id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    answer: str

    @property
    def event_id(self) -> str:
        return self.headers.get("x-wanassure-event-id", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str | None = None
    plan: list[str] = field(default_factory=list)
    delay: float = 0.0
    requests: list[Request] = field(default_factory=list)
    bad_signatures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}/hook/T0KEN-in-path"

    @property
    def accepted(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.answer == "ok"]

    def accepted_ids(self) -> Counter[str]:
        return Counter(r.event_id for r in self.accepted)

    def wait_for(self, n: int, timeout: float = 20.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.accepted
            if len(got) >= n:
                return got
            time.sleep(0.02)
        raise AssertionError(f"receiver got {len(self.accepted)} accepted requests, wanted {n}")

    def check_signature(self, headers: dict[str, str], body: bytes) -> bool:
        if self.secret is None:
            return True
        if "webhook-signature" in headers:
            key = base64.b64decode(self.secret.removeprefix("whsec_"))
            signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
            want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            ok = any(
                sig.startswith("v1,") and hmac.compare_digest(sig[3:], want)
                for sig in headers["webhook-signature"].split()
            )
            hub = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            return ok and hmac.compare_digest(headers.get("x-hub-signature-256", ""), hub)
        if "x-mist-signature-v2" in headers:
            want = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            return hmac.compare_digest(headers["x-mist-signature-v2"], want)
        return False

    def start(self) -> Receiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with owner.lock:
                    action = owner.plan.pop(0) if owner.plan else "ok"
                if owner.delay:
                    time.sleep(owner.delay)
                if action == "ok" and not owner.check_signature(headers, body):
                    owner.bad_signatures.append(headers.get("x-wanassure-event-id", "?"))
                    action = "badsig"
                req = Request(self.path, headers, body, time.time(), action)
                with owner.lock:
                    owner.requests.append(req)
                kind, _, arg = action.partition(":")
                if kind == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                if kind == "slow":
                    time.sleep(float(arg))
                code = {"ok": 200, "500": 500, "429": 429, "400": 400, "badsig": 401}.get(kind, 200)
                payload = b'{"ok":true}' if code == 200 else b'{"error":"fault"}'
                self.send_response(code)
                if kind == "429":
                    self.send_header("Retry-After", arg or "1")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
