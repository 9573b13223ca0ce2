-- Client flows of the shard: the LAN end is the client, the other end the server; the WAN
-- interface (egress for upload, ingress for download) is resolved to an inventory link.
CREATE OR REPLACE TEMP TABLE d_iflink AS
WITH names AS (
    SELECT DISTINCT device, if_index, if_name FROM in_ifstats WHERE if_index IS NOT NULL
    UNION
    SELECT DISTINCT device, if_index, if_name FROM in_flow_options
    WHERE if_index IS NOT NULL AND if_name IS NOT NULL
)
SELECT n.device AS gateway, n.if_index, min(l.link) AS link, min(l.overlay) AS overlay
FROM names n JOIN d_ifl l ON l.gateway = n.device AND l.if_name = n.if_name
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE cf AS
SELECT
    minute_of(f.event_time) AS minute,
    f.device AS gateway,
    ls.addr IS NOT NULL AS up,
    coalesce(ls.ck, ld.ck) AS ck,
    CASE WHEN ls.addr IS NOT NULL THEN f.out_if ELSE f.in_if END AS wan_if,
    CASE WHEN ls.addr IS NOT NULL THEN f.dst_addr ELSE f.src_addr END AS server,
    f.protocol,
    CASE WHEN ls.addr IS NOT NULL THEN f.dst_port ELSE f.src_port END AS server_port,
    coalesce(f.b, 0) AS b
FROM in_flows f
LEFT JOIN d_lan ls ON ls.site = f.site AND ls.addr = f.src_addr
LEFT JOIN d_lan ld ON ld.site = f.site AND ld.addr = f.dst_addr
WHERE ls.addr IS NOT NULL OR ld.addr IS NOT NULL
