-- Per exporter: where the inventory puts it, how much it sent and when.
-- Unknown exporters (not in the inventory) are kept in the lake with a null site; they are listed
-- here so they can be added to the inventory.
SELECT
    exporter,
    coalesce(site, '(unknown)')        AS site,
    coalesce(device, '(unknown)')      AS device,
    count(*)                           AS flow_records,
    sum(bytes * coalesce(sampling_rate, 1)) AS bytes,
    min(event_time)                    AS first_seen,
    max(event_time)                    AS last_seen
FROM flows
WHERE event_time >= $since
GROUP BY ALL
ORDER BY site, device, exporter
