-- Gateway Health: the gateway the client's traffic used (or the one that went silent under it).
CREATE OR REPLACE TEMP VIEW l_gateway_health AS
SELECT u.rid, u.minute, u.site, u.k,
    coalesce(u.disp_gateway, u.gateway) AS gateway, u.wan_link, u.application,
    u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN s.disconnected THEN 'disconnected/no_telemetry' END,
        CASE WHEN s.power_bad THEN 'power/psu' END,
        CASE WHEN s.temp_c > t.wan_gateway_temperature_c
            THEN 'temperature/' || coalesce(s.temp_component, 'chassis') END,
        CASE WHEN s.cpu_cp > t.wan_gateway_cpu_pct THEN 'cpu/control_plane' END,
        CASE WHEN s.cpu_dp > t.wan_gateway_cpu_pct THEN 'cpu/data_plane' END,
        CASE WHEN s.mem_cp > t.wan_gateway_memory_pct THEN 'memory/control_plane' END,
        CASE WHEN s.mem_dp > t.wan_gateway_memory_pct THEN 'memory/data_plane' END,
        CASE WHEN s.session_pct > t.wan_gateway_session_pct THEN 'session_table/spu' END
    ] AS labels,
    greatest(s.cpu_cp, s.cpu_dp) AS value
FROM uw u
JOIN d_site t ON t.site = u.site
LEFT JOIN dev_state s
    ON s.device = coalesce(u.disp_gateway, u.gateway) AND s.minute = u.minute
WHERE coalesce(u.disp_gateway, u.gateway) IS NOT NULL
