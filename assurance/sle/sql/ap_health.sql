-- AP Health: the client's AP (or the AP that disconnected under it), seen from its switch port
-- and its own uptime.
CREATE OR REPLACE TEMP VIEW l_ap_health AS
SELECT u.rid, u.minute, u.site, u.k, u.gateway, u.wan_link, u.application,
    coalesce(u.disp_ap, u.ap) AS ap, coalesce(s.switch, u.switch) AS switch,
    coalesce(s.switch_port, u.switch_port) AS switch_port, u.band,
    [
        CASE WHEN s.port_down THEN 'ap_disconnected/port_down' END,
        CASE WHEN s.lldp_down THEN 'ap_disconnected/lldp_down' END,
        CASE WHEN s.flap THEN 'ap_reboot/port_flap' END,
        CASE WHEN u.ap_uptime_s < 60 THEN 'ap_reboot/uptime' END,
        CASE WHEN s.poe THEN 'low_power/poe' END,
        CASE WHEN s.error_pct > t.wired_throughput_error_pct THEN 'ethernet_errors' END
    ] AS labels,
    s.error_pct AS value
FROM uw u
JOIN d_site t ON t.site = u.site
LEFT JOIN ap_state s ON s.ap = coalesce(u.disp_ap, u.ap) AND s.minute = u.minute
    AND s.site = u.site
WHERE (u.wireless AND u.active AND u.ap IS NOT NULL) OR u.disp_ap IS NOT NULL
