"""The ``s3`` settings: file and environment values, validation, and secrets kept out of sight."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from assurance.config import load_settings
from assurance.config.settings import S3Settings
from assurance.errors import ConfigError, LakeError
from assurance.lake import LakeStore
from assurance.lake.s3 import configure, options_from, split_url


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith(("WANASSURE_", "AWS_")):
            monkeypatch.delenv(name)


def test_defaults_address_aws_virtual_hosted_with_the_default_credential_chain() -> None:
    s = load_settings().s3
    assert (s.endpoint_url, s.region, s.uses_path_style) == (None, "us-east-1", False)
    opts = options_from(s, {})
    assert (opts.endpoint, opts.scheme, opts.path_style) == (None, "https", False)
    assert (opts.access_key, opts.secret_key, opts.session_token) == (None, None, None)


def test_an_endpoint_turns_path_style_on_unless_switched_off(tmp_path: Path) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text("s3:\n  endpoint_url: http://10.0.0.5:9000/\n  region: eu-central-1\n")
    s = load_settings(cfg).s3
    assert (s.endpoint_url, s.region, s.uses_path_style) == (
        "http://10.0.0.5:9000",
        "eu-central-1",
        True,
    )
    opts = options_from(s, {})
    assert (opts.endpoint, opts.scheme, opts.path_style) == ("10.0.0.5:9000", "http", True)
    cfg.write_text("s3:\n  endpoint_url: https://s3.example.net\n  path_style: false\n")
    assert load_settings(cfg).s3.uses_path_style is False
    # path style towards AWS itself: the regional endpoint is named
    aws = options_from(S3Settings(path_style=True, region="eu-west-3"), {})
    assert (aws.endpoint, aws.scheme, aws.path_style) == (
        "s3.eu-west-3.amazonaws.com",
        "https",
        True,
    )


def test_environment_beats_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text("s3:\n  endpoint_url: http://10.0.0.5:9000\n")
    monkeypatch.setenv("WANASSURE_S3__ENDPOINT_URL", "http://127.0.0.1:9100")
    monkeypatch.setenv("WANASSURE_S3__PATH_STYLE", "false")
    s = load_settings(cfg).s3
    assert (s.endpoint_url, s.uses_path_style) == ("http://127.0.0.1:9100", False)


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("s3:\n  endpoint_url: ftp://10.0.0.5\n", "s3.endpoint_url", "is not an endpoint URL"),
        ("s3:\n  endpoint_url: http://h:70000\n", "s3.endpoint_url", "out of range"),
        ("s3:\n  secret_access_key_env: my secret\n", "s3.secret_access_key_env", "variable name"),
        ("s3:\n  secret_access_key: hunter2\n", "s3.secret_access_key", "unknown key"),
    ],
)
def test_bad_values_name_file_line_and_key(
    tmp_path: Path, text: str, key: str, fragment: str
) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    (problem,) = info.value.problems
    assert problem.startswith(f"{cfg}:2: {key}: ") and fragment in problem
    assert "hunter2" not in str(info.value)


def test_credentials_come_from_the_variables_the_settings_name() -> None:
    s = S3Settings(access_key_id_env="LAKE_KEY", secret_access_key_env="LAKE_SECRET")
    opts = options_from(s, {"LAKE_KEY": "AKIAEXAMPLE", "LAKE_SECRET": "s3cr3t-value"})
    assert (opts.access_key, opts.secret_key) == ("AKIAEXAMPLE", "s3cr3t-value")
    assert "s3cr3t-value" not in repr(opts) and "AKIAEXAMPLE" not in repr(opts)
    with pytest.raises(LakeError) as info:
        options_from(s, {"LAKE_SECRET": "s3cr3t-value"})
    assert str(info.value) == "S3 credentials: LAKE_SECRET is set but LAKE_KEY is not"


def test_configure_exports_names_and_addresses_but_no_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-value")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    configure(S3Settings(endpoint_url="http://127.0.0.1:9000", region="eu-north-1"))
    exported = {k: v for k, v in os.environ.items() if k.startswith("WANASSURE_S3__")}
    assert exported["WANASSURE_S3__ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert exported["WANASSURE_S3__REGION"] == "eu-north-1"
    assert "WANASSURE_S3__PATH_STYLE" not in exported  # unset: derived from the endpoint
    assert not any("s3cr3t" in v for v in exported.values())
    assert load_settings().s3.endpoint_url == "http://127.0.0.1:9000"


def test_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    assert split_url("s3://bucket/a/b/") == ("bucket", "a/b")
    assert split_url("s3://bucket") == ("bucket", "")
    with pytest.raises(LakeError, match="needs a bucket"):
        split_url("s3:///prefix")
    with pytest.raises(LakeError, match="not in the URL"):
        split_url("s3://bucket/p?endpoint=x")
    with pytest.raises(LakeError, match="unsupported lake URL scheme 'gs'"):
        LakeStore("gs://bucket/lake")


def test_a_pickled_store_carries_its_url_and_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANASSURE_S3__ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-value")
    store = LakeStore("s3://bucket/lake/")
    assert (store.url, store.root, store.is_local) == ("s3://bucket/lake", "bucket/lake", False)
    assert store.abspath("flows/x.parquet") == "s3://bucket/lake/flows/x.parquet"
    data = pickle.dumps(store)
    assert b"s3cr3t" not in data and b"AKIAEXAMPLE" not in data
    assert pickle.loads(data).url == "s3://bucket/lake"


def test_a_bad_endpoint_in_the_environment_is_named_when_a_lake_opens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WANASSURE_S3__ENDPOINT_URL", "localhost:9")
    with pytest.raises(LakeError) as info:
        LakeStore("s3://bucket/lake")
    assert str(info.value) == (
        "$WANASSURE_S3__ENDPOINT_URL: s3.endpoint_url: 'localhost:9' is not an endpoint URL "
        "like http://10.0.0.5:9000 (from the environment)"
    )
