-- Time to Connect: successful connects of wireless clients; a step is flagged when above half
-- the budget or connect_sigma standard deviations above the site's mean for that step (over
-- the hour before and the hour of the minute, at least 20 samples).
CREATE OR REPLACE TEMP VIEW l_time_to_connect AS
WITH steps AS (
    SELECT c.site, hour_of(c.event_time) AS h, c.event_type, c.duration_ms
    FROM in_clients c
    WHERE c.event_type IN ('assoc', 'auth', 'dhcp', 'dns') AND c.duration_ms IS NOT NULL
        AND coalesce(c.result, 'ok') = 'ok'
), hours AS (
    SELECT DISTINCT hour_of(minute) AS h FROM d_minute WHERE minute >= (SELECT start FROM d_window)
), stats AS (
    SELECT s.site, hr.h, s.event_type,
        CASE WHEN count(*) >= 20 THEN avg(s.duration_ms) + t.wireless_connect_sigma
            * stddev_pop(s.duration_ms) END AS limit_ms
    FROM steps s
    JOIN d_site t ON t.site = s.site
    JOIN hours hr ON s.h IN (hr.h, hr.h - INTERVAL 1 HOUR)
    GROUP BY s.site, hr.h, s.event_type, t.wireless_connect_sigma
), st AS (
    SELECT site, h,
        any_value(limit_ms) FILTER (WHERE event_type = 'assoc') AS assoc_lim,
        any_value(limit_ms) FILTER (WHERE event_type = 'auth') AS auth_lim,
        any_value(limit_ms) FILTER (WHERE event_type = 'dhcp') AS dhcp_lim,
        any_value(limit_ms) FILTER (WHERE event_type = 'dns') AS dns_lim
    FROM stats GROUP BY ALL
), m AS (
    SELECT u.*, t.wireless_time_to_connect_s * 1000 AS budget,
        coalesce(u.assoc_ms, 0) + coalesce(u.auth_ms, 0) + coalesce(u.dhcp_ms, 0)
            + coalesce(u.dns_ms, 0) AS total_ms,
        st.assoc_lim, st.auth_lim, st.dhcp_lim, st.dns_lim
    FROM uw u
    JOIN d_site t ON t.site = u.site
    LEFT JOIN st ON st.site = u.site AND st.h = hour_of(u.minute)
    WHERE u.active AND u.wireless AND u.connect_ok AND u.assoc_fail IS NULL
        AND u.auth_fail IS NULL AND u.dhcp_fail IS NULL AND u.dns_fail IS NULL
), flagged AS (
    SELECT *,
        labels_of([
            CASE WHEN assoc_ms > budget / 2 OR assoc_ms > assoc_lim THEN 'association' END,
            CASE WHEN auth_ms > budget / 2 OR auth_ms > auth_lim THEN 'authorization' END,
            CASE WHEN dhcp_ms > budget / 2 OR dhcp_ms > dhcp_lim THEN 'dhcp' END,
            CASE WHEN dns_ms > budget / 2 OR dns_ms > dns_lim THEN 'ip_services' END
        ]) AS steps_flagged,
        CASE greatest(coalesce(assoc_ms, 0), coalesce(auth_ms, 0), coalesce(dhcp_ms, 0),
                coalesce(dns_ms, 0))
            WHEN coalesce(assoc_ms, 0) THEN 'association'
            WHEN coalesce(auth_ms, 0) THEN 'authorization'
            WHEN coalesce(dhcp_ms, 0) THEN 'dhcp'
            ELSE 'ip_services' END AS longest
    FROM m
)
SELECT rid, minute, site, k, gateway, wan_link, application, ap, switch, switch_port, band,
    CASE WHEN total_ms <= budget THEN []::VARCHAR[]
         WHEN len(steps_flagged) > 0 THEN steps_flagged
         ELSE [longest] END AS labels,
    total_ms / 1000.0 AS value
FROM flagged
