"""`keras.wrappers.scikit_learn`, tf.keras 2's spelling of the Keras wrappers: an alias.

The classes live in `neuroflow.sklearn` with the scikeras-style wrappers they extend
(`build_fn`, `**sk_params`, `.model`, `score` as tf.keras 2 defined it); see
`neuroflow.sklearn._tf_keras2_wrappers`.
"""

from neuroflow.sklearn._tf_keras2_wrappers import KerasClassifier, KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
