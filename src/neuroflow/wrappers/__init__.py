"""tf.keras 2's `keras.wrappers.scikit_learn` spelling of `neuroflow.sklearn`'s Keras
wrappers (needs the scikit-learn extra); nothing is implemented here."""

from neuroflow.wrappers import scikit_learn

__all__ = ["scikit_learn"]
