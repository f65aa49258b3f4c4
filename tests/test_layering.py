"""The layering contract: every import in src/ points down the floors, and none closes a cycle.

`FLOORS` is the map of shared/DESIGN.md as a table, bottom first. A package (or a top-level
module such as `neuroflow.activations`) may import what is on its own floor or below,
never above; imports inside functions count like any other, and importing `a.b.c` also
imports the packages `a` and `a.b` (their `__init__` runs), so those count too. Only
the programs (`__main__` modules, which nothing imports) sit on the top floor with the
facade whatever their folder.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "neuroflow"

# Bottom first. A row may import its own row and the rows below it.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("backend", "datasets"),      # floatx, seeds, the object registry, tree, naming; data
    ("autodiff",),                # Tensor, Variable, tape; KerasTensor and Node
    ("ops", "random"),            # keras.ops / keras.random on the engine
    ("saving",),                  # files and configs; objects only through their protocols
    ("activations", "initializers", "regularizers", "constraints", "classic", "summary"),
    ("losses", "optimizers"),
    ("metrics", "layers"),
    ("callbacks",),               # talk to the model and trainer through public state
    ("trainers",),                # fit/evaluate/predict, the traced plan (Model inherits it)
    ("models",),                  # Functional, Sequential, subclassing, summary, cloning
    ("population",),              # many models stacked into one plan
    ("utils", "config"),          # Keras' keras.utils: plot_model draws models, lr finder;
                                  # keras.config gathers backend's and io_utils' settings
    ("sklearn",),                 # estimators and the Keras wrappers
    ("export", "wrappers", "tuner", "serving"),
    ("cli",),
    ("neuroflow", "__main__", "_builtins"),  # the facade: `import neuroflow as keras`
)
FLOOR_OF = {unit: floor for floor, row in enumerate(FLOORS) for unit in row}



def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: dotted name -> (file, is a package __init__)."""
    out = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_package)
    return out


MODULES = _modules()


def _targets(module: str, is_package: bool, node: ast.AST) -> list[str]:
    """The modules an import statement names (`from a import b` names a.b when b is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        named = ".".join(base + ([node.module] if node.module else []))
    else:
        named = node.module or ""
    return [f"{named}.{a.name}" if f"{named}.{a.name}" in MODULES else named for a in node.names]


def _imports() -> list[tuple[str, str, str]]:
    """(importer module, imported module, 'file:line') for every import of a neuroflow module,
    the packages it implicitly imports included; module-level and lazy alike."""
    found = []
    for module, (path, is_package) in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in _targets(module, is_package, node):
                parts = target.split(".")
                if parts[0] != ROOT:
                    continue
                for i in range(2, len(parts) + 1):
                    imported = ".".join(parts[:i])
                    if imported in MODULES and imported != module \
                            and not module.startswith(imported + "."):
                        found.append((module, imported, f"{path.relative_to(SRC)}:{node.lineno}"))
    return found


IMPORTS = _imports()


def _unit(module: str) -> str:
    """The package (or top-level module) a module belongs to; a `__main__` is a program
    that `python -m` runs and nothing imports, so it sits with the facade."""
    parts = module.split(".")
    if parts[-1] == "__main__":
        return "__main__"
    return parts[1] if len(parts) > 1 else parts[0]


def test_every_package_has_a_floor():
    units = {_unit(m) for m in MODULES}
    missing = sorted(units - set(FLOOR_OF))
    assert not missing, f"packages missing from FLOORS (give each a floor): {missing}"
    stale = sorted(set(FLOOR_OF) - units)
    assert not stale, f"FLOORS names packages that do not exist: {stale}"


def test_the_analysis_sees_lazy_and_relative_imports():
    """Guards the parser itself: a function-level import and a package's implicit import."""
    assert ("neuroflow.models.model", "neuroflow.saving", ) in {(a, b) for a, b, _ in IMPORTS}
    lazy = [w for a, b, w in IMPORTS if a == "neuroflow.models.model" and b == "neuroflow.saving"]
    source = (SRC / "neuroflow/models/model.py").read_text().splitlines()
    assert any(source[int(w.rsplit(":", 1)[1]) - 1].startswith((" ", "\t")) for w in lazy)


def _upward() -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for importer, imported, where in IMPORTS:
        a, b = _unit(importer), _unit(imported)
        if a != b and FLOOR_OF.get(b, -1) > FLOOR_OF.get(a, -1):
            out.setdefault((a, b), []).append(where)
    return out


def test_no_import_points_upwards():
    upward = _upward()
    lines = [f"{a} (floor {FLOOR_OF[a]}) imports {b} (floor {FLOOR_OF[b]}): {', '.join(w)}"
             for (a, b), w in sorted(upward.items())]
    assert not lines, "imports that point upwards:\n" + "\n".join(lines)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a list of nodes, or None (depth-first, colouring nodes)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_cycle_between_packages():
    graph: dict[str, set[str]] = {}
    for importer, imported, _ in IMPORTS:
        a, b = _unit(importer), _unit(imported)
        if a != b:
            graph.setdefault(a, set()).add(b)
    assert _cycle(graph) is None, f"import cycle between packages: {_cycle(graph)}"


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}}, None),
    ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
])
def test_cycle_finder(graph, expected):
    assert _cycle(graph) == expected


def test_floors_rows_are_disjoint():
    every = list(itertools.chain.from_iterable(FLOORS))
    assert len(every) == len(set(every))
