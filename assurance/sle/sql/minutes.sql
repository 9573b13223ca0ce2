-- The active client-minutes of the window (um): each client's traffic, events and presence by
-- minute with the attributes in force, and where clients were for outage displacement. The
-- identity stage's address-level tables are dropped before this one runs (memory for um).

-- The client's attributes as of the end of each minute it had events in: the running latest
-- non-null value of each, kept at the minute's last event. Most events carry the MAC, AP and
-- band; the other attributes come with few events (connects, DHCP, 802.1X), so they are carried
-- forward over those events alone and joined as of each kept event: the last of the events at
-- one time holds the values of all of them.
CREATE OR REPLACE TEMP TABLE attr_min AS
WITH dense AS (
    SELECT
        k, event_time AS t,
        last_value(client_mac IGNORE NULLS) OVER w AS mac,
        last_value(ap IGNORE NULLS) OVER w AS ap,
        last_value(CASE WHEN ap IS NOT NULL THEN event_type END IGNORE NULLS) OVER w AS ap_event,
        last_value(band IGNORE NULLS) OVER w AS band,
        lead(event_time) OVER w AS t_next
    FROM in_clients
    WHERE k IS NOT NULL
    WINDOW w AS (
        PARTITION BY k ORDER BY event_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
), kept AS (
    SELECT * FROM dense WHERE t_next IS NULL OR minute_of(t_next) <> minute_of(t)
), sparse AS (
    SELECT * FROM (
        SELECT
            k, event_time AS t,
            last_value(client_ip IGNORE NULLS) OVER w AS ip,
            last_value(ssid IGNORE NULLS) OVER w AS ssid,
            last_value(os IGNORE NULLS) OVER w AS os,
            last_value(hostname IGNORE NULLS) OVER w AS hostname,
            last_value(username IGNORE NULLS) OVER w AS username,
            last_value(switch_port IGNORE NULLS) OVER w AS port,
            last_value(CASE WHEN switch_port IS NOT NULL THEN device END IGNORE NULLS) OVER w
                AS port_device,
            lead(event_time) OVER w AS t_next
        FROM in_clients
        WHERE k IS NOT NULL AND (client_ip IS NOT NULL OR ssid IS NOT NULL OR os IS NOT NULL
            OR hostname IS NOT NULL OR username IS NOT NULL OR switch_port IS NOT NULL)
        WINDOW w AS (
            PARTITION BY k ORDER BY event_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        )
    )
    WHERE t_next IS NULL OR t_next <> t
)
SELECT d.k, d.mac, s.ip, d.ap, d.ap_event, d.band, s.ssid, s.os, s.hostname, s.username, s.port,
    s.port_device, minute_of(d.t) AS minute
FROM kept d
ASOF LEFT JOIN sparse s ON s.k = d.k AND d.t >= s.t;

CREATE OR REPLACE TEMP TABLE um AS
WITH by_client AS (
    SELECT minute, k,
        any_value(client_mac) AS client_mac,
        arg_max(client_ip, b) AS client_ip,
        arg_max(gateway, b) AS gateway,
        arg_max(link, b) FILTER (WHERE link IS NOT NULL) AS link,
        arg_max(overlay, b) FILTER (WHERE link IS NOT NULL) AS overlay,
        arg_max(app, b) FILTER (WHERE app IS NOT NULL) AS app,
        sum(bytes_up) AS bytes_up, sum(bytes_down) AS bytes_down, sum(flows) AS flows,
        bool_or(from_flows) AS from_flows, bool_or(from_sessions) AS from_sessions,
        sum(closes) AS closes, sum(resets) AS resets, sum(no_response) AS no_response
    FROM ipk WHERE minute >= $start GROUP BY minute, k
), events AS (
    SELECT DISTINCT minute_of(event_time) AS minute, k
    FROM in_clients
    WHERE k IS NOT NULL AND event_time >= $start
), presence_ev AS (
    SELECT k, event_time AS t,
        CASE
            WHEN event_type IN ('disassoc', 'disconnect')
                OR (event_type IN ('assoc', 'auth') AND result = 'fail') THEN false
            WHEN event_type IN ('assoc', 'auth', 'roam', 'rssi', 'dhcp')
                AND coalesce(result, 'ok') = 'ok' THEN true
        END AS connected
    FROM in_clients
    WHERE k IS NOT NULL
), spans AS (
    SELECT *, lead(t) OVER (PARTITION BY k ORDER BY t) AS t_next
    FROM presence_ev WHERE connected IS NOT NULL
), present AS (
    -- A connect-state event holds from its minute until the minute before the next one ends,
    -- for at most 60 minutes; a connected one makes the client present in those minutes.
    SELECT DISTINCT k, minute FROM (
        SELECT k, unnest(generate_series(
            greatest(minute_of(t), $start::TIMESTAMPTZ),
            least(
                minute_of(coalesce(t_next - INTERVAL 1 MINUTE, $end::TIMESTAMPTZ)),
                minute_of(t + INTERVAL 59 MINUTE - INTERVAL 1 MICROSECOND),
                $end::TIMESTAMPTZ - INTERVAL 1 MINUTE),
            INTERVAL 1 MINUTE)) AS minute
        FROM spans WHERE connected
    )
), keys AS (
    SELECT minute, k FROM by_client
    UNION
    SELECT minute, k FROM events
    UNION
    SELECT minute, k FROM present
), found AS (
    -- the client's latest minute with events at or before this one: the as-of join sorts the
    -- keys only, the attributes are fetched by row after; older than an hour they are not
    -- carried (the same for any window length)
    SELECT ks.minute, ks.k,
        CASE WHEN a.minute > ks.minute - INTERVAL 60 MINUTE THEN a.arow END AS arow
    FROM keys ks
    ASOF LEFT JOIN (SELECT k, minute, rowid AS arow FROM attr_min) a
        ON a.k = ks.k AND ks.minute >= a.minute
), joined AS (
    SELECT ks.minute, ks.k, ks.arow, c.* EXCLUDE (minute, k),
        e.minute IS NOT NULL AS from_events
    FROM found ks
    LEFT JOIN by_client c USING (minute, k)
    LEFT JOIN events e USING (minute, k)
), attributed AS (
    -- the attributes the SLEs read (the client's names are looked up by ``arow`` on output)
    SELECT j.*, a.ap AS a_ap, a.ap_event AS a_ap_event, a.band AS a_band, a.port AS a_port,
        a.port_device AS a_port_device
    FROM joined j
    LEFT JOIN (SELECT rowid AS arow, ap, ap_event, band, port, port_device FROM attr_min) a
        ON a.arow = j.arow
)
SELECT
    j.minute, dc.site, j.k, j.arow,
    j.client_mac AS traffic_mac, j.client_ip AS traffic_ip,
    (j.a_ap_event IS NOT NULL AND j.a_ap_event <> 'disassoc') AS wireless,
    CASE WHEN j.a_ap_event IS NOT NULL AND j.a_ap_event <> 'disassoc' THEN j.a_band END AS band,
    j.gateway, j.link AS wan_link, j.overlay AS overlay_path, j.app AS application,
    CASE WHEN j.a_ap_event IS NOT NULL AND j.a_ap_event <> 'disassoc' THEN j.a_ap END AS ap,
    CASE WHEN j.a_ap_event IS NOT NULL AND j.a_ap_event <> 'disassoc'
        THEN dap.switch ELSE j.a_port_device END AS switch,
    CASE WHEN j.a_ap_event IS NOT NULL AND j.a_ap_event <> 'disassoc'
        THEN dap.switch_port ELSE j.a_port END AS switch_port,
    coalesce(j.bytes_up, 0) AS bytes_up, coalesce(j.bytes_down, 0) AS bytes_down,
    coalesce(j.flows, 0) AS flows,
    concat_ws(',',
        CASE WHEN j.from_flows THEN 'flows' END,
        CASE WHEN j.from_sessions THEN 'sessions' END,
        CASE WHEN j.from_events OR NOT coalesce(j.from_flows OR j.from_sessions, false)
            THEN 'client_events' END) AS evidence_sources,
    coalesce(j.closes, 0) AS closes, coalesce(j.resets, 0) AS resets,
    coalesce(j.no_response, 0) AS no_response
FROM attributed j
JOIN d_client dc ON dc.k = j.k
LEFT JOIN d_ap dap ON dap.site = dc.site AND dap.ap = j.a_ap
;

-- Where clients were during the look-back before the window (gateway and link from traffic, AP
-- from Wi-Fi events), and in the window itself: the scopes an outage may displace them from.
CREATE OR REPLACE TEMP TABLE presence_all AS
SELECT minute, site, k, gateway, link AS wan_link, NULL::VARCHAR AS ap
FROM ipk
WHERE minute < $start
UNION ALL
SELECT DISTINCT minute_of(event_time), site, k, NULL, NULL, ap
FROM in_clients
WHERE ap IS NOT NULL AND event_type <> 'disassoc' AND event_time >= $lb AND event_time < $start
    AND k IS NOT NULL
UNION ALL
SELECT minute, site, k, gateway, wan_link, ap FROM um
