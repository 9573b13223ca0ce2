-- Per client address (``ck``) and minute: bytes, flows, and the gateway, link and app carrying most bytes.
CREATE OR REPLACE TEMP TABLE ct AS
SELECT
    f.minute, f.ck, f.gateway, l.link, l.overlay, s.app,
    sum(CASE WHEN f.up THEN f.b ELSE 0 END) AS bytes_up,
    sum(CASE WHEN f.up THEN 0 ELSE f.b END) AS bytes_down,
    count(*) AS flows
FROM cf f
LEFT JOIN d_iflink l ON l.gateway = f.gateway AND l.if_index = f.wan_if
LEFT JOIN d_server s
    ON s.addr = f.server AND s.protocol IS NOT DISTINCT FROM f.protocol
    AND s.port IS NOT DISTINCT FROM f.server_port
GROUP BY ALL;

-- Session closes of LAN clients; the application from AppID (nested first), mapped to the
-- inventory app when one of its apptrack names matches.
CREATE OR REPLACE TEMP TABLE cs AS
WITH s AS (
    SELECT
        minute_of(s.event_time) AS minute, d_lan.ck,
        s.device AS gateway, s.b, s.protocol, s.packets_from_server, s.close_reason,
        s.egress_interface,
        CASE
            WHEN upper(coalesce(s.nested_application, ''))
                NOT IN ('', 'UNKNOWN', 'NONE', 'N/A', 'INCOMPLETE')
                THEN coalesce(a1.app, s.nested_application)
            WHEN upper(coalesce(s.application, ''))
                NOT IN ('', 'UNKNOWN', 'NONE', 'N/A', 'INCOMPLETE')
                THEN coalesce(a2.app, s.application)
        END AS app
    FROM in_sessions s
    JOIN d_lan ON d_lan.site = s.site AND d_lan.addr = s.src_addr
    LEFT JOIN d_apptrack a1 ON a1.apptrack = upper(s.nested_application)
    LEFT JOIN d_apptrack a2 ON a2.apptrack = upper(s.application)
)
SELECT
    s.minute, s.ck,
    arg_max(s.gateway, s.b) AS gateway,
    arg_max(l.link, s.b) FILTER (WHERE l.link IS NOT NULL) AS link,
    arg_max(l.overlay, s.b) FILTER (WHERE l.link IS NOT NULL) AS overlay,
    arg_max(s.app, s.b) FILTER (WHERE s.app IS NOT NULL) AS app,
    count(*) AS closes,
    count(*) FILTER (WHERE s.close_reason IN
        ('TCP SERVER RST', 'TCP RST', 'ICMP error', 'application failure or action')) AS resets,
    count(*) FILTER (WHERE s.protocol = 6 AND s.packets_from_server = 0) AS no_response
FROM s
LEFT JOIN d_ifl l ON l.gateway = s.gateway AND l.if_name = s.egress_interface
GROUP BY ALL
