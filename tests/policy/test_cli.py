"""``wanassure policy`` through the real console script: plan, list, show, approve, reject,
apply (dry-run and NETCONF to the loopback peer), rollback, and one-line errors (exit 2)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assurance.policy import ledger
from assurance.policy.simloop import RunReport
from tests.policy.netconf_server import Device, NetconfServer

WANASSURE = str(Path(sys.executable).with_name("wanassure"))
AT = "2026-11-02T14:30"
PASSWORD = "cli-s3cret-pw"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [WANASSURE, "policy", *args], capture_output=True, text=True, env=full, timeout=120
    )


@pytest.fixture
def lake(loop_run: tuple[str, RunReport], tmp_path: Path) -> str:
    copy = tmp_path / "lake"
    shutil.copytree(loop_run[0], copy)
    return str(copy)


@pytest.fixture
def peer() -> Iterator[NetconfServer]:
    server = NetconfServer(Device(), "netops", PASSWORD).start()
    yield server
    server.stop()


def _ids(text: str) -> list[str]:
    return re.findall(r"pol-[0-9a-f]{10}", text)


def test_list_and_show(lake: str) -> None:
    listed = _cli("list", "--lake", lake)
    assert listed.returncode == 0, listed.stderr
    assert "verified" in listed.stdout and "rolled_back" in listed.stdout
    nyc = next(a for a in ledger.actions(lake) if a.site == "br-nyc-012" and a.kind == "steer_app")
    shown = _cli("show", nyc.action_id, "--lake", lake, "--xml")
    assert shown.returncode == 0, shown.stderr
    assert (
        "+ set routing-instances video-ri routing-options static route 0.0.0.0/0 "
        "qualified-next-hop st0.1 preference 1" in shown.stdout
    )
    assert "- set routing-instances video-ri" in shown.stdout
    assert "<metric-value>1</metric-value>" in shown.stdout
    assert "[sim] twin br-nyc-012" in shown.stdout  # notes are printed as written


def test_plan_approve_apply_rollback_dry_run(lake: str) -> None:
    planned = _cli("plan", "--lake", lake, "--at", AT)
    assert planned.returncode == 0, planned.stderr
    assert "policy step at 2026-11-02 14:30 UTC (recommend, driver dry-run)" in planned.stdout
    # voice at br-nyc-012 still rides the lossy mpls link (the loop only steered video)
    [action] = _ids(planned.stdout)
    assert re.search(rf"proposed +{action} +br-nyc-012 +steer_app", planned.stdout)
    assert ledger.get(lake, action).state == "proposed"
    again = _cli(
        "plan", "--lake", lake, "--at", AT
    )  # one open action per (site, app): nothing new for it
    assert action not in _ids(again.stdout)
    ok = _cli("approve", action, "--lake", lake, "--actor", "alice", "--note", "ok")
    assert ok.returncode == 0 and f"{action} approved" in ok.stdout
    pushed = _cli("apply", action, "--lake", lake, "--actor", "alice")
    assert pushed.returncode == 0, pushed.stderr
    assert "dry-run" in pushed.stdout
    back = _cli("rollback", action, "--lake", lake, "--actor", "bob")
    assert back.returncode == 0, back.stderr
    hist = ledger.history(lake, action)
    assert [(h["state"], h["actor"]) for h in hist] == [
        ("proposed", "planner"),
        ("approved", "alice"),
        ("pushed", "alice"),
        ("rolled_back", "bob"),
    ]


def test_apply_over_netconf_to_the_loopback_peer(lake: str, peer: NetconfServer) -> None:
    planned = _cli("plan", "--lake", lake, "--at", AT)
    action = _ids(planned.stdout)[0]
    got = ledger.get(lake, action)
    assert _cli("approve", action, "--lake", lake, "--actor", "alice").returncode == 0
    env = {
        "WANASSURE_NETCONF_USER": "netops",
        "WANASSURE_NETCONF_PASSWORD": PASSWORD,
        "WANASSURE_NETCONF_PORT": str(peer.port),
        "WANASSURE_NETCONF_HOSTS": f"{got.device}=127.0.0.1",
        "WANASSURE_NETCONF_HOST_KEYS": f"{got.device}={peer.host_key_b64}",
    }
    pushed = _cli(
        "apply",
        action,
        "--lake",
        lake,
        "--driver",
        "netconf",
        "--actor",
        "alice",
        "--confirm-minutes",
        "5",
        env=env,
    )
    assert pushed.returncode == 0, pushed.stderr
    assert "commit confirmed 5 min" in pushed.stdout
    assert peer.device.commits == ["commit confirmed 5"]
    assert peer.device.pending
    running = peer.device.set_lines(peer.device.running)
    for line in got.change_set.splitlines():
        assert line in running
    back = _cli("rollback", action, "--lake", lake, "--actor", "bob", env=env)
    assert back.returncode == 0, back.stderr
    assert not peer.device.pending
    assert ledger.get(lake, action).state == "rolled_back"
    for out in (pushed, back):
        assert PASSWORD not in out.stdout + out.stderr


def test_netconf_failure_is_one_line_and_secret_free(lake: str, peer: NetconfServer) -> None:
    action = _ids(_cli("plan", "--lake", lake, "--at", AT).stdout)[0]
    _cli("approve", action, "--lake", lake, "--actor", "alice")
    device = ledger.get(lake, action).device or ""
    env = {
        "WANASSURE_NETCONF_USER": "netops",
        "WANASSURE_NETCONF_PASSWORD": "wrong-" + PASSWORD,
        "WANASSURE_NETCONF_PORT": str(peer.port),
        "WANASSURE_NETCONF_HOSTS": f"{device}=127.0.0.1",
        "WANASSURE_NETCONF_HOST_KEYS": f"{device}={peer.host_key_b64}",
    }
    failed = _cli("apply", action, "--lake", lake, "--driver", "netconf", env=env)
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and "authentication failed" in failed.stderr
    assert PASSWORD not in failed.stderr + failed.stdout
    assert "Traceback" not in failed.stderr
    assert ledger.get(lake, action).state == "failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("approve", "pol-0000000000"), "unknown action 'pol-0000000000'"),
        (("show", "pol-0000000000"), "unknown action"),
        (("plan", "--mode", "yolo"), "--mode 'yolo' is not one of: recommend, auto"),
        (("apply", "pol-0000000000", "--driver", "telnet"), "unknown driver 'telnet'"),
        (("plan", "--at", "yesterday"), "--at 'yesterday' is not an ISO 8601 time"),
    ],
)
def test_errors_are_one_line_exit_2(lake: str, args: tuple[str, ...], message: str) -> None:
    done = _cli(*args, "--lake", lake)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "Traceback" not in done.stderr


def test_wrong_state_from_the_cli(lake: str) -> None:
    verified = next(
        a for a in ledger.actions(lake) if a.state == "verified" and a.kind == "steer_app"
    )
    done = _cli("approve", verified.action_id, "--lake", lake)
    assert done.returncode == 2
    assert f"action {verified.action_id} is verified; it can move to rolled_back" in done.stderr
    sim = _cli("rollback", verified.action_id, "--lake", lake)
    assert sim.returncode == 2
    assert "the sim driver needs a running simulation" in sim.stderr


def test_config_file_maintenance_window_and_errors(lake: str, tmp_path: Path) -> None:
    cfg = tmp_path / "policy.yaml"
    cfg.write_text(
        "policy:\n  maintenance:\n"
        "    - {site: br-nyc-012, start: 2026-11-02T14:00:00Z, end: 2026-11-02T16:00:00Z}\n"
    )
    quiet = _cli("plan", "--lake", lake, "--at", AT, "--config", str(cfg))
    assert quiet.returncode == 0, quiet.stderr
    assert "nothing to do" in quiet.stdout
    cfg.write_text("policy:\n  netconf:\n    password: hunter2\n")
    bad = _cli("plan", "--lake", lake, "--config", str(cfg))
    assert bad.returncode == 2
    assert f"{cfg}:2: policy.netconf:" in bad.stderr and "WANASSURE_NETCONF_PASSWORD" in bad.stderr
    assert "hunter2" not in bad.stderr and "Traceback" not in bad.stderr


def test_simulate_plays_a_scenario_with_the_loop(tmp_path: Path) -> None:
    from tests.policy.conftest import SCENARIO

    short = tmp_path / "short.yaml"
    short.write_text(SCENARIO.read_text().replace("hours: 1.5", "hours: 0.25"))
    lake = tmp_path / "lake"
    done = _cli("simulate", "--scenario", str(short), "--lake", str(lake), "--tick", "5")
    assert done.returncode == 0, done.stderr
    assert "played policy-loop (15 min)" in done.stdout
    assert ledger.actions(str(lake)) == []  # the loss starts at minute 15: nothing to do yet
    missing = _cli("simulate", "--scenario", str(tmp_path / "nope.yaml"), "--lake", str(lake))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


def test_auto_mode_pushes_and_the_next_step_judges(lake: str) -> None:
    auto = _cli("plan", "--lake", lake, "--at", AT, "--mode", "auto")
    assert auto.returncode == 0, auto.stderr
    [action] = sorted(set(_ids(auto.stdout)))
    assert re.search(rf"pushed +{action} +br-nyc-012", auto.stdout)
    assert ledger.get(lake, action).state == "pushed"
    # a dry run changed nothing on the network: voice stayed on the lossy link, so the
    # verification 15 minutes later finds no improvement and rolls it back
    later = _cli("plan", "--lake", lake, "--at", "2026-11-02T14:45")
    assert later.returncode == 0, later.stderr
    assert re.search(rf"rolled back +{action}", later.stdout)
    assert "did not help" in (ledger.get(lake, action).note or "")
