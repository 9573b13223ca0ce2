-- Per gateway/switch and minute: telemetry freshness and the worst health values, carried
-- forward while not stale. Data plane = SPU components; control plane = everything else.
CREATE OR REPLACE TEMP TABLE dev_seen AS
SELECT device, minute_of(event_time) AS minute, max(event_time) AS t
FROM (SELECT device, event_time FROM in_health UNION ALL SELECT device, event_time FROM in_ifstats)
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE health_min AS
SELECT
    device, minute_of(event_time) AS minute,
    max(cpu_pct) FILTER (WHERE component NOT LIKE '%SPU%' OR component IS NULL) AS cpu_cp,
    max(cpu_pct) FILTER (WHERE component LIKE '%SPU%') AS cpu_dp,
    max(memory_pct) FILTER (WHERE component NOT LIKE '%SPU%' OR component IS NULL) AS mem_cp,
    max(memory_pct) FILTER (WHERE component LIKE '%SPU%') AS mem_dp,
    max(temperature_c) AS temp_c,
    arg_max(component, temperature_c) FILTER (WHERE temperature_c IS NOT NULL) AS temp_component,
    bool_or(
        lower(coalesce(power_status, '')) IN ('down', 'reset', 'failed', 'alarm', 'absent')
        OR ((component ILIKE '%power%' OR component ILIKE '%PEM%' OR component ILIKE '%PSU%')
            AND lower(coalesce(status, '')) IN ('down', 'reset', 'failed', 'alarm', 'absent'))
    ) AS power_bad,
    max(100.0 * sessions_current / sessions_max) FILTER (WHERE sessions_max > 0) AS session_pct
FROM in_health GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE dev_state AS
WITH devices AS (
    SELECT site, gateway AS device, 'gateway' AS kind FROM d_gateway
    UNION ALL SELECT site, switch AS device, 'switch' AS kind FROM d_switch
), grid AS (
    SELECT d.site, d.device, d.kind, m.minute FROM devices d CROSS JOIN d_minute m
)
SELECT
    g.site, g.device, g.kind, g.minute,
    -- Silence counts only up to the newest telemetry of any device in the lake ($horizon): past
    -- it, the data has not arrived yet (the end of a capture, or "now" for a running service),
    -- nobody went away.
    (ds.t IS NULL
        OR epoch(g.minute + INTERVAL 1 MINUTE) - epoch(ds.t) > t.wan_telemetry_stale_s)
        AND g.minute + INTERVAL 1 MINUTE <= $horizon::TIMESTAMPTZ
        AS disconnected,
    CASE WHEN epoch(g.minute) - epoch(h.minute) <= t.wan_telemetry_stale_s THEN h.cpu_cp END
        AS cpu_cp,
    CASE WHEN epoch(g.minute) - epoch(h.minute) <= t.wan_telemetry_stale_s THEN h.cpu_dp END
        AS cpu_dp,
    CASE WHEN epoch(g.minute) - epoch(h.minute) <= t.wan_telemetry_stale_s THEN h.mem_cp END
        AS mem_cp,
    CASE WHEN epoch(g.minute) - epoch(h.minute) <= t.wan_telemetry_stale_s THEN h.mem_dp END
        AS mem_dp,
    CASE WHEN epoch(g.minute) - epoch(h.minute) <= t.wan_telemetry_stale_s THEN h.temp_c END
        AS temp_c,
    h.temp_component,
    CASE WHEN epoch(g.minute) - epoch(h.minute) <= t.wan_telemetry_stale_s THEN h.power_bad END
        AS power_bad,
    CASE WHEN epoch(g.minute) - epoch(h.minute) <= t.wan_telemetry_stale_s THEN h.session_pct END
        AS session_pct,
    coalesce(p.poe, false) AS poe
FROM grid g
JOIN d_site t ON t.site = g.site
ASOF LEFT JOIN dev_seen ds ON ds.device = g.device AND g.minute + INTERVAL 1 MINUTE > ds.t
ASOF LEFT JOIN health_min h ON h.device = g.device AND g.minute >= h.minute
LEFT JOIN (
    SELECT device, minute_of(event_time) AS minute, true AS poe
    FROM in_devevents
    WHERE category = 'poe' AND coalesce(state, '') NOT IN ('up', 'cleared', 'on')
    GROUP BY ALL
) p ON p.device = g.device AND p.minute = g.minute
