-- Wireless Throughput: estimated throughput = PHY rate × the free share of the channel.
CREATE OR REPLACE TEMP VIEW l_wireless_throughput AS
WITH m AS (
    SELECT u.*, t.wireless_throughput_mbps AS need, t.wireless_coverage_rssi_dbm AS rssi_min,
        t.wireless_capacity_available_pct AS busy_max,
        u.rate_mbps * (1 - coalesce(u.chan_util, 0) / 100.0) AS estimate
    FROM uw u
    JOIN d_site t ON t.site = u.site
    WHERE u.active AND u.wireless AND u.rate_mbps IS NOT NULL
), l AS (
    SELECT *,
        labels_of([
            CASE WHEN rssi < rssi_min THEN 'coverage' END,
            CASE WHEN coalesce(util_non_wifi, 0) + coalesce(util_other_bss, 0) > busy_max
                THEN 'interference' END,
            CASE WHEN chan_util > busy_max THEN 'capacity' END,
            CASE WHEN max_rate_mbps < need * 2 OR band = '2.4' THEN 'device_capability' END
        ]) AS causes
    FROM m
)
SELECT rid, minute, site, k, gateway, wan_link, application, ap, switch, switch_port, band,
    CASE WHEN estimate >= need THEN []::VARCHAR[]
         WHEN len(causes) > 0 THEN causes
         ELSE ['network_issues'] END AS labels,
    estimate AS value
FROM l
