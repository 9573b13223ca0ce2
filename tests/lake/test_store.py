"""LakeStore on a local folder: names readers use, small-file reads, state folder, reasons."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from assurance.errors import LakeError
from assurance.lake import LakeStore


def test_local_names_are_absolute_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = LakeStore("lake")
    assert store.url == store.root == (tmp_path / "lake").as_posix()
    assert store.abspath("flows/a.parquet") == f"{tmp_path}/lake/flows/a.parquet"
    assert store.abspath("") == f"{tmp_path}/lake"
    assert LakeStore(f"file://{tmp_path}/lake").root == store.root
    assert pickle.loads(pickle.dumps(store)).root == store.root
    assert store.duckdb_filesystem() is None


def test_read_bytes_returns_content_or_none(tmp_path: Path) -> None:
    store = LakeStore(tmp_path)
    assert store.read_bytes("_state/analysis.json") is None
    store.publish("_state/analysis.json", b'{"analyzed_to": "2026-11-27T09:00:00+00:00"}')
    assert store.read_bytes("_state/analysis.json") == (
        b'{"analyzed_to": "2026-11-27T09:00:00+00:00"}'
    )
    store.publish("_state/analysis.json", b"{}")  # replaced whole
    assert store.read_bytes("_state/analysis.json") == b"{}"
    with pytest.raises(LakeError, match="cannot read"):
        store.read_bytes("_state")  # a folder


def test_state_folder_and_missing_reason(tmp_path: Path) -> None:
    store = LakeStore(tmp_path / "nowhere")
    assert store.local_state_dir() == tmp_path / "nowhere" / "_state"
    assert not store.exists()
    assert store.missing_reason() == "the folder does not exist"


def test_unsupported_schemes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(LakeError, match="unsupported lake URL scheme 'hdfs'"):
        LakeStore("hdfs://namenode/lake")
    with pytest.raises(LakeError, match="lake path is empty"):
        LakeStore("  ")
