"""Turn pydantic validation errors into readable, located ``Issue`` lines.

Owns: message wording (unknown keys with a "did you mean", missing keys, offending values),
expansion of the inventory's cross-tree problems, and attribution of settings errors to the
environment variable that caused them. Must not: read files or decide whether to raise.
"""

from __future__ import annotations

import difflib
import os
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from assurance.config.checks import Loc, format_loc
from assurance.config.settings import env_var_for
from assurance.config.yamldoc import Issue, YamlDoc


def validation_issues(
    doc: YamlDoc, exc: ValidationError, model: type[BaseModel], *, from_env: bool = False
) -> list[Issue]:
    """Every error in ``exc`` (not only the first), located in ``doc``.

    With ``from_env``, an error whose value came from a ``WANASSURE_*`` variable names the variable
    instead of a line of the file.
    """
    issues: list[Issue] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        if err["type"] == "inventory_semantics":
            ctx = err.get("ctx") or {}
            issues += [doc.issue((*loc, *sub), msg) for sub, msg in ctx.get("problems", [])]
            continue
        message = _message(err, model, loc)
        var = _env_source(loc) if from_env else None
        if var is not None:
            path = format_loc((*doc.prefix, *loc))
            issues.append(Issue(f"${var}", 0, path, f"{message} (from the environment)"))
        else:
            issues.append(doc.issue(loc, message))
    return issues


def _message(err: ErrorDetails, model: type[BaseModel], loc: Loc) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1) if known else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key{hint}"
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = err.get("input")
    if kind != "value_error" and isinstance(value, str | int | float | bool | type(None)):
        shown = repr(value)
        msg += f" (got {shown if len(shown) <= 60 else shown[:57] + '...'})"
    return msg


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found by following ``loc`` from ``model``; [] if none."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int) and get_origin(tp) in (tuple, list):
            tp = get_args(tp)[0]
        elif isinstance(part, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part)
            if field is None:
                return []
            tp = field.annotation
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to ``X``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        else:
            return tp


def _env_source(loc: Loc) -> str | None:
    """The set ``WANASSURE_*`` variable that supplied the value at ``loc`` or one of its parents."""
    present = {name.upper() for name in os.environ}
    for depth in range(len(loc), 0, -1):
        name = env_var_for(loc[:depth])
        if name in present:
            return name
    return None
