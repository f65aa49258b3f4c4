"""McCulloch-Pitts neurons: binary inputs, an activation threshold and inhibitory inputs.

A neuron fires (outputs 1) when none of its inhibitory inputs is active and at least
`threshold` of its excitatory connections are active (absolute inhibition, as in
McCulloch and Pitts, 1943). Following the chapter, a neuron is activated when at least
two of its input connections are active, so `threshold` defaults to 2, and a neuron
may be connected to the same source more than once.

The four networks of the chapter's figure are ready-made: `identity_network`,
`and_network`, `or_network` and `and_not_network` (A AND NOT B). Each has inputs
named "A" (and "B") and one output neuron named "C".
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from numbers import Integral

import numpy as np

__all__ = [
    "McCullochPitts",
    "McCullochPittsNetwork",
    "identity_network",
    "and_network",
    "or_network",
    "and_not_network",
]


def _binary_array(values, name: str, owner: str) -> np.ndarray:
    """`values` as an int64 array of zeros and ones, or a clear error."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{owner}: expected binary (0/1) values for `{name}`, "
            f"received an array of dtype {array.dtype}"
        )
    if not np.isin(array, (0, 1)).all():
        bad = np.unique(array[~np.isin(array, (0, 1))])[:5]
        raise ValueError(
            f"{owner}: expected binary (0/1) values for `{name}`, received values {bad.tolist()}"
        )
    return array.astype(np.int64)


def _check_threshold(threshold, owner: str) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, Integral) or threshold < 0:
        raise ValueError(
            f"{owner}: expected a non-negative integer `threshold`, received {threshold!r}"
        )
    return int(threshold)


class McCullochPitts:
    """A McCulloch-Pitts neuron with an activation threshold and inhibitory inputs.

    Args:
        threshold: minimum number of active excitatory connections for the neuron to
            fire. Default 2, as in the chapter.

    Calling the neuron with `excitatory` of shape `(n_connections,)` or
    `(batch, n_connections)` (one column per connection: a source connected twice
    appears twice) and optional `inhibitory` of the same leading shape returns 1 where
    no inhibitory input is active and at least `threshold` excitatory inputs are
    active, 0 elsewhere (int64; a scalar for a single instance).
    """

    def __init__(self, threshold: int = 2) -> None:
        self.threshold = _check_threshold(threshold, "McCullochPitts")

    def __call__(self, excitatory, inhibitory=None):
        excitatory = _binary_array(excitatory, "excitatory", "McCullochPitts")
        if excitatory.ndim not in (1, 2):
            raise ValueError(
                "McCullochPitts: expected `excitatory` of shape (n_connections,) or "
                f"(batch, n_connections), received shape {excitatory.shape}"
            )
        active = excitatory.sum(axis=-1)
        fires = active >= self.threshold
        if inhibitory is not None:
            inhibitory = _binary_array(inhibitory, "inhibitory", "McCullochPitts")
            if inhibitory.ndim != excitatory.ndim or (
                inhibitory.ndim == 2 and inhibitory.shape[0] != excitatory.shape[0]
            ):
                raise ValueError(
                    "McCullochPitts: expected `inhibitory` with the same batch layout as "
                    f"`excitatory` {excitatory.shape}, received shape {inhibitory.shape}"
                )
            fires &= ~inhibitory.any(axis=-1)
        return fires.astype(np.int64)[()]

    def __repr__(self) -> str:
        return f"McCullochPitts(threshold={self.threshold})"


class McCullochPittsNetwork:
    """A feed-forward network of McCulloch-Pitts neurons, built one neuron at a time.

    Args:
        inputs: names of the input neurons, in the order of the columns of `X`.
        threshold: default activation threshold of the neurons added. Default 2.

    Example:
        >>> net = McCullochPittsNetwork(["A", "B"])
        >>> net.add("C", excitatory={"A": 2}, inhibitory=["B"])  # A AND NOT B
        McCullochPittsNetwork(inputs=['A', 'B'], neurons=['C'])
        >>> net([[1, 0], [1, 1]]).tolist()
        [1, 0]
    """

    def __init__(self, inputs: Sequence[str], threshold: int = 2) -> None:
        if isinstance(inputs, str) or not all(isinstance(name, str) for name in inputs):
            raise TypeError(
                f"McCullochPittsNetwork: expected a list of input names, received {inputs!r}"
            )
        inputs = list(inputs)
        if not inputs or len(set(inputs)) != len(inputs):
            raise ValueError(
                "McCullochPittsNetwork: expected at least one input and distinct input "
                f"names, received {inputs!r}"
            )
        self.inputs = inputs
        self.threshold = _check_threshold(threshold, "McCullochPitts")
        self._neurons: dict[str, tuple[McCullochPitts, list[str], list[str]]] = {}

    @property
    def neurons(self) -> list[str]:
        """Names of the neurons added, in evaluation order."""
        return list(self._neurons)

    @property
    def output(self) -> str:
        """Name of the output neuron: the last one added."""
        if not self._neurons:
            raise ValueError("McCullochPittsNetwork: no neuron added yet; call `add` first")
        return next(reversed(self._neurons))

    def add(
        self,
        name: str,
        excitatory: Sequence[str] | Mapping[str, int],
        inhibitory: Sequence[str] = (),
        threshold: int | None = None,
    ) -> McCullochPittsNetwork:
        """Add a neuron fed by earlier neurons or inputs; returns the network.

        Args:
            name: a new, unique neuron name.
            excitatory: source names, one entry per connection (repeat a name to
                connect it twice), or a mapping from source name to number of connections.
            inhibitory: names of the sources with an inhibitory connection.
            threshold: activation threshold; defaults to the network's threshold.
        """
        if not isinstance(name, str) or name in self._neurons or name in self.inputs:
            raise ValueError(
                f"McCullochPittsNetwork: expected a new neuron name, received {name!r} "
                f"(already used: {self.inputs + self.neurons})"
            )
        if isinstance(excitatory, Mapping):
            for source, count in excitatory.items():
                if isinstance(count, bool) or not isinstance(count, Integral) or count < 1:
                    raise ValueError(
                        "McCullochPittsNetwork: expected a positive number of connections "
                        f"from {source!r}, received {count!r}"
                    )
            excitatory = [source for source, count in excitatory.items() for _ in range(count)]
        excitatory, inhibitory = list(excitatory), list(inhibitory)
        known = set(self.inputs) | set(self._neurons)
        unknown = [source for source in excitatory + inhibitory if source not in known]
        if unknown:
            raise ValueError(
                f"McCullochPittsNetwork: neuron {name!r} is connected to unknown sources "
                f"{unknown}; expected names among {sorted(known)}"
            )
        neuron = McCullochPitts(self.threshold if threshold is None else threshold)
        self._neurons[name] = (neuron, excitatory, inhibitory)
        return self

    def activations(self, X) -> dict[str, np.ndarray]:
        """Activations of every input and neuron for the binary inputs `X`.

        `X` has shape `(batch, n_inputs)` or `(n_inputs,)`, columns in `inputs` order.
        """
        X = _binary_array(X, "X", "McCullochPittsNetwork")
        if X.ndim not in (1, 2) or X.shape[-1] != len(self.inputs):
            raise ValueError(
                f"McCullochPittsNetwork: expected `X` of shape (batch, {len(self.inputs)}) or "
                f"({len(self.inputs)},), received shape {X.shape}"
            )
        values = {name: X[..., j] for j, name in enumerate(self.inputs)}
        for name, (neuron, excitatory, inhibitory) in self._neurons.items():
            exc = np.stack([values[source] for source in excitatory], axis=-1) if excitatory \
                else np.zeros(X.shape[:-1] + (0,), dtype=np.int64)
            inh = np.stack([values[source] for source in inhibitory], axis=-1) if inhibitory \
                else None
            values[name] = np.asarray(neuron(exc, inh))
        return values

    def __call__(self, X) -> np.ndarray:
        """Activation of the output neuron for the binary inputs `X` (int64 0/1)."""
        return self.activations(X)[self.output][()]

    def truth_table(self) -> tuple[np.ndarray, np.ndarray]:
        """All binary input combinations and the output for each: `(X, y)`."""
        X = np.array(list(itertools.product((0, 1), repeat=len(self.inputs))), dtype=np.int64)
        return X, self(X)

    def __repr__(self) -> str:
        return f"McCullochPittsNetwork(inputs={self.inputs}, neurons={self.neurons})"


def identity_network() -> McCullochPittsNetwork:
    """C = A: neuron A is connected twice to C, so C fires exactly when A does."""
    return McCullochPittsNetwork(["A"]).add("C", excitatory={"A": 2})


def and_network() -> McCullochPittsNetwork:
    """C = A AND B: one connection from each of A and B; both are needed to reach 2."""
    return McCullochPittsNetwork(["A", "B"]).add("C", excitatory=["A", "B"])


def or_network() -> McCullochPittsNetwork:
    """C = A OR B: two connections from each of A and B; either one reaches 2."""
    return McCullochPittsNetwork(["A", "B"]).add("C", excitatory={"A": 2, "B": 2})


def and_not_network() -> McCullochPittsNetwork:
    """C = A AND NOT B: two connections from A and an inhibitory connection from B."""
    return McCullochPittsNetwork(["A", "B"]).add("C", excitatory={"A": 2}, inhibitory=["B"])
