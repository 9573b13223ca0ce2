-- Successful Connects: association, 802.1X/PSK authorization, DHCP and DNS results of wireless
-- clients in the minute.
CREATE OR REPLACE TEMP VIEW l_successful_connects AS
SELECT u.rid, u.minute, u.site, u.k, u.gateway, u.wan_link, u.application,
    u.ap, u.switch, u.switch_port, u.band,
    [
        CASE WHEN u.assoc_fail IS NOT NULL THEN 'association/' || u.assoc_fail END,
        CASE WHEN u.auth_fail IS NOT NULL THEN 'authorization/' || u.auth_fail END,
        CASE WHEN u.dhcp_fail IS NOT NULL THEN 'dhcp/' || u.dhcp_fail END,
        CASE WHEN u.dns_fail IS NOT NULL THEN 'dns/' || u.dns_fail END
    ] AS labels,
    CAST((u.assoc_fail IS NOT NULL)::INT + (u.auth_fail IS NOT NULL)::INT
        + (u.dhcp_fail IS NOT NULL)::INT + (u.dns_fail IS NOT NULL)::INT AS DOUBLE) AS value
FROM uw u
WHERE u.active AND u.wireless AND u.attempts > 0
