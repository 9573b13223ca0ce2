"""A Junos-like NETCONF-over-SSH device for tests: real SSH (paramiko) on loopback.

Implements the RPC subset the policy driver uses: ``lock``/``unlock`` on the candidate,
``load-configuration`` (``action="set"`` text and ``format="xml"``), ``commit-configuration``
(``check``; ``confirmed`` with ``confirm-timeout`` in minutes; plain commit, which also confirms
a pending confirmed commit), ``get-configuration`` (``format="set"``, ``database``
committed/candidate), ``discard-changes`` and ``close-session``, over NETCONF 1.0 (``]]>]]>``)
or 1.1 (chunked) framing. It keeps a shared candidate and a running configuration; a confirmed
commit starts a real timer (``minute_s`` seconds per minute) that restores the previous running
configuration unless confirmed; a session that ends while holding the lock loses its
uncommitted changes. Faults per RPC name: ``rpc-error``, ``hang`` (never answer), ``drop``
(close the SSH transport instead of running it) or ``drop-after`` (run it, then close before
replying); the key ``commit-confirmed`` names the confirmed commit alone. Written for the
tests from RFC 6241/6242 and the Junos XML API names; it shares no code with the driver.
"""

from __future__ import annotations

import shlex
import socket
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import paramiko

BASE10 = "urn:ietf:params:netconf:base:1.0"
BASE11 = "urn:ietf:params:netconf:base:1.1"
NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
EOM = b"]]>]]>"
Config = dict[tuple[str, ...], str]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _apply_set(config: Config, text: str) -> None:
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        words = shlex.split(line)
        verb, tokens = words[0], tuple(words[1:])
        if verb == "set" and len(tokens) >= 2:
            config[tokens[:-1]] = tokens[-1]
        elif verb == "delete" and tokens:
            for key in [k for k in config if k[: len(tokens)] == tokens]:
                del config[key]
        else:
            raise ValueError(f"syntax error: {line}")


def _xml_to_set(root: ET.Element) -> str:
    """``<configuration>`` → set/delete lines (the hierarchies the policy engine touches)."""
    lines: list[str] = []

    def walk(el: ET.Element, path: list[str]) -> None:
        tag = _local(el.tag)
        children = [c for c in el if _local(c.tag) != "name"]
        name = next((c.text for c in el if _local(c.tag) == "name"), None)
        here = [*path]
        if name is not None:
            here += [name] if tag == "instance" else [tag, name]
        else:
            here.append(tag)
        if el.get("operation") == "delete":
            lines.append("delete " + " ".join(here))
            return
        if tag == "preference" and children:
            lines.append("set " + " ".join(here) + " " + (children[0].text or ""))
            return
        if not children and name is None:
            lines.append("set " + " ".join(here) + " " + (el.text or "").strip())
            return
        for c in children:
            walk(c, here)

    for child in root:
        walk(child, [])
    return "\n".join(lines)


@dataclass
class Device:
    """The configuration databases and commit machinery of one simulated gateway."""

    minute_s: float = 60.0
    interfaces: frozenset[str] = frozenset({"st0.0", "st0.1", "st0.2", "ge-0/0/0.0", "ge-0/0/1.0"})
    running: Config = field(default_factory=dict)
    candidate: Config = field(default_factory=dict)
    lock_owner: int | None = None
    faults: dict[str, str] = field(default_factory=dict)
    received: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    _pending: threading.Timer | None = None
    _before_confirmed: Config | None = None
    mutex: threading.RLock = field(default_factory=threading.RLock)

    def seed(self, text: str) -> None:
        with self.mutex:
            _apply_set(self.running, text)
            self.candidate = dict(self.running)

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def _expire(self) -> None:
        with self.mutex:
            if self._before_confirmed is not None:
                self.running = self._before_confirmed
                self.candidate = dict(self.running)
                self.commits.append("rollback (confirmed commit not confirmed)")
            self._before_confirmed = None
            self._pending = None

    def check(self) -> str | None:
        for key in self.candidate:
            if "qualified-next-hop" in key:
                hop = key[key.index("qualified-next-hop") + 1]
                if hop not in self.interfaces:
                    return f"qualified-next-hop {hop}: interface is not configured"
        return None

    def commit(self, confirmed_minutes: int | None) -> None:
        with self.mutex:
            if self._pending is not None:
                self._pending.cancel()
                self._pending = None
            if confirmed_minutes is not None:
                if self._before_confirmed is None:
                    self._before_confirmed = dict(self.running)
                timer = threading.Timer(confirmed_minutes * self.minute_s, self._expire)
                timer.daemon = True
                self._pending = timer
                timer.start()
                self.commits.append(f"commit confirmed {confirmed_minutes}")
            else:
                self._before_confirmed = None
                self.commits.append("commit")
            self.running = dict(self.candidate)

    def set_lines(self, config: Config) -> str:
        return "".join(f"set {' '.join(k)} {v}\n" for k, v in sorted(config.items()))


class _Auth(paramiko.ServerInterface):
    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.ready = threading.Event()

    def check_auth_password(self, username: str, password: str) -> int:
        if username == self.username and password == self.password:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        if name == "netconf":
            self.ready.set()
            return True
        return False


class _Session:
    def __init__(self, server: NetconfServer, chan: paramiko.Channel, sid: int) -> None:
        self.server, self.chan, self.sid = server, chan, sid
        self.device = server.device
        self.chunked = False
        self.buf = b""

    # -- framing ---------------------------------------------------------------------------
    def _read_eom(self) -> bytes | None:
        while EOM not in self.buf:
            data = self.chan.recv(65536)
            if not data:
                return None
            self.buf += data
        msg, self.buf = self.buf.split(EOM, 1)
        return msg

    def _fill(self, n: int) -> bool:
        while len(self.buf) < n:
            data = self.chan.recv(65536)
            if not data:
                return False
            self.buf += data
        return True

    def _read_chunked(self) -> bytes | None:
        out = b""
        while True:
            if not self._fill(4):
                return None
            if self.buf.startswith(b"\n##\n"):
                self.buf = self.buf[4:]
                return out
            while b"\n" not in self.buf[2:]:
                data = self.chan.recv(65536)
                if not data:
                    return None
                self.buf += data
            end = self.buf.index(b"\n", 2)
            size = int(self.buf[2:end])
            if not self._fill(end + 1 + size):
                return None
            out += self.buf[end + 1 : end + 1 + size]
            self.buf = self.buf[end + 1 + size :]

    def _send(self, text: str) -> None:
        data = text.encode()
        if self.chunked:
            self.chan.sendall(b"\n#%d\n" % len(data) + data + b"\n##\n")
        else:
            self.chan.sendall(data + EOM)

    # -- protocol --------------------------------------------------------------------------
    def run(self) -> None:
        caps = "".join(
            f"<capability>{c}</capability>"
            for c in (
                BASE10,
                *((BASE11,) if self.server.base11 else ()),
                "urn:ietf:params:netconf:capability:candidate:1.0",
                "urn:ietf:params:netconf:capability:confirmed-commit:1.0",
                "http://xml.juniper.net/netconf/junos/1.0",
            )
        )
        self._send(
            f'<hello xmlns="{NS}"><capabilities>{caps}</capabilities>'
            f"<session-id>{self.sid}</session-id></hello>"
        )
        hello = self._read_eom()
        if hello is None:
            return
        self.chunked = self.server.base11 and BASE11.encode() in hello
        while True:
            raw = self._read_chunked() if self.chunked else self._read_eom()
            if raw is None:
                return
            rpc = ET.fromstring(raw)
            mid = rpc.get("message-id", "")
            op = rpc[0]
            name = _local(op.tag)
            self.device.received.append(name)
            fault = self.device.faults.get(name)
            if name == "commit-configuration" and any(_local(c.tag) == "confirmed" for c in op):
                fault = self.device.faults.get("commit-confirmed", fault)
            if fault == "hang":
                continue
            if fault == "drop":
                self.chan.get_transport().close()
                return
            if fault == "rpc-error":
                self._reply(mid, self._error(f"{name}: injected failure"))
                continue
            body = self._handle(name, op)
            if fault == "drop-after":  # the RPC takes effect, the reply never leaves
                self.chan.get_transport().close()
                return
            self._reply(mid, body)
            if name == "close-session":
                return

    def _reply(self, mid: str, body: str) -> None:
        self._send(f'<rpc-reply xmlns="{NS}" message-id="{mid}">{body}</rpc-reply>')

    @staticmethod
    def _error(message: str, tag: str = "operation-failed") -> str:
        text = message.replace("&", "&amp;").replace("<", "&lt;")
        return (
            "<rpc-error><error-type>application</error-type>"
            f"<error-tag>{tag}</error-tag><error-severity>error</error-severity>"
            f"<error-message>{text}</error-message></rpc-error>"
        )

    def _locked_by_other(self) -> bool:
        owner = self.device.lock_owner
        return owner is not None and owner != self.sid

    def _handle(self, name: str, op: ET.Element) -> str:
        d = self.device
        with d.mutex:
            if name == "lock":
                if d.lock_owner is not None:
                    return self._error(
                        f"configuration database locked by session {d.lock_owner}", "lock-denied"
                    )
                d.lock_owner = self.sid
                return "<ok/>"
            if name == "unlock":
                if d.lock_owner != self.sid:
                    return self._error("configuration database not locked by this session")
                d.lock_owner = None
                return "<ok/>"
            writes = ("load-configuration", "commit-configuration", "discard-changes")
            if name in writes and self._locked_by_other():
                return self._error(
                    f"configuration database locked by session {d.lock_owner}", "lock-denied"
                )
            if name == "load-configuration":
                try:
                    if op.get("action") == "set":
                        node = next(c for c in op if _local(c.tag) == "configuration-set")
                        _apply_set(d.candidate, node.text or "")
                    else:
                        node = next(c for c in op if _local(c.tag) == "configuration")
                        _apply_set(d.candidate, _xml_to_set(node))
                except (StopIteration, ValueError) as exc:
                    return self._error(f"load failed: {exc}")
                return "<load-configuration-results><ok/></load-configuration-results>"
            if name == "commit-configuration":
                flags = {_local(c.tag): (c.text or "") for c in op}
                problem = d.check()
                if problem is not None:
                    return self._error(problem)
                if "check" in flags:
                    return (
                        "<commit-results><routing-engine><name>re0</name>"
                        "<commit-check-success/></routing-engine></commit-results>"
                    )
                minutes = int(flags.get("confirm-timeout") or 10) if "confirmed" in flags else None
                d.commit(minutes)
                return (
                    "<commit-results><routing-engine><name>re0</name>"
                    "<commit-success/></routing-engine></commit-results>"
                )
            if name == "discard-changes":
                d.candidate = dict(d.running)
                return "<ok/>"
            if name == "get-configuration":
                db = d.candidate if op.get("database") == "candidate" else d.running
                return f"<configuration-set>{d.set_lines(db)}</configuration-set>"
            if name == "close-session":
                return "<ok/>"
        return self._error(f"syntax error: unknown rpc {name}", "operation-not-supported")

    def ended(self) -> None:
        d = self.device
        with d.mutex:
            if d.lock_owner == self.sid:
                d.lock_owner = None
                d.candidate = dict(d.running)


class NetconfServer:
    """Listens on 127.0.0.1:<random port>; one thread per SSH connection."""

    def __init__(
        self, device: Device, username: str, password: str, *, base11: bool = True
    ) -> None:
        self.base11 = base11  # advertise NETCONF 1.1 (chunked framing) besides 1.0
        self.device = device
        self.username, self.password = username, password
        self.host_key = paramiko.ECDSAKey.generate()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self._next_sid = 100
        self._stop = threading.Event()
        self._transports: list[paramiko.Transport] = []
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def host_key_b64(self) -> str:
        return self.host_key.get_base64()

    def start(self) -> NetconfServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()
        for t in self._transports:
            t.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        self._transports.append(transport)
        transport.add_server_key(self.host_key)
        auth = _Auth(self.username, self.password)
        try:
            transport.start_server(server=auth)
            chan = transport.accept(10)
            if chan is None or not auth.ready.wait(10):
                transport.close()
                return
        except (paramiko.SSHException, EOFError, OSError):
            transport.close()
            return
        self._next_sid += 1
        session = _Session(self, chan, self._next_sid)
        try:
            session.run()
        except (OSError, EOFError, paramiko.SSHException, ET.ParseError) as exc:
            self.errors.append(repr(exc))
        finally:
            session.ended()
            transport.close()
