"""Benchmark: anomaly detectors on synthetic KPI minute series; points per second.

Usage::

    python benchmarks/anomaly_detect.py                      # 7000 series x 1440 minutes
    python benchmarks/anomaly_detect.py --series 500 --minutes 1440 --repeat 3
    python benchmarks/anomaly_detect.py --stream-series 20   # streaming subset (HW: a tenth)

Builds one fixed-seed matrix of SLE-like series (a daily curve, noise, a few drops and missing
minutes), then prints, per detector, the wall and CPU seconds and points/s of
``score_matrix`` over all series (vectorised detectors) and of the streaming path
(``score_one`` per point) over a subset; medians of ``--repeat`` runs. The machine may be
shared: the 1-minute load average is printed, and CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from models.anomaly import make, score_matrix

MATRIX = ("seasonal", "ewma", "cusum", "ensemble")
STREAMING = ("seasonal", "ewma", "cusum", "ensemble", "holt_winters")


def series(n: int, minutes: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t0 = 1_795_046_400.0  # 2026-11-17 00:00 UTC
    times = t0 + 60.0 * np.arange(minutes)
    hour = (times - t0) % 86400 / 3600
    curve = 2.0 * np.sin(2 * np.pi * (hour - 8) / 24)
    values = 97.0 + curve[:, None] + rng.normal(0, 0.5, (minutes, n))
    drops = rng.choice(n, size=max(1, n // 50), replace=False)
    start = rng.integers(0, max(1, minutes - 30), size=len(drops))
    for col, s in zip(drops, start, strict=True):
        values[s : s + 20, col] -= 15.0
    values[rng.random((minutes, n)) < 0.01] = np.nan
    return times, values


def timed(run: object, repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        run()  # type: ignore[operator]
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=7000)
    parser.add_argument("--minutes", type=int, default=1440)
    parser.add_argument("--stream-series", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times, values = series(args.series, args.minutes)
    points = values.size
    print(
        f"{args.series} series x {args.minutes} minutes = {points:,} points; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"median of {args.repeat}"
    )
    print("score_matrix (vectorised, all series):")
    for name in MATRIX:
        wall, cpu = timed(lambda n=name: score_matrix(n, times, values), args.repeat)
        print(
            f"  {name:<13} wall {wall:7.2f} s  cpu {cpu:7.2f} s  "
            f"{points / wall / 1e6:6.2f} M points/s wall  {points / cpu / 1e6:6.2f} M points/s cpu"
        )
    print("streaming score_one (a subset of series; Holt-Winters refits are slow: a tenth of it):")
    for name in STREAMING:
        k = min(args.stream_series, args.series)
        k = max(1, k // 10) if name == "holt_winters" else k
        subset = values[:, :k]

        def stream(n: str = name, k: int = k, subset: np.ndarray = subset) -> None:
            for j in range(k):
                detector = make(n)
                for t, x in zip(times, subset[:, j], strict=True):
                    detector.score_one(float(t), float(x))

        wall, cpu = timed(stream, args.repeat)
        print(
            f"  {name:<13} {k:3d} series  wall {wall:7.2f} s  cpu {cpu:7.2f} s  "
            f"{subset.size / wall:8,.0f} points/s wall  {subset.size / cpu:8,.0f} points/s cpu"
        )


if __name__ == "__main__":
    main()
