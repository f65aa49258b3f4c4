import importlib
import sys


def test_classic_imports_without_scikit_learn(monkeypatch):
    for name in [name for name in sys.modules if name.startswith("neuroflow.classic")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    classic = importlib.import_module("neuroflow.classic")
    assert classic.xor_mlp()([[1, 0]]) == 1
