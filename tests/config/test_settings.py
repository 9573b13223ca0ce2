"""Settings and config files: defaults, file values, environment overrides, inventory references."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from assurance.config import Settings, load_config, load_settings, split_listen
from assurance.errors import ConfigError

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
BAD = SAMPLES / "bad"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("WANASSURE_"):
            monkeypatch.delenv(name)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults() -> None:
    s = Settings()
    assert s.log_level == "INFO"
    assert (s.lake.path, s.lake.compression) == ("lake", "zstd")
    assert (s.lake.flush_rows, s.lake.flush_bytes, s.lake.flush_age_s) == (
        1_000_000,
        256 * 1024 * 1024,
        60.0,
    )
    assert (s.collectors.flow.listen, s.collectors.flow.enabled) == ("0.0.0.0:2055", True)
    assert (s.collectors.syslog.listen, s.collectors.syslog.enabled) == ("0.0.0.0:514", True)


def test_sample_config_loads() -> None:
    config = load_config(SAMPLES / "wanassure.yaml")
    assert config.settings.lake.path == "/var/lib/wanassure/lake"
    assert config.settings.lake.flush_bytes == 268435456
    assert config.source == SAMPLES / "wanassure.yaml"
    assert [s.name for s in config.inventory.sites] == ["hq-sjc", "br-nyc-012", "br-chi-027"]
    assert load_settings(SAMPLES / "wanassure.yaml") == config.settings


def test_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _write(
        tmp_path / "w.yaml",
        "log_level: WARNING\nlake:\n  path: /srv/lake\n  flush_rows: 10\n  flush_age_s: 30\n",
    )
    monkeypatch.setenv("WANASSURE_LAKE__PATH", "s3://acme-netops/lake/")
    monkeypatch.setenv("WANASSURE_LAKE__FLUSH_ROWS", "500000")
    monkeypatch.setenv("WANASSURE_LOG_LEVEL", "debug")
    s = load_settings(cfg)
    assert s.lake.path == "s3://acme-netops/lake"
    assert s.lake.is_remote
    assert s.lake.flush_rows == 500_000
    assert s.lake.flush_age_s == 30.0  # not in the environment: the file's value stands
    assert s.log_level == "DEBUG"


def test_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANASSURE_COLLECTORS__SYSLOG__ENABLED", "false")
    monkeypatch.setenv("WANASSURE_COLLECTORS__FLOW__LISTEN", "[::]:4739")
    s = load_settings(None)
    assert s.collectors.syslog.enabled is False
    assert split_listen(s.collectors.flow.listen) == ("::", 4739)


def test_bad_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _write(tmp_path / "w.yaml", "lake:\n  flush_rows: 10\n")
    monkeypatch.setenv("WANASSURE_LAKE__FLUSH_ROWS", "lots")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    (problem,) = info.value.problems
    assert problem.startswith("$WANASSURE_LAKE__FLUSH_ROWS: lake.flush_rows: ")
    assert problem.endswith("(got 'lots') (from the environment)")
    with pytest.raises(ConfigError, match=r"\$WANASSURE_LAKE__FLUSH_ROWS: lake\.flush_rows"):
        load_settings(None)


def test_bad_settings_file_reports_every_problem() -> None:
    path = BAD / "bad_settings.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.file == str(path)
    expected = [
        (2, "log_level", "(got 'LOUD')"),
        (4, "lake.pth", "unknown key (did you mean 'path'?)"),
        (5, "lake.flush_rows", "greater than 0 (got 0)"),
        (6, "lake.compression", "(got 'zip')"),
        (9, "collectors.flow.listen", "port 99999 is out of range 1-65535"),
    ]
    assert len(info.value.problems) == len(expected), info.value.problems
    for problem, (line, key, text) in zip(info.value.problems, expected, strict=True):
        assert problem.startswith(f"{path}:{line}: {key}: "), problem
        assert text in problem, problem


def test_inventory_path_is_relative_to_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SAMPLES / "inventory.yaml", _write(tmp_path / "etc/inv/x", "").parent / "i.yaml")
    cfg = _write(
        tmp_path / "etc/wanassure.yaml", "lake: {path: data/lake}\ninventory: inv/i.yaml\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(cfg)
    assert config.inventory.site("br-chi-027").gateways[0].name == "br-chi-027-gw1"
    # a relative local lake path is anchored to the config file too
    assert config.settings.lake.path == str(tmp_path / "etc" / "data/lake")


def test_inline_inventory_errors_point_into_the_config_file(tmp_path: Path) -> None:
    cfg = _write(
        tmp_path / "w.yaml",
        """\
lake: {path: /srv/lake}
inventory:
  org: {name: acme-retail}
  sites:
    - name: hq-sjc
      gateways:
        - {name: gw1, model: SRX4600, role: core, mgmt_ip: 10.10.0.1}
""",
    )
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    (problem,) = info.value.problems
    assert problem.startswith(f"{cfg}:7: inventory.sites[0].gateways[0].role: ")
    assert "(got 'core')" in problem


def test_inline_inventory_loads(tmp_path: Path) -> None:
    cfg = _write(
        tmp_path / "w.yaml",
        "inventory:\n  org: {name: o}\n  sites:\n    - name: a\n      aps:\n"
        "        - {name: ap1, model: AP45, mac: 'AA:BB:CC:00:11:22', ip: 10.0.0.5}\n",
    )
    config = load_config(cfg)
    assert config.settings == Settings()
    assert config.inventory.resolve("10.0.0.5") is not None
    assert config.inventory.site("a").aps[0].mac == "aa:bb:cc:00:11:22"


def test_errors_in_referenced_inventory_name_that_file(tmp_path: Path) -> None:
    inv = _write(
        tmp_path / "inv.yaml",
        "org: {name: o}\nsites:\n  - name: a\n  - name: a\n",
    )
    cfg = _write(tmp_path / "w.yaml", "lake: {flush_rows: -1}\ninventory: inv.yaml\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.file == str(cfg)
    assert info.value.problems == [
        f"{cfg}:1: lake.flush_rows: Input should be greater than 0 (got -1)",
        f"{inv}:4: sites[1].name: duplicate site name a (first at sites[0].name)",
    ]


def test_missing_inventory_reference_and_missing_key(tmp_path: Path) -> None:
    path = BAD / "missing_inventory_ref.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"{path}:3: inventory: inventory file not found: {BAD / 'does-not-exist.yaml'}"
    ]
    cfg = _write(tmp_path / "w.yaml", "\nlog_level: INFO\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.problems == [
        f"{cfg}:2: inventory: required key is missing (inline mapping or a path)"
    ]


def test_inventory_of_wrong_type(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "w.yaml", "inventory: [a, b]\n")
    with pytest.raises(ConfigError, match=r"w\.yaml:1: inventory: must be an inline mapping"):
        load_config(cfg)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert info.value.problems == [f"{tmp_path / 'nope.yaml'}: <root>: file not found"]


def test_pydantic_settings_init_options_are_not_config_keys(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "w.yaml", "_env_file: /etc/passwd\nlog_level: INFO\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert info.value.problems == [f"{cfg}:1: _env_file: unknown key"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("ftp://host/lake", "unsupported scheme 'ftp'"),
        ("s3:///prefix", "needs a bucket"),
        ("   ", "must not be empty"),
    ],
)
def test_lake_path_validation(tmp_path: Path, path: str, message: str) -> None:
    cfg = _write(tmp_path / "w.yaml", f"lake:\n  path: '{path}'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    (problem,) = info.value.problems
    assert problem.startswith(f"{cfg}:2: lake.path: ")
    assert message in problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0.0.0:2055", ("0.0.0.0", 2055)),
        ("[::1]:514", ("::1", 514)),
        ("collector:9", ("collector", 9)),
    ],
)
def test_split_listen(value: str, expected: tuple[str, int]) -> None:
    assert split_listen(value) == expected


@pytest.mark.parametrize("value", ["2055", "::1:514", "[zz]:514", "host:0", "a b:1"])
def test_split_listen_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        split_listen(value)


def test_config_survives_pickling_for_process_pools() -> None:
    config = load_config(SAMPLES / "wanassure.yaml")
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config
    assert copy.inventory.resolve("198.51.100.12") == config.inventory.resolve("198.51.100.12")
    assert copy.inventory.resolve("198.51.100.12") is not None
