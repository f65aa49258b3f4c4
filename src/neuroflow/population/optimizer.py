"""One optimizer for a whole pack: the members' own update rule on the (K, P) buffer.

The pack's optimizer is an instance of the members' optimizer class whose per-member
hyperparameters are (K, 1) vectors; its `_update` (the library's update equations, not a
copy) then broadcasts them over the flat weight buffer. Each member's own optimizer still
decides its learning rate (schedules, `LearningRateScheduler`, tf.keras 2 `decay`), and
gets its slots and step count back when the member leaves the pack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow import optimizers as opt
from neuroflow.autodiff.tensor import Variable
from neuroflow.population.members import _ALWAYS_VECTOR, VECTOR_ATTRIBUTES

__all__ = ["StackedOptimizer"]


# Attributes kept scalar when every member shares them (the update's arithmetic is then
# exactly the member's own), else float64 vectors: `1 - beta` of a float32 beta is off by
# 2e-7, a bias that Adam's moments accumulate.
_EXACT = ("beta_1", "beta_2")


class MemberVector(np.ndarray):
    """Per-member values of one hyperparameter, read by the optimizer's scalar code: true
    (in an `if`) when every one is; `==`/`!=` compare whole vectors (a cache of values
    derived from the rate sees any member's change, and a pack that lost members)."""

    def __bool__(self) -> bool:
        return bool(np.all(np.asarray(self)))

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return bool(np.array_equal(np.asarray(self), np.asarray(other)))

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def _vector(values: list[float], dtype: Any) -> MemberVector:
    return np.asarray(values, dtype=dtype).reshape(-1, 1).view(MemberVector)


class StackedOptimizer:
    """Updates a pack's flat weights with the members' optimizer class and settings."""

    def __init__(self, members: list[Any], params: Variable):
        self.members = list(members)  # the member models
        first = self.members[0].optimizer
        cls = type(first)
        config = first.get_config()
        config["learning_rate"] = float(np.asarray(first.current_learning_rate()))
        self.optimizer = cls.from_config(config)
        self.attributes = [a for a in VECTOR_ATTRIBUTES[cls] + _ALWAYS_VECTOR
                           if a != "learning_rate"
                           and getattr(first, a, None) is not None and getattr(first, a)
                           and (a not in _EXACT or len({getattr(m.optimizer, a)
                                                        for m in self.members}) > 1)]
        self.dtype = params.data.dtype
        self.params = params
        self.optimizer.build([params])
        self._set_vectors()
        self.steps = int(first._iterations.data)
        self._fixed_rates = all(
            isinstance(m.optimizer._learning_rate, Variable) and not m.optimizer.decay
            for m in self.members)
        self._rates: np.ndarray | None = None
        self._member_rates: list = []
        self._lists: tuple[list, list] | None = None
        self._update: Callable[[np.ndarray, Any], None] | None = None
        if {"beta_1", "beta_2"} & set(self.attributes) and cls in (opt.Adam, opt.AdamW):
            self.optimizer._coefficients = self._member_coefficients

    def _member_coefficients(self, _rates: MemberVector) -> MemberVector:
        """Each member's step size from its own optimizer (its betas' bias correction in
        its own scalar arithmetic), as a (K, 1) vector."""
        done = self.optimizer._iterations.data
        values = []
        for m, rate in zip(self.members, self._member_rates, strict=True):
            m.optimizer._iterations.data[...] = done
            values.append(m.optimizer._coefficients(rate))
        return _vector(values, self.dtype)

    def _set_vectors(self) -> None:
        for name in self.attributes:
            values = [float(getattr(m.optimizer, name)) for m in self.members]
            setattr(self.optimizer, name,
                    _vector(values, np.float64 if name in _EXACT else self.dtype))

    def slot_count(self) -> int:
        """How many (K, P) buffers the optimizer keeps besides the weights."""
        return sum(v.data.shape == self.params.data.shape for v in self.optimizer.variables)

    def refresh_rates(self) -> None:
        """Read every member's learning rate again (after callbacks may have changed it)."""
        self._rates = None

    def _learning_rates(self) -> MemberVector:
        if self._rates is None or not self._fixed_rates:
            rates = []
            for m in self.members:
                opt = m.optimizer
                opt._iterations.data[...] = self.steps  # schedules read the member's step
                rates.append(opt.current_learning_rate())
            self._member_rates = rates
            self._rates = _vector(rates, self.dtype)
        return self._rates

    def apply(self, grads: np.ndarray) -> None:
        """One update of the whole pack."""
        rates = self._learning_rates()
        if self._update is None:
            self._update = self._bound_update()
        self._update(grads, rates)
        self.steps += 1

    def _bound_update(self) -> Callable[[np.ndarray, Any], None]:
        """The update as a function of (grads, rates). Where `Optimizer.apply` would only
        run the update rule on the one (K, P) variable (no loss scaling, accumulation,
        clipping, weight decay, EMA or constraint), its two parts are called directly
        (`_update`, `_count_update`), without the per-call checks that are a fifth of a
        small pack's step. Else `apply` itself."""
        o, params = self.optimizer, self.params
        if (not o.supports_flat or o.loss_scale_factor is not None or o.clipvalue
                or o.gradient_accumulation_steps or o.weight_decay or o.use_ema
                or params.constraint is not None):
            def general(grads: np.ndarray, rates: Any) -> None:
                o.current_learning_rate = lambda: rates
                if self._lists is None or self._lists[0][0] is not grads:
                    # the same two lists every step: the optimizer checks them once
                    self._lists = ([grads], [params])
                o.apply(*self._lists)
            return general
        variables, indices = [params], [0]

        def update(grads: np.ndarray, rates: Any) -> None:
            o._update([grads], variables, indices, rates)
            o._count_update()
        return update

    def keep(self, members: list[int]) -> None:
        """Drop the members not listed from the slots and vectors (params already kept)."""
        k = len(self.members)
        for v in self.optimizer.variables:
            if v.data.ndim == 2 and v.data.shape[0] == k:
                v.data = np.ascontiguousarray(v.data[members])
        self.optimizer._buffers = [None] * len(self.optimizer._buffers)
        self.optimizer._buffers2 = [None] * len(self.optimizer._buffers2)
        self.optimizer._checked_variables = None
        self._lists = self._update = None
        self.members = [self.members[m] for m in members]
        self._set_vectors()
        self._rates = None

    def _pairs(self, m: int, layout: list) -> list[tuple[np.ndarray, np.ndarray]]:
        """(view into the pack's slot, the member's own slot array) for member `m`.

        Slots are matched by name (`<variable path>_<slot>`); `layout` holds, for each of
        the member's trainable variables, (offset, padded shape, corner) in the flat buffer.
        """
        model = self.members[m]
        opt = model.optimizer
        variables = model._train_variables()
        opt.build(variables)
        by_name = {v.name: v for v in opt.variables}
        prefix = f"{self.params.path.replace('/', '_')}_"
        meta = {id(self.optimizer._iterations), id(self.optimizer._learning_rate)}
        pairs = []
        for v in self.optimizer.variables:
            if v.data.ndim == 0 and id(v) not in meta and v.name in by_name:
                pairs.append((v.data, by_name[v.name].data))  # a shared scalar (Nadam)
                continue
            if v.data.shape != self.params.data.shape or not v.name.startswith(prefix):
                continue
            suffix = v.name[len(prefix):]
            for variable, (offset, shape, corner) in zip(variables, layout, strict=True):
                slot = by_name.get(f"{str(variable.path).replace('/', '_')}_{suffix}")
                if slot is not None:
                    full = v.data[m, offset:offset + int(np.prod(shape))].reshape(shape)
                    pairs.append((full[corner], slot.data))
        return pairs

    def load(self, layouts: list) -> None:
        """Start from the members' own optimizer state when they have trained before."""
        first = self.members[0].optimizer
        if not first.built:
            return
        self.optimizer._iterations.data[...] = first._iterations.data
        for m, layout in enumerate(layouts):
            for ours, theirs in self._pairs(m, layout):
                ours[...] = theirs

    def store(self, m: int, layout: list) -> None:
        """Give member `m` its step count and its optimizer slots back."""
        for ours, theirs in self._pairs(m, layout):
            theirs[...] = ours
        self.members[m].optimizer._iterations.data[...] = self.optimizer._iterations.data
