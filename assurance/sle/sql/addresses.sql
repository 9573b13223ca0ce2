-- Distinct (site, address) pairs of the shard's flows and sessions, and the IPv4 reader.
CREATE OR REPLACE TEMP MACRO ip4(a) AS
    CASE WHEN regexp_full_match(a, '[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}') THEN
        TRY_CAST(split_part(a, '.', 1) AS UBIGINT) * 16777216
        + TRY_CAST(split_part(a, '.', 2) AS UBIGINT) * 65536
        + TRY_CAST(split_part(a, '.', 3) AS UBIGINT) * 256
        + TRY_CAST(split_part(a, '.', 4) AS UBIGINT)
    END;

CREATE OR REPLACE TEMP TABLE addr_seen AS
SELECT DISTINCT site, addr FROM (
    SELECT site, src_addr AS addr FROM in_flows
    UNION ALL SELECT site, dst_addr FROM in_flows
    UNION ALL SELECT site, src_addr FROM in_sessions
) WHERE addr IS NOT NULL
