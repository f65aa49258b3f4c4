"""compile / fit / evaluate / predict: the training loop every Model inherits."""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow import metrics as metrics_module
from neuroflow import optimizers as optimizers_module
from neuroflow.autodiff.primitive import _trace  # active_trace()'s cell: no call on model(x)
from neuroflow.autodiff.tensor import Tensor, _recording, backward_pass  # is_recording()'s
from neuroflow.backend.blas_threads import WIDE_WEIGHTS, ThreadChooser
from neuroflow.callbacks.callback import CallbackList, PeriodicHook
from neuroflow.callbacks.history import History
from neuroflow.callbacks.progbar_logger import ProgbarLogger
from neuroflow.optimizers.flat import FlatBuffers
from neuroflow.saving.serialization import deserialize_object, serialize_object
from neuroflow.trainers import data_adapter as da
from neuroflow.trainers.batch_stream import BatchStream, is_batch_source
from neuroflow.trainers.compile_utils import CompileLoss, CompileMetrics
from neuroflow.trainers.input_checks import check_fit_inputs
from neuroflow.trainers.plan import Plan, Untraceable, leaves_of, trace

__all__ = ["Trainer"]


def _verbosity(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if isinstance(verbose, (bool, int, np.integer)) and int(verbose) in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"verbose must be 'auto', 0, 1 or 2, received {verbose!r}")


def _flatten_logs(logs: dict) -> dict:
    out = {}
    for k, v in logs.items():
        if isinstance(v, dict):
            out.update(_flatten_logs(v))
        else:
            out[k] = (
                float(v.data) if isinstance(v, Tensor) else (float(v) if np.ndim(v) == 0 else v)
            )
    return out


_EAGER = "eager"  # _fit_epoch: batches of this size run the eager step
_MAX_FORWARD_PLANS = 8  # input shapes with a forward plan for model(x) / predict, per model


class _NotCompiledError(RuntimeError, ValueError):
    """Training before compile(): a ValueError as in Keras 3, a RuntimeError as before."""


def _sorted_logs(logs: dict) -> dict:
    """Logs as Keras 3 hands them to callbacks, History and return_dict: keys sorted."""
    return dict(sorted(logs.items()))


class Trainer:
    """Mixin that gives a model compile, fit, evaluate, predict and the *_on_batch calls.

    Callbacks steer a running `fit` through two public attributes: `stop_training`
    (True ends it after the current batch) and `resume_epoch` (an epoch index set in
    `on_train_begin`, e.g. by BackupAndRestore after restoring a backup: the fit starts
    there instead of at its `initial_epoch`; fit puts None back once it has read it).
    An evaluation (`evaluate`, or a validation pass) has its own flag, as in Keras 3:
    `stop_evaluating`, reset when it starts; `stop_training` never cuts it short.
    """

    def _init_trainer(self) -> None:
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.compiled_loss: CompileLoss | None = None
        self.compiled_metrics: CompileMetrics | None = None
        self._loss_tracker = None
        self.run_eagerly = False
        self.stop_training = False
        self.stop_evaluating = False
        self.resume_epoch: int | None = None
        self.history = None
        self._forget_caches()
        self._nan_batch = False

    # ---- compile ------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure training: optimizer, loss(es), loss_weights and metrics.

        Steps are traced into plans and replayed (see `neuroflow.trainers.plan`);
        `run_eagerly=True` runs every step through the gradient tape instead, for models
        whose `call` branches on tensor values. `steps_per_execution` and `jit_compile`
        are accepted for compatibility.
        """
        self.optimizer = optimizers_module.get(optimizer)
        names = self._output_names_for_compile()
        self.loss = loss
        self._compile_args = {
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
        }
        # a subclassed model's outputs are only known once it runs: name them provisionally
        # from the loss structure; _ensure_built checks them on the first batch
        self._output_names_pending = not getattr(self, "output_names", None)
        if self._output_names_pending:
            names = _provisional_output_names(loss, loss_weights)
        self._make_compiled(names)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.run_eagerly = bool(run_eagerly)
        self.compiled = True
        self._forget_caches()

    def get_compile_config(self) -> dict | None:
        """The arguments `compile` was called with, serialized (the optimizer as its current
        config), as Keras 3 has it; None before `compile`. Saving stores this."""
        if not getattr(self, "compiled", False) or self.optimizer is None:
            return None
        args = getattr(self, "_compile_args", None) or {"loss": self.loss}
        config = {"optimizer": serialize_object(self.optimizer)}
        config.update({k: serialize_object(v) for k, v in args.items()})
        return config

    def compile_from_config(self, config: dict, custom_objects: dict | None = None) -> None:
        """Compile with the settings `get_compile_config` returned (Keras 3)."""
        if not isinstance(config, dict):
            raise ValueError(f"compile_from_config: expected the dict get_compile_config() "
                             f"returns, received {type(config).__name__}")
        self.compile(**{k: deserialize_object(v, custom_objects=custom_objects)
                        for k, v in config.items()
                        if k in ("optimizer", "loss", "loss_weights", "metrics",
                                 "weighted_metrics")})

    def _output_names_for_compile(self) -> list[str]:
        names = getattr(self, "output_names", None)
        return list(names) if names else ["output"]

    def _make_compiled(self, names: list[str]) -> None:
        args = self._compile_args
        self.compiled_loss = CompileLoss(args["loss"], args["loss_weights"], names)
        self.compiled_metrics = CompileMetrics(
            args["metrics"], args["weighted_metrics"], names, self.compiled_loss.identifiers
        )

    def _resolve_output_names(self, y_pred) -> None:
        """Name a subclassed model's outputs from its first predictions (tf.keras style:
        'output_1', 'output_2', ... or the keys of a returned dict)."""
        if isinstance(y_pred, dict):
            names = [str(k) for k in y_pred]
        elif isinstance(y_pred, (list, tuple)) and len(y_pred) > 1:
            names = [f"output_{i + 1}" for i in range(len(y_pred))]
        else:
            names = ["output"]
        self._output_names_pending = False
        if names != self.compiled_loss.output_names:
            self._make_compiled(names)

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise _NotCompiledError(
                f"You must call compile() before {method}(): the model '{self.name}' has no "
                "optimizer and loss yet"
            )

    @property
    def metrics(self) -> list:
        """The loss tracker, then the compiled metrics (a container whose result is a dict)."""
        if not self.compiled:
            return []
        out = [self._loss_tracker]
        if self.compiled_loss.multi:
            out.extend(self.compiled_loss.trackers)
        if self.compiled_metrics is not None:
            out.append(self.compiled_metrics)
        return out

    @property
    def metrics_names(self) -> list[str]:
        return list(self.get_metrics_result().keys())

    def reset_metrics(self) -> None:
        if self.compiled:
            self._loss_tracker.reset_state()
            self.compiled_loss.reset()
            self.compiled_metrics.reset_state()

    def get_metrics_result(self) -> dict:
        if not self.compiled:
            return {}
        logs = {"loss": float(self._loss_tracker.result())}
        logs.update(self.compiled_loss.results())
        if self.compiled_metrics.built:
            logs.update(self.compiled_metrics.result())
        return logs

    # ---- the steps ----------------------------------------------------------------
    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ) -> Tensor:
        """The compiled loss plus every regularization and `add_loss` term."""
        total = self.compiled_loss(y, y_pred, sample_weight)
        for extra in self._collect_losses():
            total = total + extra
        return total

    def _collect_losses(self) -> list:
        out = []
        for layer in self._flat_layers():
            if layer._losses:
                out.extend(layer._losses)
            out.extend(layer._weight_penalties())
        return out

    def _flat_layers(self) -> list:
        cache = self._train_cache
        if cache is None:
            layers, stack, seen = [], [self], set()
            while stack:
                layer = stack.pop()
                if id(layer) in seen:
                    continue
                seen.add(id(layer))
                layers.append(layer)
                stack.extend(layer._tracked_layers)
            cache = self._train_cache = layers
        return cache

    def _train_variables(self) -> list:
        variables = self._train_vars
        if variables is None:
            variables = self._train_vars = self.trainable_weights
        return variables

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with a batch and return every current result."""
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data) -> dict:
        """One gradient step on a batch `(x, y)` or `(x, y, sample_weight)`; the logs."""
        x, y, sample_weight = da.unpack_x_y_sample_weight(data)
        self._train_batch(x, y, sample_weight)
        return self.get_metrics_result()

    def _train_batch(self, x, y, sample_weight) -> None:
        """The default step: update the weights, the loss tracker and the metrics."""
        leaves = leaves_of(x) + leaves_of(y) + leaves_of(sample_weight)
        plan, key = self._plan_for("train", x, y, sample_weight, leaves)
        if plan is None:  # traced now, or not traceable: this step runs eagerly
            loss, y_pred, _ = self._traced_step(
                key, "train", leaves, lambda: self._forward_and_loss(x, y, sample_weight, True))
            variables = self._train_variables()
            if loss.requires_grad:
                # the optimizer divides the gradients back by its loss_scale_factor
                seed = np.asarray(self.optimizer.scale_loss(1.0), dtype=loss.data.dtype)
                grads = backward_pass([loss], [seed], set())
                self.optimizer.apply([grads.get(id(v)) for v in variables], variables)
            value = float(loss.data)
        else:
            seed = np.asarray(self.optimizer.scale_loss(1.0), dtype=plan.loss_dtype)
            outputs, grads = plan.run(leaves, seed)
            if plan.flat:
                self.optimizer.apply_flat(self._flat)
            elif plan.backward:
                self.optimizer.apply(grads, self._train_variables())
            value, y_pred = self._replayed_logs(plan, outputs)
        if not math.isfinite(value):
            self._nan_batch = True
        self._loss_tracker.update_state(value, sample_weight=_batch_size(x))
        if self.compiled_metrics.has_metrics:
            self.compiled_metrics.update_state(y, y_pred, sample_weight)

    def _fit_epoch(self, data: da.ArrayData, epoch: int, kind: str = "train",
                   periodic: PeriodicHook | None = None) -> int:
        """One epoch of the default train (or test) step without per-batch hooks; the
        last step's index.

        Each batch size's plan is looked up once per epoch and replayed directly on the
        batch's arrays; on in-memory data, once the thread choice is made, a run of full
        batches is replayed by the plan's `steps_runner` (one generated function, one
        Python frame for the whole run, the optimizer's `flat_updater` called per step)
        unless metrics or per-output loss terms need each batch's outputs. The loss
        tracker (a Keras `Mean`: `total` and `count`) is summed in NumPy scalars of its
        dtype, the same float32 additions its `update_state` makes, and written back
        before any eager step, before the `periodic` hooks (callbacks that want the logs
        only every so often: a progress bar) and at the end: nobody else reads it in
        between.
        """
        plans: dict[int, Any] = {}  # rows -> (plan, seed), or _EAGER
        training = kind == "train"
        eager_step = self._train_batch if training else self._test_batch
        tracker, optimizer = self._loss_tracker, self.optimizer
        metrics = self.compiled_metrics if self.compiled_metrics.has_metrics else None
        variables, flat = self._train_variables(), self._flat
        total_var, count_var = tracker.total.data, tracker.count.data
        total, count = total_var[()], count_var[()]
        clock, due = time.monotonic, math.inf if periodic is None else periodic.next_time
        # the BLAS threads: one or the default, whichever replays this epoch's first
        # steps faster (kept until the epoch ends)
        threads = chooser = _thread_chooser(variables) if training else None
        step = -1
        batches = data.leaf_batches()
        # in-memory batches: a run of full batches replays inside one generated function
        epoch_batches = batches if isinstance(batches, da.EpochBatches) else None
        try:
            for batch in batches:
                step = step + 1 if epoch_batches is None else epoch_batches.next_step - 1
                rows = len(batch[0])
                entry = plans.get(rows)
                ran = False  # whether the step ran eagerly (the tracker is up to date)
                if entry is None:
                    total_var[...], count_var[...] = total, count
                    entry = self._replay_entry(data, batch, kind)
                    if entry is not None:
                        plans[rows] = entry
                    ran = entry is None or entry is _EAGER
                elif entry is _EAGER:
                    total_var[...], count_var[...] = total, count
                    eager_step(*data.pack(batch))
                    ran = True
                if ran:
                    total, count = total_var[()], count_var[()]
                elif (epoch_batches is not None and threads is None and metrics is None
                      and step < epoch_batches.full_steps and _runs_many_steps(entry[0])):
                    plan, seed = entry
                    runner = plan.steps_runner(epoch_batches.order is not None,
                                               periodic is not None, training)
                    update = optimizer.flat_updater(flat) if plan.backward else None
                    step, total, count, nan = runner(
                        epoch_batches.sources, epoch_batches.order, step,
                        epoch_batches.full_steps, epoch_batches.batch_size, seed, update,
                        total, count, clock, due)
                    epoch_batches.next_step = step
                    step -= 1  # the last step replayed
                    if nan:
                        self._nan_batch = True
                else:
                    plan, seed = entry
                    if threads is not None:
                        threads.start()
                    outputs, grads = plan.run(batch, seed)
                    if grads is not None:
                        optimizer.apply(grads, variables)
                    elif plan.flat:
                        optimizer.apply_flat(flat)
                    if threads is not None:
                        threads.stop()
                        threads = threads if threads.trying else None
                    value = float(outputs[0])
                    if plan.terms:
                        for (i, n), term in zip(plan.terms, outputs[1:plan.n_scalar],
                                                strict=True):
                            self.compiled_loss.trackers[i].update_state(float(term),
                                                                        sample_weight=n)
                    if metrics is not None:
                        _, yb, swb = data.pack(batch)
                        metrics.update_state(
                            yb, _pack(plan.pred_structure, outputs[plan.n_scalar:]), swb)
                    if training and not math.isfinite(value):
                        self._nan_batch = True
                    total += value * rows
                    count += rows
                if self._nan_batch:
                    self._report_nan(epoch, step)
                    break
                if self.stop_training if training else self.stop_evaluating:
                    break
                if due <= clock():
                    total_var[...], count_var[...] = total, count
                    due = periodic.fire(step, _sorted_logs(self.get_metrics_result()))
        finally:
            total_var[...], count_var[...] = total, count
            if chooser is not None:
                chooser.close()
        if periodic is not None:
            periodic.finish(step, _sorted_logs(self.get_metrics_result()))
        return step

    def _replay_entry(self, data: da.ArrayData, batch: list, kind: str):
        """For `_fit_epoch`, a batch size's first step: (plan, seed) when a plan exists
        (the caller replays it); otherwise the step runs here, eagerly, and the answer is
        _EAGER when every such step will (run_eagerly, untraceable), or None when this
        step traced a plan for the next one to find."""
        x, y, sample_weight = data.pack(batch)
        plan, key = self._plan_for(kind, x, y, sample_weight, batch)
        if plan is not None:
            if kind != "train":
                return plan, None
            return plan, np.asarray(self.optimizer.scale_loss(1.0), dtype=plan.loss_dtype)
        (self._train_batch if kind == "train" else self._test_batch)(x, y, sample_weight)
        return _EAGER if key is None else None  # key None: no plan for such batches

    def _forward_and_loss(self, x, y, sample_weight, training: bool):
        """The eager step's forward pass and loss: (loss, predictions, per-output terms)."""
        for layer in self._flat_layers():
            if layer._losses:
                layer._losses = []
        y_pred = self(x, training=training)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=training)
        terms = self.compiled_loss.last_terms if self.compiled_loss.multi else []
        return loss, y_pred, terms

    def _plan_for(self, kind: str, x, y, sample_weight, leaves: list):
        """(the plan traced for batches like this one, or None; the key to trace it under,
        or None when this step runs eagerly)."""
        if self.run_eagerly:
            return None, None
        key = (kind, _structure_key(x), _structure_key(y), _structure_key(sample_weight),
               *[(a.shape, a.dtype) for a in leaves])
        plan = self._plans.get(key)
        if plan is None:
            if any(type(a) is not np.ndarray for a in leaves):
                self._plans[key] = False
                return None, None
            return None, key
        return (plan or None), None

    def _traced_step(self, key, kind: str, leaves: list, step):
        """Run `step()` eagerly; with a `key`, trace it into the plan for that signature."""
        if key is None:
            return trace(step, kind == "train", None)
        nodes: list = []
        loss, y_pred, terms = trace(step, kind == "train", nodes)
        outputs = ([loss] if loss is not None else []) + [t[1] for t in terms]
        flat = self._flat if kind == "train" else None
        try:
            plan = Plan(nodes, leaves, outputs + leaves_of(y_pred),
                        loss=loss if kind == "train" else None,
                        variables=self._train_variables() if kind == "train" else None,
                        grad_views=None if flat is None else flat.grad_views)
        except Untraceable:
            self._plans[key] = False
            return loss, y_pred, terms
        plan.loss_dtype = loss.data.dtype if loss is not None else None
        plan.terms = [(i, n) for i, _, n in terms]
        plan.n_scalar = len(outputs)
        plan.pred_structure = y_pred
        self._plans[key] = plan
        return loss, y_pred, terms

    def _replayed_logs(self, plan, outputs: list):
        """The loss value (per-output trackers updated) and the predictions of a replay."""
        for (i, n), value in zip(plan.terms, outputs[1:plan.n_scalar], strict=True):
            self.compiled_loss.trackers[i].update_state(float(value), sample_weight=n)
        return float(outputs[0]), _pack(plan.pred_structure, outputs[plan.n_scalar:])

    def test_step(self, data) -> dict:
        """Loss and metrics on a batch, without training."""
        self._test_batch(*da.unpack_x_y_sample_weight(data))
        return self.get_metrics_result()

    def _test_batch(self, x, y, sample_weight) -> None:
        """The default test step: update the loss tracker and the metrics."""
        leaves = leaves_of(x) + leaves_of(y) + leaves_of(sample_weight)
        plan, key = self._plan_for("test", x, y, sample_weight, leaves)
        if plan is None:
            loss, y_pred, _ = self._traced_step(
                key, "test", leaves, lambda: self._forward_and_loss(x, y, sample_weight, False))
            value = float(loss.data)
        else:
            value, y_pred = self._replayed_logs(plan, plan.run(leaves)[0])
        self._loss_tracker.update_state(value, sample_weight=_batch_size(x))
        self.compiled_metrics.update_state(y, y_pred, sample_weight)

    def _predict_batch(self, x):
        """Model outputs for a batch of arrays, through the forward-only plan."""
        leaves = leaves_of(x)
        plan, key = self._plan_for("predict", x, None, None, leaves)
        if plan is None:
            _, y_pred, _ = self._traced_step(
                key, "predict", leaves, lambda: (None, self(x, training=False), []))
            return _to_numpy(y_pred)
        return _pack(plan.pred_structure, plan.run(leaves)[0])

    def _forward_plan(self, x: np.ndarray):
        """The forward-only plan for `self(x, training=False)` on one floatx array of this
        shape, traced on first use; None when the model's call cannot be replayed.

        Only Sequential and Functional models qualify (their `call` is the layer graph,
        so replaying it is exact); a subclassed model's `call` may read Python state. A
        shape is traced the second time it is met, and at most `_MAX_FORWARD_PLANS`
        shapes are, so that calls on ever-changing batch sizes do not pile up plans.
        """
        key = ("forward", x.shape)
        plan = self._plans.get(key)
        if plan is None:
            seen = self._forward_seen
            if x.shape not in seen:  # a shape met once (building, a one-off) stays eager
                seen.add(x.shape)
                return None
            if len(seen) > _MAX_FORWARD_PLANS or not _graph_call(type(self)):
                plan = False
            else:
                nodes: list = []
                y_pred = trace(lambda: self(x, training=False), False, nodes)
                try:
                    plan = Plan(nodes, [x], leaves_of(y_pred))
                    plan.pred_structure = y_pred
                    plan.single_tensor = type(y_pred) is Tensor  # one output, no structure
                    plan.input_dtype = x.dtype
                except Untraceable:
                    plan = False
            self._plans[key] = plan
        return plan or None

    def _call_with_plan(self, x: np.ndarray):
        """`model(x)` through the forward plan (tensors out), or None to call eagerly."""
        if self.run_eagerly or _recording[0] or _trace[0] is not None:
            return None  # a tape or a trace must see the ops
        plan = self._plans.get(("forward", x.shape))
        if plan is None and x.ndim and x.dtype == backend.floatx_dtype():
            plan = self._forward_plan(x)
        if not plan or x.dtype is not plan.input_dtype:
            return None
        outputs = plan.run((x,))[0]
        if plan.single_tensor:
            return _tensor(outputs[0])
        return _pack(plan.pred_structure, [_tensor(a) for a in outputs])

    def predict_step(self, data):
        """Model outputs for a batch."""
        x, _, _ = da.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ---- data ---------------------------------------------------------------------
    def _prepare(self, x, y, sample_weight, what: str, check: bool):
        if x is None:
            raise ValueError(f"{what}: x is required, received None")
        x = da.to_array_structure(x, f"{what}: x", cast_float=True)
        y = da.to_array_structure(y, f"{what}: y", cast_float=False)
        if sample_weight is not None:
            sample_weight = da.to_array_structure(sample_weight, f"{what}: sample_weight")
        if check:
            da.check_finite(x, f"{what}: x")
            if y is not None:
                da.check_finite(y, f"{what}: y")
        self._check_input_structure(x, what)
        return x, y, sample_weight

    def _check_input_structure(self, x, what: str) -> None:
        """Hook for models with named inputs (Functional) to validate dicts/lists."""

    def _ensure_built(self, x) -> None:
        pending = self.compiled and getattr(self, "_output_names_pending", False)
        if not self.built or pending:
            first = da.map_structure(lambda a: a[:1], x)
            y_pred = self(first, training=False)
            if pending:
                self._resolve_output_names(y_pred)

    # ---- fit ----------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: list | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
    ) -> History:
        """Train for `epochs` epochs; returns a History of the per-epoch logs."""
        self._assert_compiled("fit")
        verbose = _verbosity(verbose)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: epochs must be a non-negative integer, received {epochs!r}")
        _check_fit_args(initial_epoch, validation_data, validation_freq)
        val = None
        if is_batch_source(x):  # a PyDataset or generator of (x, y[, sample_weight]) batches
            _check_batch_source_args("fit", y, sample_weight, validation_split)
            data = BatchStream(x, steps_per_epoch, "fit", needs_y=True, check=True,
                               class_weight=class_weight)
            x, y, sample_weight = data.x, data.y, data.sample_weight  # the first batch
        else:
            x, y, sample_weight = self._prepare(x, y, sample_weight, "fit", check=True)
            if y is None:
                raise ValueError("fit: y is required (the targets), received None")
            if class_weight is not None:
                cw = da.class_weight_to_sample_weight(y, class_weight)
                sample_weight = cw if sample_weight is None else sample_weight * cw
            if validation_split and validation_data is None:
                (x, y, sample_weight), val = da.split_validation(x, y, sample_weight,
                                                                 validation_split)
            data = da.ArrayData(
                x,
                y,
                sample_weight,
                batch_size,
                shuffle=bool(shuffle),
                steps=steps_per_epoch,
                what="fit",
            )
        if validation_data is not None and is_batch_source(validation_data):
            val = BatchStream(validation_data, validation_steps, "fit: validation_data",
                              needs_y=True, check=True)
        elif validation_data is not None:
            vx, vy, vsw = da.unpack_x_y_sample_weight(tuple(validation_data))
            val = self._prepare(vx, vy, vsw, "fit: validation_data", check=True)
        self._ensure_built(x)
        check_fit_inputs(self, y, sample_weight, class_weight,
                         None if isinstance(val, BatchStream) else val)  # before the 1st update
        self._prepare_train_step()
        history = History()
        cbs = self._callback_list(callbacks, history, verbose, epochs, data.steps)
        self.stop_training = False
        self._nan_batch = False
        train_hooks = cbs.has_batch_hooks("on_train_batch_begin") or cbs.has_batch_hooks(
            "on_train_batch_end"
        )
        # callbacks that want the logs only now and then (the progress bar, see
        # Callback.batch_hook_interval) leave the epoch to the direct replay loop
        every_batch = cbs.needs_every_batch("on_train_batch_begin") or cbs.needs_every_batch(
            "on_train_batch_end")
        cbs.on_train_begin()
        if self.resume_epoch is not None:  # a callback resumes a run (BackupAndRestore)
            initial_epoch, self.resume_epoch = self.resume_epoch, None
        logs: dict = {}
        train_step = self.train_step
        train_batch = self._train_batch
        custom_step = type(self).train_step is not Trainer.train_step
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            step = -1
            fast = not (every_batch or custom_step)
            if fast:
                periodic = cbs.periodic_hook("on_train_batch_end") if train_hooks else None
                step = self._fit_epoch(data, epoch, periodic=periodic)
            for step, batch in enumerate(() if fast else data.batches()):
                xb, yb, swb = batch
                if train_hooks:
                    cbs.batch_hook("on_train_batch_begin", step)
                if train_hooks or custom_step:
                    logs = _flatten_logs(train_step((xb, yb) if swb is None else (xb, yb, swb)))
                else:
                    train_batch(xb, yb, swb)
                if train_hooks:
                    cbs.batch_hook("on_train_batch_end", step, _sorted_logs(logs))
                if self._nan_batch:
                    self._report_nan(epoch, step)
                    break
                if self.stop_training:
                    break
            if step < 0 and getattr(data, "exhausted", False):
                warnings.warn(f"fit: the generator ran out of data at epoch {epoch + 1}; "
                              "training stopped (give steps_per_epoch so that it yields "
                              "steps_per_epoch * epochs batches)", UserWarning, stacklevel=2)
                break
            epoch_logs = {}
            if step >= 0:
                epoch_logs = _sorted_logs(logs if custom_step else self.get_metrics_result())
            if isinstance(val, BatchStream) and _should_validate(epoch, validation_freq):
                val_logs = self._evaluate_data(val, cbs)
                epoch_logs.update({f"val_{k}": v for k, v in _sorted_logs(val_logs).items()})
            elif val is not None and _should_validate(epoch, validation_freq):
                val_logs = self._evaluate_arrays(
                    *val,
                    batch_size=validation_batch_size or data.batch_size,
                    steps=validation_steps,
                    cbs=cbs,
                )
                epoch_logs.update({f"val_{k}": v for k, v in _sorted_logs(val_logs).items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            logs = epoch_logs
            if self.stop_training:
                break
        if epochs > initial_epoch and self.optimizer.built:  # use_ema: the averages
            self.optimizer.finalize_variable_values(self._train_variables())
        cbs.on_train_end(logs)
        self.history = history
        return history

    def _forget_caches(self) -> None:
        """Drop what was derived from the model's structure (layers, variables, fast paths)."""
        self._train_cache = None
        self._train_vars = None
        self._flat = None  # the FlatBuffers the train plans write gradients into, if any
        self._plans: dict = {}  # signature -> Plan, or False when that step runs eagerly
        self._forward_seen: set = set()  # input shapes model(x)/predict met (see _forward_plan)
        self._train_prepared = False

    def _prepare_train_step(self) -> None:
        """Forget cached layer/variable lists and plans (the model may have changed), and
        pack the trainable variables into flat buffers when the optimizer can update
        them in whole-buffer calls (before any plan is traced: plans read the views)."""
        self._forget_caches()
        self._train_prepared = True
        variables, optimizer = self._train_variables(), self.optimizer
        if not (optimizer.supports_flat and FlatBuffers.can_pack(variables)):
            return
        if optimizer.built and list(optimizer._trainable_variables) != variables:
            return  # built for another list: the per-variable update
        flat = getattr(variables[0], "_storage_owner", None)  # packed by an earlier fit?
        if not (isinstance(flat, FlatBuffers) and flat.valid and flat.variables == variables):
            flat = FlatBuffers(variables)
        self._flat = flat

    def _report_nan(self, epoch: int, step: int) -> None:
        warnings.warn(
            f"fit: the loss became NaN or inf at epoch {epoch + 1}, batch {step + 1}; training "
            "stopped (lower the learning rate, scale the inputs, or clip gradients)",
            RuntimeWarning,
            stacklevel=3,
        )
        self.stop_training = True

    def _callback_list(
        self, callbacks, history, verbose: int, epochs: int, steps: int
    ) -> CallbackList:
        if callbacks is None or isinstance(callbacks, (list, tuple)):
            user = list(callbacks or [])
        else:  # one callback, as Keras 3 accepts (CallbackList checks its type)
            user = [callbacks]
        cbs = []
        if verbose and not any(isinstance(c, ProgbarLogger) for c in user):
            cbs.append(ProgbarLogger(verbose))
        cbs.extend(user)
        if history is not None:
            cbs.append(history)
        return CallbackList(
            cbs, model=self, params={"verbose": verbose, "epochs": epochs, "steps": steps}
        )

    # ---- evaluate -----------------------------------------------------------------
    def _evaluate_arrays(self, x, y, sample_weight, batch_size, steps, cbs: CallbackList) -> dict:
        data = da.ArrayData(
            x, y, sample_weight, batch_size, shuffle=False, steps=steps, what="evaluate"
        )
        return self._evaluate_data(data, cbs)

    def _evaluate_data(self, data: Any, cbs: CallbackList) -> dict:
        """One pass of the test step over `data` (ArrayData or BatchStream); the logs."""
        self.reset_metrics()
        self.stop_evaluating = False
        hooks = cbs.has_batch_hooks("on_test_batch_begin") or cbs.has_batch_hooks(
            "on_test_batch_end"
        )
        cbs.on_test_begin()
        logs: dict = {}
        every_batch = cbs.needs_every_batch("on_test_batch_begin") or cbs.needs_every_batch(
            "on_test_batch_end")
        fast = not every_batch and type(self).test_step is Trainer.test_step
        if fast:
            periodic = cbs.periodic_hook("on_test_batch_end") if hooks else None
            self._fit_epoch(data, 0, kind="test", periodic=periodic)
        for step, (xb, yb, swb) in enumerate(() if fast else data.batches()):
            packed = (xb, yb) if swb is None else (xb, yb, swb)
            if hooks:
                cbs.batch_hook("on_test_batch_begin", step)
            logs = _flatten_logs(self.test_step(packed))
            if hooks:
                cbs.batch_hook("on_test_batch_end", step, _sorted_logs(logs))
            if self.stop_evaluating:
                break
        logs = self.get_metrics_result() if type(self).test_step is Trainer.test_step else logs
        cbs.on_test_end(_sorted_logs(logs))
        return logs

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: list | None = None,
        return_dict: bool = False,
        **kwargs: Any,
    ):
        """Loss and metrics on the given data: a scalar, a list, or a dict with return_dict."""
        if kwargs:
            raise TypeError(f"evaluate: unexpected keyword argument(s) {sorted(kwargs)}")
        self._assert_compiled("evaluate")
        verbose = _verbosity(verbose)
        if is_batch_source(x):
            _check_batch_source_args("evaluate", y, sample_weight, 0.0)
            data = BatchStream(x, steps, "evaluate", needs_y=True)
            self._ensure_built(data.x)
            logs = self._evaluate_data(data, self._callback_list(callbacks, None, verbose, 1,
                                                                 data.steps))
            return _logs_result(logs, return_dict)
        x, y, sample_weight = self._prepare(x, y, sample_weight, "evaluate", check=False)
        if y is None:
            raise ValueError("evaluate: y is required (the targets), received None")
        self._ensure_built(x)
        n = da.num_samples(x, "evaluate: x")
        bs = da.check_batch_size(batch_size, "evaluate")
        cbs = self._callback_list(callbacks, None, verbose, 1, steps or math.ceil(n / bs))
        logs = self._evaluate_arrays(x, y, sample_weight, bs, steps, cbs)
        if return_dict:
            return _sorted_logs(logs)
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ---- predict ------------------------------------------------------------------
    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: list | None = None,
    ):
        """Model outputs for `x` as NumPy arrays, computed in batches (default 32)."""
        plan = self._plans.get(("forward", x.shape)) if type(x) is np.ndarray else None
        if (plan and x.dtype is plan.input_dtype and batch_size is None and steps is None
                and not callbacks and len(x) <= 32
                and (verbose == "auto" or verbose == 0)):  # checked when the plan was traced
            outputs = plan.run((x,))[0]
            return outputs[0] if plan.single_tensor else _pack(plan.pred_structure, outputs)
        if x is None:
            raise ValueError("predict: x is required, received None")
        if is_batch_source(x):
            data = BatchStream(x, steps, "predict", needs_y=False)
            return self._predict_data(data, _verbosity(verbose), callbacks)
        x = da.to_array_structure(x, "predict: x", cast_float=True)
        self._check_input_structure(x, "predict")
        n = da.num_samples(x, "predict: x")
        bs = da.check_batch_size(batch_size, "predict")
        plain_step = type(self).predict_step is Trainer.predict_step
        if not callbacks and n <= bs and steps is None and verbose in ("auto", 0) and plain_step:
            if type(x) is np.ndarray and n:
                plan = self._forward_plan(x)
                if plan is not None:
                    return _pack(plan.pred_structure, plan.run((x,))[0])
            return self._predict_batch(x)
        data = da.ArrayData(x, None, None, bs, shuffle=False, steps=steps, what="predict")
        return self._predict_data(data, _verbosity(verbose), callbacks)

    def _predict_data(self, data: Any, verbose: int, callbacks: Any):
        """Outputs of the predict step over every batch of `data`, concatenated."""
        plain_step = type(self).predict_step is Trainer.predict_step
        quiet = data.steps is not None and data.steps <= 1
        cbs = self._callback_list(callbacks, None, 0 if quiet else verbose, 1, data.steps)
        hooks = cbs.has_batch_hooks("on_predict_batch_begin") or cbs.has_batch_hooks(
            "on_predict_batch_end"
        )
        cbs.on_predict_begin()
        outputs = []
        for step, (xb, _, _) in enumerate(data.batches()):
            if hooks:
                cbs.batch_hook("on_predict_batch_begin", step)
            out = self._predict_batch(xb) if plain_step else _to_numpy(self.predict_step((xb,)))
            outputs.append(out)
            if hooks:
                cbs.batch_hook("on_predict_batch_end", step, {"outputs": out})
        cbs.on_predict_end()
        return _concat(outputs)

    def predict_on_batch(self, x: Any):
        """Outputs for one batch, without batching or callbacks."""
        x = da.to_array_structure(x, "predict_on_batch: x", cast_float=True)
        return self._predict_batch(x)

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict | None = None,
        return_dict: bool = False,
        reset_metrics: bool = True,
    ):
        """One gradient step on one batch; returns its loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        x, y, sample_weight = self._prepare(x, y, sample_weight, "train_on_batch", check=True)
        if class_weight is not None:
            cw = da.class_weight_to_sample_weight(y, class_weight)
            sample_weight = cw if sample_weight is None else sample_weight * cw
        self._ensure_built(x)
        if not self._train_prepared:
            self._prepare_train_step()
        if reset_metrics:
            self.reset_metrics()
        packed = (x, y) if sample_weight is None else (x, y, sample_weight)
        logs = _flatten_logs(self.train_step(packed))
        return _logs_result(logs, return_dict)

    def test_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        return_dict: bool = False,
        reset_metrics: bool = True,
    ):
        """Loss (and metrics) on one batch, without training."""
        self._assert_compiled("test_on_batch")
        x, y, sample_weight = self._prepare(x, y, sample_weight, "test_on_batch", check=False)
        self._ensure_built(x)
        if reset_metrics:
            self.reset_metrics()
        packed = (x, y) if sample_weight is None else (x, y, sample_weight)
        logs = _flatten_logs(self.test_step(packed))
        return _logs_result(logs, return_dict)


def _provisional_output_names(loss: Any, loss_weights: Any) -> list[str]:
    for spec in (loss, loss_weights):
        if isinstance(spec, dict):
            return [str(k) for k in spec]
        if isinstance(spec, (list, tuple)) and len(spec) > 1:
            return [f"output_{i + 1}" for i in range(len(spec))]
    return ["output"]


def _check_batch_source_args(what: str, y: Any, sample_weight: Any, split: float) -> None:
    """A PyDataset or generator brings its own targets and weights, and cannot be split."""
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"{what}: {name} must not be given when x is a PyDataset or a "
                             f"generator (its batches hold the {name}), received "
                             f"{type(value).__name__}")
    if split:
        raise ValueError(f"{what}: validation_split is not supported when x is a PyDataset "
                         "or a generator; pass validation_data instead")


def _logs_result(logs: dict, return_dict: bool):
    if return_dict:
        return _sorted_logs(logs)
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _check_fit_args(initial_epoch, validation_data, validation_freq) -> None:
    """fit's scalar arguments, checked once per call."""
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) or (
        initial_epoch < 0
    ):
        raise ValueError(
            f"fit: initial_epoch must be a non-negative integer, received {initial_epoch!r}"
        )
    if validation_data is not None and not is_batch_source(validation_data) and (
        not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3)
    ):
        got = type(validation_data).__name__
        if isinstance(validation_data, (tuple, list)):
            got = f"a {got} of {len(validation_data)} item(s)"
        raise ValueError(
            "fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
            f"val_sample_weight), received {got}"
        )
    if isinstance(validation_freq, bool) or (
        isinstance(validation_freq, (int, np.integer)) and validation_freq < 1
    ) or not isinstance(validation_freq, (int, np.integer, list, tuple, set, range)):
        raise ValueError(
            "fit: validation_freq must be a positive integer or a collection of epoch numbers, "
            f"received {validation_freq!r}"
        )


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _structure_key(x) -> Any:
    """What, besides the arrays' shapes and dtypes, a plan's signature depends on."""
    if x is None or type(x) is np.ndarray:
        return None
    if isinstance(x, dict):
        return tuple(sorted(x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, len(x))
    return type(x).__name__


def _pack(structure: Any, arrays: list) -> Any:
    """Arrays in the structure of `structure` (a tensor, a list/tuple or a dict of them)."""
    if isinstance(structure, dict):  # leaves_of reads a dict in sorted key order
        by_key = dict(zip(sorted(structure), arrays, strict=True))
        return {k: by_key[k] for k in structure}
    if isinstance(structure, (list, tuple)):
        return list(arrays)
    return arrays[0]


def _runs_many_steps(plan: Plan) -> bool:
    """Whether `_fit_epoch` may replay a run of this plan's batches in one call of its
    `steps_runner`: its gradients (if any) go to the flat buffer, and it has no
    per-output loss terms to track."""
    return (plan.flat or not plan.backward) and not plan.terms


def _thread_chooser(variables: list) -> ThreadChooser | None:
    """A ThreadChooser for a model with products wide enough for threads to matter."""
    if not any(v.data.size >= WIDE_WEIGHTS for v in variables):
        return None
    chooser = ThreadChooser()
    return chooser if chooser.trying else None


def _graph_call(cls: type) -> bool:
    """Whether `cls.call` is Sequential's or Functional's own (the layer graph)."""
    cached = _GRAPH_CALL.get(cls)
    if cached is None:
        cached = _GRAPH_CALL[cls] = getattr(cls.call, "replays_layer_graph", False)
    return cached


_GRAPH_CALL: dict[type, bool] = {}


def _tensor(data: np.ndarray) -> Tensor:
    """A constant Tensor around an array the plan computed (no conversion, no copy)."""
    out = Tensor.__new__(Tensor)
    out.data = data
    out.requires_grad = False
    out._parents = ()
    out._prim = None
    out._res = None
    out._keras_logits = None
    return out


def _batch_size(x) -> int:
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)):
        x = x[0]
    return len(x)


def _to_numpy(out):
    if isinstance(out, Tensor):
        return out.data
    if isinstance(out, dict):
        return {k: _to_numpy(v) for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return [_to_numpy(v) for v in out]
    return np.asarray(out)


def _concat(outputs: list):
    first = outputs[0] if outputs else None
    if isinstance(first, dict):
        return {k: np.concatenate([o[k] for o in outputs]) for k in first}
    if isinstance(first, list):
        return [np.concatenate([o[i] for o in outputs]) for i in range(len(first))]
    if first is None:
        return np.zeros((0,))
    return np.concatenate(outputs)
