"""The NETCONF driver against a real NETCONF-over-SSH peer on loopback (netconf_server.py).

Covers a change confirmed after verification, an explicit rollback, rpc-error (candidate left
clean, lock released), a device that stops answering, a session that drops after the confirmed
commit (the device rolls the change back by itself), lock contention between two concurrent
changes, and credentials that never show up in errors or logs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from assurance.policy.drivers import Request
from assurance.policy.drivers.netconf import NetconfDriver, NetconfSettings
from assurance.policy.errors import DeviceTimeout, DriverError, LockBusy, RpcError, SessionLost
from tests.policy.netconf_server import Device, NetconfServer

USER = "netops"
PASSWORD = "s3cr3t-Pa55word!"
BASE = (
    "set routing-instances video-ri routing-options static route 0.0.0.0/0 "
    "qualified-next-hop st0.0 preference 1\n"
    "set routing-instances video-ri routing-options static route 0.0.0.0/0 "
    "qualified-next-hop st0.1 preference 2\n"
)
QNH = "routing-instances video-ri routing-options static route 0.0.0.0/0 qualified-next-hop"
CHANGE = f"set {QNH} st0.1 preference 1\nset {QNH} st0.0 preference 2\n"
ROLLBACK = f"set {QNH} st0.1 preference 2\nset {QNH} st0.0 preference 1\n"
MINUTE_S = 2.0  # the test peer's minute: confirmed-commit timers run in real time, scaled


def _eventually(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def _pref(device: Device, hop: str, db: str = "running") -> str | None:
    config = device.running if db == "running" else device.candidate
    key = (*QNH.split(), hop, "preference")
    return config.get(key)


@pytest.fixture
def peer() -> Iterator[NetconfServer]:
    device = Device(minute_s=MINUTE_S)
    device.seed(BASE)
    server = NetconfServer(device, USER, PASSWORD).start()
    yield server
    server.stop()


def _driver(
    server: NetconfServer, timeout_s: float = 5.0, password: str = PASSWORD, fmt: str = "set"
) -> NetconfDriver:
    return NetconfDriver(
        NetconfSettings(
            username=USER,
            password=password,
            port=server.port,
            hosts={"gw1": "127.0.0.1"},
            host_keys={"gw1": server.host_key_b64},
            timeout_s=timeout_s,
            load_format=fmt,
        )
    )


def _req(minutes: int = 5, change: str = CHANGE) -> Request:
    return Request("pol-1", "br-nyc-012", "gw1", change, ROLLBACK, minutes)


def test_push_then_confirm(peer: NetconfServer) -> None:
    d = _driver(peer)
    reply = d.push(_req(minutes=3))
    assert "commit confirmed 3" in reply
    assert _pref(peer.device, "st0.1") == "1"
    assert peer.device.pending
    assert peer.device.received[:5] == [
        "lock",
        "load-configuration",
        "commit-configuration",
        "commit-configuration",
        "unlock",
    ]
    assert peer.device.commits == ["commit confirmed 3"]
    d.confirm(_req())
    assert not peer.device.pending
    time.sleep(3 * MINUTE_S + 0.3)  # past the confirm timeout: nothing rolls back
    assert _pref(peer.device, "st0.1") == "1"
    assert peer.device.lock_owner is None
    assert "qualified-next-hop st0.1 preference 1" in d.running("gw1")


def test_netconf_1_0_framing() -> None:
    device = Device(minute_s=MINUTE_S)
    device.seed(BASE)
    server = NetconfServer(device, USER, PASSWORD, base11=False).start()
    try:
        assert "commit confirmed" in _driver(server).push(_req())
        assert _pref(device, "st0.1") == "1"
    finally:
        server.stop()


def test_xml_load_format(peer: NetconfServer) -> None:
    d = _driver(peer, fmt="xml")
    d.push(_req())
    assert _pref(peer.device, "st0.1") == "1" and _pref(peer.device, "st0.0") == "2"
    d.rollback(_req())
    assert _pref(peer.device, "st0.1") == "2" and _pref(peer.device, "st0.0") == "1"
    delete = f"delete {QNH} st0.1\n"
    d.push(_req(change=delete))
    assert _pref(peer.device, "st0.1") is None and _pref(peer.device, "st0.0") == "1"


def test_unconfirmed_commit_rolls_back_by_itself(peer: NetconfServer) -> None:
    _driver(peer).push(_req(minutes=1))
    assert _eventually(lambda: len(peer.device.commits) == 2, 4 * MINUTE_S)
    assert peer.device.commits[0] == "commit confirmed 1"
    assert peer.device.commits[1].startswith("rollback")
    assert _pref(peer.device, "st0.1") == "2"


def test_explicit_rollback(peer: NetconfServer) -> None:
    d = _driver(peer)
    d.push(_req())
    d.rollback(_req())
    assert _pref(peer.device, "st0.1") == "2"
    assert _pref(peer.device, "st0.0") == "1"
    assert not peer.device.pending


def test_rpc_error_leaves_candidate_clean(peer: NetconfServer) -> None:
    peer.device.faults["commit-configuration"] = "rpc-error"
    with pytest.raises(RpcError, match="injected failure"):
        _driver(peer).push(_req())
    assert "discard-changes" in peer.device.received
    assert _pref(peer.device, "st0.1", "candidate") == "2"
    assert _pref(peer.device, "st0.1") == "2"
    assert peer.device.lock_owner is None


def test_commit_check_refuses_unknown_next_hop(peer: NetconfServer) -> None:
    bad = f"set {QNH} st0.9 preference 1\n"
    with pytest.raises(RpcError, match=r"st0\.9: interface is not configured"):
        _driver(peer).push(_req(change=bad))
    assert peer.device.commits == []
    assert peer.device.lock_owner is None


def test_device_that_stops_answering_times_out(peer: NetconfServer) -> None:
    peer.device.faults["load-configuration"] = "hang"
    began = time.monotonic()
    with pytest.raises(DeviceTimeout, match="no answer within 1 s"):
        _driver(peer, timeout_s=1.0).push(_req())
    assert time.monotonic() - began < 10
    # the session ended, so the device released the lock and dropped the uncommitted candidate
    deadline = time.monotonic() + 5
    while peer.device.lock_owner is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert peer.device.lock_owner is None
    assert _pref(peer.device, "st0.1") == "2"


def test_session_lost_after_confirmed_commit_rolls_back(peer: NetconfServer) -> None:
    peer.device.faults["unlock"] = "drop"
    with pytest.raises(SessionLost, match="rolls back by itself"):
        _driver(peer).push(_req(minutes=1))
    # committed, never confirmed: the device's timer undoes it (how soon the client noticed
    # the drop varies on a loaded machine, so only the sequence is checked)
    assert _eventually(lambda: len(peer.device.commits) == 2, 4 * MINUTE_S)
    assert peer.device.commits[0] == "commit confirmed 1"
    assert peer.device.commits[1].startswith("rollback")
    assert _pref(peer.device, "st0.1") == "2"


def test_session_lost_during_confirmed_commit_rolls_back(peer: NetconfServer) -> None:
    peer.device.faults["commit-confirmed"] = "drop-after"
    with pytest.raises(SessionLost, match="if applied, rolls back by itself within 1 min"):
        _driver(peer).push(_req(minutes=1))
    assert _eventually(lambda: len(peer.device.commits) == 2, 4 * MINUTE_S)
    assert peer.device.commits[0] == "commit confirmed 1"
    assert peer.device.commits[1].startswith("rollback")
    assert _pref(peer.device, "st0.1") == "2"


def test_session_lost_before_commit_changes_nothing(peer: NetconfServer) -> None:
    peer.device.faults["load-configuration"] = "drop"
    with pytest.raises(SessionLost):
        _driver(peer).push(_req())
    assert peer.device.commits == []
    time.sleep(0.3)
    assert peer.device.lock_owner is None


def test_concurrent_changes_one_wins_the_lock(peer: NetconfServer) -> None:
    peer.device.faults["commit-configuration"] = "hang"  # first session holds the lock
    results: dict[str, BaseException | str] = {}

    def first() -> None:
        try:
            results["first"] = _driver(peer, timeout_s=2.0).push(_req())
        except DriverError as exc:
            results["first"] = exc

    t = threading.Thread(target=first)
    t.start()
    deadline = time.monotonic() + 5
    while peer.device.lock_owner is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert peer.device.lock_owner is not None
    with pytest.raises(LockBusy, match="locked by another session"):
        _driver(peer).push(_req())
    t.join()
    assert isinstance(results["first"], DeviceTimeout)
    peer.device.faults.clear()
    deadline = time.monotonic() + 5
    while peer.device.lock_owner is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "commit confirmed" in _driver(peer).push(_req())


def test_credentials_never_in_errors_or_logs(
    peer: NetconfServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DriverError) as wrong:
        _driver(peer, password="wrong-" + PASSWORD).push(_req())
    assert "authentication failed" in str(wrong.value)
    peer.device.faults["load-configuration"] = "rpc-error"
    with pytest.raises(RpcError) as failed:
        _driver(peer).push(_req())
    peer.device.faults.clear()
    _driver(peer).push(_req())
    for text in (str(wrong.value), str(failed.value), caplog.text):
        assert PASSWORD not in text


def test_wrong_host_key_is_refused(peer: NetconfServer) -> None:
    other = NetconfServer(Device(), USER, PASSWORD)
    try:
        d = NetconfDriver(
            NetconfSettings(
                username=USER,
                password=PASSWORD,
                port=peer.port,
                hosts={"gw1": "127.0.0.1"},
                host_keys={"gw1": other.host_key_b64},
                timeout_s=5,
            )
        )
        with pytest.raises(DriverError, match="gw1"):
            d.push(_req())
    finally:
        other.stop()
    assert peer.device.commits == []


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANASSURE_NETCONF_USER", "ops")
    monkeypatch.setenv("WANASSURE_NETCONF_PASSWORD", "pw-from-env")
    s = NetconfSettings.from_env(port=2222)
    assert (s.username, s.password, s.port) == ("ops", "pw-from-env", 2222)
    assert "pw-from-env" not in repr(s)
    monkeypatch.delenv("WANASSURE_NETCONF_USER")
    with pytest.raises(DriverError.__mro__[1], match="needs a username"):
        NetconfDriver(NetconfSettings.from_env())
