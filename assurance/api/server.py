"""Run the API with uvicorn: in the foreground (``wanassure api``) or on a thread beside the
collectors (``wanassure serve --api``).

Owns ``ApiServer`` (start on a host:port, report the bound port, stop). Logging of access lines
is off: request URLs may carry filters people consider private, and tokens travel in headers
that are never logged anyway. Must not: build the application's state (``app.build_state``).
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from assurance.api.app import create_app
from assurance.api.state import ApiState
from assurance.config.settings import split_listen


def bind(listen: str) -> socket.socket:
    """A listening TCP socket on ``host:port`` (an ``OSError`` naming the address if taken);
    port 0 picks a free one."""
    if listen.endswith(":0"):
        host, port = split_listen(listen[:-2] + ":1")[0], 0
    else:
        host, port = split_listen(listen)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted connections inherit it: without it a response written in two parts waits
        # for the client's delayed ACK (~40 ms per request)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {listen}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def config(state: ApiState) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(state),
        access_log=False,
        log_level="warning",
        lifespan="off",
        server_header=False,
    )


class ApiServer:
    """uvicorn on a daemon thread."""

    def __init__(self, state: ApiState, listen: str) -> None:
        self.state = state
        self.sock = bind(listen)
        self.server = uvicorn.Server(config(state))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name="api", daemon=True
        )

    def start(self, timeout: float = 15.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive():
                raise OSError("the API could not listen (see the log above)")
            if time.monotonic() > deadline:
                raise OSError("the API did not start in time")
            time.sleep(0.02)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
        self.state.close()


def run(state: ApiState, listen: str) -> None:
    """Serve in the foreground until interrupted."""
    sock = bind(listen)
    try:
        uvicorn.Server(config(state)).run(sockets=[sock])
    finally:
        sock.close()
        state.close()
