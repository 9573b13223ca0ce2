-- Identity and path (see SIGNALS.md "Identity and path"): each client address-minute with its
-- traffic, path and app, the MAC bound to the address, and every client of the job numbered.
CREATE OR REPLACE TEMP TABLE ipm AS
WITH tr AS (
    SELECT minute, ck, sum(bytes_up) AS bytes_up, sum(bytes_down) AS bytes_down, sum(flows) AS flows
    FROM ct GROUP BY ALL
), per_link AS (
    SELECT minute, ck, gateway, link, overlay, sum(bytes_up + bytes_down) AS b
    FROM ct GROUP BY ALL
), lk AS (
    SELECT minute, ck,
        arg_max(gateway, b) AS gateway,
        arg_max(link, b) FILTER (WHERE link IS NOT NULL) AS link,
        arg_max(overlay, b) FILTER (WHERE link IS NOT NULL) AS overlay
    FROM per_link GROUP BY ALL
), per_app AS (
    SELECT minute, ck, app, sum(bytes_up + bytes_down) AS b
    FROM ct WHERE app IS NOT NULL GROUP BY ALL
), ap AS (
    SELECT minute, ck, arg_max(app, b) AS app FROM per_app GROUP BY ALL
)
SELECT
    coalesce(tr.minute, cs.minute) AS minute,
    coalesce(tr.ck, cs.ck) AS ck,
    coalesce(lk.gateway, cs.gateway) AS gateway,
    coalesce(lk.link, cs.link) AS link,
    coalesce(lk.overlay, cs.overlay) AS overlay,
    coalesce(cs.app, ap.app) AS app,
    coalesce(tr.bytes_up, 0) AS bytes_up,
    coalesce(tr.bytes_down, 0) AS bytes_down,
    coalesce(tr.flows, 0) AS flows,
    coalesce(tr.bytes_up + tr.bytes_down, 0) AS b,
    tr.minute IS NOT NULL AS from_flows,
    cs.minute IS NOT NULL AS from_sessions,
    coalesce(cs.closes, 0) AS closes,
    coalesce(cs.resets, 0) AS resets,
    coalesce(cs.no_response, 0) AS no_response
FROM tr
LEFT JOIN lk USING (minute, ck)
LEFT JOIN ap USING (minute, ck)
FULL JOIN cs ON cs.minute = tr.minute AND cs.ck = tr.ck;

-- IP -> MAC: the binding in force at the minute (the latest client event carrying both, at most
-- 24 h old), for every client address of the window and the look-back.
CREATE OR REPLACE TEMP TABLE bind AS
SELECT l.ck, b.client_mac, max(b.event_time) AS t
FROM in_bindings b
JOIN d_lan l ON l.site = b.site AND l.addr = b.client_ip
GROUP BY l.ck, b.client_mac, minute_of(b.event_time);

-- The traffic rows with their site, IP and that MAC (ipm holds one row per address and minute):
-- each binding holds from its time until the next one of the same address, so a hash join on
-- the address finds it (bindings are few; sorting every traffic row for an as-of join costs
-- more).
CREATE OR REPLACE TEMP TABLE ipx AS
WITH spans AS (
    SELECT *, lead(t) OVER (PARTITION BY ck ORDER BY t) AS t_next FROM bind
)
SELECT i.*, l.site, l.addr AS client_ip,
    CASE WHEN b.t > i.minute + INTERVAL 1 MINUTE - INTERVAL 24 HOUR THEN b.client_mac END AS mac
FROM ipm i
JOIN d_lan l ON l.ck = i.ck
LEFT JOIN spans b
    ON b.ck = i.ck AND i.minute + INTERVAL 1 MINUTE > b.t
    AND (b.t_next IS NULL OR i.minute + INTERVAL 1 MINUTE <= b.t_next);

-- Every client of the job (site and id: MAC when known, else IP) numbered once, so that the
-- per-minute work (minutes.sql) groups, joins and sorts on an integer ``k``, not two strings.
CREATE OR REPLACE TEMP TABLE d_client AS
SELECT site, cid, (row_number() OVER ())::INTEGER AS k FROM (
    SELECT site, coalesce(mac, client_ip) AS cid FROM ipx
    UNION
    SELECT site, coalesce(client_mac, client_ip) FROM in_clients
    WHERE coalesce(client_mac, client_ip) IS NOT NULL
);

-- Client events with their client's number (null when the event names no client).
CREATE OR REPLACE TEMP TABLE in_clients AS
SELECT c.*, d.k
FROM in_clients c
LEFT JOIN d_client d ON d.site = c.site AND d.cid = coalesce(c.client_mac, c.client_ip);

CREATE OR REPLACE TEMP TABLE ipk AS
SELECT i.* EXCLUDE (mac), i.mac AS client_mac, d.k
FROM ipx i JOIN d_client d ON d.site = i.site AND d.cid = coalesce(i.mac, i.client_ip);
