"""The device side of JTI and gNMI for tests and the simulator: a gRPC server per simulated SRX.

Owns a ``grpc.aio`` server implementing Juniper's ``telemetry.OpenConfigTelemetry`` and
``authentication.Login`` services and (mixed in from ``jti_gnmi``) a gNMI target, streaming what a
``SimDevice`` reports (``jti_scenario``) in the dialects of ``jti_render``: periodic sensors at
their sample frequency, on-change sensors as an initial dump, a sync response and then changes
and deletes. Fault injection (``Faults``) covers stalled streams, disconnects, malformed messages
and — through ``username``/``password`` and TLS settings — bad credentials and TLS mismatches.
Run as ``python -m assurance.sim.jti_server`` to serve many devices from a separate process.
Must not: import the lake or the collectors' decoders (it is the peer they are tested against).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from assurance.sim.jti_gnmi import GnmiTarget
from assurance.sim.jti_render import oc_message
from assurance.sim.jti_scenario import Block, SimDevice, branch_gateway, sensor_key
from collectors.gnmi.proto import gnmi_pb2
from collectors.jti.proto import authentication_service_pb2 as auth_pb2
from collectors.jti.proto import telemetry_pb2

_END = object()
_DISCONNECT = object()
Item = bytes | object


@dataclass
class Faults:
    """Knobs a test turns while streams run."""

    stalled: bool = False  # streams stay open but nothing is sent
    malformed: int = 0  # the next N messages are replaced by bytes that are not protobuf
    garbage: bytes = b"\x0a\xff\xff\xff\xff\xff"  # a length prefix running past the end


@dataclass
class ServerStats:
    logins: int = 0
    failed_logins: int = 0
    subscribes: int = 0
    refused: int = 0
    messages: int = 0
    gnmi_subscribes: int = 0
    active: int = 0


@dataclass(frozen=True)
class ServerTls:
    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None  # require client certificates signed by this CA


@dataclass
class _Subscription:
    request: telemetry_pb2.SubscriptionRequest
    queue: asyncio.Queue[Item]
    client_id: str = ""


@dataclass
class SimTelemetryServer(GnmiTarget):
    """One simulated device serving JTI gRPC, Login and gNMI on one port."""

    device: SimDevice
    host: str = "127.0.0.1"
    port: int = 0
    username: str | None = None
    password: str | None = None
    tls: ServerTls | None = None
    clock: Callable[[], float] = time.time
    onchange_poll_s: float = 0.5
    gnmi_header: bool = True  # send Juniper's telemetry header extension with gNMI updates
    reuse_port: bool = True  # False: binding a port another socket holds fails
    faults: Faults = field(default_factory=Faults)
    stats: ServerStats = field(default_factory=ServerStats)
    subscriptions: dict[int, _Subscription] = field(default_factory=dict)
    _server: grpc.aio.Server | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _logged_in: set[str] = field(default_factory=set)
    _gnmi_queues: set[asyncio.Queue[Item]] = field(default_factory=set)

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> int:
        """Bind (the same port again after ``stop``) and serve; returns the port."""
        server = grpc.aio.server(options=[("grpc.so_reuseport", int(self.reuse_port))])
        server.add_generic_rpc_handlers(self._handlers())
        address = f"{self.host}:{self.port}"
        if self.tls is None:
            self.port = server.add_insecure_port(address)
        else:
            client_ca = self.tls.client_ca_file
            credentials = grpc.ssl_server_credentials(
                [(self.tls.key_file.read_bytes(), self.tls.cert_file.read_bytes())],
                root_certificates=client_ca.read_bytes() if client_ca else None,
                require_client_auth=client_ca is not None,
            )
            self.port = server.add_secure_port(address, credentials)
        await server.start()
        self._server = server
        return self.port

    async def stop(self, grace: float | None = None) -> None:
        """Stop serving; open streams are cut (like a device restart) unless ``grace``."""
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None

    def disconnect(self) -> None:
        """Abort every open stream with UNAVAILABLE (the connection stays up)."""
        for sub in self.subscriptions.values():
            sub.queue.put_nowait(_DISCONNECT)
        for queue in self._gnmi_queues:
            queue.put_nowait(_DISCONNECT)

    def end_streams(self) -> None:
        """End every open JTI stream after what is queued (as a cancelled subscription ends)."""
        for sub in self.subscriptions.values():
            sub.queue.put_nowait(_END)

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    # -- handlers ---------------------------------------------------------------------------

    def _handlers(self) -> tuple[grpc.GenericRpcHandler, ...]:
        out = _passthrough
        oc = telemetry_pb2
        telemetry = {
            "telemetrySubscribe": grpc.unary_stream_rpc_method_handler(
                self._subscribe, oc.SubscriptionRequest.FromString, out
            ),
            "cancelTelemetrySubscription": grpc.unary_unary_rpc_method_handler(
                self._cancel, oc.CancelSubscriptionRequest.FromString, out
            ),
            "getTelemetrySubscriptions": grpc.unary_unary_rpc_method_handler(
                self._list, oc.GetSubscriptionsRequest.FromString, out
            ),
            "getTelemetryOperationalState": grpc.unary_unary_rpc_method_handler(
                self._operational_state, oc.GetOperationalStateRequest.FromString, out
            ),
            "getDataEncodings": grpc.unary_unary_rpc_method_handler(
                self._encodings, oc.DataEncodingRequest.FromString, out
            ),
        }
        login = {
            "LoginCheck": grpc.unary_unary_rpc_method_handler(
                self._login, auth_pb2.LoginRequest.FromString, out
            )
        }
        gnmi = {
            "Subscribe": grpc.stream_stream_rpc_method_handler(
                self._gnmi_subscribe, gnmi_pb2.SubscribeRequest.FromString, out
            ),
            "Capabilities": grpc.unary_unary_rpc_method_handler(
                self._capabilities, gnmi_pb2.CapabilityRequest.FromString, out
            ),
        }
        return (
            grpc.method_handlers_generic_handler("telemetry.OpenConfigTelemetry", telemetry),
            grpc.method_handlers_generic_handler("authentication.Login", login),
            grpc.method_handlers_generic_handler("gnmi.gNMI", gnmi),
        )

    async def _login(
        self, request: auth_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.LoginReply:
        ok = self.username is None or (
            request.user_name == self.username and request.password == self.password
        )
        if ok:
            self.stats.logins += 1
            self._logged_in.add(request.client_id)
        else:
            self.stats.failed_logins += 1
        return auth_pb2.LoginReply(result=ok)

    async def _authorize(self, context: grpc.aio.ServicerContext) -> str:
        metadata = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
        client_id = metadata.get("clientid", "")
        if self.username is None:
            return client_id
        if metadata.get("username") == self.username and metadata.get("password") == self.password:
            return client_id
        if client_id and client_id in self._logged_in:
            return client_id
        self.stats.refused += 1
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "authentication failed")
        raise AssertionError("unreachable")  # abort raises

    async def _subscribe(
        self, request: telemetry_pb2.SubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Item]:
        client_id = await self._authorize(context)
        if not request.path_list:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "no sensor paths requested")
        sub_id = next(self._ids)
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=100_000)
        self.subscriptions[sub_id] = _Subscription(request, queue, client_id)
        self.stats.subscribes += 1
        await context.send_initial_metadata((("subscription-id", str(sub_id)),))
        producers = [
            asyncio.create_task(self._produce_oc(p.path, p.sample_frequency, queue))
            for p in request.path_list
        ]
        try:
            async for item in self._drain(queue, context):
                yield item
        finally:
            for task in producers:
                task.cancel()
            self.subscriptions.pop(sub_id, None)

    async def _drain(
        self, queue: asyncio.Queue[Item], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Item]:
        self.stats.active += 1
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if item is _DISCONNECT:
                    await context.abort(grpc.StatusCode.UNAVAILABLE, "simulated disconnect")
                if self.faults.malformed > 0:
                    self.faults.malformed -= 1
                    item = self.faults.garbage
                self.stats.messages += 1
                yield item
        finally:
            self.stats.active -= 1

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def _produce_oc(self, path: str, frequency_ms: int, queue: asyncio.Queue[Item]) -> None:
        sensor = sensor_key(path)
        sequence = itertools.count(1)

        def put(blocks: list[Block], t_ms: int) -> None:
            for block in blocks:
                msg = oc_message(self.device, sensor, block, t_ms, next(sequence))
                queue.put_nowait(msg.SerializeToString())

        def put_deleted(prefixes: list[str], t_ms: int) -> None:
            for prefix in prefixes:
                msg = telemetry_pb2.OpenConfigData(
                    system_id=self.device.system_id,
                    path=f"sensor_1000:{sensor}:{sensor}:mib2d",
                    sequence_number=next(sequence),
                    timestamp=t_ms,
                )
                msg.delete.add(path=prefix.rstrip("/"))
                queue.put_nowait(msg.SerializeToString())

        def put_sync() -> None:
            sync = telemetry_pb2.OpenConfigData(
                system_id=self.device.system_id,
                path=f"sensor_1000:{sensor}:{sensor}:mib2d",
                sync_response=True,
                timestamp=self._now_ms(),
            )
            queue.put_nowait(sync.SerializeToString())

        await self._produce(sensor, frequency_ms, put, put_deleted, put_sync)

    async def _produce(
        self,
        sensor: str,
        frequency_ms: int,
        put: Callable[[list[Block], int], None],
        put_deleted: Callable[[list[str], int], None],
        put_sync: Callable[[], None],
    ) -> None:
        """Render ``sensor`` periodically, or on change (initial dump, sync, changes, deletes)."""
        if frequency_ms > 0:
            while True:
                if not self.faults.stalled:
                    t_ms = self._now_ms()
                    put(self.device.blocks(sensor, t_ms), t_ms)
                await asyncio.sleep(frequency_ms / 1000)
        last: dict[str, tuple[Any, ...]] = {}
        first = True
        while True:
            if not self.faults.stalled:
                t_ms = self._now_ms()
                blocks = self.device.blocks(sensor, t_ms)
                changed = [b for b in blocks if last.get(b.prefix) != b.leaves]
                current = {b.prefix: b.leaves for b in blocks}
                put(changed, t_ms)
                put_deleted([p for p in last if p not in current], t_ms)
                last = current
                if first:
                    put_sync()
                    first = False
            await asyncio.sleep(self.onchange_poll_s)

    async def _cancel(
        self, request: telemetry_pb2.CancelSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.CancelSubscriptionReply:
        await self._authorize(context)
        ids = [request.subscription_id] if request.subscription_id else list(self.subscriptions)
        found = [i for i in ids if i in self.subscriptions]
        for i in found:
            self.subscriptions[i].queue.put_nowait(_END)
        if not found:
            return telemetry_pb2.CancelSubscriptionReply(
                code=telemetry_pb2.NO_SUBSCRIPTION_ENTRY, code_str="no such subscription"
            )
        return telemetry_pb2.CancelSubscriptionReply(code=telemetry_pb2.SUCCESS, code_str="ok")

    async def _list(
        self, request: telemetry_pb2.GetSubscriptionsRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.GetSubscriptionsReply:
        await self._authorize(context)
        reply = telemetry_pb2.GetSubscriptionsReply()
        for sub_id, sub in sorted(self.subscriptions.items()):
            if request.subscription_id in (0, sub_id):
                item = reply.subscription_list.add()
                item.response.subscription_id = sub_id
                item.path_list.extend(sub.request.path_list)
        return reply

    async def _operational_state(
        self, request: telemetry_pb2.GetOperationalStateRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.GetOperationalStateReply:
        await self._authorize(context)
        reply = telemetry_pb2.GetOperationalStateReply()
        reply.kv.add(key="subscriptions", uint_value=len(self.subscriptions))
        reply.kv.add(key="messages_sent", uint_value=self.stats.messages)
        return reply

    async def _encodings(
        self, request: telemetry_pb2.DataEncodingRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.DataEncodingReply:
        return telemetry_pb2.DataEncodingReply(encoding_list=[telemetry_pb2.PROTO3])


def _passthrough(item: Any) -> bytes:
    """Responses are serialized already (or deliberately malformed bytes)."""
    return item if isinstance(item, bytes) else bytes(item.SerializeToString())


# -- many devices from one process ---------------------------------------------------------


async def serve_many(
    count: int,
    *,
    host: str,
    first_port: int,
    interfaces: int,
    seed: int,
    username: str | None,
    password: str | None,
    tls: ServerTls | None,
    ready: Callable[[SimTelemetryServer], None],
) -> list[SimTelemetryServer]:
    epoch_ms = int(time.time() * 1000) - 86_400_000
    servers = []
    for n in range(count):
        device = branch_gateway(
            f"sim-gw{n:04d}", n, epoch_ms=epoch_ms, interfaces=interfaces, seed=seed
        )
        port = first_port + n if first_port else 0
        server = SimTelemetryServer(
            device, host=host, port=port, username=username, password=password, tls=tls
        )
        await server.start()
        ready(server)
        servers.append(server)
    return servers


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Simulated SRX devices serving JTI gRPC and gNMI")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="first port (0: any free port)")
    parser.add_argument("--devices", type=int, default=1)
    parser.add_argument("--interfaces", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--username")
    parser.add_argument("--password-env", help="environment variable holding the password")
    parser.add_argument("--tls-cert", type=Path)
    parser.add_argument("--tls-key", type=Path)
    args = parser.parse_args(argv)
    password = os.environ.get(args.password_env) if args.password_env else None
    tls = ServerTls(args.tls_cert, args.tls_key) if args.tls_cert and args.tls_key else None

    def ready(server: SimTelemetryServer) -> None:
        print(f"listening {server.device.name} {server.target}", flush=True)

    async def run() -> None:
        servers = await serve_many(
            args.devices,
            host=args.host,
            first_port=args.port,
            interfaces=args.interfaces,
            seed=args.seed,
            username=args.username,
            password=password,
            tls=tls,
            ready=ready,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print("ready", flush=True)
        await stop.wait()
        for server in servers:
            await server.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    sys.exit(0)


if __name__ == "__main__":
    main()
