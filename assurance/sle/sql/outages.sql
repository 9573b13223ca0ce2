-- Outage displacement: clients seen on a gateway, WAN link or AP in the 5 minutes before an
-- outage of it began are charged a bad minute on it for each outage minute, for at most
-- wan_outage_charge_min minutes after the start (SIGNALS.md "Outage displacement").
CREATE OR REPLACE TEMP TABLE ap_state AS
SELECT a.site, a.ap, a.switch, a.switch_port, m.minute,
    coalesce(f.down, false) OR coalesce(f.ev_down, false) AS port_down,
    coalesce(f.lldp_down, false) AS lldp_down,
    coalesce(f.flap, false) AS flap,
    coalesce(f.poe, false) AS poe,
    100.0 * greatest(coalesce(f.d_crc, 0), coalesce(f.d_in_err, 0) + coalesce(f.d_out_err, 0))
        / nullif(f.d_in_pkts + f.d_out_pkts, 0) AS error_pct
FROM (
    -- each AP with the number of its switch port (if_state joins on it)
    SELECT d.*, i.ifk
    FROM d_ap d
    LEFT JOIN if_numbers i ON i.device = d.switch AND i.if_name = d.switch_port
    WHERE d.switch IS NOT NULL
) a
CROSS JOIN d_minute m
LEFT JOIN if_state f ON f.ifk = a.ifk AND f.minute = m.minute;

CREATE OR REPLACE TEMP TABLE outage AS
SELECT 'gateway' AS kind, site, device AS scope, device AS gateway, NULL AS link, NULL AS ap,
    minute, 'disconnected/no_telemetry' AS label
FROM dev_state WHERE kind = 'gateway' AND disconnected
UNION ALL
SELECT 'link', site, gateway || '/' || link, gateway, link, NULL, minute,
    CASE WHEN port_down THEN 'interface/port_down'
         WHEN probe_fail THEN 'isp_reachability/probe_failure'
         ELSE 'network/tunnel_down' END
FROM link_state WHERE port_down OR probe_fail OR tunnel_down
UNION ALL
SELECT 'ap', site, ap, NULL, NULL, ap, minute,
    CASE WHEN port_down THEN 'ap_disconnected/port_down' ELSE 'ap_disconnected/lldp_down' END
FROM ap_state WHERE port_down OR lldp_down;

CREATE OR REPLACE TEMP TABLE outage_runs AS
WITH marked AS (
    SELECT *,
        CASE WHEN lag(minute) OVER w IS NULL OR lag(minute) OVER w < minute - INTERVAL 1 MINUTE
            THEN minute END AS begins
    FROM outage
    WINDOW w AS (PARTITION BY kind, site, scope ORDER BY minute)
)
SELECT *, max(begins) OVER (
    PARTITION BY kind, site, scope ORDER BY minute ROWS UNBOUNDED PRECEDING) AS run_start
FROM marked;

CREATE OR REPLACE TEMP TABLE displaced AS
WITH runs AS (
    SELECT DISTINCT kind, site, scope, gateway, link, ap, run_start FROM outage_runs
), before AS (
    SELECT DISTINCT r.kind, r.site, r.scope, r.run_start, u.k
    FROM runs r
    JOIN presence_all u ON u.site = r.site
        AND u.minute >= r.run_start - INTERVAL 5 MINUTE AND u.minute < r.run_start
        AND ((r.kind = 'gateway' AND u.gateway = r.gateway)
            OR (r.kind = 'link' AND u.gateway = r.gateway AND u.wan_link = r.link)
            OR (r.kind = 'ap' AND u.ap = r.ap))
)
SELECT o.kind, o.site, b.k, o.minute, o.gateway, o.link, o.ap, o.label
FROM outage_runs o
JOIN d_site t ON t.site = o.site
JOIN before b ON b.kind = o.kind AND b.site = o.site AND b.scope = o.scope
    AND b.run_start = o.run_start
WHERE o.minute >= $start
    AND o.minute < o.run_start + to_minutes(t.wan_outage_charge_min::BIGINT)
