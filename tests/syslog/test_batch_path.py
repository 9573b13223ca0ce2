"""The batch (NumPy/Arrow) path and the per-line path give the same tables for any input."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collectors.syslog.model import Line, ParsedBatch
from collectors.syslog.parse import SyslogParser, batch_candidate, candidate_lines

from .strategies import (
    RECEIVED,
    bsd_idp_snmp_lines,
    bsd_rt_flow_lines,
    line,
    scaled,
    structured_lines,
)

BATCH = SyslogParser(chunk_lines=4)
PER_LINE = SyslogParser(fast=False)
ZONED_BATCH = SyslogParser(device_tz={"srx-1": "Europe/Paris"}, chunk_lines=3)
ZONED_PER_LINE = SyslogParser(device_tz={"srx-1": "Europe/Paris"}, fast=False)


def rows(table: pa.Table) -> list[str]:
    """Rows as comparable text (typed tables are not in input order; syslog_events is)."""
    return [repr(sorted(row.items())) for row in table.to_pylist()]


def same(a: ParsedBatch, b: ParsedBatch) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name, table in a.tables.items():
        other = b.tables[name]
        assert table.schema == other.schema, name
        if name == "syslog_events":
            assert table.to_pylist() == other.to_pylist()
        else:
            assert sorted(rows(table)) == sorted(rows(other)), name
    assert [(r.error.reason, r.raw) for r in a.rejects] == [
        (r.error.reason, r.raw) for r in b.rejects
    ]


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(structured_lines(), min_size=1, max_size=9))
def test_batch_path_equals_per_line_path(texts: list[str]) -> None:
    lines = [line(t.encode()) for t in texts]
    same(BATCH.parse_batch(lines), PER_LINE.parse_batch(lines))
    same(ZONED_BATCH.parse_batch(lines), ZONED_PER_LINE.parse_batch(lines))


def test_batch_path_takes_the_dominant_form() -> None:
    """Well-formed Junos structured lines really go through the batch path (not only equal)."""
    text = (
        "<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129"
        ' source-address="10.0.0.1" session-id-32="7" bytes-from-client="1500"]'
    )
    parser = SyslogParser()
    lines = [line(text.encode())] * 3
    result = parser.parse_batch(lines)
    assert parser.batch_lines == 3
    sessions = result.tables["sessions"]
    assert sessions.column("bytes_from_client").to_pylist() == [1500, 1500, 1500]
    fields = result.tables["syslog_events"].column("fields").to_pylist()[0]
    assert fields == [
        ("_sd_id", "junos@2636.1.1.1.2.129"),
        ("source-address", "10.0.0.1"),
        ("session-id-32", "7"),
        ("bytes-from-client", "1500"),
    ]


def test_batch_path_leaves_odd_lines_to_the_per_line_path() -> None:
    odd = [
        '<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - X_Y [junos@1 a="1"  b="2"]',  # two spaces
        '<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - X_Y [junos@1 a="1" a="2"]',  # repeated
        '<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - X_Y [junos@1 _a="1"]',  # reserved name
        '<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - X_Y [junos@1 a="1"][m b="2"]',  # 2 elements
        '<14>1 2024-03-01T24:00:00Z srx-1 RT_FLOW - X_Y [junos@1 a="1"]',  # bad time
        '<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - X_Y [junos@1 a="x\\"y"]',  # escape
        '<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - X_Y [junos@1 a="é"]',  # not ASCII
        "<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - X_Y [junos@1 a=1]",  # unquoted
    ]
    lines = [line(t.encode()) for t in odd]
    parser = SyslogParser()
    candidates = [i for i, x in enumerate(lines) if batch_candidate(x.raw, 65536)]
    assert candidates == [0, 1, 2, 3, 4, 7]
    result = parser.parse_batch(lines)
    assert parser.batch_lines == 0
    same(result, PER_LINE.parse_batch(lines))


def test_chunk_boundaries_keep_input_order() -> None:
    texts = []
    for i in range(23):
        if i % 4 == 3:
            texts.append(f"<14>Mar  1 11:00:{i:02d} srx-1 sshd[1]: line {i}")
        else:
            texts.append(
                f"<14>1 2024-03-01T11:00:{i:02d}Z srx-1 RT_FLOW - RT_FLOW_SESSION_CLOSE "
                f'[junos@2636.1.1.1.2.129 session-id-32="{i}"]'
            )
    lines = [line(t.encode()) for t in texts]
    result = SyslogParser(chunk_lines=5).parse_batch(lines)
    events = result.tables["syslog_events"]
    assert events.column("raw").to_pylist() == texts
    sessions = result.tables["sessions"].column("session_id").to_pylist()
    assert sorted(sessions) == [i for i in range(23) if i % 4 != 3]
    same(result, PER_LINE.parse_batch(lines))
    assert isinstance(events, pa.Table)


@settings(max_examples=scaled(200), deadline=None)
@given(st.binary(max_size=40), st.integers(1, 50))
def test_inlined_candidate_test_matches_batch_candidate(raw: bytes, limit: int) -> None:
    """parse_batch picks its lines for the whole batch at once; it must pick batch_candidate's."""
    raws = [raw, b"<" + raw]
    picked = candidate_lines(raws, limit)
    assert picked == [i for i, r in enumerate(raws) if batch_candidate(r, limit)]


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(bsd_rt_flow_lines(), structured_lines()), min_size=1, max_size=9))
def test_bsd_batch_path_equals_per_line_path(texts: list[str]) -> None:
    both_paths_agree(texts)


def both_paths_agree(texts: list[str]) -> None:
    """The batch and per-line paths agree on ``texts`` (in UTC, in a device zone, and a
    receive time far from the BSD timestamps' dates)."""
    lines = [line(t.encode()) for t in texts]
    same(BATCH.parse_batch(lines), PER_LINE.parse_batch(lines))
    same(ZONED_BATCH.parse_batch(lines), ZONED_PER_LINE.parse_batch(lines))
    late = [Line(x.raw, "192.0.2.7", RECEIVED + 300 * 86_400_000_000, "tcp") for x in lines]
    same(ZONED_BATCH.parse_batch(late), ZONED_PER_LINE.parse_batch(late))


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(bsd_idp_snmp_lines(), bsd_rt_flow_lines(), structured_lines()),
        min_size=1,
        max_size=9,
    )
)
@example(  # an attack name the per-line reader's interface search finds
    [
        "<14>Mar  1 11:59:59 srx-1 RT_IDP: IDP_ATTACK_LOG_EVENT: IDP: at 1303673404, SIG Attack "
        "log <198.51.100.1/5->203.0.113.1/80> for TCP protocol and service HTTP application HTTP"
        " by rule 3 of rulebase IPS in policy P. attack: repeat=0, action=DROP, "
        "threat-severity=HIGH, name=intf:a:b->c:d, NAT <0.0.0.0:0->0.0.0.0:0>"
    ]
)
def test_bsd_idp_and_link_batch_path_equals_per_line_path(texts: list[str]) -> None:
    both_paths_agree(texts)


def test_bsd_batch_path_takes_the_idp_and_link_text_forms() -> None:
    """Short IDP attack lines and SNMP link traps really go through the BSD batch path, and
    their typed rows are the ones the per-line reader gives (values checked by hand)."""
    idp = (
        "<23>Apr 24 12:30:05 srx-1 RT_IDP: IDP_ATTACK_LOG_EVENT: IDP: at 1303673404, SIG Attack "
        "log <198.51.100.1/48397->203.0.113.110/80> for TCP protocol and service HTTP application"
        " HTTP by rule 3 of rulebase IPS in policy Recommended. attack: id=19519, repeat=0, "
        "action=DROP, threat-severity=HIGH, name=HTTP:INVALID:MSNG-HTTP-VER, "
        "NAT <198.51.100.254:55870->0.0.0.0:0>"
    )
    link = (
        "<30>Mar  1 11:59:00 ex-1 mib2d[1344]: SNMP_TRAP_LINK_DOWN: ifIndex 587, "
        "ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/5"
    )
    misc = idp.replace("0.0.0.0:0>", "0.0.0.0:0>, packet-log-id: 0 and misc-message -")
    parser = SyslogParser()
    lines = [line(idp.encode()), line(link.encode()), line(misc.encode())]
    result = parser.parse_batch(lines)
    assert parser.bsd_batch_lines == 2
    security = result.tables["security_events"].to_pylist()
    first = min(security, key=lambda row: len(row["fields"]))
    assert (first["category"], first["action"], first["name"], first["protocol"]) == (
        "idp",
        "DROP",
        "HTTP:INVALID:MSNG-HTTP-VER",
        6,
    )
    assert (first["src_addr"], first["src_port"], first["dst_port"]) == ("198.51.100.1", 48397, 80)
    assert dict(first["fields"])["nat-source-port"] == "55870"
    device = result.tables["device_events"].to_pylist()
    assert [(d["category"], d["state"], d["interface"]) for d in device] == [
        ("interface", "down", "ge-0/0/5")
    ]
    events = result.tables["syslog_events"].to_pylist()
    assert [e["proc_id"] for e in events] == [None, "1344", None]
    same(result, PER_LINE.parse_batch(lines))


def test_bsd_batch_path_takes_the_rt_flow_text_forms() -> None:
    """Plain BSD RT_FLOW text lines really go through the BSD batch path (not only equal)."""
    close = (
        "<14>Mar  1 10:00:00 srx-1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: "
        "10.0.0.1/5000->192.0.2.9/443 0x0 junos-https 100.64.0.1/6000->192.0.2.9/443 0x0 "
        "source rule snat N/A N/A 6 trust-to-untrust trust untrust 42 3(400) 5(6000) 12 SSL "
        "GOOGLE N/A(N/A) ge-0/0/1.0 No Web N/A 3 N/A NA 0 0.0.0.0/0->0.0.0.0/0 NA NA Off root"
    )
    other = "<14>Mar  1 10:00:00 srx-1 mib2d[1344]: SNMP_TRAP_LINK_DOWN: ifIndex 5, ifName ge-0/0/1"
    parser = SyslogParser()
    lines = [line(close.encode()), line(other.encode()), line(close.encode())]
    result = parser.parse_batch(lines)
    assert parser.bsd_batch_lines == 2
    sessions = result.tables["sessions"]
    assert sessions.column("bytes_from_server").to_pylist() == [6000, 6000]
    same(result, PER_LINE.parse_batch(lines))
