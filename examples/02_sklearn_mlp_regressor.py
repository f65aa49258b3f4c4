"""Chapter 10, "Regression MLPs": scikit-learn's MLPRegressor interface on California housing.

The chapter reaches a validation RMSE of about 0.505 with three hidden layers of 50.

    python examples/02_sklearn_mlp_regressor.py      # NEUROFLOW_FAST=1: few epochs
"""

import os

from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from neuroflow.datasets import fetch_california_housing
from neuroflow.sklearn import MLPRegressor

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

housing = fetch_california_housing()
X_train_full, X_test, y_train_full, y_test = train_test_split(
    housing.data, housing.target, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(
    X_train_full, y_train_full, random_state=42)

mlp_reg = MLPRegressor(hidden_layer_sizes=[50, 50, 50], random_state=42,
                       max_iter=5 if FAST else 200)
pipeline = make_pipeline(StandardScaler(), mlp_reg)
pipeline.fit(X_train, y_train)
y_pred = pipeline.predict(X_valid)
rmse = mean_squared_error(y_valid, y_pred) ** 0.5
print(f"Validation RMSE: {rmse:.3f} (the chapter: about 0.505)")
