"""Allocator settings for a process that parses syslog in large batches.

Owns one process-wide choice: glibc's malloc should keep freed memory for reuse. A batch
allocates buffers of several megabytes (the joined lines, NumPy masks and positions), and by
default glibc gives such blocks back to the kernel when they are freed, so every batch pays
page faults to map and zero them again (measured: 6-8 % of parse time). Raising the mmap and
trim thresholds makes the next batch reuse the same pages. The cost is memory: the process
keeps up to ``trim_bytes`` more than it needs.

Called once by the composition roots (``wanassure collect syslog``, each decoder process, the
parse benchmark); never by the sans-IO parser itself. Must not change anything but malloc
parameters; on a C library without ``mallopt`` (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
#: glibc refuses an mmap threshold above 32 MiB on 64-bit systems
MAX_MMAP_THRESHOLD = 32 * 1024 * 1024


def keep_freed_memory(
    mmap_bytes: int = MAX_MMAP_THRESHOLD,
    trim_bytes: int = 256 * 1024 * 1024,
    top_pad_bytes: int = 64 * 1024 * 1024,
) -> bool:
    """Serve blocks up to ``mmap_bytes`` from the heap and keep up to ``trim_bytes`` of freed
    memory; True when the C library took every setting."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    settings = (
        (M_MMAP_THRESHOLD, min(mmap_bytes, MAX_MMAP_THRESHOLD)),
        (M_TRIM_THRESHOLD, trim_bytes),
        (M_TOP_PAD, top_pad_bytes),
    )
    return all(mallopt(param, value) == 1 for param, value in settings)
