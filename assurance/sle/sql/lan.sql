-- Client addresses: the site's LAN prefixes (IPv4 here, IPv6 classified beside in d_lan6).
CREATE OR REPLACE TEMP TABLE d_lan AS
SELECT DISTINCT a.site, a.addr
FROM (SELECT site, addr, ip4(addr) AS v FROM addr_seen) a
JOIN d_prefix4 p ON p.site = a.site AND a.v BETWEEN p.lo AND p.hi
UNION
SELECT site, addr FROM d_lan6
