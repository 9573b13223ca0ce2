-- Capacity: channel utilisation by others; the classifier is its largest part.
CREATE OR REPLACE TEMP VIEW l_capacity AS
WITH m AS (
    SELECT u.*, t.wireless_capacity_available_pct AS busy_max,
        coalesce(u.util_non_wifi, 0) AS p_non_wifi,
        coalesce(u.util_other_bss, 0) AS p_wifi,
        greatest(u.chan_util - coalesce(u.util_non_wifi, 0) - coalesce(u.util_other_bss, 0), 0)
            AS p_load
    FROM uw u
    JOIN d_site t ON t.site = u.site
    WHERE u.active AND u.wireless AND u.chan_util IS NOT NULL
), l AS (
    SELECT *,
        CASE WHEN p_non_wifi >= p_wifi AND p_non_wifi >= p_load THEN 'non_wifi_interference'
             WHEN p_wifi >= p_load THEN 'wifi_interference'
             ELSE 'ap_load' END AS largest
    FROM m
)
SELECT rid, minute, site, k, gateway, wan_link, application, ap, switch, switch_port, band,
    CASE WHEN chan_util <= busy_max THEN []::VARCHAR[]
         ELSE dedup([largest] || labels_of([
            CASE WHEN p_non_wifi > 0 THEN 'non_wifi_interference' END,
            CASE WHEN p_wifi > 0 THEN 'wifi_interference' END,
            CASE WHEN p_load > 0 THEN 'ap_load' END])) END AS labels,
    chan_util AS value
FROM l
