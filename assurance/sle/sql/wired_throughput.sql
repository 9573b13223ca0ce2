-- Wired Throughput: the wired client's switch port (errors, negotiated speed, utilisation).
CREATE OR REPLACE TEMP VIEW l_wired_throughput AS
SELECT u.rid, u.minute, u.site, u.k, u.gateway, u.wan_link, u.application,
    u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN 100.0 * p.d_crc / nullif(p.d_in_pkts + p.d_out_pkts, 0)
            > t.wired_throughput_error_pct THEN 'port_errors/crc' END,
        CASE WHEN 100.0 * (p.d_in_err + p.d_out_err) / nullif(p.d_in_pkts + p.d_out_pkts, 0)
            > t.wired_throughput_error_pct THEN 'port_errors/errors' END,
        CASE WHEN p.speed_bps < t.wired_min_port_speed_mbps * 1e6
            THEN 'speed_mismatch/' || CAST(CAST(p.speed_bps / 1e6 AS BIGINT) AS VARCHAR) || 'mbps'
        END,
        CASE WHEN 100.0 * p.in_bps / nullif(p.speed_bps, 0) > t.wired_throughput_utilization_pct
            THEN 'congestion/upload' END,
        CASE WHEN 100.0 * p.out_bps / nullif(p.speed_bps, 0) > t.wired_throughput_utilization_pct
            OR p.d_drops > 0 THEN 'congestion/download' END
    ] AS labels,
    100.0 * greatest(p.in_bps, p.out_bps) / nullif(p.speed_bps, 0) AS value
FROM uw u
JOIN d_site t ON t.site = u.site
LEFT JOIN if_state p ON p.device = u.switch AND p.if_name = u.switch_port AND p.minute = u.minute
WHERE u.active AND NOT u.wireless AND u.switch_port IS NOT NULL
