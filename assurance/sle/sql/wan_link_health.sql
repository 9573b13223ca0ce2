-- WAN Link Health: the link the client's traffic egressed (or the failed link it was on).
CREATE OR REPLACE TEMP VIEW l_wan_link_health AS
SELECT u.rid, u.minute, u.site, u.k,
    coalesce(u.disp_link_gateway, u.gateway) AS gateway,
    coalesce(u.disp_link, u.wan_link) AS wan_link,
    u.application, u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN s.port_down THEN 'interface/port_down' END,
        CASE WHEN s.error_pct > s.error_threshold THEN 'interface/cable' END,
        CASE WHEN s.probe_fail THEN 'isp_reachability/probe_failure' END,
        CASE WHEN s.tunnel_down THEN 'network/tunnel_down' END,
        CASE WHEN s.drop_pct > s.drop_threshold THEN 'interface/congestion' END,
        CASE WHEN s.loss_pct > s.loss_threshold THEN 'network/loss' END,
        CASE WHEN s.rtt_ms > s.latency_threshold THEN 'network/latency' END,
        CASE WHEN s.jitter_ms > s.jitter_threshold THEN 'network/jitter' END
    ] AS labels,
    s.rtt_ms AS value
FROM uw u
LEFT JOIN link_state s
    ON s.gateway = coalesce(u.disp_link_gateway, u.gateway)
    AND s.link = coalesce(u.disp_link, u.wan_link) AND s.minute = u.minute
WHERE coalesce(u.disp_link, u.wan_link) IS NOT NULL
