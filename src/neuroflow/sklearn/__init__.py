"""scikit-learn estimators built on neuroflow (needs the optional scikit-learn extra)."""

try:
    import sklearn  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        'neuroflow.sklearn needs scikit-learn; install it with: pip install "neuroflow[sklearn]"'
    ) from error

from neuroflow.sklearn.keras_wrappers import KerasClassifier, KerasRegressor
from neuroflow.sklearn.mlp import MLPClassifier, MLPRegressor
from neuroflow.sklearn.packed_search import PackedGridSearchCV, PackedRandomizedSearchCV
from neuroflow.sklearn.perceptron import Perceptron

__all__ = [
    "KerasClassifier", "KerasRegressor", "MLPClassifier", "MLPRegressor",
    "PackedGridSearchCV", "PackedRandomizedSearchCV", "Perceptron",
]
