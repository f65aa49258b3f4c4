"""Hyperparameter tuning with the keras_tuner API, on Optuna studies.

`import neuroflow.tuner as kt` runs keras_tuner code: HyperParameters, HyperModel,
RandomSearch, GridSearch, Hyperband and BayesianOptimization. A study lives in the project
folder (SQLite) or in any database Optuna accepts (`storage=`), so a search resumes after
an interruption and several workers, on one machine or many, can share it
(`python -m neuroflow.tuner search.py` or `neuroflow tune search.py`).

Names are imported on first use, so the package imports without Optuna (the `tuner`
extra); using a tuner without it raises an ImportError saying what to install.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BayesianOptimization": "bayesian", "BayesianOptimizationOracle": "bayesian",
    "FailedTrialError": "errors", "FatalError": "errors",
    "GridSearch": "grid_search", "GridSearchOracle": "grid_search",
    "Hyperband": "hyperband", "HyperbandOracle": "hyperband",
    "HyperModel": "hypermodel",
    "HyperParameter": "hyperparameters", "HyperParameters": "hyperparameters",
    "Objective": "objective",
    "Oracle": "oracle",
    "RandomSearch": "random_search", "RandomSearchOracle": "random_search",
    "MetricsTracker": "trial", "Trial": "trial", "TrialStatus": "trial",
    "Tuner": "tuner",
    "run_worker": "worker",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'neuroflow.tuner' has no attribute {name!r}")
    try:
        module = importlib.import_module(f"neuroflow.tuner.{module_name}")
    except ImportError as err:
        if getattr(err, "name", None) in ("optuna", "sqlalchemy"):
            raise ImportError("neuroflow.tuner needs Optuna: pip install 'neuroflow[tuner]' "
                              "(or pip install optuna)") from err
        raise
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
