"""Counter-based randomness: a random number is a pure function of what it describes.

Owns: ``uniform`` and ``normal`` over NumPy broadcasting of integer keys (seed, purpose, site,
entity, minute…), built on the SplitMix64 finaliser. Because a value depends only on its keys,
a site's traffic is the same whether it is simulated alone, in a shard of 50 sites or in one
process with 5,000, and whether minute 600 is reached from minute 0 or from minute 599 — which
makes lake mode shardable and byte-identical across runs. Must not: keep state.
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_KEY_MULT = (
    np.uint64(0xD6E8FEB86659FD93),
    np.uint64(0xA0761D6478BD642F),
    np.uint64(0xE7037ED1A0B428DB),
    np.uint64(0x8EBC6AF09C88C6E3),
    np.uint64(0x589965CC75374CC3),
    np.uint64(0x1D8E4E27C47D124F),
    np.uint64(0x9E3779B97F4A7C55),
    np.uint64(0xC2B2AE3D27D4EB4F),
)
_TO_UNIT = 1.0 / float(1 << 53)

Key = int | npt.NDArray[np.integer]


def purpose(name: str) -> int:
    """A stable integer for a named use of randomness (``"activity"``, ``"rssi"``…)."""
    return zlib.crc32(name.encode())


def _mix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def bits(*keys: Key) -> npt.NDArray[np.uint64]:
    """64 random bits for every broadcast combination of the integer keys (at most eight)."""
    with np.errstate(over="ignore"):
        if len(keys) > len(_KEY_MULT):
            raise ValueError(f"at most {len(_KEY_MULT)} keys, got {len(keys)}")
        acc = np.zeros((), np.uint64)
        for mult, key in zip(_KEY_MULT, keys, strict=False):
            acc = _mix(acc ^ (np.asarray(key).astype(np.uint64) * mult))
        return np.asarray(acc, np.uint64)


def uniform(*keys: Key) -> npt.NDArray[np.float64]:
    """Uniform numbers in [0, 1), one per broadcast combination of the keys."""
    return (bits(*keys) >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def normal(*keys: Key) -> npt.NDArray[np.float64]:
    """Standard normal numbers (Box-Muller over two independent uniforms)."""
    u1 = uniform(*keys, 1)
    u2 = uniform(*keys, 2)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


__all__ = ["bits", "normal", "purpose", "uniform"]
