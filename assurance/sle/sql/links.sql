-- Per WAN link and minute: port, cable, tunnel, ISP reachability, congestion, utilisation and
-- path quality (RPM and AppQoE on the link's interface, its parent or its overlay tunnel), with
-- the latency/jitter thresholds in force (fixed, or the baseline when that is higher).
CREATE OR REPLACE TEMP TABLE sla_rows AS
SELECT s.site, s.device AS gateway, l.link, minute_of(s.event_time) AS minute,
    s.source, s.application, s.rtt_ms, s.jitter_ms, s.loss_pct, s.probes_sent, s.probes_received,
    coalesce(s.interface = l.tunnel, false) AS via_tunnel
FROM in_sla s
JOIN d_link l ON l.gateway = s.device
    AND (s.interface = l.interface OR s.interface = l.parent OR s.interface = l.tunnel);

-- Path quality of the link itself: RPM probes and application-less (active) AppQoE probes;
-- per-application AppQoE measurements include the servers' delay and feed only App Health.
CREATE OR REPLACE TEMP TABLE sla_minute AS
SELECT site, gateway, link, minute,
    avg(rtt_ms) AS rtt_ms, avg(jitter_ms) AS jitter_ms, avg(loss_pct) AS loss_pct,
    bool_or(source = 'rpm' AND NOT via_tunnel AND (loss_pct >= 100
        OR (probes_sent > 0 AND probes_received = 0))) AS probe_fail
FROM sla_rows
WHERE source = 'rpm' OR application IS NULL
GROUP BY ALL;

-- Loss counts when it lasts: a minute's loss is kept only up to the larger of its neighbours'
-- (a single lost probe in one minute, 1.7 % of 60, is not a loss event; two minutes are).
CREATE OR REPLACE TEMP TABLE sla_min AS
SELECT * REPLACE (
    least(loss_pct, greatest(
        CASE WHEN lag(minute) OVER w = minute - INTERVAL 1 MINUTE THEN lag(loss_pct) OVER w END,
        CASE WHEN lead(minute) OVER w = minute + INTERVAL 1 MINUTE THEN lead(loss_pct) OVER w END,
        0)) AS loss_pct),
    loss_pct AS loss_minute_pct
FROM sla_minute
-- Only the minutes the job's grid reads (and the one before, a neighbour); the baseline history
-- reads sla_minute, whose latency and jitter are the same.
WHERE minute >= $lb - INTERVAL 1 MINUTE
WINDOW w AS (PARTITION BY gateway, link ORDER BY minute);

CREATE OR REPLACE TEMP TABLE baseline AS
WITH hours AS (
    SELECT DISTINCT hour_of(minute) AS h FROM d_minute WHERE minute >= $start
)
SELECT s.site, s.gateway, s.link, hr.h,
    count(s.rtt_ms) AS n_rtt,
    median(s.rtt_ms) + t.wan_baseline_mad_k * 1.4826 * mad(s.rtt_ms) AS rtt_base,
    count(s.jitter_ms) AS n_jitter,
    median(s.jitter_ms) + t.wan_baseline_mad_k * 1.4826 * mad(s.jitter_ms) AS jitter_base
FROM sla_minute s
JOIN d_site t ON t.site = s.site
JOIN hours hr ON s.minute < hr.h AND s.minute >= hr.h - to_hours(t.wan_baseline_hours::BIGINT)
GROUP BY s.site, s.gateway, s.link, hr.h, t.wan_baseline_mad_k;

CREATE OR REPLACE TEMP TABLE vpn_min AS
SELECT device, tunnel, minute_of(event_time) AS minute,
    bool_or(ike_state = 'down' OR ipsec_state = 'down') AS down
FROM in_vpn WHERE tunnel IS NOT NULL GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE link_state AS
WITH numbered AS (
    -- the interface numbers of each link's unit, parent and tunnel (if_state joins on them)
    SELECT l.*, i.ifk AS ifk_unit, p.ifk AS ifk_parent, t.ifk AS ifk_tunnel
    FROM d_link l
    LEFT JOIN if_numbers i ON i.device = l.gateway AND i.if_name = l.interface
    LEFT JOIN if_numbers p ON p.device = l.gateway AND p.if_name = l.parent
    LEFT JOIN if_numbers t ON t.device = l.gateway AND t.if_name = l.tunnel
), wan_if AS MATERIALIZED (
    -- the WAN interfaces' rows only: the joins below then hash these, not every port's
    SELECT * FROM if_state
    WHERE ifk IN (SELECT ifk_unit FROM numbered UNION SELECT ifk_parent FROM numbered
        UNION SELECT ifk_tunnel FROM numbered)
), grid AS (
    SELECT n.*, m.minute FROM numbered n CROSS JOIN d_minute m
)
SELECT
    g.site, g.gateway, g.link, g.minute,
    coalesce(fi.down, false) OR coalesce(fp.down, false)
        OR coalesce(fi.ev_down, false) OR coalesce(fp.ev_down, false) AS port_down,
    100.0 * (coalesce(fp.d_in_err, fi.d_in_err) + coalesce(fp.d_crc, fi.d_crc, 0))
        / nullif(coalesce(fp.d_in_pkts, fi.d_in_pkts), 0) AS error_pct,
    coalesce(s.probe_fail, false) AS probe_fail,
    g.tunnel IS NOT NULL AND (coalesce(ft.down, false) OR coalesce(ft.vpn_down, false)
        OR (coalesce(v.down, false)
            AND epoch(g.minute) - epoch(v.minute) <= t.wan_telemetry_stale_s)) AS tunnel_down,
    100.0 * coalesce(fp.d_drops, fi.d_drops) / nullif(coalesce(fp.d_out_pkts, fi.d_out_pkts), 0)
        AS drop_pct,
    100.0 * coalesce(fi.out_bps, fp.out_bps) / g.cap_up AS util_up_pct,
    100.0 * coalesce(fi.in_bps, fp.in_bps) / g.cap_down AS util_down_pct,
    s.rtt_ms, s.jitter_ms, s.loss_pct,
    t.wan_link_latency_ms AS latency_fixed, t.wan_link_jitter_ms AS jitter_fixed,
    greatest(t.wan_link_latency_ms, CASE WHEN b.n_rtt >= 60 THEN b.rtt_base END)
        AS latency_threshold,
    greatest(t.wan_link_jitter_ms, CASE WHEN b.n_jitter >= 60 THEN b.jitter_base END)
        AS jitter_threshold,
    t.wan_link_loss_pct AS loss_threshold,
    t.wan_link_error_pct AS error_threshold,
    t.wan_link_drop_pct AS drop_threshold,
    100 - t.wan_bandwidth_headroom_pct AS util_threshold
FROM grid g
JOIN d_site t ON t.site = g.site
LEFT JOIN wan_if fi ON fi.ifk = g.ifk_unit AND fi.minute = g.minute
LEFT JOIN wan_if fp ON fp.ifk = g.ifk_parent AND fp.minute = g.minute AND g.parent <> g.interface
LEFT JOIN wan_if ft ON ft.ifk = g.ifk_tunnel AND ft.minute = g.minute
LEFT JOIN sla_min s ON s.gateway = g.gateway AND s.link = g.link AND s.minute = g.minute
LEFT JOIN baseline b
    ON b.gateway = g.gateway AND b.link = g.link AND b.h = hour_of(g.minute)
ASOF LEFT JOIN vpn_min v
    ON v.device = g.gateway AND v.tunnel = g.tunnel AND g.minute >= v.minute
