-- Application Health: the client's dominant application on its link; AppQoE measurements of
-- that application on the link when there are some, else the link's own probes.
CREATE OR REPLACE TEMP VIEW l_application_health AS
WITH app_sla_minute AS (
    SELECT r.gateway, r.link, coalesce(a.app, r.application) AS app, r.minute,
        avg(r.rtt_ms) AS rtt_ms, avg(r.jitter_ms) AS jitter_ms, avg(r.loss_pct) AS loss_pct
    FROM sla_rows r
    LEFT JOIN d_apptrack a ON a.apptrack = upper(r.application)
    WHERE r.source = 'appqoe' AND r.application IS NOT NULL
        -- the window's minutes and their neighbours (not the baseline history)
        AND r.minute >= (SELECT lb FROM d_window) - INTERVAL 1 MINUTE
    GROUP BY ALL
), app_sla AS (
    -- The same lasting-loss rule as the links: a loss minute counts when a neighbour has loss.
    SELECT * REPLACE (
        least(loss_pct, greatest(
            CASE WHEN lag(minute) OVER w = minute - INTERVAL 1 MINUTE
                THEN lag(loss_pct) OVER w END,
            CASE WHEN lead(minute) OVER w = minute + INTERVAL 1 MINUTE
                THEN lead(loss_pct) OVER w END,
            0)) AS loss_pct)
    FROM app_sla_minute
    WINDOW w AS (PARTITION BY gateway, link, app ORDER BY minute)
), m AS (
    SELECT u.*, s.util_up_pct, s.util_down_pct, s.util_threshold,
        coalesce(a.loss_pct, s.loss_pct) AS loss_pct,
        coalesce(a.rtt_ms, s.rtt_ms) AS rtt_ms,
        coalesce(a.jitter_ms, s.jitter_ms) AS jitter_ms,
        CASE WHEN a.app IS NOT NULL THEN 'appqoe' ELSE 'link' END AS via,
        coalesce(d.loss_pct, t.wan_link_loss_pct) AS loss_threshold,
        coalesce(d.rtt_ms, t.wan_link_latency_ms) AS latency_threshold,
        coalesce(d.jitter_ms, t.wan_link_jitter_ms) AS jitter_threshold,
        t.wan_app_reset_pct AS reset_threshold
    FROM uw u
    JOIN d_site t ON t.site = u.site
    LEFT JOIN link_state s
        ON s.gateway = u.gateway AND s.link = u.wan_link AND s.minute = u.minute
    LEFT JOIN app_sla a
        ON a.gateway = u.gateway AND a.link = u.wan_link AND a.app = u.application
        AND a.minute = u.minute
    LEFT JOIN d_app d ON d.app = u.application
    WHERE u.application IS NOT NULL AND u.wan_link IS NOT NULL AND u.active
)
SELECT rid, minute, site, k, gateway, wan_link, application, ap, switch, switch_port, band,
    [
        CASE WHEN util_up_pct > util_threshold THEN 'bandwidth/upload' END,
        CASE WHEN util_down_pct > util_threshold THEN 'bandwidth/download' END,
        CASE WHEN loss_pct > loss_threshold THEN 'loss/' || via END,
        CASE WHEN rtt_ms > latency_threshold THEN 'latency/' || via END,
        CASE WHEN jitter_ms > jitter_threshold THEN 'jitter/' || via END,
        CASE WHEN no_response > 0 THEN 'application_services/no_response' END,
        CASE WHEN closes > 0 AND 100.0 * resets / closes > reset_threshold
            THEN 'application_services/server_reset' END
    ] AS labels,
    rtt_ms AS value
FROM m
