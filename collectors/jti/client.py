"""The JTI OpenConfig telemetry client (gRPC dial-in) for one device.

Owns Juniper's conversation: ``authentication.Login/LoginCheck`` when credentials are configured
(a device without the Login service falls back to credentials in call metadata, which are always
sent: ``username``, ``password``, ``clientid``), then one ``telemetrySubscribe`` carrying every
sensor path with its sample frequency (0 = on change). Responses are read as raw bytes: decoding
runs on the collector's decode thread. Reconnects, watchdog and backoff come from
``StreamSession``.
"""

from __future__ import annotations

import grpc

from collectors.jti.channel import open_channel
from collectors.jti.errors import AuthenticationFailed
from collectors.jti.proto import authentication_service_pb2 as auth_pb2
from collectors.jti.proto import telemetry_pb2
from collectors.jti.session import StreamCall, StreamSession
from collectors.jti.target import Target

LOGIN = "/authentication.Login/LoginCheck"
SUBSCRIBE = "/telemetry.OpenConfigTelemetry/telemetrySubscribe"
ENCODINGS = "/telemetry.OpenConfigTelemetry/getDataEncodings"
LIST = "/telemetry.OpenConfigTelemetry/getTelemetrySubscriptions"
CANCEL = "/telemetry.OpenConfigTelemetry/cancelTelemetrySubscription"


def metadata(target: Target) -> tuple[tuple[str, str], ...]:
    md = [("clientid", target.client_id)]
    if target.username is not None:
        md += [("username", target.username), ("password", target.password or "")]
    return tuple(md)


def subscription_request(target: Target) -> telemetry_pb2.SubscriptionRequest:
    return telemetry_pb2.SubscriptionRequest(
        path_list=[
            telemetry_pb2.Path(path=s.path, sample_frequency=s.frequency_ms) for s in target.sensors
        ]
    )


class JtiSession(StreamSession):
    """Streams OpenConfig telemetry from one Junos device."""

    protocol = "jti"
    source = "jti-grpc"

    async def probe(self, channel: grpc.aio.Channel) -> None:
        t = self.target
        timeout = t.connect_timeout_s
        if t.username is None:
            encodings = channel.unary_unary(
                ENCODINGS,
                request_serializer=telemetry_pb2.DataEncodingRequest.SerializeToString,
                response_deserializer=telemetry_pb2.DataEncodingReply.FromString,
            )
            try:
                await encodings(telemetry_pb2.DataEncodingRequest(), timeout=timeout)
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                    raise  # an answer of any other kind still proves the device is there
            return
        login = channel.unary_unary(
            LOGIN,
            request_serializer=auth_pb2.LoginRequest.SerializeToString,
            response_deserializer=auth_pb2.LoginReply.FromString,
        )
        request = auth_pb2.LoginRequest(
            user_name=t.username, password=t.password or "", client_id=t.client_id
        )
        try:
            reply = await login(request, timeout=timeout, metadata=metadata(t))
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                return  # no Login service: the metadata on the subscribe call authenticates
            raise
        if not reply.result:
            raise AuthenticationFailed(t.device, f"LoginCheck refused user {t.username!r}")

    async def subscribe(self, channel: grpc.aio.Channel) -> StreamCall:
        call = channel.unary_stream(
            SUBSCRIBE,
            request_serializer=telemetry_pb2.SubscriptionRequest.SerializeToString,
            response_deserializer=None,  # raw bytes: decoded on the decode thread
        )
        stream: StreamCall = call(subscription_request(self.target), metadata=metadata(self.target))
        return stream

    async def subscriptions(self) -> list[telemetry_pb2.SubscriptionReply]:
        """The device's current subscriptions (``getTelemetrySubscriptions``)."""
        channel = open_channel(self.target)
        try:
            rpc = channel.unary_unary(
                LIST,
                request_serializer=telemetry_pb2.GetSubscriptionsRequest.SerializeToString,
                response_deserializer=telemetry_pb2.GetSubscriptionsReply.FromString,
            )
            reply = await rpc(
                telemetry_pb2.GetSubscriptionsRequest(),
                timeout=self.target.connect_timeout_s,
                metadata=metadata(self.target),
            )
            return list(reply.subscription_list)
        finally:
            await channel.close()

    async def cancel(self, subscription_id: int) -> telemetry_pb2.CancelSubscriptionReply:
        """Ask the device to end a subscription (``cancelTelemetrySubscription``)."""
        channel = open_channel(self.target)
        try:
            rpc = channel.unary_unary(
                CANCEL,
                request_serializer=telemetry_pb2.CancelSubscriptionRequest.SerializeToString,
                response_deserializer=telemetry_pb2.CancelSubscriptionReply.FromString,
            )
            reply: telemetry_pb2.CancelSubscriptionReply = await rpc(
                telemetry_pb2.CancelSubscriptionRequest(subscription_id=subscription_id),
                timeout=self.target.connect_timeout_s,
                metadata=metadata(self.target),
            )
            return reply
        finally:
            await channel.close()
