-- The inventory app of each server end: the first app (inventory order) whose prefixes contain
-- it and whose ports match, else the first port-only app whose ports match (IPv6: d_server6).
CREATE OR REPLACE TEMP TABLE d_server AS
WITH e AS (
    SELECT DISTINCT server AS addr, protocol, server_port AS port FROM cf
), by_prefix AS (
    SELECT e.addr, e.protocol, e.port, arg_min(r.app, r.ord) AS app
    FROM (SELECT *, ip4(addr) AS v FROM e) e
    JOIN d_rule4 r ON e.v BETWEEN r.lo AND r.hi
        AND (r.proto IS NULL OR r.proto = e.protocol) AND e.port BETWEEN r.plo AND r.phi
    GROUP BY ALL
), by_port AS (
    SELECT e.addr, e.protocol, e.port, arg_min(r.app, r.ord) AS app
    FROM e
    JOIN d_ruleport r ON (r.proto IS NULL OR r.proto = e.protocol)
        AND e.port BETWEEN r.plo AND r.phi
    GROUP BY ALL
)
SELECT e.addr, e.protocol, e.port, coalesce(p.app, q.app, s6.app) AS app
FROM e
LEFT JOIN by_prefix p USING (addr, protocol, port)
LEFT JOIN by_port q USING (addr, protocol, port)
LEFT JOIN d_server6 s6 USING (addr, protocol, port)
WHERE coalesce(p.app, q.app, s6.app) IS NOT NULL
