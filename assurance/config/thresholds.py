"""SLE thresholds: org-wide defaults, partial per-site overrides, and how they merge.

Owns: the threshold models with Mist-like defaults and ``Thresholds.merged``. Must not: compute
SLEs, read files, or know about sites beyond the override object it is handed.

Defaults follow the Juniper Mist SLE pages where they publish one (roaming: 802.11r roams slower
than 400 ms and standard/OKC roams slower than 2 s are bad) and common practice otherwise:
time to connect 2 s, coverage -72 dBm, WAN latency 150 ms (ITU-T G.114 one-way budget used as an
RTT ceiling), jitter 30 ms and loss 1 % (Microsoft Teams network guidance), gateway CPU and memory
80 %, 20 % bandwidth headroom. Every value can be set for the org and overridden per site.
Gateway temperature is in degrees Celsius: the SRX reports temperatures, not a percentage.
The SLE engine's use of each value is written down in ``assurance/sle/SIGNALS.md``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from assurance.config.types import StrictModel

Millis = Annotated[float, Field(gt=0)]
Seconds = Annotated[float, Field(gt=0)]
Percent = Annotated[float, Field(ge=0, le=100)]
Headroom = Annotated[float, Field(ge=0, lt=100)]
Mbps = Annotated[float, Field(gt=0)]
Dbm = Annotated[float, Field(ge=-100, le=-30)]
Celsius = Annotated[float, Field(gt=0, le=125)]
Minutes = Annotated[int, Field(ge=0, le=1440)]
Hours = Annotated[int, Field(ge=1, le=24 * 28)]
Sigmas = Annotated[float, Field(gt=0, le=10)]


class WanThresholds(StrictModel):
    """WAN Link Health, Gateway Health and Gateway Bandwidth."""

    link_latency_ms: Millis = 150.0
    link_jitter_ms: Millis = 30.0
    link_loss_pct: Percent = 1.0
    gateway_cpu_pct: Percent = 80.0
    gateway_memory_pct: Percent = 80.0
    gateway_temperature_c: Celsius = 75.0
    bandwidth_headroom_pct: Headroom = 20.0
    #: input errors + CRC errors per input packet on a WAN interface (cable issues)
    link_error_pct: Percent = 0.1
    #: output discards (queue drops) per output packet on a WAN interface (congestion)
    link_drop_pct: Percent = 0.1
    #: active sessions per session-table capacity on an SPU
    gateway_session_pct: Percent = 90.0
    #: a device with no telemetry for longer than this is disconnected; samples hold this long
    telemetry_stale_s: Seconds = 180.0
    #: trailing window of the latency/jitter baselines (Mist looks back up to 14 days = 336 h)
    baseline_hours: Hours = 24
    #: baseline = median + k × 1.4826 × MAD of the per-minute values
    baseline_mad_k: Sigmas = 3.0
    #: server resets per closed session of an application in a minute
    app_reset_pct: Percent = 10.0
    #: minutes an outage is charged to the clients that were on the failed gateway/link/AP
    outage_charge_min: Minutes = 30


class WirelessThresholds(StrictModel):
    """Time to Connect, Coverage, Throughput, Capacity and Roaming."""

    time_to_connect_s: Seconds = 2.0
    coverage_rssi_dbm: Dbm = -72.0
    throughput_mbps: Mbps = 10.0
    #: channel utilisation by others (%) above which a minute's capacity is bad (Mist: 20 %)
    capacity_available_pct: Percent = 20.0
    roaming_fast_ms: Millis = 400.0
    roaming_standard_ms: Millis = 2000.0
    #: a connect step is flagged when this many standard deviations above the site mean
    connect_sigma: Sigmas = 2.0


class WiredThresholds(StrictModel):
    """Throughput (port congestion and errors) and Successful Connects (802.1X, DHCP)."""

    throughput_utilization_pct: Percent = 80.0
    throughput_error_pct: Percent = 0.1
    connect_timeout_s: Seconds = 10.0
    #: a port negotiated below this speed is a speed mismatch
    min_port_speed_mbps: Mbps = 100.0
    switch_cpu_pct: Percent = 80.0
    switch_memory_pct: Percent = 80.0
    switch_temperature_c: Celsius = 70.0


class Thresholds(StrictModel):
    """A complete set of thresholds: the org defaults, or the effective values for one site."""

    wan: WanThresholds = WanThresholds()
    wireless: WirelessThresholds = WirelessThresholds()
    wired: WiredThresholds = WiredThresholds()

    def merged(self, override: ThresholdOverrides | None) -> Thresholds:
        """These thresholds with every value the override sets replacing the default."""
        if override is None:
            return self
        return Thresholds(
            wan=self.wan.model_copy(update=override.wan.model_dump(exclude_none=True)),
            wireless=self.wireless.model_copy(
                update=override.wireless.model_dump(exclude_none=True)
            ),
            wired=self.wired.model_copy(update=override.wired.model_dump(exclude_none=True)),
        )


class WanOverride(StrictModel):
    link_latency_ms: Millis | None = None
    link_jitter_ms: Millis | None = None
    link_loss_pct: Percent | None = None
    gateway_cpu_pct: Percent | None = None
    gateway_memory_pct: Percent | None = None
    gateway_temperature_c: Celsius | None = None
    bandwidth_headroom_pct: Headroom | None = None
    link_error_pct: Percent | None = None
    link_drop_pct: Percent | None = None
    gateway_session_pct: Percent | None = None
    telemetry_stale_s: Seconds | None = None
    baseline_hours: Hours | None = None
    baseline_mad_k: Sigmas | None = None
    app_reset_pct: Percent | None = None
    outage_charge_min: Minutes | None = None


class WirelessOverride(StrictModel):
    time_to_connect_s: Seconds | None = None
    coverage_rssi_dbm: Dbm | None = None
    throughput_mbps: Mbps | None = None
    capacity_available_pct: Percent | None = None
    roaming_fast_ms: Millis | None = None
    roaming_standard_ms: Millis | None = None
    connect_sigma: Sigmas | None = None


class WiredOverride(StrictModel):
    throughput_utilization_pct: Percent | None = None
    throughput_error_pct: Percent | None = None
    connect_timeout_s: Seconds | None = None
    min_port_speed_mbps: Mbps | None = None
    switch_cpu_pct: Percent | None = None
    switch_memory_pct: Percent | None = None
    switch_temperature_c: Celsius | None = None


class ThresholdOverrides(StrictModel):
    """A site's partial thresholds: only the values written here replace the org defaults."""

    wan: WanOverride = WanOverride()
    wireless: WirelessOverride = WirelessOverride()
    wired: WiredOverride = WiredOverride()
