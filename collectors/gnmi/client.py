"""The gNMI Subscribe client (dial-in) for one device.

Owns the gNMI conversation: ``Capabilities`` as the connect probe (credentials in ``username`` /
``password`` metadata, as gNMI targets expect), then one ``Subscribe`` stream in STREAM mode with
a SAMPLE subscription per periodic sensor (interval in nanoseconds) and ON_CHANGE for frequency
0, PROTO encoding by default (JSON_IETF when asked). The request side stays open for the life of
the subscription. Responses are read as raw bytes; reconnects, watchdog and backoff come from
``StreamSession``.
"""

from __future__ import annotations

import grpc

from collectors.gnmi.proto import gnmi_pb2
from collectors.jti.paths import elements
from collectors.jti.session import StreamCall, StreamSession
from collectors.jti.target import Target

SUBSCRIBE = "/gnmi.gNMI/Subscribe"
CAPABILITIES = "/gnmi.gNMI/Capabilities"


def metadata(target: Target) -> tuple[tuple[str, str], ...]:
    if target.username is None:
        return ()
    return (("username", target.username), ("password", target.password or ""))


def gnmi_path(path: str) -> gnmi_pb2.Path:
    return gnmi_pb2.Path(
        elem=[gnmi_pb2.PathElem(name=name, key=keys) for name, keys in elements(path)]
    )


def subscribe_request(target: Target) -> gnmi_pb2.SubscribeRequest:
    subscriptions = []
    for sensor in target.sensors:
        if sensor.frequency_ms == 0:
            sub = gnmi_pb2.Subscription(path=gnmi_path(sensor.path), mode=gnmi_pb2.ON_CHANGE)
        else:
            sub = gnmi_pb2.Subscription(
                path=gnmi_path(sensor.path),
                mode=gnmi_pb2.SAMPLE,
                sample_interval=sensor.frequency_ms * 1_000_000,
            )
        subscriptions.append(sub)
    encoding = gnmi_pb2.JSON_IETF if target.encoding == "json_ietf" else gnmi_pb2.PROTO
    return gnmi_pb2.SubscribeRequest(
        subscribe=gnmi_pb2.SubscriptionList(
            subscription=subscriptions,
            mode=gnmi_pb2.SubscriptionList.STREAM,
            encoding=encoding,
        )
    )


class GnmiSession(StreamSession):
    """Streams gNMI telemetry from one device."""

    protocol = "gnmi"
    source = "gnmi"

    async def probe(self, channel: grpc.aio.Channel) -> None:
        capabilities = channel.unary_unary(
            CAPABILITIES,
            request_serializer=gnmi_pb2.CapabilityRequest.SerializeToString,
            response_deserializer=gnmi_pb2.CapabilityResponse.FromString,
        )
        try:
            await capabilities(
                gnmi_pb2.CapabilityRequest(),
                timeout=self.target.connect_timeout_s,
                metadata=metadata(self.target),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise

    async def subscribe(self, channel: grpc.aio.Channel) -> StreamCall:
        rpc = channel.stream_stream(
            SUBSCRIBE,
            request_serializer=gnmi_pb2.SubscribeRequest.SerializeToString,
            response_deserializer=None,  # raw bytes: decoded on the decode thread
        )
        call = rpc(metadata=metadata(self.target))
        await call.write(subscribe_request(self.target))
        stream: StreamCall = call
        return stream
