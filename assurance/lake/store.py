"""The lake's one filesystem object: a lake URL, listing, reading, deleting and atomic publish.

Every byte the lake writes or deletes goes through ``LakeStore`` so that a local folder and an
object store (``s3://bucket/prefix``) behave alike. A file is published by a single atomic step:
on a local disk a temp file in the same folder, fsync, rename and a folder fsync; on an object
store one upload that becomes visible only when complete. Nothing else in the code base may call
``open()`` or ``os.rename`` on lake paths.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.fs as pafs

from assurance.errors import LakeError
from assurance.lake import s3

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

#: Published data files end with this; anything else under a table folder is ignored by readers.
DATA_SUFFIX = ".parquet"
#: In-flight files: hidden and with a suffix that no reader glob matches.
TEMP_SUFFIX = ".tmp"


@dataclass(frozen=True)
class StoredFile:
    """A published file: path relative to the lake root, size in bytes, modification time (s)."""

    path: str
    size: int
    mtime: float


class LakeStore:
    """A lake rooted at a local folder or an object-store prefix."""

    def __init__(self, url: str | os.PathLike[str]) -> None:
        text = os.fspath(url).strip()
        if not text:
            raise LakeError("lake path is empty")
        self.fs: pafs.FileSystem
        if "://" in text and not text.startswith("file://"):
            scheme = text.split("://", 1)[0].lower()
            if scheme != "s3":
                raise LakeError(
                    f"{text}: unsupported lake URL scheme {scheme!r} "
                    "(use a local folder or s3://bucket/prefix)"
                )
            bucket, prefix = s3.split_url(text)
            self.fs = s3.filesystem()
            self.root = f"{bucket}/{prefix}" if prefix else bucket
            self.url = f"s3://{self.root}"
            self.is_local = False
        else:
            local = Path(text.removeprefix("file://")).expanduser().resolve()
            self.fs = pafs.LocalFileSystem()
            self.root = local.as_posix()
            self.url = self.root
            self.is_local = True

    def __repr__(self) -> str:
        return f"LakeStore({self.url!r})"

    def __reduce__(self) -> tuple[type[LakeStore], tuple[str]]:
        # Rebuilt from its URL in the receiving process, which opens S3 with its own settings.
        return (LakeStore, (self.url,))

    def _fspath(self, relpath: str) -> str:
        return f"{self.root}/{relpath}" if relpath else self.root

    def abspath(self, relpath: str) -> str:
        """The name readers use for ``relpath``: a local path or an ``s3://`` URL (DuckDB reads
        it through the filesystem ``duckdb_filesystem`` returns)."""
        return f"{self.url}/{relpath}" if relpath else self.url

    def exists(self) -> bool:
        """The folder exists (local) or at least one object is stored under the prefix (S3)."""
        try:
            info = self.fs.get_file_info(self.root)
        except OSError as exc:
            raise LakeError(f"cannot reach lake {self.url}: {exc}") from None
        return bool(info.type == pafs.FileType.Directory)

    def local_state_dir(self) -> Path:
        """A local folder for this lake's per-host state (a collector's template cache): the
        lake's ``_state`` folder, or for an object store ``$XDG_STATE_HOME/wanassure/s3/<bucket>/
        <prefix>`` (default ``~/.local/state``), since such state belongs to the host that
        receives, not to the bucket."""
        if self.is_local:
            return Path(self.root) / "_state"
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(base) / "wanassure" / "s3" / self.root

    def missing_reason(self) -> str:
        """Why ``exists()`` is false, for an error message."""
        if self.is_local:
            return "the folder does not exist"
        bucket = self.root.split("/", 1)[0]
        try:
            found = self.fs.get_file_info(bucket).type == pafs.FileType.Directory
        except OSError as exc:
            return f"cannot reach it: {exc}"
        return "nothing is stored under it" if found else f"bucket {bucket!r} does not exist"

    def duckdb_filesystem(self) -> AbstractFileSystem | None:
        """The fsspec filesystem DuckDB must register to read this lake (None when local)."""
        if self.is_local:
            return None
        from fsspec.implementations.arrow import ArrowFSWrapper

        return ArrowFSWrapper(self.fs)

    def ensure_root(self) -> None:
        """Create the local folder; on S3 check that the bucket exists (never created here)."""
        if self.is_local:
            try:
                Path(self.root).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LakeError(f"cannot create lake folder {self.root}: {exc}") from exc
            return
        bucket = self.root.split("/", 1)[0]
        try:
            info = self.fs.get_file_info(bucket)
        except OSError as exc:
            raise LakeError(f"cannot reach lake {self.url}: {exc}") from None
        if info.type != pafs.FileType.Directory:
            raise LakeError(f"{self.url}: bucket {bucket!r} does not exist (create it first)")

    # -- reading ---------------------------------------------------------------------------

    def list_files(self, prefix: str) -> list[StoredFile]:
        """Published data files under ``prefix`` (relative), sorted by path; temp files excluded."""
        return [
            f
            for f in self.list_files_any(prefix)
            if f.path.endswith(DATA_SUFFIX) and not f.path.rsplit("/", 1)[-1].startswith(".")
        ]

    def list_dirs(self, prefix: str) -> list[str]:
        """Immediate sub-folders of ``prefix`` (relative paths), sorted."""
        selector = pafs.FileSelector(self._fspath(prefix), recursive=False, allow_not_found=True)
        start = len(self.root) + 1
        infos = self.fs.get_file_info(selector)
        return sorted(i.path[start:] for i in infos if i.type == pafs.FileType.Directory)

    def open_input(self, relpath: str) -> pa.NativeFile:
        return self.fs.open_input_file(self._fspath(relpath))

    def read_bytes(self, relpath: str) -> bytes | None:
        """The whole content of a small file (state, inventory), or None when there is none."""
        try:
            with self.fs.open_input_file(self._fspath(relpath)) as source:
                return bytes(source.read())
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LakeError(f"cannot read {self.abspath(relpath)}: {exc}") from None

    # -- writing ---------------------------------------------------------------------------

    def publish(self, relpath: str, data: pa.Buffer | bytes) -> None:
        """Make ``data`` appear at ``relpath`` in one atomic step, durable when this returns."""
        target = self._fspath(relpath)
        try:
            if self.is_local:
                self._publish_local(Path(target), data)
            else:
                with self.fs.open_output_stream(target) as out:
                    out.write(data)
        except OSError as exc:
            raise LakeError(f"cannot publish {target}: {exc}") from exc

    @staticmethod
    def _publish_local(target: Path, data: pa.Buffer | bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        os.close(fd)
        os.replace(temp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def delete(self, relpath: str) -> None:
        try:
            self.fs.delete_file(self._fspath(relpath))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise LakeError(f"cannot delete {self.abspath(relpath)}: {exc}") from exc

    def delete_dir_if_empty(self, relpath: str) -> None:
        """Remove a partition folder left empty. On S3 a folder is only a marker object (the
        filesystem leaves one when the last file under a prefix goes); it is removed when no
        file remains under the prefix."""
        if self.is_local:
            with contextlib.suppress(OSError):  # not empty (a writer got there first) is fine
                Path(self._fspath(relpath)).rmdir()
            return
        if relpath and not self.list_files_any(relpath):
            with contextlib.suppress(OSError):
                self.fs.delete_dir(self._fspath(relpath))

    def stale_temp_files(self, prefix: str, older_than_s: float, now: float) -> list[StoredFile]:
        """In-flight files abandoned by a crashed writer (older than ``older_than_s``)."""
        return [
            f
            for f in self.list_files_any(prefix)
            if f.path.endswith(TEMP_SUFFIX) and now - f.mtime > older_than_s
        ]

    def list_files_any(self, prefix: str) -> list[StoredFile]:
        """Every file under ``prefix``, temp files included, sorted by path."""
        selector = pafs.FileSelector(self._fspath(prefix), recursive=True, allow_not_found=True)
        try:
            infos = self.fs.get_file_info(selector)
        except OSError as exc:
            raise LakeError(f"cannot list {self.abspath(prefix)}: {exc}") from exc
        start = len(self.root) + 1
        found = [
            StoredFile(i.path[start:], i.size or 0, i.mtime.timestamp() if i.mtime else 0.0)
            for i in infos
            if i.type == pafs.FileType.File
        ]
        return sorted(found, key=lambda f: f.path)
