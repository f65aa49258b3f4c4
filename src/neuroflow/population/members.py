"""What packs: a member's structure, and the key that says which members share a pack.

A member packs when it is a compiled Sequential stack of (an optional leading Flatten,
then) Dense and Dropout layers with built-in activations, one output, a built-in loss
reduced over the batch, and an optimizer whose settings the stacked update supports.
Members pack together when their keys are equal: same layer types, activations, input
and output sizes, loss, optimizer class and the optimizer settings that cannot become
per-member vectors. Hidden widths may differ (they are padded), and so may depths when
every hidden layer of every member is alike and there is no Dropout: a pack then runs
each of its hidden layers on the members that have it only (see `StackedNetwork`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neuroflow import optimizers as opt

__all__ = ["MemberSpec", "describe", "VECTOR_ATTRIBUTES"]

# Optimizer attributes whose update arithmetic broadcasts a (K, 1) vector of per-member
# values (checked by the equivalence tests); `learning_rate` and `weight_decay` always do.
# Adam's and AdamW's bias corrections, scalar arithmetic, are computed per member by the
# member's own optimizer (see `StackedOptimizer`).
# A vector holds values that are all non-zero: members that mix zero and non-zero values
# of one attribute take different branches of the update and form different packs.
VECTOR_ATTRIBUTES: dict[type, tuple[str, ...]] = {
    opt.SGD: ("momentum",),
    opt.RMSprop: ("rho", "momentum", "epsilon"),
    opt.Adam: ("beta_1", "beta_2", "epsilon"),
    opt.AdamW: ("beta_1", "beta_2", "epsilon"),
    opt.Nadam: ("epsilon",),
    opt.Adagrad: ("epsilon",),
    opt.Adamax: ("beta_1", "beta_2", "epsilon"),
    opt.Adadelta: ("rho", "epsilon"),
}
_ALWAYS_VECTOR = ("learning_rate", "weight_decay")
# Activations of the whole last axis, not of each unit: layers with them pack only with
# layers of their own width (the output layer's width is already shared).
_LAST_AXIS = ("softmax", "log_softmax")


@dataclass
class MemberSpec:
    """One member's layers, as the pack needs them, and its pack key."""

    model: Any
    flatten: bool
    layers: list  # Dense and Dropout layers, in order
    dense: list  # the Dense layers only
    key: tuple
    index: int = -1  # the member's position in its Population

    @property
    def widths(self) -> list[int]:
        """Input size, then each Dense layer's units."""
        return [int(self.dense[0].kernel.shape[0])] + [int(d.units) for d in self.dense]

    @property
    def hidden(self) -> int:
        """How many hidden Dense layers the member has (its depth)."""
        return len(self.dense) - 1


def _optimizer_key(optimizer: Any) -> tuple | str:
    """The optimizer settings every member of a pack shares, or why it cannot pack."""
    cls = type(optimizer)
    if cls not in VECTOR_ATTRIBUTES:
        return f"optimizer {cls.__name__} is not one the stacked update supports"
    if optimizer.clipnorm or optimizer.global_clipnorm:
        return "clipnorm/global_clipnorm clip each member's own norm"
    if optimizer.use_ema:
        return "use_ema is not supported in a pack"
    if optimizer._exclude_ids or optimizer._exclude_pattern is not None:
        return "exclude_from_weight_decay is not supported in a pack"
    if optimizer.gradient_accumulation_steps and int(optimizer._iterations.data):
        return "gradient accumulation resumed mid-way does not pack"
    vector = set(VECTOR_ATTRIBUTES[cls]) | set(_ALWAYS_VECTOR)
    config = optimizer.get_config()
    shared = []
    for name in sorted(config):
        if name == "name":
            continue
        value = config[name]
        if name in vector:
            value = "nonzero" if value else "zero"  # the branch the update takes
        elif isinstance(value, dict):
            value = repr(sorted(value.items()))
        shared.append((name, value if isinstance(value, (int, float, str, bool, type(None)))
                       else repr(value)))
    # members continue from their own slots, so they must all have taken as many steps
    return (cls.__name__, int(optimizer._iterations.data), tuple(shared))


def _loss_key(model: Any) -> tuple | str:
    compiled = model.compiled_loss
    if compiled is None or compiled.multi:
        return "only single-output models with one loss pack"
    if compiled.weights[0] != 1.0:
        return "loss_weights other than 1 are not supported in a pack"
    loss = compiled.losses[0]
    fn = getattr(loss, "fn", None)
    if fn is None or getattr(loss, "reduction", None) != "sum_over_batch_size":
        return "the loss must be a built-in loss with the default reduction"
    if getattr(loss, "_dtype", None) is not None:
        return "a loss with its own dtype does not pack"
    kwargs = dict(getattr(loss, "_fn_kwargs", {}) or {})
    if kwargs.get("ignore_class") is not None:
        return "ignore_class masks samples per member"
    return (type(loss).__name__, fn.__module__, fn.__name__, tuple(sorted(kwargs.items())))


def describe(model: Any) -> MemberSpec | str:
    """The member's spec, or a sentence saying why it trains alone."""
    from neuroflow.layers.core import Dense, Flatten
    from neuroflow.layers.regularization import Dropout
    from neuroflow.models.sequential import Sequential
    from neuroflow.trainers.trainer import Trainer

    if not isinstance(model, Sequential) or type(model).call is not Sequential.call:
        return "only Sequential models pack"
    for hook in ("train_step", "test_step", "compute_loss", "predict_step"):
        if getattr(type(model), hook) is not getattr(Trainer, hook):
            return f"the model overrides {hook}"
    if not getattr(model, "compiled", False):
        return "the model is not compiled"
    if not model.built or not model.trainable:
        return "the model must be built and trainable"
    layers = list(model.layers)
    flatten = bool(layers) and type(layers[0]) is Flatten
    body = layers[1:] if flatten else layers
    dense = [layer for layer in body if type(layer) is Dense]
    if not dense or len(dense) + sum(type(layer) is Dropout for layer in body) != len(body):
        return "only (Flatten,) Dense and Dropout layers pack"
    if type(body[-1]) is not Dense:
        return "the last layer must be Dense"
    parts: list[Any] = []
    for layer in body:
        if type(layer) is Dropout:
            if layer.noise_shape is not None:
                return f"Dropout '{layer.name}' has a noise_shape"
            parts.append("dropout")
            continue
        if layer._kernel_fn is None or layer.activity_regularizer is not None:
            return f"Dense '{layer.name}' needs a built-in activation and no activity regularizer"
        if layer.kernel_constraint is not None or layer.bias_constraint is not None:
            return f"Dense '{layer.name}' has a constraint"
        if not layer.trainable:
            return f"Dense '{layer.name}' is frozen"
        regs = tuple(type(r).__name__ if r is not None else None
                     for r in (layer.kernel_regularizer, layer.bias_regularizer))
        # an activation over the whole last axis would see padded units: no padding there
        width = int(layer.units) if layer._kernel_fn.name in _LAST_AXIS else None
        parts.append(("dense", layer._kernel_fn.name, bool(layer.use_bias), regs,
                      str(layer.kernel.dtype), width))
    loss = _loss_key(model)
    if isinstance(loss, str):
        return loss
    optimizer = _optimizer_key(model.optimizer)
    if isinstance(optimizer, str):
        return optimizer
    sizes = (int(dense[0].kernel.shape[0]), int(dense[-1].units))
    hidden = parts[:-1]
    if hidden and "dropout" not in parts and len(set(hidden)) == 1:
        structure: tuple = ("any depth", hidden[0], parts[-1])  # depths may differ
    else:
        structure = tuple(parts)
    key = ("flatten" if flatten else "plain", structure, sizes, loss, optimizer)
    return MemberSpec(model, flatten, body, dense, key)
