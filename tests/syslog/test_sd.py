"""Structured data and key=value text: the per-line parser and the fields naming rules."""

from __future__ import annotations

from collectors.syslog.sd import parse_kv, parse_sd, sd_fields, unescape


def test_rfc5424_example() -> None:
    text = (
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'
        '[examplePriority@32473 class="high"] msg'
    )
    elements, end, error = parse_sd(text)
    assert elements == [
        ("exampleSDID@32473", [("iut", "3"), ("eventSource", "Application"), ("eventID", "1011")]),
        ("examplePriority@32473", [("class", "high")]),
    ]
    assert (text[end:], error) == (" msg", None)
    assert sd_fields(elements) == [
        ("_sd_id", "exampleSDID@32473 examplePriority@32473"),
        ("iut", "3"),
        ("eventSource", "Application"),
        ("eventID", "1011"),
        ("examplePriority@32473.class", "high"),
    ]


def test_escapes() -> None:
    elements, _, error = parse_sd(r'[a@1 p="x\"y\]z\\w\q"]')
    assert elements == [("a@1", [("p", 'x"y]z\\w\\q')])] and error is None
    assert unescape("plain") == "plain"


def test_lenient_forms() -> None:
    elements, end, error = parse_sd('[a@1 x="1"y=“2” z=”3” w=bare junk v="4"]rest')
    assert elements == [("a@1", [("x", "1"), ("y", "2"), ("z", "3"), ("w", "bare"), ("v", "4")])]
    assert error == "junk in structured data"
    assert end == len('[a@1 x="1"y=“2” z=”3” w=bare junk v="4"]')


def test_cut_off_element() -> None:
    elements, end, error = parse_sd('[a@1 x="1" y="tru')
    assert elements == [("a@1", [("x", "1"), ("y", "tru")])]
    assert end == len('[a@1 x="1" y="tru')
    assert error == "unterminated value; unterminated structured data element"
    elements, _, error = parse_sd("[a@1 x=")
    assert elements == [("a@1", [("x", "")])]
    assert error == "unterminated structured data element"


def test_primary_element_repeats_and_reserved_names() -> None:
    elements, _, _ = parse_sd('[meta seq="7"][junos@1 a="1" a="2" _n="3"]')
    assert sd_fields(elements) == [
        ("_sd_id", "meta junos@1"),
        ("meta.seq", "7"),
        ("a", "1"),
        ("a#2", "2"),
        ("__n", "3"),
    ]
    assert sd_fields([]) == []


def test_key_value_text() -> None:
    text = 'client_mac=aa:bb ssid="Corp \\"WiFi\\"" band=5, reason=”no offer”; x=1=2 k='
    assert parse_kv(text) == [
        ("client_mac", "aa:bb"),
        ("ssid", 'Corp "WiFi"'),
        ("band", "5"),
        ("reason", "no offer"),
        ("x", "1=2"),
        ("k", ""),
    ]
