"""Tuner: runs the trials an Oracle hands out, records them, and answers for the results."""

from __future__ import annotations

import copy
import gc
import math
import shutil
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from neuroflow.backend.random import global_rng, using_generator
from neuroflow.callbacks.callback import Callback
from neuroflow.tuner.checkpoint import input_shape_of, load_checkpoint, save_checkpoint
from neuroflow.tuner.display import Display
from neuroflow.tuner.distributions import suggest
from neuroflow.tuner.errors import FailedTrialError, FatalError
from neuroflow.tuner.hypermodel import HyperModel, get_hypermodel
from neuroflow.tuner.hyperparameters import HyperParameter, HyperParameters
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.trial import (
    BEST_STEP_ATTR,
    CHECKPOINT_ATTR,
    HISTORY_ATTR,
    METRICS_ATTR,
    PLAN_ATTR,
    Trial,
)

__all__ = ["Tuner"]

# the `search` arguments a population's fit takes (others train one trial at a time)
_PACK_FIT_ARGUMENTS = frozenset({
    "x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
    "validation_data", "shuffle", "initial_epoch", "validation_batch_size",
    "validation_freq"})


class _BestEpoch(Callback):
    """Keeps the logs and a copy of the weights of the epoch with the best objective."""

    def __init__(self, objective: Any):
        super().__init__()
        self.objective = objective
        self.history: list[dict] = []
        self.best: tuple[float, int, dict] | None = None
        self.best_weights: list | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = {k: float(v) for k, v in (logs or {}).items() if np.ndim(v) == 0}
        self.history.append(logs)
        name = self.objective.name
        if name not in logs:
            raise FatalError(
                f"the objective {name!r} is not among the metrics fit logs: {sorted(logs)}; "
                "pass validation_data (or validation_split) for a 'val_' objective, or "
                "compile the model with the metric")
        score = logs[name]
        if self.best is None or self.objective.better(score, self.best[0]):
            self.best = (score, epoch, logs)
            self.best_weights = self.model.get_weights()


def _outcome(tracker: _BestEpoch, result: Any, objective: Any) -> tuple[float, int, dict]:
    """(score, best epoch, logs) from the tracker, or from what `fit` returned."""
    if tracker.best is not None:
        return tracker.best
    if isinstance(result, (int, float, np.number)) and not isinstance(result, bool):
        return float(result), 0, {objective.name: float(result)}
    if isinstance(result, dict) and objective.name in result:
        logs = {k: float(v) for k, v in result.items() if np.ndim(v) == 0}
        return logs[objective.name], 0, logs
    history = getattr(result, "history", None)
    if isinstance(history, dict) and history.get(objective.name):
        values = history[objective.name]
        best = max if objective.direction == "max" else min
        epoch = values.index(best(values))
        return float(values[epoch]), epoch, {k: float(v[epoch]) for k, v in history.items()}
    raise FatalError(
        f"HyperModel.fit must train through model.fit(..., callbacks=...) or return a "
        f"History, a dict with {objective.name!r} or the objective value; received "
        f"{type(result).__name__}")


def _copy_callbacks(callbacks: Any) -> list:
    out = []
    for cb in list(callbacks or []):
        try:
            out.append(copy.deepcopy(cb))
        except Exception:  # noqa: BLE001 - callbacks that cannot be copied are shared
            out.append(cb)
    return out


class Tuner:
    """Base of the tuners: `search`, summaries, best hyperparameters and best models.

    Args:
        oracle: the Oracle deciding the trials.
        hypermodel: a HyperModel or a function `build_model(hp)` returning a compiled model.
        directory, project_name: the project folder `directory/project_name` holds the
            study (SQLite, unless the oracle has a `storage` URL) and each trial's best
            weights (default '.' and 'untitled_project').
        overwrite: start afresh, deleting the study and the project folder (default False:
            resume, without repeating completed trials).
        executions_per_trial: models trained per trial; the score is their mean.
        pack_trials: how many trials `search` trains together as one population
            (`neuroflow.population`) when the build function's models pack and
            `HyperModel.fit` is not overridden; 1 trains one trial at a time.
        pack_memory_budget: bytes one pack may hold (weights, gradients, optimizer
            slots, activations); bounds the models per pack. Narrow packs train at
            once, one per core; `peak_pack_bytes` reports the most they held at once.
    """

    def __init__(self, oracle: Oracle, hypermodel: Any = None, directory: Any = None,
                 project_name: str | None = None, overwrite: bool = False,
                 executions_per_trial: int = 1, max_model_size: int | None = None,
                 tuner_id: str | None = None, logger: Any = None,
                 pack_trials: int = 64, pack_memory_budget: int | None = 1 << 30,
                 **kwargs: Any):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        if not isinstance(oracle, Oracle):
            raise TypeError(f"oracle must be a neuroflow.tuner Oracle, received {oracle!r}")
        if hypermodel is None:
            raise ValueError(f"{type(self).__name__} needs a hypermodel: a HyperModel or a "
                             "function build_model(hp)")
        if (isinstance(executions_per_trial, bool) or not isinstance(executions_per_trial, int)
                or executions_per_trial < 1):
            raise ValueError("executions_per_trial must be a positive integer, received "
                             f"{executions_per_trial!r}")
        self.oracle = oracle
        self.hypermodel: HyperModel = get_hypermodel(hypermodel)
        self.directory = str(directory) if directory is not None else "."
        self.project_name = project_name or "untitled_project"
        self.overwrite = bool(overwrite)
        self.executions_per_trial = executions_per_trial
        self.max_model_size = max_model_size
        self.tuner_id = tuner_id
        if isinstance(pack_trials, bool) or not isinstance(pack_trials, int) or pack_trials < 1:
            raise ValueError(f"pack_trials must be a positive integer, received {pack_trials!r}")
        self.pack_trials = pack_trials
        self.pack_memory_budget = pack_memory_budget
        self.peak_pack_bytes = 0
        self._trial_seed: int | None = None  # see _generator
        self.hyperparameters = HyperParameters()
        self._project_ready = False

    # ---- project --------------------------------------------------------------------
    @property
    def project_dir(self) -> Path:
        return Path(self.directory) / self.project_name

    def _ensure_project(self) -> None:
        if self._project_ready:
            return
        if self.overwrite and self.project_dir.exists():
            shutil.rmtree(self.project_dir)
        self.project_dir.mkdir(parents=True, exist_ok=True)
        self.oracle._configure(str(self.project_dir), self.project_name, self.overwrite)
        _ = self.oracle.study
        self._project_ready = True

    def _checkpoint_path(self, number: int) -> Path:
        return (self.project_dir / f"trial_{number:04d}" / "checkpoint.weights.npz").resolve()

    # ---- hyperparameters of a trial -----------------------------------------------------
    def _trial_hyperparameters(self, trial: Any) -> HyperParameters:
        pinned = dict(self.oracle.hyperparameters.values) if self.oracle.hyperparameters else {}
        oracle = self.oracle

        def source(hp: HyperParameter) -> Any:
            if hp.name in pinned or not oracle.tune_new_entries:
                value = pinned.get(hp.name, hp.default)
                return trial.suggest_categorical(hp.name, [value])
            return suggest(trial, hp)

        hp = HyperParameters(source=source)
        self.hypermodel.declare_hyperparameters(hp)
        return hp

    def _remember_space(self, hp: HyperParameters) -> None:
        known = self.hyperparameters
        for entry in hp.space:
            if entry.name not in known._by_name:
                known._by_name[entry.name] = entry
                known.space.append(entry)

    # ---- search ---------------------------------------------------------------------
    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        """Run trials until the oracle has no more; arguments go to `HyperModel.fit`
        (`model.fit` by default): x, y, epochs, validation_data, callbacks, ..."""
        verbose = fit_kwargs.get("verbose", 1)
        self._ensure_project()
        self.oracle._prepare_search(self)
        display = Display(self.oracle.objective, verbose=verbose)
        self._trial_seed = None  # drawn again for each search without a seed
        self.on_search_begin()
        packing = self._packs(fit_args, fit_kwargs)
        while True:
            if packing:
                trials = self.oracle.create_trials(self.pack_trials)
                if not trials:
                    break
                self._run_pack(trials, display, fit_args, fit_kwargs)
                continue
            trial = self.oracle.create_trial()
            if trial is None:
                break
            self._run_one(trial, display, fit_args, fit_kwargs)
        self.on_search_end()

    def _packs(self, fit_args: tuple, fit_kwargs: dict) -> bool:
        """Whether `search` trains trials in packs: not when `HyperModel.fit` is the user's
        (it may train any way it likes) or when fit gets arguments a pack does not take."""
        return (self.pack_trials > 1
                and type(self.hypermodel).fit is HyperModel.fit
                and "fit" not in vars(self.hypermodel)
                and type(self)._run_trial is Tuner._run_trial
                and len(fit_args) <= 2 and set(fit_kwargs) <= _PACK_FIT_ARGUMENTS)

    def _run_one(self, trial: Any, display: Display, fit_args: tuple, fit_kwargs: dict) -> None:
        display.on_trial_begin(trial.number)
        self.on_trial_begin(trial)
        error = None
        details = None
        score = None
        try:
            score = self._run_trial(trial, fit_args, fit_kwargs)
        except (KeyboardInterrupt, SystemExit):
            self.oracle.end_trial(trial, error="interrupted", interrupted=True)
            raise
        except FatalError as err:
            self.oracle.end_trial(trial, error=str(err))
            raise
        except FailedTrialError as err:
            error = str(err) or type(err).__name__
        except Exception as err:  # noqa: BLE001 - a failing trial does not end the search
            error = f"{type(err).__name__}: {err}"
            details = traceback.format_exc()
        self._end_one(trial, display, score, error, details)

    def _end_one(self, trial: Any, display: Display, score: float | None, error: str | None,
                 details: str | None) -> None:
        error = self._close(trial, score, error, details)
        gc.collect()
        self._announce(trial, display, score, error, self.oracle.get_best_trials(1))

    def _close(self, trial: Any, score: float | None, error: str | None,
               details: str | None) -> str | None:
        """Record the trial's end in the study; returns its error (a NaN score is one)."""
        return self._close_all([(trial, score, error, details)])[0]

    def _close_all(self, ends: list[tuple]) -> list[str | None]:
        """Record the ends of (trial, score, error, details) in the study, in one
        transaction; returns each trial's error (a NaN score is one)."""
        records, errors = [], []
        for trial, score, error, details in ends:
            if error is None and (score is None or math.isnan(score)):
                error = f"the objective {self.oracle.objective.name!r} is NaN"
            errors.append(error)
            records.append((trial, score, None) if error is None
                           else (trial, None, details or error))
        self.oracle.end_trials(records)
        return errors

    def _announce(self, trial: Any, display: Display, score: float | None, error: str | None,
                  best: list) -> None:
        display.on_trial_end(trial.number, trial.params, score,
                             best[0].hyperparameters.values if best else None,
                             best[0].score if best else None, error)
        self.on_trial_end(trial)

    def _run_trial(self, trial: Any, fit_args: tuple, fit_kwargs: dict) -> float:
        """Train `executions_per_trial` models; record and return the mean best score."""
        objective = self.oracle.objective
        plan = trial.user_attrs.get(PLAN_ATTR) or {}
        hp = self._trial_hyperparameters(trial)
        runs = []
        for execution in range(self.executions_per_trial):
            with using_generator(self._generator(trial, execution)):
                model = self._build(hp, plan)
                self.oracle.commit_builds([trial])
                tracker = _BestEpoch(objective)
                kwargs = self._fit_kwargs(fit_kwargs, plan, tracker)
                result = self.hypermodel.fit(hp, model, *fit_args, **kwargs)
            runs.append(self._run_result(model, tracker, result, fit_args))
            del model, tracker, result
        return self._record(trial, hp, runs)

    def _fit_kwargs(self, fit_kwargs: dict, plan: dict, tracker: _BestEpoch) -> dict:
        kwargs = dict(fit_kwargs)
        kwargs["callbacks"] = _copy_callbacks(kwargs.get("callbacks")) + [tracker]
        if "epochs" in plan:
            kwargs["epochs"] = plan["epochs"]
            kwargs["initial_epoch"] = plan.get("initial_epoch", 0)
        return kwargs

    def _run_result(self, model: Any, tracker: _BestEpoch, result: Any,
                    fit_args: tuple) -> tuple:
        """(score, best epoch, logs, best weights, input shape, history) of one run."""
        score, step, logs = _outcome(tracker, result, self.oracle.objective)
        weights = tracker.best_weights if tracker.best_weights is not None else (
            model.get_weights())
        return (score, step, logs, weights,
                input_shape_of(model, fit_args[0] if fit_args else None), tracker.history)

    def _record(self, trial: Any, hp: HyperParameters, runs: list[tuple]) -> float:
        """Save the best run's weights and the trial's metrics; return the mean score."""
        objective = self.oracle.objective
        best = None
        for run in runs:
            if best is None or objective.better(run[0], best[0]):
                best = run
        self._remember_space(hp)
        value = float(np.mean([r[0] for r in runs]))
        step = best[1]
        keys = set.intersection(*(set(r[2]) for r in runs))
        metrics = {k: [[step, float(np.mean([r[2][k] for r in runs]))]] for k in sorted(keys)}
        metrics[objective.name] = [[step, value]]
        path = self._checkpoint_path(trial.number)
        save_checkpoint(path, best[3], best[4])
        trial.set_user_attr(METRICS_ATTR, metrics)
        trial.set_user_attr(HISTORY_ATTR, best[5])
        trial.set_user_attr(BEST_STEP_ATTR, step)
        trial.set_user_attr(CHECKPOINT_ATTR, str(path))
        return value

    def _run_pack(self, trials: list, display: Display, fit_args: tuple,
                  fit_kwargs: dict) -> None:
        """Train several trials (and their executions) as populations, then record each.

        Trials with the same epochs (a Hyperband round) train together; a trial whose
        model fails to build fails alone; an error in a pack's training fails its trials.
        """
        from neuroflow.population import Population

        objective = self.oracle.objective
        rounds: dict[tuple, list] = {}
        for trial in trials:
            display.on_trial_begin(trial.number)
            self.on_trial_begin(trial)
            plan = trial.user_attrs.get(PLAN_ATTR) or {}
            try:
                hp = self._trial_hyperparameters(trial)
                models = []
                for execution in range(self.executions_per_trial):
                    generator = self._generator(trial, execution)
                    with using_generator(generator):
                        models.append((self._build(hp, plan), generator))
            except (KeyboardInterrupt, SystemExit):
                for t in trials:
                    self.oracle.end_trial(t, error="interrupted", interrupted=True)
                raise
            except FatalError as err:
                for t in trials:
                    self.oracle.end_trial(t, error=str(err))
                raise
            except Exception as err:  # noqa: BLE001 - a failing trial does not end the search
                self._end_one(trial, display, None, f"{type(err).__name__}: {err}",
                              traceback.format_exc())
                continue
            key = (plan.get("epochs"), plan.get("initial_epoch", 0))
            rounds.setdefault(key, []).append((trial, hp, plan, models))
        self.oracle.commit_builds([t for entries in rounds.values() for t, *_ in entries])
        for (epochs, initial_epoch), entries in rounds.items():
            models, generators, callbacks, trackers = [], [], [], []
            for _trial, _hp, _plan, trial_models in entries:
                for model, generator in trial_models:
                    tracker = _BestEpoch(objective)
                    models.append(model)
                    generators.append(generator)
                    trackers.append(tracker)
                    callbacks.append(_copy_callbacks(fit_kwargs.get("callbacks")) + [tracker])
            kwargs = {k: v for k, v in fit_kwargs.items() if k != "callbacks"}
            if epochs is not None:
                kwargs.update(epochs=epochs, initial_epoch=initial_epoch)
            error = details = None
            population = Population(models, memory_budget=self.pack_memory_budget)
            try:
                histories = population.fit(*fit_args, callbacks=callbacks,
                                           generators=generators, **kwargs)
            except (KeyboardInterrupt, SystemExit):
                for t, *_ in entries:
                    self.oracle.end_trial(t, error="interrupted", interrupted=True)
                raise
            except FatalError as err:
                for t, *_ in entries:
                    self.oracle.end_trial(t, error=str(err))
                raise
            except Exception as err:  # noqa: BLE001 - the pack's trials fail, the search goes on
                error, details = f"{type(err).__name__}: {err}", traceback.format_exc()
            self.peak_pack_bytes = max(self.peak_pack_bytes, population.peak_bytes)
            at = 0
            ends = []  # recorded together, announced once the study knows them all
            for index, (trial, hp, _plan, trial_models) in enumerate(entries):
                score = trial_error = None
                if error is None:
                    try:
                        runs = [self._run_result(m, trackers[at + i], histories[at + i],
                                                 fit_args)
                                for i, (m, _) in enumerate(trial_models)]
                        score = self._record(trial, hp, runs)
                    except FatalError as err:
                        self._close_all(ends + [(t, None, str(err), None)
                                                for t, *_ in entries[index:]])
                        raise
                    except Exception as err:  # noqa: BLE001
                        trial_error = f"{type(err).__name__}: {err}"
                at += len(trial_models)
                ends.append((trial, score, error or trial_error, details))
            errors = self._close_all(ends)
            del models, trackers, callbacks, population
            gc.collect()
            best = self.oracle.get_best_trials(1)
            for (trial, score, *_), trial_error in zip(ends, errors, strict=True):
                self._announce(trial, display, score, trial_error, best)

    def _generator(self, trial: Any, execution: int) -> np.random.Generator:
        """What one execution of a trial draws from (its initial weights, shuffles and
        dropout masks): a generator of its own per (search seed, trial number,
        execution), so that a trial trains the same alone or packed, on any worker,
        whatever trained before it."""
        if self._trial_seed is None:
            seed = self.oracle.seed
            self._trial_seed = int(global_rng().integers(2**63)) if seed is None else seed
        return np.random.default_rng([self._trial_seed, trial.number, execution])

    def _build(self, hp: HyperParameters, plan: dict) -> Any:
        model = self.hypermodel.build(hp)
        if model is None:
            raise FatalError("HyperModel.build(hp) returned None: it must return a compiled "
                             "model")
        if plan.get("checkpoint"):
            load_checkpoint(model, plan["checkpoint"])
        if self.max_model_size is not None and hasattr(model, "count_params"):
            try:
                size = model.count_params()
            except Exception:  # noqa: BLE001 - unbuilt models are measured after fit
                size = 0
            if size > self.max_model_size:
                raise FailedTrialError(f"the model has {size} parameters, more than "
                                       f"max_model_size={self.max_model_size}")
        return model

    # ---- hooks ----------------------------------------------------------------------
    def on_search_begin(self) -> None:
        """Called before the first trial of `search`."""

    def on_search_end(self) -> None:
        """Called when `search` has no trial left to run."""

    def on_trial_begin(self, trial: Any) -> None:
        """Called before a trial trains (`trial` is the Optuna trial)."""

    def on_trial_end(self, trial: Any) -> None:
        """Called after a trial is recorded."""

    # ---- results --------------------------------------------------------------------
    def get_best_hyperparameters(self, num_trials: int = 1) -> list[HyperParameters]:
        """The hyperparameters of the best completed trials, best first."""
        self._ensure_project()
        return [t.hyperparameters for t in self.oracle.get_best_trials(num_trials)]

    def load_model(self, trial: Trial) -> Any:
        """Build the trial's model and load its best epoch's weights (no retraining)."""
        if not trial.checkpoint:
            raise ValueError(f"trial {trial.trial_id} has no saved weights (status "
                             f"{trial.status})")
        hp = HyperParameters.from_values(trial.hyperparameters.values)
        model = self.hypermodel.build(hp)
        return load_checkpoint(model, trial.checkpoint)

    def get_best_models(self, num_models: int = 1) -> list:
        """The best trials' models, restored from their saved weights, best first."""
        self._ensure_project()
        return [self.load_model(t) for t in self.oracle.get_best_trials(num_models)]

    def search_space_summary(self, extended: bool = False, print_fn: Any = print) -> None:
        """Print the hyperparameters seen so far (discovered with the defaults if none)."""
        space = self.hyperparameters
        if not space.space:
            hp = HyperParameters()
            self.hypermodel.declare_hyperparameters(hp)
            self.hypermodel.build(hp)
            self._remember_space(hp)
        print_fn("Search space summary")
        print_fn(f"Default search space size: {len(space.space)}")
        for entry in space.space:
            print_fn(f"{entry.name} ({entry.kind})")
            print_fn(str(entry.get_config()))

    def results_summary(self, num_trials: int = 10, print_fn: Any = print) -> None:
        """Print the best `num_trials` trials: values and scores."""
        self._ensure_project()
        print_fn("Results summary")
        print_fn(f"Results in {self.project_dir}")
        print_fn(f"Showing {num_trials} best trials")
        print_fn(repr(self.oracle.objective))
        for trial in self.oracle.get_best_trials(num_trials):
            print_fn("")
            trial.summary(print_fn=print_fn)
