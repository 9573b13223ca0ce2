-- Switch Health: the wired client's switch (telemetry, uplinks, temperature, PoE, CPU, memory).
CREATE OR REPLACE TEMP VIEW l_switch_health AS
WITH uplinks AS (
    SELECT p.site, p.switch, f.minute,
        bool_or(coalesce(f.down, false) OR coalesce(f.ev_down, false)) AS down,
        max(100.0 * (f.d_in_err + f.d_out_err + coalesce(f.d_crc, 0))
            / nullif(f.d_in_pkts + f.d_out_pkts, 0)) AS error_pct
    FROM d_port p
    JOIN if_state f ON f.device = p.switch AND f.if_name = p.port
    WHERE p.role = 'uplink'
    GROUP BY ALL
)
SELECT u.rid, u.minute, u.site, u.k, u.gateway, u.wan_link, u.application,
    u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN s.disconnected THEN 'disconnected/no_telemetry' END,
        CASE WHEN l.down THEN 'uplink/down' END,
        CASE WHEN l.error_pct > t.wired_throughput_error_pct THEN 'uplink/errors' END,
        CASE WHEN s.temp_c > t.wired_switch_temperature_c
            THEN 'temperature/' || coalesce(s.temp_component, 'chassis') END,
        CASE WHEN s.poe THEN 'poe/fault' END,
        CASE WHEN greatest(s.cpu_cp, s.cpu_dp) > t.wired_switch_cpu_pct THEN 'cpu/high' END,
        CASE WHEN greatest(s.mem_cp, s.mem_dp) > t.wired_switch_memory_pct
            THEN 'memory/high' END
    ] AS labels,
    greatest(s.cpu_cp, s.cpu_dp) AS value
FROM uw u
JOIN d_site t ON t.site = u.site
LEFT JOIN dev_state s ON s.device = u.switch AND s.minute = u.minute
LEFT JOIN uplinks l ON l.switch = u.switch AND l.minute = u.minute
WHERE u.active AND NOT u.wireless AND u.switch IS NOT NULL
