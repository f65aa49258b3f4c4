"""The optimizer base class: learning rate, clipping, weight decay, slots, saving.

`apply(grads, variables)` is the hot path of training: raw NumPy gradients in, every
variable's `.data` updated in place. The update equations are those of Keras 3.
Subclasses create their slot variables in `build` and give their rule in one of two
forms:

- one kernel on arrays (the built-in optimizers): `_slot_groups()` lists the slot
  lists (one slot per variable each), `_coefficients(learning_rate)` computes the
  step's scalars once, and `_kernel(w, g, slots, scratch, coefficients)` updates `w`
  and the slot arrays in place (`_n_scratch` work arrays shaped like `w`). `apply`
  calls the kernel once per variable; `apply_flat(buffers)` (`optimizers.flat`) calls
  it once on flat buffers holding every variable, so `supports_flat` is True;
- or per variable: `_update(grads, variables, indices, learning_rate)`, where
  `indices[k]` is the position of `variables[k]` in the list the optimizer was built
  with (the position of its slots), or Keras' `update_step(gradient, variable, lr)`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff.tensor import GradientTape, Tensor, Variable
from neuroflow.optimizers import flat as _flat
from neuroflow.optimizers import schedules as _schedules

_FLUSH_EVERY = 64  # steps between two flushes of denormal slot values

__all__ = ["Optimizer"]


def _check_positive(value: Any, name: str, owner: str) -> None:
    if value is None:
        return
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not value > 0:
        raise ValueError(f"{owner}: expected `{name}` to be a positive number or None, "
                         f"received {value!r}")


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


class _Count(int):
    """An int that also answers tf.keras 2's `optimizer.iterations.numpy()`."""

    __slots__ = ()

    def numpy(self) -> np.int64:
        return np.int64(self)


class Optimizer:
    """Base class of the optimizers (Keras 3 API).

    Args:
        learning_rate: a float, a `LearningRateSchedule`, or a callable taking no
            argument that returns the rate.
        weight_decay: if set, every step first shrinks each weight by
            `weight * weight_decay * learning_rate` (decoupled weight decay).
        clipnorm: clip each gradient so that its L2 norm is at most this.
        clipvalue: clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together so that their global norm is at
            most this. At most one of the three clipping arguments may be set.
        use_ema: keep an exponential moving average of the weights
            (`ema_momentum`), written into the weights every `ema_overwrite_frequency`
            steps and by `finalize_variable_values`.
        loss_scale_factor: gradients are divided by it (see `scale_loss`).
        gradient_accumulation_steps: update only every that many calls, with the mean
            of the gradients accumulated since the last update.
        name: the optimizer's name, used in its variables' paths.
        lr: deprecated alias of `learning_rate`.
        decay: deprecated tf.keras 2 time-based decay: the rate used is
            `learning_rate / (1 + decay * iterations)`.
    """

    _default_name = "optimizer"
    _flush_every = _FLUSH_EVERY
    _n_scratch = 1  # work arrays the kernel needs

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ):
        owner = type(self).__name__
        if "lr" in kwargs:
            warnings.warn(
                f"{owner}: the `lr` argument is deprecated, use `learning_rate` instead",
                DeprecationWarning, stacklevel=3,
            )
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if decay is not None:
            warnings.warn(
                f"{owner}: the `decay` argument is deprecated (tf.keras 2); use a "
                "learning rate schedule such as InverseTimeDecay instead",
                DeprecationWarning, stacklevel=3,
            )
            ok = isinstance(decay, (int, float, np.number)) and not isinstance(decay, bool)
            if not ok or decay < 0:
                raise ValueError(f"{owner}: expected `decay` to be a non-negative number, "
                                 f"received {decay!r}")
        if kwargs:
            raise ValueError(f"{owner}: argument(s) not recognized: {sorted(kwargs)}")
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm)):
            _check_positive(value, arg, owner)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set, received clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        if weight_decay is not None and (
            not isinstance(weight_decay, (int, float, np.number)) or weight_decay < 0
        ):
            raise ValueError(f"{owner}: expected `weight_decay` to be a non-negative number "
                             f"or None, received {weight_decay!r}")
        if not 0.0 <= ema_momentum <= 1.0:
            raise ValueError(f"{owner}: expected `ema_momentum` in [0, 1], "
                             f"received {ema_momentum!r}")
        if ema_overwrite_frequency is not None and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
        ):
            raise ValueError(f"{owner}: expected `ema_overwrite_frequency` to be an integer "
                             f">= 1 or None, received {ema_overwrite_frequency!r}")
        if gradient_accumulation_steps is not None and (
            not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2
        ):
            raise ValueError(f"{owner}: expected `gradient_accumulation_steps` to be an "
                             f"integer >= 2 or None, received {gradient_accumulation_steps!r}")
        _check_positive(loss_scale_factor, "loss_scale_factor", owner)

        self.name = name or self._default_name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = float(decay) if decay else 0.0
        self.built = False

        self._variables: list[Variable] = []
        self._trainable_variables: list[Variable] = []
        self._index: dict[int, int] = {}
        self._checked_variables: list | None = None  # last variable list validated by apply
        self._checked_ids: list[int] = []
        self._buffers: list[np.ndarray | None] = []
        self._buffers2: list[np.ndarray | None] = []
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        self._flat_state: _flat.FlatState | None = None
        self._iterations = self._track(
            Variable(0, trainable=False, name="iteration", dtype="int64")
        )
        self._learning_rate: Any = None
        self._set_initial_learning_rate(learning_rate)

    # ---- variables ----------------------------------------------------------------------
    def _track(self, variable: Variable) -> Variable:
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_variable(
        self,
        shape: tuple[int, ...],
        initializer: Any = "zeros",
        dtype: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Create a non-trainable optimizer variable and track it in `variables`."""
        from neuroflow import initializers

        init = initializers.get(initializer)
        dtype = np.dtype(dtype or backend.floatx())
        value = np.asarray(init(tuple(shape), dtype=dtype), dtype=dtype)
        return self._track(Variable(value, trainable=False, name=name or "variable",
                                    dtype=dtype))

    def add_variable_from_reference(
        self, reference_variable: Variable, name: str | None = None, initializer: Any = "zeros"
    ) -> Variable:
        """A slot with the shape and dtype of `reference_variable`, named after it."""
        ref_name = getattr(reference_variable, "path", None) or getattr(
            reference_variable, "name", "variable")
        full = f"{str(ref_name).replace('/', '_')}_{name or 'var'}"
        return self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=full)

    def add_optimizer_variables(
        self, var_list: list[Variable], name: str | list[str], initializer: Any = "zeros"
    ) -> list[Variable] | tuple[list[Variable], ...]:
        """One slot per variable (a tuple of such lists when `name` is a list)."""
        if isinstance(name, str):
            return [self.add_variable_from_reference(v, name, initializer) for v in var_list]
        slots: tuple[list[Variable], ...] = tuple([] for _ in name)
        for v in var_list:
            for group, slot_name in zip(slots, name, strict=True):
                group.append(self.add_variable_from_reference(v, slot_name, initializer))
        return slots

    @property
    def variables(self) -> list[Variable]:
        """Iterations, the learning rate (when a float) and every slot, in creation order."""
        return list(self._variables)

    @property
    def iterations(self) -> int:
        """Number of updates done so far (an int with tf.keras 2's `.numpy()`)."""
        return _Count(self._updates_done())

    def _updates_done(self) -> int:
        """`iterations` as a plain int (for the update rules: no wrapper per step)."""
        count = int(self._iterations.data)
        if self.gradient_accumulation_steps:
            return count // self.gradient_accumulation_steps
        return count

    @property
    def iterations_variable(self) -> Variable:
        """The int64 variable counting `apply` calls (saved with the optimizer)."""
        return self._iterations

    def build(self, variables: list[Variable]) -> None:
        """Create the slot variables for `variables` (once; later calls do nothing)."""
        if self.built:
            return
        variables = list(variables)
        self._trainable_variables = variables
        self._index = {id(v): i for i, v in enumerate(variables)}
        self._checked_variables = None
        self._buffers = [None] * len(variables)
        self._buffers2 = [None] * len(variables)
        self._ema_averages: list[Variable] = []
        self._accumulators: list[Variable] = []
        for v in variables:
            if self.use_ema:
                self._ema_averages.append(self.add_variable_from_reference(v, "average"))
            if self.gradient_accumulation_steps:
                self._accumulators.append(
                    self.add_variable_from_reference(v, "gradient_accumulator"))
        self.built = True

    def _get_variable_index(self, variable: Variable) -> int:
        return self._index[id(variable)]

    def _scratch(self, index: int, like: np.ndarray, second: bool = False) -> np.ndarray:
        """A reusable work buffer shaped like variable number `index` (two per variable)."""
        buffers = self._buffers2 if second else self._buffers
        buf = buffers[index]
        if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
            buf = buffers[index] = np.empty_like(like)
        return buf

    # ---- learning rate ------------------------------------------------------------------
    def _fraction(self, value: Any, name: str) -> float:
        """A decay rate such as beta_1 or rho: a number in [0, 1)."""
        ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if not ok or not 0.0 <= float(value) < 1.0:
            raise ValueError(
                f"{type(self).__name__}: `{name}` must be a number in [0, 1), received {value!r}"
            )
        return float(value)

    def _set_initial_learning_rate(self, learning_rate: Any) -> None:
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or (
            callable(learning_rate) and not isinstance(learning_rate, (Tensor, np.generic))
        ):
            self._learning_rate = learning_rate
            return
        value = _raw(learning_rate)
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
            raise ValueError(
                f"{type(self).__name__}: expected `learning_rate` to be a float, a "
                f"LearningRateSchedule or a callable, received {learning_rate!r}"
            )
        if not value >= 0:
            raise ValueError(
                f"{type(self).__name__}: `learning_rate` must be a non-negative number, "
                f"received {learning_rate!r}"
            )
        self._learning_rate = self._track(
            Variable(float(value), trainable=False, name="learning_rate",
                     dtype=backend.floatx())
        )

    @property
    def learning_rate(self) -> Any:
        """The rate Variable (float rates) or the schedule's current value (np.float32)."""
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return lr
        if isinstance(lr, _schedules.LearningRateSchedule):
            value = lr(int(self._iterations.data))
        else:
            value = lr()
        return np.asarray(_raw(value), dtype=backend.floatx())[()]

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, _schedules.LearningRateSchedule) or (
            callable(value) and not isinstance(value, (Tensor, np.generic))
        ):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = value
            return
        if not isinstance(self._learning_rate, Variable):
            raise TypeError(
                f"{type(self).__name__} was created with a learning-rate schedule or "
                "callable, so its learning rate cannot be set to a number; create the "
                "optimizer with a float `learning_rate` to make it settable"
            )
        raw = _raw(value)
        try:
            number = float(np.asarray(raw))
        except (TypeError, ValueError):
            raise TypeError(
                f"{type(self).__name__}: expected the learning rate to be a number or a "
                f"LearningRateSchedule, received {value!r}"
            ) from None
        if not number >= 0:
            raise ValueError(
                f"{type(self).__name__}: the learning rate must be a non-negative number, "
                f"received {value!r}"
            )
        self._learning_rate.data[...] = number

    @property
    def lr(self) -> Any:
        """Alias of `learning_rate` for tf.keras 2 code."""
        return self.learning_rate

    @lr.setter
    def lr(self, value: Any) -> None:
        self.learning_rate = value

    def current_learning_rate(self) -> float:
        """The rate the next update will use (schedule and `decay` applied)."""
        lr = self._learning_rate
        if isinstance(lr, Variable):
            value = float(lr.data)
        elif isinstance(lr, _schedules.LearningRateSchedule):
            value = float(np.asarray(_raw(lr(int(self._iterations.data)))))
        else:
            value = float(np.asarray(_raw(lr())))
        if self.decay:
            value /= 1.0 + self.decay * self._updates_done()
        return value

    # ---- the update -----------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable) -> None:
        """Keras API: apply an iterable of (gradient, variable) pairs."""
        pairs = list(grads_and_vars)
        if not pairs:
            return
        grads, variables = zip(*pairs, strict=True)
        self.apply(list(grads), list(variables))

    def apply(self, grads: list, variables: list[Variable] | None = None) -> None:
        """Update `variables` in place from `grads` (arrays, Tensors or None) and count it.

        Without `variables`, `grads` must match the list the optimizer was built with.
        """
        if not isinstance(grads, (list, tuple)):
            grads = list(grads)
        if variables is None:
            if not self.built:
                raise ValueError(
                    f"{type(self).__name__}.apply: without `variables` the optimizer must "
                    "already be built; call optimizer.build(trainable_variables) first"
                )
            variables = self._trainable_variables
        elif not isinstance(variables, (list, tuple)):
            variables = list(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"{type(self).__name__}.apply: expected one gradient per variable, received "
                f"{len(grads)} gradients for {len(variables)} variables"
            )
        if not grads:
            return
        if not self.built:
            self.build(variables)

        if variables is self._checked_variables and all(type(g) is np.ndarray for g in grads):
            gs, vs, ids = grads, variables, self._checked_ids  # the trainer's list: checked once
        else:
            gs, vs, ids = self._prepare(grads, variables)
            if len(vs) == len(variables) and all(type(g) is np.ndarray for g in grads):
                self._checked_variables, self._checked_ids = variables, ids
        if self.loss_scale_factor is not None:
            gs = [g / self.loss_scale_factor for g in gs]

        steps = self.gradient_accumulation_steps
        if steps:
            accumulators = [self._accumulators[i].data for i in ids]
            if (int(self._iterations.data) + 1) % steps == 0:
                gs = [(g + acc) / steps for g, acc in zip(gs, accumulators, strict=True)]
                self._step(gs, vs, ids)
                for acc in accumulators:
                    acc[...] = 0
            else:
                for g, acc in zip(gs, accumulators, strict=True):
                    acc += g
        else:
            self._step(gs, vs, ids)
        if self.use_ema:
            self._update_ema()
        self._count_update()
        for v in vs:
            if v.constraint is not None:
                v.data[...] = _raw(v.constraint(v.data))

    def _count_update(self) -> None:
        """Count one update, flushing denormal slots every `_flush_every` of them."""
        count = self._iterations.data
        count[...] = done = int(count) + 1
        if done % self._flush_every == 0:
            self._flush_denormal_slots()

    def _flush_denormal_slots(self) -> None:
        """Set slot values below float's smallest normal number to zero.

        Momentum and moment estimates of weights whose gradient stays zero (dead ReLU
        units, always-zero pixels) decay geometrically through the denormal range, where
        x86 arithmetic is many times slower; XLA and others flush such values to zero in
        hardware, NumPy cannot, so this does it every few dozen steps.
        """
        skip = {id(self._iterations), id(self._learning_rate)}
        for v in self._variables:
            data = v.data
            if id(v) in skip or data.dtype.kind != "f" or not data.ndim:
                continue
            tiny = np.finfo(data.dtype).tiny
            np.copyto(data, 0, where=np.abs(data) < tiny)

    def _prepare(self, grads: list | tuple, variables: list | tuple):
        """Check the pairs and drop those without a gradient: (grads, variables, indices)."""
        index = self._index
        ids = [index.get(id(v), -1) for v in variables]
        if -1 in ids:
            v = variables[ids.index(-1)]
            raise ValueError(
                f"{type(self).__name__}.apply: unknown variable "
                f"'{getattr(v, 'path', v)}'. The optimizer can only update the variables "
                "it was built with; create a new optimizer for other variables"
            )
        if any(g is None for g in grads):
            missing = [v.name for g, v in zip(grads, variables, strict=True) if g is None]
            keep = [k for k, g in enumerate(grads) if g is not None]
            if not keep:
                raise ValueError(f"{type(self).__name__}.apply: no gradients provided for "
                                 "any variable")
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. "
                "If using `model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=3,
            )
            grads = [grads[k] for k in keep]
            variables = [variables[k] for k in keep]
            ids = [ids[k] for k in keep]
        gs = [g if type(g) is np.ndarray else np.asarray(_raw(g)) for g in grads]
        for g, v in zip(gs, variables, strict=True):
            if g.shape != v.data.shape:
                raise ValueError(
                    f"{type(self).__name__}.apply: gradient of shape {g.shape} does not match "
                    f"variable '{v.path}' of shape {v.data.shape}"
                )
        return gs, variables, ids

    def _step(self, grads: list[np.ndarray], variables: list[Variable], indices: list[int]):
        grads = self._clip_gradients(grads)
        lr = self.current_learning_rate()
        if self.weight_decay:
            self._apply_weight_decay(variables, lr)
        self._update(grads, variables, indices, lr)

    def _update(
        self, grads: list[np.ndarray], variables: list[Variable], indices: list[int], lr: float
    ) -> None:
        """Apply the update rule: the kernel once per variable if the class has one, else
        `update_step` once per variable."""
        if type(self)._kernel is Optimizer._kernel:
            for g, v in zip(grads, variables, strict=True):
                self.update_step(g, v, lr)
            return
        coefficients = self._coefficients(lr)
        groups = self._slot_groups()
        two = self._n_scratch == 2
        for g, v, i in zip(grads, variables, indices, strict=True):
            w = v.data
            scratch = ([self._scratch(i, w), self._scratch(i, w, second=True)] if two
                       else [self._scratch(i, w)])
            self._kernel(w, g, [group[i].data for group in groups], scratch, coefficients)

    # ---- the update rule as one kernel on arrays ----------------------------------------
    def _slot_groups(self) -> list[list[Variable]]:
        """The slot lists the kernel reads, in the order of its `slots` argument."""
        return []

    def _coefficients(self, learning_rate: Any) -> Any:
        """The step's scalars, computed once per step (before the kernel runs)."""
        return learning_rate

    def _kernel(self, w: np.ndarray, g: np.ndarray, slots: list[np.ndarray],
                scratch: list[np.ndarray], coefficients: Any) -> None:
        """Update `w` and `slots` in place from `g` (one variable, or the flat buffers)."""
        raise NotImplementedError(f"{type(self).__name__} has no array kernel")

    @property
    def supports_flat(self) -> bool:
        """Whether `apply_flat` can update this optimizer's variables (see `_kernel`)."""
        cls = type(self)
        return cls._kernel is not Optimizer._kernel and cls._update is Optimizer._update

    def apply_flat(self, buffers: _flat.FlatBuffers) -> None:
        """One update of every variable in `buffers` from `buffers.grads`, in a few
        whole-buffer calls; the same numbers as `apply` (see `optimizers.flat`)."""
        _flat.apply_flat(self, buffers)

    def flat_updater(self, buffers: _flat.FlatBuffers) -> Callable[[], None]:
        """`apply_flat(buffers)` bound once, as a function of no arguments, for many
        updates in a row with nothing else touching the optimizer in between (see
        `optimizers.flat.updater`): what the trainer's multi-step replay calls."""
        if type(self).apply_flat is not Optimizer.apply_flat:  # a subclass's own update
            return lambda: self.apply_flat(buffers)
        return _flat.updater(self, buffers)

    def update_step(self, gradient: np.ndarray, variable: Variable, learning_rate: float):
        """Keras API: update one variable (built-in optimizers route it to `_update`)."""
        if type(self)._update is Optimizer._update and type(self)._kernel is Optimizer._kernel:
            raise NotImplementedError(
                f"{type(self).__name__} must implement update_step(gradient, variable, "
                "learning_rate) or _update(grads, variables, indices, learning_rate)"
            )
        self._update([np.asarray(_raw(gradient))], [variable],
                     [self._get_variable_index(variable)], float(learning_rate))

    # ---- clipping, weight decay, EMA ------------------------------------------------------
    def _clip_gradients(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        if self.clipnorm:
            out = []
            for g in grads:
                norm = math.sqrt(float(np.vdot(g, g)))
                out.append(g * (self.clipnorm / norm) if norm > self.clipnorm else g)
            return out
        if self.global_clipnorm:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
            if not math.isfinite(norm):
                return [np.full_like(g, np.nan) for g in grads]
            if norm <= self.global_clipnorm:
                return grads
            scale = self.global_clipnorm / norm
            return [g * scale for g in grads]
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(
        self, var_list: list[Variable] | None = None, var_names: list[str] | None = None
    ) -> None:
        """Exempt variables (by identity, or by a substring of their name) from decay."""
        if self.built:
            raise ValueError("exclude_from_weight_decay() can only be called before the "
                             "optimizer is built")
        self._exclude_ids = {id(v) for v in var_list or ()}
        names = [re.escape(n) for n in var_names or ()]
        self._exclude_pattern = re.compile("|".join(names)) if names else None

    def _use_weight_decay(self, variable: Variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _apply_weight_decay(self, variables: list[Variable], lr: float) -> None:
        shrink = 1.0 - self.weight_decay * lr
        for v in variables:
            if self._use_weight_decay(v):
                v.data *= shrink

    def _update_ema(self) -> None:
        momentum = self.ema_momentum if self._updates_done() != 0 else 0.0
        for v, avg in zip(self._trainable_variables, self._ema_averages, strict=True):
            avg.data *= momentum
            avg.data += (1.0 - momentum) * v.data
        freq = self.ema_overwrite_frequency
        if freq and (self._updates_done() + 1) % freq == 0:
            self.finalize_variable_values(self._trainable_variables)

    def finalize_variable_values(self, var_list: list[Variable]) -> None:
        """With `use_ema`, write the moving averages into the model's variables."""
        if not self.use_ema:
            return
        if len(var_list) != len(self._ema_averages):
            raise ValueError(
                f"{type(self).__name__}.finalize_variable_values: received {len(var_list)} "
                f"variables, the optimizer averages {len(self._ema_averages)}"
            )
        for v, avg in zip(var_list, self._ema_averages, strict=True):
            v.data[...] = avg.data

    def scale_loss(self, loss: Any) -> Any:
        """Multiply the loss by `loss_scale_factor` (gradients are divided back in apply)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def minimize(self, loss: Any, var_list: list[Variable], tape: GradientTape | None = None):
        """Compute the gradients of `loss` (a no-argument callable, or a tensor recorded on
        `tape`) with respect to `var_list` and apply them."""
        var_list = list(var_list)
        if callable(loss):
            with GradientTape() as tape:
                value = loss()
        elif tape is None:
            raise ValueError(f"{type(self).__name__}.minimize: a `tape` is required when "
                             "`loss` is a tensor rather than a callable")
        else:
            value = loss
        grads = tape.gradient(value, var_list)
        self.apply_gradients(zip(grads, var_list, strict=True))

    # ---- saving ---------------------------------------------------------------------------
    def set_weights(self, weights: list) -> None:
        """Overwrite `variables` with arrays of the same shapes, in the same order."""
        if len(weights) != len(self._variables):
            raise ValueError(
                f"{type(self).__name__}.set_weights: expected {len(self._variables)} arrays "
                f"(build the optimizer first), received {len(weights)}"
            )
        for v, w in zip(self._variables, weights, strict=True):
            v.assign(np.asarray(_raw(w)))

    def save_own_variables(self, store: dict) -> None:
        """Write the variables into `store` under the keys '0', '1', ..."""
        for i, v in enumerate(self._variables):
            store[str(i)] = np.array(v.data)

    def load_own_variables(self, store: dict) -> None:
        """Read the variables back from `store`; skipped with a warning on a mismatch."""
        if len(store.keys()) != len(self._variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}': it has "
                f"{len(self._variables)} variables, the saved one has {len(store.keys())}"
                + ("; build the optimizer first" if not self.built else ""),
                stacklevel=2,
            )
            return
        for i, v in enumerate(self._variables):
            v.assign(np.asarray(store[str(i)]))

    # ---- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments (the schedule serialized), as a dict."""
        lr = self._learning_rate
        if isinstance(lr, Variable):
            learning_rate: Any = float(lr.data)
        elif isinstance(lr, _schedules.LearningRateSchedule):
            learning_rate = _schedules.serialize(lr)
        else:
            learning_rate = lr
        config = {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Optimizer:
        """Rebuild an optimizer (without its state) from `get_config()` output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"],
                                                             custom_objects=custom_objects)
        if config.get("decay"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return cls(**config)
        config.pop("decay", None)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} iterations={self.iterations}>"

