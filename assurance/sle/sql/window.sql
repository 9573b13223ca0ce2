-- The user minutes of the job's window: active client-minutes plus displaced ones, with the
-- scope each outage is charged to, and the client's connect/RF events of the minute.
CREATE OR REPLACE TEMP MACRO labels_of(l) AS list_filter(l, lambda x: x IS NOT NULL);
CREATE OR REPLACE TEMP MACRO dedup(l) AS list_filter(l, lambda v, i: list_position(l, v) = i);

CREATE OR REPLACE TEMP TABLE ce_min AS
SELECT k, minute_of(event_time) AS minute,
    count(*) FILTER (WHERE event_type IN ('assoc', 'auth', 'dhcp', 'dns')) AS attempts,
    bool_or(event_type IN ('assoc', 'auth', 'dhcp', 'dns') AND coalesce(result, 'ok') = 'ok')
        AS connect_ok,
    min(coalesce(reason, 'unknown')) FILTER (WHERE event_type = 'assoc' AND result = 'fail')
        AS assoc_fail,
    min(coalesce(reason, 'unknown')) FILTER (WHERE event_type = 'auth' AND result = 'fail')
        AS auth_fail,
    min(coalesce(reason, 'unknown')) FILTER (WHERE event_type = 'dhcp' AND result = 'fail')
        AS dhcp_fail,
    min(coalesce(reason, 'unknown')) FILTER (WHERE event_type = 'dns' AND result = 'fail')
        AS dns_fail,
    sum(duration_ms) FILTER (WHERE event_type = 'assoc' AND coalesce(result, 'ok') = 'ok')
        AS assoc_ms,
    sum(duration_ms) FILTER (WHERE event_type = 'auth' AND coalesce(result, 'ok') = 'ok')
        AS auth_ms,
    sum(duration_ms) FILTER (WHERE event_type = 'dhcp' AND coalesce(result, 'ok') = 'ok')
        AS dhcp_ms,
    sum(duration_ms) FILTER (WHERE event_type = 'dns' AND coalesce(result, 'ok') = 'ok')
        AS dns_ms,
    count(*) FILTER (WHERE event_type = 'roam') AS roams,
    bool_or(event_type = 'roam' AND result = 'fail') AS roam_fail,
    max(duration_ms) FILTER (WHERE event_type = 'roam') AS roam_ms,
    arg_max(coalesce(roam_type, 'standard'), coalesce(duration_ms, 0))
        FILTER (WHERE event_type = 'roam') AS roam_type,
    avg(channel_util) AS chan_util, avg(util_other_bss) AS util_other_bss,
    avg(util_non_wifi) AS util_non_wifi, avg(rate_mbps) AS rate_mbps,
    max(max_rate_mbps) AS max_rate_mbps, min(ap_uptime_s) AS ap_uptime_s
FROM in_clients
-- only the window's minutes are joined (the look-back serves identity)
WHERE k IS NOT NULL AND event_time >= $start
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE rssi_min AS
WITH m AS (
    SELECT k, minute_of(event_time) AS minute, avg(rssi_dbm) AS rssi
    FROM in_clients
    -- an RSSI holds at most 5 minutes: older ones cannot reach the window
    WHERE rssi_dbm IS NOT NULL AND k IS NOT NULL
        AND event_time >= $start - INTERVAL 5 MINUTE
    GROUP BY ALL
), spans AS (
    SELECT *, lead(minute) OVER (PARTITION BY k ORDER BY minute) AS next_minute
    FROM m
)
-- Each RSSI holds for its minute and up to 5 minutes after, until the next one.
SELECT k, rssi,
    unnest(generate_series(minute,
        least(coalesce(next_minute - INTERVAL 1 MINUTE, minute + INTERVAL 5 MINUTE),
            minute + INTERVAL 5 MINUTE),
        INTERVAL 1 MINUTE)) AS minute
FROM spans;

CREATE OR REPLACE TEMP TABLE uw_rows AS
WITH disp AS (
    SELECT site, k, minute,
        any_value(gateway) FILTER (WHERE kind = 'gateway') AS disp_gateway,
        any_value(gateway) FILTER (WHERE kind = 'link') AS disp_link_gateway,
        any_value(link) FILTER (WHERE kind = 'link') AS disp_link,
        any_value(ap) FILTER (WHERE kind = 'ap') AS disp_ap
    FROM displaced GROUP BY ALL
), base AS (
    SELECT u.*, d.disp_gateway, d.disp_link_gateway, d.disp_link, d.disp_ap
    FROM um u
    LEFT JOIN disp d USING (k, minute)
    UNION ALL BY NAME
    SELECT d.minute, d.site, d.k,
        coalesce(d.disp_gateway, d.disp_link_gateway) AS gateway,
        d.disp_link AS wan_link, d.disp_ap AS ap,
        d.disp_ap IS NOT NULL AS wireless,
        0 AS bytes_up, 0 AS bytes_down, 0 AS flows, 'displaced' AS evidence_sources,
        0 AS closes, 0 AS resets, 0 AS no_response,
        d.disp_gateway, d.disp_link_gateway, d.disp_link, d.disp_ap
    FROM disp d
    ANTI JOIN um u USING (k, minute)
    WHERE d.minute >= $start AND d.minute < $end
)
SELECT b.*,
    CASE WHEN b.disp_gateway IS NOT NULL OR b.disp_link IS NOT NULL OR b.disp_ap IS NOT NULL
        THEN true ELSE false END AS displaced,
    b.evidence_sources <> 'displaced' AS active,
    c.attempts, c.connect_ok, c.assoc_fail, c.auth_fail, c.dhcp_fail, c.dns_fail,
    c.assoc_ms, c.auth_ms, c.dhcp_ms, c.dns_ms, c.roams, c.roam_fail, c.roam_ms, c.roam_type,
    c.chan_util, c.util_other_bss, c.util_non_wifi, c.rate_mbps, c.max_rate_mbps, c.ap_uptime_s,
    r.rssi
FROM base b
LEFT JOIN ce_min c USING (k, minute)
LEFT JOIN rssi_min r USING (k, minute);

-- ``rid`` (the row's id in uw_rows) joins each SLE's verdict back onto its user minute.
CREATE OR REPLACE TEMP VIEW uw AS SELECT rowid AS rid, * FROM uw_rows
