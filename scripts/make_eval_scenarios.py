"""Write the evaluation suite: data/samples/scenarios/eval/*.yaml.

Thirty faulted scenarios (six branches, three hours each, two faults at different sites and
times, every fault type of the twin at least twice and at several intensities) and three
fault-free days of eight branches. `wanassure eval --scenarios data/samples/scenarios/eval`
runs them. Deterministic: re-running rewrites identical files.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "samples" / "scenarios" / "eval"

#: name, type, ISP, down/up Mb/s, RTT ms, jitter ms, loss % of the three links of a branch.
_LINKS = (
    ("mpls", "mpls", "Lumen MPLS", 50, 50, 32, 2, 0.02),
    ("isp-a", "broadband", "{isp}", 200, 20, "{rtt}", 4, 0.05),
    ("lte", "lte", "Verizon Wireless", 40, 10, 55, 12, 0.3),
)


def _profile(name: str, isp: str, rtt: int) -> str:
    lines = [f"  {name}:", "    links:"]
    for link, kind, provider, down, up, link_rtt, jitter, loss in _LINKS:
        lines.append(
            f"      - {{name: {link}, type: {kind}, isp: {provider.format(isp=isp)}, "
            f"down_mbps: {down}, up_mbps: {up}, rtt_ms: {str(link_rtt).format(rtt=rtt)}, "
            f"jitter_ms: {jitter}, loss_pct: {loss}}}"
        )
    lines += ["    access_ports: 8", "    aps: 3", "    clients: {wired: 6, wifi: 24}"]
    return "\n".join(lines)


PROFILES = "\n".join(
    [
        "profiles:",
        _profile("branch", "Comcast Business", 24),
        _profile("branch-att", "AT&T Business", 27),
    ]
)

#: Intensities per fault type (parameter name, values); types without params have none.
INTENSITY: dict[str, tuple[str, tuple[float, ...]]] = {
    "isp_loss": ("loss_pct", (4.0, 6.0, 10.0)),
    "isp_latency": ("rtt_ms", (180.0, 220.0, 300.0)),
    "isp_jitter": ("jitter_ms", (45.0, 60.0, 90.0)),
    "congestion": ("load_pct", (105.0, 110.0, 130.0)),
    "bad_cable": ("error_pct", (1.5, 2.0, 4.0)),
    "gateway_cpu": ("cpu_pct", (95.0, 97.0, 99.0)),
    "gateway_memory": ("memory_pct", (93.0, 95.0, 98.0)),
    "coverage_hole": ("rssi_drop_db", (15.0, 18.0, 25.0)),
    "interference": ("util_pct", (55.0, 70.0, 85.0)),
    "app_slowdown": ("server_ms", (700.0, 900.0, 1500.0)),
    "link_flap": ("period_min", (4.0, 6.0, 4.0)),
}
TYPES = (
    "isp_loss",
    "isp_latency",
    "isp_jitter",
    "link_down",
    "link_flap",
    "congestion",
    "bad_cable",
    "duplex_mismatch",
    "tunnel_down",
    "gateway_cpu",
    "gateway_memory",
    "dhcp_failure",
    "dns_failure",
    "auth_failure",
    "ap_down",
    "coverage_hole",
    "interference",
    "roaming_failure",
    "app_slowdown",
    "mtu_mismatch",
    "isp_outage",
)
LINK_TYPES = {
    "isp_loss",
    "isp_latency",
    "isp_jitter",
    "link_down",
    "link_flap",
    "congestion",
    "bad_cable",
    "tunnel_down",
    "mtu_mismatch",
}
AP_TYPES = {"ap_down", "coverage_hole", "interference"}
SITE_TYPES = {
    "gateway_cpu",
    "gateway_memory",
    "dhcp_failure",
    "dns_failure",
    "auth_failure",
    "roaming_failure",
}
APPS = ("Salesforce", "Office 365", "Microsoft Teams")
DAYS = ("2026-11-03", "2026-11-04", "2026-11-05", "2026-11-10", "2026-11-11", "2026-11-12")


def fault_line(n: int, kind: str, rep: int, site: str, at_min: int, for_min: int) -> str:
    fields = [f"id: f{n}-{kind.replace('_', '-')}", f"type: {kind}"]
    if kind in LINK_TYPES:
        link = "mpls" if rep == 1 and kind != "tunnel_down" else "isp-a"
        fields += [f"site: {site}", f"link: {link}"]
    elif kind in AP_TYPES:
        fields += [f"site: {site}", f"ap: {1 + rep % 3}"]
    elif kind in SITE_TYPES:
        fields += [f"site: {site}"]
    elif kind == "duplex_mismatch":
        fields += [f"site: {site}", f"port: {1 + (2 * rep) % 6}"]
    elif kind == "app_slowdown":
        fields += [f"app: {APPS[rep % len(APPS)]}"]
    elif kind == "isp_outage":
        fields += ["isp: AT&T Business"]
    fields += [f"at: {at_min}m", f"for: {for_min}m"]
    if kind in INTENSITY:
        name, values = INTENSITY[kind]
        fields.append(f"params: {{{name}: {values[rep % len(values)]:g}}}")
    return "  - {" + ", ".join(fields) + "}"


def faulted(index: int, faults: list[tuple[str, int]]) -> str:
    day = DAYS[index % len(DAYS)]
    hour = 13 + index % 4
    sites = [(f"e{index:02d}-s{k}", "branch" if k <= 3 else "branch-att") for k in range(1, 7)]
    lines = [
        f"# Evaluation scenario {index:02d}: {', '.join(k for k, _ in faults)}.",
        f"name: eval-{index:02d}",
        f"seed: {100 + index}",
        f"start: {day}T{hour:02d}:00:00Z",
        "hours: 3",
        "org: eval-lab",
        PROFILES.rstrip(),
        "sites:",
        *(f"  - {{name: {n}, profile: {p}, timezone: America/New_York}}" for n, p in sites),
        "faults:",
    ]
    slots = ((60, 25 + 5 * (index % 4)), (115, 20 + 5 * (index % 5)))
    for (kind, rep), (at, length) in zip(faults, slots, strict=True):
        # Faults at one site: a site of the first half, then one of the second half.
        site = sites[(index + rep + (0 if at == 60 else 3)) % 6][0]
        lines.append(fault_line(index, kind, rep, site, at, length))
    return "\n".join(lines) + "\n"


def quiet_day(index: int) -> str:
    sites = [(f"q{index}-s{k}", "branch" if k % 2 else "branch-att") for k in range(1, 9)]
    return (
        "\n".join(
            [
                f"# Fault-free day {index}: eight branches, 24 hours, nothing injected.",
                f"name: quiet-{index}",
                f"seed: {900 + index}",
                f"start: {DAYS[index]}T05:00:00Z",
                "hours: 24",
                "org: eval-lab",
                PROFILES.rstrip(),
                "sites:",
                *(f"  - {{name: {n}, profile: {p}, timezone: America/New_York}}" for n, p in sites),
                "faults: []",
            ]
        )
        + "\n"
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.yaml"):
        old.unlink()
    instances = [(kind, rep) for rep in range(3) for kind in TYPES]
    pairs = [instances[i : i + 2] for i in range(0, 60, 2)]
    for index, pair in enumerate(pairs):
        (OUT / f"{index:02d}-{pair[0][0]}.yaml").write_text(faulted(index, list(pair)))
    for index in range(3):
        (OUT / f"quiet-{index}.yaml").write_text(quiet_day(index))
    print(f"wrote {len(pairs)} faulted scenarios and 3 fault-free days to {OUT}")


if __name__ == "__main__":
    main()
