"""Write keras_names.json: the public names of Keras 3 that neuroflow mirrors, with signatures.

Run once with Keras installed (the test environment has none):
    KERAS_BACKEND=numpy python tests/api/data/make_keras_names.py
For each module, each public name is recorded with its kind and, for functions and
classes, its parameters (name, kind, default). A default that is not a plain value
(None, bool, int, float, str, or a list/tuple of them) is recorded as {"object": type}.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import keras

MODULES = (
    "layers", "activations", "initializers", "constraints", "regularizers", "losses",
    "metrics", "optimizers", "optimizers.schedules", "callbacks", "models", "saving", "utils",
)
_PLAIN = (type(None), bool, int, float, str)


def _default(value):
    if value is inspect.Parameter.empty:
        return {"required": True}
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, _PLAIN) for v in value):
        return list(value)
    return {"object": type(value).__name__}


def _params(obj) -> list | None:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [[p.name, p.kind.name, _default(p.default)] for p in sig.parameters.values()]


def _entry(obj) -> dict:
    if inspect.ismodule(obj):
        return {"kind": "module"}
    if inspect.isclass(obj):
        return {"kind": "class", "params": _params(obj)}
    if callable(obj):
        return {"kind": "function", "params": _params(obj)}
    return {"kind": "value"}


def main() -> None:
    out = {"keras_version": keras.__version__, "modules": {}}
    for name in MODULES:
        module = importlib.import_module(f"keras.{name}")
        out["modules"][name] = {
            n: _entry(getattr(module, n)) for n in sorted(dir(module)) if not n.startswith("_")
        }
    path = Path(__file__).with_name("keras_names.json")
    lines = [f'{{"keras_version": {json.dumps(out["keras_version"])}, "modules": {{']
    for i, (module, names) in enumerate(out["modules"].items()):
        lines.append(f" {json.dumps(module)}: {{")
        rows = [f"  {json.dumps(n)}: {json.dumps(e)}" for n, e in names.items()]
        lines.append(",\n".join(rows))
        lines.append(" }" + ("," if i < len(out["modules"]) - 1 else ""))
    lines.append("}}")
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path} (Keras {keras.__version__})")


if __name__ == "__main__":
    main()
