"""Flow golden cases produced by real, independent exporters (softflowd, pmacct).

``data/samples/flow/<case>/`` holds ``input.pcap`` (the exporter's datagrams as received on
loopback UDP), ``expected.jsonl`` (ground truth from the traffic's own packets, cross-checked with
nfdump and tshark), ``records.txt`` (nfdump's view) and a ``README.md``. ``traffic.py`` builds the
traffic, ``exporters.py`` runs the exporters and the independent decoders, and
``scripts/make_flow_goldens.py`` regenerates the cases. ``load_golden_cases`` is the one entry
point for tests that compare the project's flow decoder with the goldens.

Nothing here imports the project's flow decoder (``collectors.flow``).
"""

from __future__ import annotations

import json
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "data" / "samples" / "flow"


def load_golden_cases(
    root: Path = GOLDEN_DIR,
) -> list[tuple[str, Path, list[dict[str, object]]]]:
    """Every golden case as ``(case name, input pcap path, expected records)``, sorted by name.

    Expected records use the canonical flow keys: src_addr, dst_addr, src_port, dst_port,
    protocol, packets, bytes, start_time, end_time (ISO-8601 UTC with milliseconds, ``Z``),
    ip_version. ICMP records carry type*256+code in ``dst_port`` and 0 in ``src_port``. Read the
    datagrams with ``collectors.pcap.iter_udp(path.read_bytes())``; records are unordered.
    """
    cases = []
    for case_dir in sorted(p for p in root.iterdir() if (p / "expected.jsonl").is_file()):
        lines = (case_dir / "expected.jsonl").read_text().splitlines()
        expected = [json.loads(line) for line in lines if line.strip()]
        cases.append((case_dir.name, case_dir / "input.pcap", expected))
    return cases
