-- Gateway Bandwidth: queue drops and headroom on the link the client's traffic used.
CREATE OR REPLACE TEMP VIEW l_gateway_bandwidth AS
SELECT u.rid, u.minute, u.site, u.k, u.gateway, u.wan_link, u.application,
    u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN s.drop_pct > s.drop_threshold THEN 'queue_drops/' || u.wan_link END,
        CASE WHEN s.util_up_pct > s.util_threshold THEN 'headroom/upload' END,
        CASE WHEN s.util_down_pct > s.util_threshold THEN 'headroom/download' END
    ] AS labels,
    greatest(s.util_up_pct, s.util_down_pct) AS value
FROM uw u
LEFT JOIN link_state s ON s.gateway = u.gateway AND s.link = u.wan_link AND s.minute = u.minute
WHERE u.wan_link IS NOT NULL AND u.active
