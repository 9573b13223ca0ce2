"""YAML documents that remember where every key came from.

Owns: reading one YAML file with safe-load semantics, keeping PyYAML's composed node tree next
to the plain data so a key path like ``sites[1].gateways[0].name`` maps back to a line number,
and turning read/syntax/duplicate-key failures into ``ConfigError``. Must not: validate
content against models (``assurance.config.problems`` does) or construct Python objects beyond
what ``yaml.SafeLoader`` builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assurance.config.checks import Loc, format_loc
from assurance.errors import ConfigError

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, order=True)
class Issue:
    """One problem, printed as ``<file>[:<line>]: <key.path>: <message>``."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        return f"{where}: {self.path}: {self.message}"


def config_error(file: str, issues: list[Issue]) -> ConfigError:
    """One ``ConfigError`` naming ``file`` and listing every issue, sorted by place."""
    ordered = sorted(dict.fromkeys(issues), key=lambda i: (i.file != file, i.file, i.line))
    return ConfigError(file, [str(i) for i in ordered])


@dataclass(frozen=True)
class YamlDoc:
    """Parsed data plus its node tree; ``prefix`` is the key path of ``root`` in its file."""

    file: str
    root: yaml.Node
    data: Any
    prefix: Loc = ()

    def sub(self, key: str) -> YamlDoc:
        """The document rooted at top-level ``key`` (which must exist in ``data``)."""
        found = _find_key(self.root, key)
        node = found[1] if found else self.root
        return YamlDoc(self.file, node, self.data[key], (*self.prefix, key))

    def line_of(self, loc: Loc) -> int:
        """1-based line of the deepest node reachable along ``loc``."""
        node = self.root
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = _find_key(node, part)
                if found is None:
                    break
                key, node = found
                line = key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def issue(self, loc: Loc, message: str) -> Issue:
        return Issue(self.file, self.line_of(loc), format_loc((*self.prefix, *loc)), message)


def _find_key(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE_TAG and k.value == key:
            return k, v
    for k, v in node.value:  # keys brought in by "<<: *anchor"
        if k.tag == _MERGE_TAG:
            for merged in v.value if isinstance(v, yaml.SequenceNode) else [v]:
                if (found := _find_key(merged, key)) is not None:
                    return found
    return None


def read_yaml(path: Path) -> YamlDoc:
    """Read and parse one YAML file; every failure is a ``ConfigError`` naming the file."""
    result = try_read_yaml(path)
    if isinstance(result, list):
        raise config_error(str(path), result)
    return result


def parse_yaml(text: str, file: str) -> YamlDoc:
    """Parse YAML text (one document, safe-load semantics) said to come from ``file``."""
    result = try_parse_yaml(text, file)
    if isinstance(result, list):
        raise config_error(file, result)
    return result


def try_read_yaml(path: Path) -> YamlDoc | list[Issue]:
    """The parsed document, or the issues that stopped it from being read or parsed."""
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return [Issue(file, 0, "<root>", "file not found")]
    except IsADirectoryError:
        return [Issue(file, 0, "<root>", "is a directory, not a file")]
    except UnicodeDecodeError as exc:
        return [Issue(file, 0, "<root>", f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return [Issue(file, 0, "<root>", f"cannot read: {exc.strerror or exc}")]
    return try_parse_yaml(text, file)


def try_parse_yaml(text: str, file: str) -> YamlDoc | list[Issue]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return [Issue(file, 0, "<root>", "file is empty")]
        duplicates = _duplicate_keys(file, root)
        if duplicates:
            return duplicates
        return YamlDoc(file, root, loader.construct_document(root))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        if mark is None:
            return [Issue(file, 0, "<root>", f"YAML syntax error: {what}")]
        msg = f"YAML syntax error (column {mark.column + 1}): {what}"
        return [Issue(file, mark.line + 1, "<root>", msg)]
    except yaml.YAMLError as exc:
        return [Issue(file, 0, "<root>", f"YAML error: {exc}")]
    except RecursionError:
        return [Issue(file, 0, "<root>", "YAML nested too deeply")]
    finally:
        loader.dispose()


def _duplicate_keys(file: str, root: yaml.Node) -> list[Issue]:
    """PyYAML keeps the last of two equal keys silently; in a config that is always a mistake."""
    issues: list[Issue] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for k, v in node.value:
                name = k.value if isinstance(k, yaml.ScalarNode) else "?"
                if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE_TAG:
                    line = k.start_mark.line + 1
                    if (k.tag, k.value) in first:
                        msg = f"duplicate key (first at line {first[k.tag, k.value]})"
                        issues.append(Issue(file, line, format_loc((*loc, name)), msg))
                    else:
                        first[k.tag, k.value] = line
                stack.append((v, (*loc, name)))
    return issues
