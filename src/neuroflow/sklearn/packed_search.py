"""scikit-learn's grid and randomized searches, with every candidate and fold trained packed.

    search = PackedRandomizedSearchCV(KerasRegressor(build_model), param_distribs,
                                      n_iter=10, cv=3)
    search.fit(X_train, y_train, epochs=100, validation_data=(X_valid, y_valid))
    search.best_params_, search.best_score_, search.best_estimator_.predict(X_new)

The chapter's `RandomizedSearchCV(KerasRegressor(...))` fits n_iter x cv models one after
the other; these searches build the same models (each clone's own seed, parameters and
training fold) and train those that pack as `neuroflow.population` packs, each member on
its own fold in the batch order its own `fit` would have drawn, so `cv_results_` equal
scikit-learn's search on the same splits. Scores, `refit`, `best_*`, `n_splits_` and
multi-metric scoring are scikit-learn's. Estimators other than neuroflow's Keras wrappers
(or fit arguments a pack does not take, such as `sample_weight`) are fitted one by one.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid, ParameterSampler
from sklearn.model_selection import RandomizedSearchCV as _RandomizedSearchCV
from sklearn.model_selection._split import check_cv
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils.validation import check_array

from neuroflow import backend
from neuroflow.population import Population
from neuroflow.sklearn.keras_wrappers import BaseWrapper

__all__ = ["PackedGridSearchCV", "PackedRandomizedSearchCV"]

# `fit` arguments a population takes; with any other, the model is fitted alone
_PACKED_FIT_ARGUMENTS = frozenset({
    "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
    "shuffle", "initial_epoch", "validation_batch_size", "validation_freq"})


class _Fit:
    """One (candidate, split) fit: its estimator, model and what its pack needs."""

    def __init__(self, candidate: int, split: int, params: dict, train: np.ndarray,
                 test: np.ndarray, estimator: Any):
        self.candidate, self.split, self.params = candidate, split, params
        self.train, self.test, self.estimator = train, test, estimator
        self.model = self.y = self.fit_kwargs = self.generator = None
        self.history: Any = None
        self.error: str | None = None
        self.fit_time = 0.0


class _PackedSearch:
    """`fit` of the packed searches (mixed in before scikit-learn's search class, which
    lists the candidates with `_candidates`)."""

    def fit(self, X: Any, y: Any = None, groups: Any = None, **fit_params: Any) -> Any:
        """Fit every candidate on every training fold (packed), score it on the test
        fold with scikit-learn's scorers, then refit the best one on all of `X`.

        `fit_params` go to each model's `fit` (epochs, validation_data, callbacks, ...).
        `groups` goes to the cross-validation splitter. Returns self.
        """
        self._validate_params()
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = cv.get_n_splits(X, y, groups)
        splits = list(cv.split(X, y, groups))
        if len(splits) != self.n_splits_:
            raise ValueError(f"{type(self).__name__}: cv.split and cv.get_n_splits disagree "
                             f"({len(splits)} splits, expected {self.n_splits_})")
        candidates = self._candidates()
        if not candidates:
            raise ValueError(f"{type(self).__name__}: there are no candidates to fit "
                             "(empty parameter grid or n_iter=0)")
        fits = [_Fit(c, s, params, train, test, clone(self.estimator).set_params(
                    **clone(params, safe=False)))
                for c, params in enumerate(candidates)
                for s, (train, test) in enumerate(splits)]
        if self.verbose > 0:
            print(f"Fitting {self.n_splits_} folds for each of {len(candidates)} candidates, "
                  f"totalling {len(fits)} fits (packed)")
        self._train(fits, X, y, fit_params)
        out = [self._score(f, X, y, scorers) for f in fits]
        self._check_failures(out)
        results = self._format_results(candidates, self.n_splits_, out)
        self.multimetric_ = isinstance(out[0]["test_scores"], dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(out[0]["test_scores"])
            refit_metric = self.refit
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(self.refit, refit_metric, results)
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][self.best_index_]
            self.best_params_ = results["params"][self.best_index_]
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(
                **clone(self.best_params_, safe=False))
            start = time.time()
            if y is None:
                self.best_estimator_.fit(X, **fit_params)
            else:
                self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.time() - start
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_
        self.scorer_ = getattr(scorers, "_scorers", scorers)
        self.cv_results_ = results
        return self

    # ---- training -------------------------------------------------------------------
    def _train(self, fits: list[_Fit], X: Any, y: Any, fit_params: dict) -> None:
        """Fit every clone: the Keras wrappers' models as populations, the rest alone."""
        packable = all(k in _PACKED_FIT_ARGUMENTS for k in fit_params) and y is not None
        X32 = None
        groups: dict[tuple, list[_Fit]] = {}
        for f in fits:
            if not (packable and isinstance(f.estimator, BaseWrapper)):
                self._fit_alone(f, X, y, fit_params)
                continue
            if X32 is None:
                X32 = check_array(X, dtype=(np.float32, np.float64)).astype(np.float32,
                                                                            copy=False)
            try:
                self._prepare(f, X, y, fit_params)
            except Exception as err:  # noqa: BLE001 - scored with error_score
                self._failed(f, err)
                continue
            if f.fit_kwargs.get("validation_split"):
                self._fit_alone(f, X, y, fit_params)
                continue
            key = self._fit_key(f)
            groups.setdefault(key, []).append(f)
        for members in groups.values():
            for pack in self._shared_targets(members, len(X32)):
                self._train_pack(pack, X32)

    def _prepare(self, f: _Fit, X: Any, y: Any, fit_params: dict) -> None:
        """Build the clone's model as its `fit` would, and keep the generator state its
        `fit` would shuffle from (after its seeded build)."""
        est = f.estimator
        with est._fit_context(_safe_indexing(X, f.train), _safe_indexing(y, f.train),
                              fit_params) as (model, _x, y_fold, kwargs):
            if est._seed() is None:  # unseeded: a stream of its own from the global one
                f.generator = np.random.default_rng(
                    int(backend.global_rng().integers(2**63 - 1)))
            else:
                f.generator = copy.deepcopy(backend.global_rng())
        f.model, f.y, f.fit_kwargs = model, np.asarray(y_fold), kwargs

    @staticmethod
    def _fit_key(f: _Fit) -> tuple:
        """Members with equal keys train in one population call."""
        kwargs = f.fit_kwargs
        plain = tuple(sorted((k, repr(v)) for k, v in kwargs.items()
                             if k not in ("callbacks", "validation_data", "verbose")))
        return plain, id(kwargs.get("validation_data"))

    @staticmethod
    def _shared_targets(members: list[_Fit], n: int) -> Iterable[tuple[list[_Fit], np.ndarray]]:
        """Split members into runs whose encoded targets agree on every shared row, each
        with the full-length target array they index (classifiers encode per fold)."""
        runs: list[tuple[list[_Fit], np.ndarray, np.ndarray]] = []
        for f in members:
            for run, target, filled in runs:
                same = (target.dtype == f.y.dtype and target.shape[1:] == f.y.shape[1:])
                if same:
                    overlap = filled[f.train]
                    same = np.array_equal(target[f.train][overlap], f.y[overlap])
                if same:
                    run.append(f)
                    target[f.train] = f.y
                    filled[f.train] = True
                    break
            else:
                target = np.zeros((n, *f.y.shape[1:]), dtype=f.y.dtype)
                target[f.train] = f.y
                filled = np.zeros(n, dtype=bool)
                filled[f.train] = True
                runs.append(([f], target, filled))
        return [(run, target) for run, target, _ in runs]

    def _train_pack(self, pack: tuple[list[_Fit], np.ndarray], X32: np.ndarray) -> None:
        members, target = pack
        kwargs = {k: v for k, v in members[0].fit_kwargs.items() if k != "callbacks"}
        kwargs["verbose"] = 0
        population = Population([f.model for f in members])
        start = time.time()
        try:
            histories = population.fit(
                X32, target, callbacks=[list(f.fit_kwargs.get("callbacks") or [])
                                        for f in members],
                rows=[f.train for f in members], generators=[f.generator for f in members],
                **kwargs)
        except Exception as err:  # noqa: BLE001 - the pack's fits score error_score
            for f in members:
                self._failed(f, err)
            return
        seconds = (time.time() - start) / len(members)
        for f, history in zip(members, histories, strict=True):
            f.estimator._fitted(f.model, history)
            f.fit_time = seconds

    def _fit_alone(self, f: _Fit, X: Any, y: Any, fit_params: dict) -> None:
        start = time.time()
        try:
            x_train = _safe_indexing(X, f.train)
            if y is None:
                f.estimator.fit(x_train, **fit_params)
            else:
                f.estimator.fit(x_train, _safe_indexing(y, f.train), **fit_params)
        except Exception as err:  # noqa: BLE001 - scored with error_score
            self._failed(f, err)
        f.fit_time = time.time() - start

    def _failed(self, f: _Fit, err: Exception) -> None:
        if self.error_score == "raise":
            raise err
        f.error = f"{type(err).__name__}: {err}"

    # ---- scoring --------------------------------------------------------------------
    def _score(self, f: _Fit, X: Any, y: Any, scorers: Any) -> dict:
        """The dict scikit-learn's `_fit_and_score` returns, for `_format_results`."""
        out: dict = {"n_test_samples": len(f.test), "fit_time": f.fit_time,
                     "fit_error": f.error}
        start = time.time()
        parts = [("test_scores", f.test)] + (
            [("train_scores", f.train)] if self.return_train_score else [])
        for name, rows in parts:
            if f.error is not None:
                names = getattr(scorers, "_scorers", None)
                out[name] = ({n: self.error_score for n in names} if isinstance(names, dict)
                             else self.error_score)
                continue
            x_part = _safe_indexing(X, rows)
            score = (scorers(f.estimator, x_part) if y is None
                     else scorers(f.estimator, x_part, _safe_indexing(y, rows)))
            out[name] = ({k: float(v) for k, v in score.items()} if isinstance(score, dict)
                         else float(score))
        out["score_time"] = time.time() - start
        return out

    def _check_failures(self, out: list[dict]) -> None:
        errors = [o["fit_error"] for o in out if o["fit_error"] is not None]
        if not errors:
            return
        if len(errors) == len(out):
            raise ValueError(f"{type(self).__name__}: all {len(out)} fits failed; the first "
                             f"error: {errors[0]}")
        warnings.warn(f"{len(errors)} of the {len(out)} fits failed and score "
                      f"error_score={self.error_score!r}; the first error: {errors[0]}",
                      FitFailedWarning, stacklevel=3)


class PackedRandomizedSearchCV(_PackedSearch, _RandomizedSearchCV):
    """`sklearn.model_selection.RandomizedSearchCV`, trained packed (see the module).

    Same arguments and fitted attributes; `n_jobs` and `pre_dispatch` are accepted and
    ignored (a pack already trains many models in one process).
    """

    def _candidates(self) -> list[dict]:
        return list(ParameterSampler(self.param_distributions, self.n_iter,
                                     random_state=self.random_state))


class PackedGridSearchCV(_PackedSearch, GridSearchCV):
    """`sklearn.model_selection.GridSearchCV`, trained packed (see the module)."""

    def _candidates(self) -> list[dict]:
        return list(ParameterGrid(self.param_grid))
