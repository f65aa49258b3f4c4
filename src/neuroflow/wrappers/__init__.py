"""tf.keras 2's `keras.wrappers.scikit_learn` spelling (needs the scikit-learn extra)."""

from neuroflow.wrappers import scikit_learn

__all__ = ["scikit_learn"]
