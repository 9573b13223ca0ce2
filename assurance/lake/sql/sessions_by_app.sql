-- Closed sessions per site and application (AppID nested application where the SRX named one),
-- with the volume each way: what RT_FLOW / APPTRACK close records say users did. Devices
-- missing from the inventory come last.
SELECT
    site IS NOT NULL                                                    AS in_inventory,
    coalesce(site, '(unknown)')                                         AS site_name,
    coalesce(nullif(nested_application, 'N/A'), application, '(none)')   AS app,
    count(*)                                                            AS sessions,
    sum(bytes_from_client)                                              AS bytes_up,
    sum(bytes_from_server)                                              AS bytes_down
FROM sessions
WHERE event_type = 'session_close' AND event_time >= $since
GROUP BY ALL
ORDER BY in_inventory DESC, site_name, bytes_down DESC
