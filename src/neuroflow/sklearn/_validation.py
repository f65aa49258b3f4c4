"""Checks shared by neuroflow's scikit-learn estimators: hyperparameters and input data.

Hyperparameters are declared per estimator in a `_parameter_constraints` dict mapping a
parameter name to a list of accepted constraints (any one may match):

    Interval(Real, 0, None, closed="left")   a number in [0, inf)
    Options({"l1", "l2"})                    one of these strings
    "boolean", "random_state", "verbose", dict, None

`check_params(estimator)` raises `InvalidParameterError` (a ValueError and a TypeError)
naming the parameter, the accepted values and the value received, in the words
scikit-learn uses.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = ["InvalidParameterError", "Interval", "Options", "check_params", "validate_data"]

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - scikit-learn 1.4 and 1.5
    def _validate_data(estimator, X="no_validation", y="no_validation", **kwargs):
        return estimator._validate_data(X, y, **kwargs)


def validate_data(estimator, X="no_validation", y="no_validation", **kwargs):
    """scikit-learn's `validate_data` (sets or checks `n_features_in_` and
    `feature_names_in_`), on every supported scikit-learn version."""
    return _validate_data(estimator, X, y, **kwargs)


class InvalidParameterError(ValueError, TypeError):
    """A hyperparameter has a value outside the accepted ones."""


class Interval:
    """Numbers of `kind` (Integral or Real) between `left` and `right` (None: unbounded).

    `closed` is 'left', 'right', 'both' or 'neither'. Booleans are never accepted.
    """

    def __init__(self, kind: type, left: float | None, right: float | None, closed: str) -> None:
        self.kind, self.left, self.right, self.closed = kind, left, right, closed

    def accepts(self, value) -> bool:
        if isinstance(value, bool | np.bool_) or not isinstance(value, self.kind):
            return False
        if self.left is not None:
            if value < self.left or (value == self.left and self.closed in ("right", "neither")):
                return False
        if self.right is not None:
            if value > self.right or (value == self.right and self.closed in ("left", "neither")):
                return False
        return True

    def __str__(self) -> str:
        kind = "an int" if self.kind is Integral else "a float"
        left_bracket = "[" if self.closed in ("left", "both") else "("
        right_bracket = "]" if self.closed in ("right", "both") else ")"
        left = "-inf" if self.left is None else self.left
        right = "inf" if self.right is None else self.right
        return f"{kind} in the range {left_bracket}{left}, {right}{right_bracket}"


class Options:
    """One of a fixed set of strings."""

    def __init__(self, options: set[str]) -> None:
        self.options = set(options)

    def accepts(self, value) -> bool:
        return isinstance(value, str) and value in self.options

    def __str__(self) -> str:
        return "a str among {" + ", ".join(repr(option) for option in sorted(self.options)) + "}"


def _accepts(constraint, value) -> bool:
    if constraint is None:
        return value is None
    if constraint == "boolean":
        return isinstance(value, bool | np.bool_)
    if constraint == "verbose":
        return isinstance(value, bool | np.bool_) or Interval(Integral, 0, None, "left").accepts(
            value
        )
    if constraint == "random_state":
        return (
            value is None
            or isinstance(value, np.random.RandomState)
            or Interval(Integral, 0, 2**32 - 1, "both").accepts(value)
        )
    if isinstance(constraint, type):
        return isinstance(value, constraint)
    return constraint.accepts(value)


def _describe(constraint) -> str:
    if constraint is None:
        return "None"
    if constraint == "boolean":
        return "an instance of 'bool'"
    if constraint == "verbose":
        return "an int in the range [0, inf) or a bool"
    if constraint == "random_state":
        return (
            "an int in the range [0, 4294967295], an instance of "
            "'numpy.random.mtrand.RandomState' or None"
        )
    if isinstance(constraint, type):
        return f"an instance of {constraint.__name__!r}"
    return str(constraint)


def check_params(estimator) -> None:
    """Check every hyperparameter of `estimator` against its `_parameter_constraints`."""
    params = estimator.get_params(deep=False)
    for name, constraints in estimator._parameter_constraints.items():
        value = params[name]
        if any(_accepts(constraint, value) for constraint in constraints):
            continue
        descriptions = [_describe(constraint) for constraint in constraints]
        if len(descriptions) > 1:
            expected = ", ".join(descriptions[:-1]) + " or " + descriptions[-1]
        else:
            expected = descriptions[0]
        raise InvalidParameterError(
            f"The {name!r} parameter of {type(estimator).__name__} must be {expected}. "
            f"Got {value!r} instead."
        )
