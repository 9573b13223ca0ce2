-- Roaming: roams of wireless clients in the minute; 802.11r/OKC against the fast-roam budget,
-- others against the standard one.
CREATE OR REPLACE TEMP VIEW l_roaming AS
SELECT u.rid, u.minute, u.site, u.k, u.gateway, u.wan_link, u.application,
    u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN u.roam_fail THEN 'failed_roam' END,
        CASE WHEN u.roam_type IN ('11r', 'ft') AND u.roam_ms > t.wireless_roaming_fast_ms
            THEN 'slow_11r_roam' END,
        CASE WHEN u.roam_type = 'okc' AND u.roam_ms > t.wireless_roaming_fast_ms
            THEN 'slow_okc_roam' END,
        CASE WHEN u.roam_type NOT IN ('11r', 'ft', 'okc')
            AND u.roam_ms > t.wireless_roaming_standard_ms THEN 'slow_standard_roam' END
    ] AS labels,
    u.roam_ms AS value
FROM uw u
JOIN d_site t ON t.site = u.site
WHERE u.active AND u.wireless AND u.roams > 0
