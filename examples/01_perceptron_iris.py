"""Chapter 10, "The Perceptron": a perceptron that tells Iris setosa from the others.

    python examples/01_perceptron_iris.py
"""

import numpy as np

from neuroflow.datasets import load_iris
from neuroflow.sklearn import Perceptron

iris = load_iris(as_frame=True)
X = iris.data[["petal length (cm)", "petal width (cm)"]].values
y = iris.target == 0  # Iris setosa

per_clf = Perceptron(random_state=42)
per_clf.fit(X, y)

X_new = [[2, 0.5], [3, 1]]
y_pred = per_clf.predict(X_new)  # predicts True and False for these 2 flowers
print("Predictions for", X_new, "->", y_pred)
print("Training accuracy:", np.mean(per_clf.predict(X) == y))
assert y_pred.tolist() == [True, False]

# The same neuron by hand: Rosenblatt's rule in plain NumPy (no scikit-learn)
from neuroflow.classic import RosenblattPerceptron  # noqa: E402

rosenblatt = RosenblattPerceptron(random_state=42).fit(X, y.astype(int))
print("Rosenblatt's rule converged after", rosenblatt.n_epochs_, "epochs:",
      rosenblatt.predict(X_new))
