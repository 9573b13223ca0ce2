"""Path splitting: predicates of every shape become keys; odd paths are kept, never lost."""

from __future__ import annotations

from collectors.jti.paths import sensor_of, split_path


def test_plain_path_has_no_keys() -> None:
    assert split_path("/system/memory/state/physical") == ("/system/memory/state/physical", ())


def test_quoted_values_may_hold_slashes_and_brackets() -> None:
    path = "/interfaces/interface[name='ge-0/0/0']/state/counters/in-octets"
    assert split_path(path) == (
        "/interfaces/interface/state/counters/in-octets",
        (("name", "ge-0/0/0"),),
    )
    assert split_path('/a/b[k="x]/y"]/c') == ("/a/b/c", (("k", "x]/y"),))


def test_several_predicates_and_and_unquoted_values() -> None:
    path = (
        "/junos/rpm/probe-results/probe-test-results[owner='wan' and test-name='isp-a']"
        "/probe-test-generic-results[results-scope=current-test]/probes-sent"
    )
    assert split_path(path) == (
        "/junos/rpm/probe-results/probe-test-results/probe-test-generic-results/probes-sent",
        (("owner", "wan"), ("test-name", "isp-a"), ("results-scope", "current-test")),
    )


def test_repeated_key_names_are_qualified_by_their_element() -> None:
    path = "/components/component[name='FPC0']/properties/property[name='temp']/state/value"
    assert split_path(path) == (
        "/components/component/properties/property/state/value",
        (("name", "FPC0"), ("property.name", "temp")),
    )


def test_unterminated_predicate_keeps_the_whole_path() -> None:
    assert split_path("/a/b[name='ge-0/0/0/c") == ("/a/b[name='ge-0/0/0/c", ())
    assert split_path("/a/b[noequals]/c") == ("/a/b[noequals]/c", ())


def test_sensor_of_takes_the_subscribed_path_from_junos_headers() -> None:
    assert sensor_of("sensor_1000:/interfaces/:/interfaces/:mib2d") == "/interfaces/"
    assert sensor_of("/interfaces/") == "/interfaces/"
    assert sensor_of("odd:header") == "odd:header"
