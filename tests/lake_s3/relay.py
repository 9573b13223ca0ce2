"""A throttling TCP relay between a writer and the S3 server, to kill a writer mid-upload.

It forwards bytes both ways unchanged, caps the upload direction at ``rate`` bytes/s so an
upload takes long enough to be interrupted, and tells how many bytes are in flight: sent
upstream on a connection since the server last answered on it (a request body on the wire).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class ThrottlingRelay:
    def __init__(self, upstream: tuple[str, int], rate: float) -> None:
        self.upstream = upstream
        self.rate = rate
        self._pending: list[list[int]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def in_flight(self) -> int:
        """The largest number of request bytes any connection has sent without an answer."""
        return max((p[0] for p in self._pending), default=0)

    def close(self) -> None:
        self._closed.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            pending = [0]  # bytes sent upstream since the last answer came back
            self._pending.append(pending)
            threading.Thread(target=self._up, args=(client, server, pending), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, pending), daemon=True).start()

    def _up(self, src: socket.socket, dst: socket.socket, pending: list[int]) -> None:
        with contextlib.suppress(OSError):
            while chunk := src.recv(16 * 1024):
                time.sleep(len(chunk) / self.rate)
                dst.sendall(chunk)
                pending[0] += len(chunk)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _down(self, src: socket.socket, dst: socket.socket, pending: list[int]) -> None:
        with contextlib.suppress(OSError):
            while chunk := src.recv(64 * 1024):
                pending[0] = 0
                dst.sendall(chunk)
        with contextlib.suppress(OSError):
            dst.close()
            src.close()
