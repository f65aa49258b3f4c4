"""The Layer base class: weights, building on first call, sub-layer tracking, config."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff.tensor import Tensor, Variable
from neuroflow.backend import allocation, tree
from neuroflow.backend.keras_tensor import is_symbolic, symbolic_call
from neuroflow.backend.naming import snake_case, unique_name
from neuroflow.layers import auto_config
from neuroflow.layers.call_context import current_training
from neuroflow.layers.input_spec import assert_input_compatibility

__all__ = ["Layer", "to_tensor", "as_shape"]


def to_tensor(x: Any) -> Tensor:
    """Inputs as a Tensor of the default float type (integer pixels and float64 are cast)."""
    if isinstance(x, Tensor):
        if x.data.dtype.kind in "fc" and x.data.dtype != backend.floatx() and not x.requires_grad:
            return Tensor(x.data.astype(backend.floatx()))
        if x.data.dtype.kind in "iub":
            return Tensor(x.data.astype(backend.floatx()))
        return x
    try:
        arr = np.asarray(x)
    except ValueError:
        raise ValueError(
            "expected a rectangular array (every row of the same length), received a ragged "
            f"nested {type(x).__name__}"
        ) from None
    if arr.dtype.kind in "iubf" and arr.dtype != backend.floatx():
        arr = arr.astype(backend.floatx())
    elif arr.dtype.kind not in "iubfc":
        raise TypeError(
            f"expected numeric input (an array, list or tensor of numbers), received an array "
            f"of dtype {arr.dtype}"
        )
    return Tensor(arr)


def as_shape(shape: Any, what: str) -> tuple:
    """`shape` as a tuple of positive ints (None for an unknown size), or a clear error."""
    items = (shape,) if isinstance(shape, (int, np.integer)) else shape
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{what} must be a tuple of positive integers, received {shape!r}")
    out = []
    for d in items:
        if d is None:
            out.append(None)
            continue
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(
                f"{what} must be a tuple of positive integers (or None), received {shape!r}"
            )
        out.append(int(d))
    return tuple(out)


class Layer:
    """Base class of every layer: override `build`, `call` and `get_config`.

    `__init__` takes hyperparameters only; `build(input_shape)` creates the weights with
    `add_weight`; `call(inputs, training=None)` computes the outputs. A subclass built
    from plain constructor arguments needs no `get_config`: its arguments are its config.
    """

    input_spec: Any = None  # an InputSpec (or a list of them) checked on every call

    def __new__(cls, *args: Any, **kwargs: Any):
        instance = super().__new__(cls)
        config, error = auto_config.capture(cls, args, kwargs)
        object.__setattr__(instance, "_auto_config", config)
        object.__setattr__(instance, "_auto_config_error", error)
        return instance

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        input_shape: Any = None,
        input_dim: int | None = None,
        batch_input_shape: Any = None,
        batch_size: int | None = None,
        **kwargs: Any,
    ):
        if kwargs:
            unknown = ", ".join(sorted(kwargs))
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s): {unknown}")
        object.__setattr__(self, "_tracked_layers", [])
        object.__setattr__(self, "_own_weights", [])
        self.name = (
            name if name is not None else unique_name(snake_case(type(self).__name__))
        )
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(
                f"{type(self).__name__}: name must be a non-empty string, received {name!r}"
            )
        self._trainable = bool(trainable)
        self.dtype = dtype or backend.floatx()
        self.built = False
        self._losses: list = []
        self._build_input_shape = None
        self._call_accepts_training = "training" in inspect.signature(self.call).parameters
        if input_shape is not None or input_dim is not None:  # (configs use batch_input_shape)
            warnings.warn(
                f"{type(self).__name__}: input_shape=/input_dim= on a layer is the tf.keras 2 "
                "spelling; the newer one is an Input(shape=...) first in the model",
                DeprecationWarning, stacklevel=3,
            )
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        owner = type(self).__name__
        if batch_input_shape is not None:
            self._batch_input_shape = as_shape(batch_input_shape, f"{owner}: batch_input_shape")
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + as_shape(input_shape,
                                                               f"{owner}: input_shape")
        else:
            self._batch_input_shape = None
        self._inbound_nodes: list = []

    # ---- attribute tracking -------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        if not key.startswith("__") and "_tracked_layers" in self.__dict__:
            self._track(value)
        object.__setattr__(self, key, value)

    def _track(self, value: Any) -> None:
        if isinstance(value, Layer):
            if value is not self and all(value is not t for t in self._tracked_layers):
                self._tracked_layers.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._track(v)
        elif isinstance(value, dict):
            for v in value.values():
                self._track(v)

    # ---- weights ------------------------------------------------------------------
    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Create a weight of this layer, initialised now (default: glorot_uniform, or
        zeros for biases named 'bias')."""
        from neuroflow import initializers, regularizers

        shape = () if shape is None else tuple(int(s) for s in shape)
        if initializer is None:
            initializer = "zeros" if name in ("bias", "beta", "moving_mean") else "glorot_uniform"
        init = initializers.get(initializer)
        dtype = dtype or self.dtype
        allocation.charge(shape, dtype, f"layer '{self.name}'")  # loading: refuse huge configs
        value = np.asarray(init(shape, dtype=dtype), dtype=dtype)
        var = Variable(
            value,
            trainable=trainable,
            name=name or f"variable_{len(self._own_weights)}",
            dtype=dtype,
            regularizer=regularizers.get(regularizer),
            constraint=constraint,
        )
        var.path = f"{self.name}/{var.name}"
        self._own_weights.append(var)
        return var

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._tracked_layers:
            layer.trainable = value

    def _all_weights(self) -> list[Variable]:
        seen: set[int] = set()
        out: list[Variable] = []
        for v in self._own_weights:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._tracked_layers:
            for v in layer._all_weights():
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def weights(self) -> list[Variable]:
        """All weights, trainable first (as Keras orders them)."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self._trainable:
            return []
        own = [v for v in self._own_weights if v.trainable]
        seen = {id(v) for v in own}
        for layer in self._tracked_layers:
            for v in layer.trainable_weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    own.append(v)
        return own

    @property
    def non_trainable_weights(self) -> list[Variable]:
        trainable_ids = {id(v) for v in self.trainable_weights}
        return [v for v in self._all_weights() if id(v) not in trainable_ids]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weight values, in the order of `weights`."""
        return [v.data.copy() for v in self.weights]

    def set_weights(self, weights: list) -> None:
        """Overwrite the weights with arrays of the same shapes, in the order of `weights`."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}': set_weights expected a list of {len(own)} arrays "
                f"(shapes {[v.shape for v in own]}), received {len(weights)}"
            )
        for var, value in zip(own, weights, strict=False):
            value = np.asarray(value)
            if value.shape != var.shape:
                raise ValueError(
                    f"Layer '{self.name}': weight '{var.path}' has shape {var.shape}, "
                    f"received an array of shape {value.shape}"
                )
        for var, value in zip(own, weights, strict=False):
            var.assign(np.asarray(value, dtype=var.dtype))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' is not built yet, so it has no weights to count: call it on "
                "data or call build(input_shape) first"
            )
        return int(sum(v.size for v in self.weights))

    # ---- losses -------------------------------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Add a scalar loss term (e.g. an activity regularizer) to the training loss."""
        self._losses.append(loss)

    def _add_activity_loss(self, regularizer: Any, outputs: Tensor) -> None:
        """Add `regularizer(outputs)` divided by the batch size, as Keras 3 (and tf.keras 2)
        do, so that an activity penalty weighs the same whatever `batch_size` is."""
        penalty = regularizer(outputs)
        batch = outputs.shape[0] if outputs.ndim else 1
        self.add_loss(penalty / batch if batch else penalty * 0.0)

    @property
    def losses(self) -> list:
        """Extra losses from `add_loss` (this call) and weight regularizers, recursively."""
        out = list(self._losses) + self._weight_penalties()
        for layer in self._tracked_layers:
            out.extend(layer.losses)
        return out

    def _weight_penalties(self) -> list:
        """This layer's own weight regularization terms: none when it is frozen (Keras 3
        regularizes only `trainable_weights`), so `losses` and `fit` agree."""
        if not self._trainable:
            return []
        return [v.regularizer(v) for v in self._own_weights
                if v.regularizer is not None and v.trainable]

    # ---- building and calling -----------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create weights for inputs of `input_shape` (the batch axis included)."""
        self.built = True

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True
            self._build_input_shape = input_shape

    def call(self, inputs, *args, **kwargs):
        return inputs

    def __call__(self, inputs, *args, **kwargs):
        if type(inputs) is not Tensor or inputs.data.dtype != backend.floatx_dtype():
            if is_symbolic(inputs):
                return symbolic_call(self, inputs, args, kwargs)
            inputs = _convert_inputs(inputs)
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)
        if not self.built:
            self._maybe_build(_shapes(inputs))
        if self._call_accepts_training:
            if kwargs.get("training") is None:
                kwargs["training"] = current_training()
        elif kwargs:
            kwargs.pop("training", None)
        return self.call(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Output shape for `input_shape`; by default found by running `call` on zeros."""
        from neuroflow.autodiff.tensor import Tensor as _T

        def zeros(shape):
            return _T(np.zeros([1 if d is None else d for d in shape], dtype=self.dtype))

        if (
            isinstance(input_shape, (list, tuple))
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        ):
            probe = [zeros(s) for s in input_shape]
            batch_none = input_shape[0][0] is None
        else:
            probe = zeros(input_shape)
            batch_none = input_shape[0] is None if len(input_shape) else False
        self._maybe_build(input_shape)
        kwargs = {"training": False} if self._call_accepts_training else {}
        out = self.call(probe, **kwargs)

        def shape(t):
            s = tuple(t.shape)
            return ((None,) + s[1:]) if batch_none and s else s

        if isinstance(out, (list, tuple)):
            return [shape(t) for t in out]
        return shape(out)

    # ---- config -------------------------------------------------------------------
    def get_config(self) -> dict:
        """Constructor arguments that recreate this layer (without weights).

        A subclass that does not override `get_config` gets the arguments it was built
        with (Keras 3's automatic config), or a NotImplementedError if they were not
        plain values.
        """
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
        }
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if type(self).get_config is Layer.get_config and type(self).__init__ is not Layer.__init__:
            return auto_config.auto_config(self, config)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    # ---- the saving protocol (Keras 3's names; saving/ reaches layers only through it) ----
    def get_build_config(self) -> dict | None:
        """What `build_from_config` needs to rebuild the weights: the input shape the
        layer was built for (None before it is built)."""
        if not self.built or self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    def build_from_config(self, config: dict) -> None:
        """Create the weights for `get_build_config()` output, before they are loaded."""
        shape = config.get("input_shape")
        if shape is not None:
            self._maybe_build(shape)

    def _own_variables(self) -> list[Variable]:
        """The variables this layer created itself (its sub-layers' are theirs)."""
        return list(self._own_weights)

    def _saveable_children(self) -> list[Layer]:
        """The sub-layers whose weights a file stores nested under this layer, in order."""
        return list(self._tracked_layers)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    @property
    def input(self):
        """The symbolic input(s) of the layer's first call on symbolic tensors."""
        return self._first_node("input").inputs

    @property
    def output(self):
        """The symbolic output(s) of the layer's first call on symbolic tensors."""
        return self._first_node("output").outputs

    def _first_node(self, what: str):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on symbolic tensors, so it has no "
                f"defined {what}: call it on Input(...) tensors or use it in a built model"
            )
        return self._inbound_nodes[0]

    @property
    def input_shape(self):
        if self._batch_input_shape is not None:
            return self._batch_input_shape
        if self._build_input_shape is not None:
            return self._build_input_shape
        raise AttributeError(f"Layer '{self.name}' has no defined input shape yet")


def _convert_input(x):
    if isinstance(x, Tensor) and (x.data.dtype == backend.floatx() or x.requires_grad):
        return x
    return to_tensor(x)


def _convert_inputs(inputs):
    return tree.map_structure(_convert_input, inputs) if tree.is_nested(inputs) else (
        _convert_input(inputs))


def _shapes(inputs):
    """The shapes of `inputs` as `build` receives them (several: a list)."""
    shapes = tree.map_structure(lambda x: tuple(x.shape), inputs)
    return list(shapes) if isinstance(inputs, tuple) else shapes
