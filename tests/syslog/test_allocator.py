"""``keep_freed_memory``: after it, glibc keeps a freed multi-megabyte block for reuse instead
of returning it to the kernel (resident memory stays); without it, the block is unmapped.
Each case runs in a fresh interpreter, so the test process keeps its own malloc settings."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import os, sys
from collectors.syslog.allocator import keep_freed_memory
ok = keep_freed_memory() if sys.argv[1] == "keep" else True
page = os.sysconf("SC_PAGE_SIZE")
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page
block = bytes(24 * 1024 * 1024)  # calloc'd: touch it so that it is resident
block = bytearray(block)
before = resident()
del block
print(ok, before - resident())
"""


@pytest.mark.parametrize("mode", ["keep", "default"])
def test_freed_batch_buffers_stay_mapped_only_after_keep_freed_memory(mode: str) -> None:
    if not sys.platform.startswith("linux"):
        raise AssertionError("the collector's allocator settings are for glibc on Linux")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    ).stdout.split()
    took, released = out[0] == "True", int(out[1])
    assert took
    if mode == "keep":
        assert released < 4 * 1024 * 1024  # kept for the next batch
    else:
        assert released >= 20 * 1024 * 1024  # glibc's default: unmapped at once
