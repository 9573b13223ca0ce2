-- Per interface and minute: state and counter ratios, carried forward while not stale, and
-- the states held by device events (interface, vpn, lldp down until up), flaps and PoE faults.
-- Only the interfaces an SLE looks at: WAN links (unit, parent, tunnel), switch uplinks, AP
-- ports and the ports wired clients were seen on.
-- Each (device, interface) is numbered (``ifk``): the per-sample and per-minute work below
-- partitions, sorts and joins on that integer instead of two strings.
CREATE OR REPLACE TEMP TABLE if_targets AS
WITH t AS MATERIALIZED (
    SELECT site, gateway AS device, interface AS if_name FROM d_link
    UNION SELECT site, gateway, parent FROM d_link
    UNION SELECT site, gateway, tunnel FROM d_link WHERE tunnel IS NOT NULL
    UNION SELECT site, switch, port FROM d_port WHERE role = 'uplink'
    UNION SELECT site, switch, switch_port FROM d_ap WHERE switch IS NOT NULL
    UNION SELECT DISTINCT site, switch, switch_port FROM um
        WHERE switch IS NOT NULL AND switch_port IS NOT NULL
)
SELECT t.*, d.ifk
FROM t
JOIN (
    SELECT device, if_name, (row_number() OVER ())::INTEGER AS ifk
    FROM (SELECT DISTINCT device, if_name FROM t)
) d USING (device, if_name);

-- Each interface's number once (links, AP ports and the samples below look it up by name).
CREATE OR REPLACE TEMP TABLE if_numbers AS SELECT DISTINCT device, if_name, ifk FROM if_targets;

CREATE OR REPLACE TEMP TABLE if_samples AS
SELECT
    site, ifk, event_time, oper_status, speed_bps, in_bps, out_bps,
    CASE WHEN counter_reset THEN NULL ELSE in_pkts::HUGEINT - lag(in_pkts::HUGEINT) OVER w END AS d_in_pkts,
    CASE WHEN counter_reset THEN NULL ELSE out_pkts::HUGEINT - lag(out_pkts::HUGEINT) OVER w END AS d_out_pkts,
    CASE WHEN counter_reset THEN NULL ELSE in_errors::HUGEINT - lag(in_errors::HUGEINT) OVER w END AS d_in_err,
    CASE WHEN counter_reset THEN NULL ELSE out_errors::HUGEINT - lag(out_errors::HUGEINT) OVER w END AS d_out_err,
    CASE WHEN counter_reset THEN NULL ELSE in_crc_errors::HUGEINT - lag(in_crc_errors::HUGEINT) OVER w END
        AS d_crc,
    CASE WHEN counter_reset THEN NULL ELSE out_discards::HUGEINT - lag(out_discards::HUGEINT) OVER w END
        AS d_drops
FROM in_ifstats
JOIN if_numbers USING (device, if_name)
WINDOW w AS (PARTITION BY ifk ORDER BY event_time);

CREATE OR REPLACE TEMP TABLE if_min AS
SELECT
    site, ifk, minute_of(event_time) AS minute,
    bool_or(oper_status IN ('down', 'lowerlayerdown', 'notpresent')) AS down,
    max(speed_bps) AS speed_bps, max(in_bps) AS in_bps, max(out_bps) AS out_bps,
    sum(greatest(d_in_pkts, 0)) AS d_in_pkts, sum(greatest(d_out_pkts, 0)) AS d_out_pkts,
    sum(greatest(d_in_err, 0)) AS d_in_err, sum(greatest(d_out_err, 0)) AS d_out_err,
    sum(greatest(d_crc, 0)) AS d_crc, sum(greatest(d_drops, 0)) AS d_drops
FROM if_samples GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE ev_held AS
SELECT site, device, interface AS if_name, category, event_time AS t,
    state IN ('down', 'failed') AS is_down
FROM in_devevents
WHERE interface IS NOT NULL AND category IN ('interface', 'vpn', 'lldp')
    AND state IN ('down', 'failed', 'up', 'established');

CREATE OR REPLACE TEMP TABLE ev_min AS
SELECT site, device, interface AS if_name, minute_of(event_time) AS minute,
    bool_or(category = 'interface' AND state = 'down')
        AND bool_or(category = 'interface' AND state = 'up') AS flap,
    bool_or(category = 'poe' AND coalesce(state, '') NOT IN ('up', 'cleared', 'on')) AS poe
FROM in_devevents WHERE interface IS NOT NULL GROUP BY ALL;

-- Held states expanded to the minutes they cover: the state of a minute is the one set by the
-- latest event before the minute ends, for at most 60 minutes after that event (the job loads
-- events from 60 minutes before its first minute, so any window sees the same holds).
CREATE OR REPLACE TEMP TABLE ev_down AS
WITH spans AS (
    SELECT device, if_name, category, is_down, t,
        lead(t) OVER (PARTITION BY device, if_name, category ORDER BY t) AS t_next
    FROM ev_held
), minutes AS (
    SELECT s.device, s.if_name, s.category, m.minute
    FROM spans s
    JOIN d_minute m
        ON m.minute + INTERVAL 1 MINUTE > s.t
        AND (s.t_next IS NULL OR m.minute + INTERVAL 1 MINUTE <= s.t_next)
        AND m.minute + INTERVAL 1 MINUTE <= s.t + INTERVAL 60 MINUTE
    WHERE s.is_down
)
SELECT device, if_name, minute,
    bool_or(category = 'interface') AS ev_down,
    bool_or(category = 'vpn') AS vpn_down,
    bool_or(category = 'lldp') AS lldp_down
FROM minutes GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE if_state AS
WITH grid AS (
    SELECT t.site, t.device, t.if_name, t.ifk, m.minute FROM if_targets t CROSS JOIN d_minute m
), stale AS (SELECT site, wan_telemetry_stale_s AS s FROM d_site)
SELECT
    g.site, g.device, g.if_name, g.ifk, g.minute,
    CASE WHEN epoch(g.minute) - epoch(s.minute) <= st.s THEN s.down END AS down,
    CASE WHEN epoch(g.minute) - epoch(s.minute) <= st.s THEN s.speed_bps END AS speed_bps,
    CASE WHEN epoch(g.minute) - epoch(s.minute) <= st.s THEN s.in_bps END AS in_bps,
    CASE WHEN epoch(g.minute) - epoch(s.minute) <= st.s THEN s.out_bps END AS out_bps,
    CASE WHEN g.minute = s.minute THEN s.d_in_pkts END AS d_in_pkts,
    CASE WHEN g.minute = s.minute THEN s.d_out_pkts END AS d_out_pkts,
    CASE WHEN g.minute = s.minute THEN s.d_in_err END AS d_in_err,
    CASE WHEN g.minute = s.minute THEN s.d_out_err END AS d_out_err,
    CASE WHEN g.minute = s.minute THEN s.d_crc END AS d_crc,
    CASE WHEN g.minute = s.minute THEN s.d_drops END AS d_drops,
    coalesce(h.ev_down, false) AS ev_down,
    coalesce(h.vpn_down, false) AS vpn_down,
    coalesce(h.lldp_down, false) AS lldp_down,
    coalesce(e.flap, false) AS flap,
    coalesce(e.poe, false) AS poe
FROM grid g
JOIN stale st ON st.site = g.site
ASOF LEFT JOIN if_min s ON s.ifk = g.ifk AND g.minute >= s.minute
LEFT JOIN ev_down h ON h.device = g.device AND h.if_name = g.if_name AND h.minute = g.minute
LEFT JOIN ev_min e ON e.device = g.device AND e.if_name = g.if_name AND e.minute = g.minute
