-- Coverage: the wireless client's RSSI in the minute (or the last one within 5 minutes).
CREATE OR REPLACE TEMP VIEW l_coverage AS
SELECT u.rid, u.minute, u.site, u.k, u.gateway, u.wan_link, u.application,
    u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN u.rssi < t.wireless_coverage_rssi_dbm
            THEN 'weak_signal/' || coalesce(u.band, 'unknown') END
    ] AS labels,
    u.rssi AS value
FROM uw u
JOIN d_site t ON t.site = u.site
WHERE u.active AND u.wireless AND u.rssi IS NOT NULL
