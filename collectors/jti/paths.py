"""Telemetry paths: split ``/a/b[k='v']/c`` into a metric path and instance keys.

Owns the parsing of the XPath-like paths Junos puts in OpenConfig key/values (and in ``__prefix__``)
and of the sensor strings in message headers. Pure functions and a bounded cache, no I/O. A path
that cannot be split (an unterminated predicate) is kept whole as the metric with no keys, never
dropped.
"""

from __future__ import annotations

#: Instance keys in path order: ``(("name", "ge-0/0/0"), ("index", "0"))``.
Keys = tuple[tuple[str, str], ...]


def split_path(path: str) -> tuple[str, Keys]:
    """``"/interfaces/interface[name='ge-0/0/0']/state/oper-status"`` →
    ``("/interfaces/interface/state/oper-status", (("name", "ge-0/0/0"),))``.

    Predicates may be ``[a='x']``, ``[a="x"]``, ``[a=x]`` and ``[a='x' and b='y']``; quoted
    values may hold ``/``, ``]`` and ``=``. A key name seen twice on one path is qualified by its
    element (``property.name``) so no key is lost.
    """
    if "[" not in path:
        return path, ()
    metric: list[str] = []
    keys: list[tuple[str, str]] = []
    seen: set[str] = set()
    i, n = 0, len(path)
    element_start = 0
    while i < n:
        c = path[i]
        if c == "/":
            element_start = len(metric) + 1
            metric.append(c)
            i += 1
        elif c == "[":
            element = "".join(metric[element_start:])
            parsed = _predicate(path, i + 1)
            if parsed is None:
                return path, ()
            pairs, i = parsed
            for name, value in pairs:
                key = name if name not in seen else f"{element}.{name}"
                seen.add(name)
                keys.append((key, value))
        else:
            metric.append(c)
            i += 1
    return "".join(metric), tuple(keys)


def _predicate(path: str, i: int) -> tuple[list[tuple[str, str]], int] | None:
    """Parse ``k='v' and k2='v2']`` from ``i``; the pairs and the index after ``]``."""
    pairs: list[tuple[str, str]] = []
    n = len(path)
    while True:
        while i < n and path[i] == " ":
            i += 1
        eq = path.find("=", i)
        if eq < 0:
            return None
        name = path[i:eq].strip()
        i = eq + 1
        if i < n and path[i] in "'\"":
            quote = path[i]
            end = path.find(quote, i + 1)
            if end < 0:
                return None
            value = path[i + 1 : end]
            i = end + 1
        else:
            end = i
            while end < n and path[end] not in "] ":
                end += 1
            value = path[i:end]
            i = end
        if not name:
            return None
        pairs.append((name, value))
        while i < n and path[i] == " ":
            i += 1
        if i < n and path[i] == "]":
            return pairs, i + 1
        if path.startswith("and ", i):
            i += 4
            continue
        return None


def sensor_of(header_path: str) -> str:
    """The subscribed sensor path from a Junos header path.

    Junos writes ``sensor_1000:/interfaces/:/interfaces/:mib2d`` (internal name, internal path,
    subscribed path, producer); anything else is returned as it is.
    """
    parts = header_path.split(":")
    if len(parts) >= 4 and parts[2].startswith("/"):
        return parts[2]
    return header_path


def join(prefix: str, key: str) -> str:
    """A key/value key made absolute under ``prefix`` (keys starting with ``/`` already are)."""
    if not prefix or key.startswith("/"):
        return key
    if prefix.endswith("/"):
        return prefix + key
    return f"{prefix}/{key}"


def elements(path: str) -> list[tuple[str, dict[str, str]]]:
    """``/a/b[k='v']/c`` → ``[("a", {}), ("b", {"k": "v"}), ("c", {})]`` (gNMI path elements).

    Slashes and brackets inside quoted key values do not split; an unterminated predicate
    leaves the rest of the path as one element name.
    """
    out: list[tuple[str, dict[str, str]]] = []
    i, n = 0, len(path)
    name: list[str] = []
    keys: dict[str, str] = {}
    while i < n:
        c = path[i]
        if c == "/":
            if name or keys:
                out.append(("".join(name), keys))
            name, keys = [], {}
            i += 1
        elif c == "[":
            parsed = _predicate(path, i + 1)
            if parsed is None:
                name.append(path[i:])
                break
            pairs, i = parsed
            keys.update(pairs)
        else:
            name.append(c)
            i += 1
    if name or keys:
        out.append(("".join(name), keys))
    return out


def xpath(elems: list[tuple[str, dict[str, str]]]) -> str:
    """The inverse of ``elements``: names with ``[k='v']`` predicates, keys sorted by name."""
    parts = []
    for name, keys in elems:
        predicates = "".join(f"[{k}={_quote(v)}]" for k, v in sorted(keys.items()))
        parts.append(name + predicates)
    return "/" + "/".join(parts)


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"
