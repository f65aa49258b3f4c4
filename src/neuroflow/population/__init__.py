"""Many models trained as one: a whole hyperparameter search in the time of a few trials.

`Population(models).fit(x, y, ...)` trains K compiled models of compatible structure on
the same data in one batched network (a leading model axis over flat weight buffers,
narrower members padded), each with its own History, callbacks and optimizer
hyperparameters. `DeepEnsemble` trains K seeds of one model as one pack and predicts
their mean and spread. The tuner and `neuroflow.sklearn.PackedRandomizedSearchCV` use it.
"""

from neuroflow.population.ensemble import DeepEnsemble
from neuroflow.population.members import describe
from neuroflow.population.population import Population

__all__ = ["DeepEnsemble", "Population", "describe"]
