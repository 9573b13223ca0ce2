-- Per exporter: where the inventory puts it, how much it sent and when.
-- Exporters missing from the inventory are kept in the lake with a null site; they are listed
-- last, so they can be added to the inventory.
SELECT
    exporter,
    site IS NOT NULL                        AS in_inventory,
    coalesce(site, '(unknown)')             AS site_name,
    coalesce(device, '(unknown)')           AS device_name,
    count(*)                                AS flow_records,
    sum(bytes * coalesce(sampling_rate, 1)) AS bytes,
    min(event_time)                         AS first_seen,
    max(event_time)                         AS last_seen
FROM flows
WHERE event_time >= $since
GROUP BY ALL
ORDER BY in_inventory DESC, site_name, device_name, exporter
