"""Compare neuroflow's public names with the Keras 3 names recorded in data/keras_names.json."""

from __future__ import annotations

import importlib
import inspect
import json
import math
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")
_VARIADIC = ("VAR_POSITIONAL", "VAR_KEYWORD")


def keras_names() -> dict:
    """{module: {name: entry}} and the Keras version they were taken from."""
    return json.loads((DATA / "keras_names.json").read_text())


def exceptions() -> dict:
    """not_applicable / pending {module: {name: reason}} and parameters {"module.Name":
    {parameter: reason}}: what is left out, and why."""
    return json.loads((DATA / "not_applicable.json").read_text())


def _parameters(obj: Any) -> dict[str, inspect.Parameter]:
    """obj's parameters; for a class whose __init__ passes **kwargs on, also the named
    parameters of the base classes' __init__ that receive them (e.g. an optimizer's
    `clipnorm`, a layer's `name`)."""
    params = dict(inspect.signature(obj).parameters)
    if inspect.isclass(obj):
        for base in obj.__mro__[1:]:
            if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
                break
            init = base.__dict__.get("__init__")
            if init is None:
                continue
            for name, p in list(inspect.signature(init).parameters.items())[1:]:
                params.setdefault(name, p)
    return params


def _same_default(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, dict):  # {"object": ...} is not compared; {"required": True} is
        return "object" in theirs or ours is inspect.Parameter.empty
    if ours is inspect.Parameter.empty:
        return False
    if isinstance(theirs, bool) or isinstance(ours, bool):
        return ours is theirs or ours == theirs and type(ours) is type(theirs)
    if isinstance(theirs, (int, float)) and isinstance(ours, (int, float)):
        return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(theirs, list) and isinstance(ours, (list, tuple)):
        return len(ours) == len(theirs) and all(
            _same_default(a, b) for a, b in zip(ours, theirs, strict=True))
    return ours == theirs


def signature_problems(obj: Any, entry: dict, skip: dict | None = None) -> list[str]:
    """Where `obj`'s signature departs from Keras': missing parameters, other defaults,
    another order of the positional parameters (parameters in `skip` are left out)."""
    if entry.get("params") is None:
        return []
    try:
        ours = _parameters(obj)
    except (TypeError, ValueError):
        return ["no inspectable signature"]
    problems = []
    theirs = [p for p in entry["params"] if p[1] not in _VARIADIC and p[0] not in (skip or {})]
    for name, _kind, default in theirs:
        if name not in ours:
            problems.append(f"missing parameter {name!r}")
        elif not _same_default(ours[name].default, default):
            problems.append(f"{name!r} defaults to {ours[name].default!r}, Keras: {default!r}")
    positional = [p[0] for p in theirs if p[1] == "POSITIONAL_OR_KEYWORD"]
    ours_positional = [n for n, p in ours.items()
                       if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not problems and "_positional_order" not in (skip or {}) \
            and ours_positional[:len(positional)] != positional:
        problems.append(f"positional parameters {ours_positional} do not start with "
                        f"Keras' {positional}")
    return problems


def name_problems(module: str, name: str, entry: dict, skip: dict | None = None) -> list[str]:
    """Why neuroflow.<module>.<name> does not match Keras (empty when it does)."""
    mod = importlib.import_module(f"neuroflow.{module}")
    if not hasattr(mod, name):
        return ["missing"]
    obj = getattr(mod, name)
    kind = "any" if "_kind" in (skip or {}) else entry["kind"]
    if kind == "class" and not inspect.isclass(obj):
        return [f"expected a class, found {type(obj).__name__}"]
    if kind == "function" and not callable(obj):
        return [f"expected a function, found {type(obj).__name__}"]
    if kind == "module" and not inspect.ismodule(obj):
        return [f"expected a module, found {type(obj).__name__}"]
    return signature_problems(obj, entry, skip)
