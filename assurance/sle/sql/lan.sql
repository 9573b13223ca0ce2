-- Client addresses: the site's LAN prefixes (IPv4 here, IPv6 classified beside in d_lan6), each
-- (site, address) numbered once as ``ck`` so that the per-minute traffic work below groups and
-- joins on an integer instead of two strings.
CREATE OR REPLACE TEMP TABLE d_lan AS
SELECT site, addr, (row_number() OVER ())::INTEGER AS ck FROM (
    SELECT DISTINCT a.site, a.addr
    FROM (SELECT site, addr, ip4(addr) AS v FROM addr_seen) a
    JOIN d_prefix4 p ON p.site = a.site AND a.v BETWEEN p.lo AND p.hi
    UNION
    SELECT site, addr FROM d_lan6
)
