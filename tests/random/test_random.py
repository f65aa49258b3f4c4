"""neuroflow.random: Keras 3's signatures, seeds, distributions and reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import GradientTape, Variable
from neuroflow import random as nrandom

N = 20_000
DRAWS = {
    "normal": lambda seed: nrandom.normal((3, 4), seed=seed),
    "uniform": lambda seed: nrandom.uniform((3, 4), seed=seed),
    "truncated_normal": lambda seed: nrandom.truncated_normal((3, 4), seed=seed),
    "randint": lambda seed: nrandom.randint((3, 4), 0, 10, seed=seed),
    "categorical": lambda seed: nrandom.categorical(np.zeros((2, 5)), 6, seed=seed),
    "dropout": lambda seed: nrandom.dropout(np.ones((3, 4), "float32"), 0.5, seed=seed),
    "shuffle": lambda seed: nrandom.shuffle(np.arange(12), seed=seed),
    "gamma": lambda seed: nrandom.gamma((3, 4), 2.0, seed=seed),
    "beta": lambda seed: nrandom.beta((3, 4), 2.0, 3.0, seed=seed),
    "binomial": lambda seed: nrandom.binomial((3, 4), 10, 0.3, seed=seed),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_an_int_seed_gives_the_same_values_every_time(name: str) -> None:
    np.testing.assert_array_equal(DRAWS[name](7).numpy(), DRAWS[name](7).numpy())
    assert not np.array_equal(DRAWS[name](7).numpy(), DRAWS[name](8).numpy())


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_a_seed_generator_advances_and_replays(name: str) -> None:
    gen = nrandom.SeedGenerator(3)
    first, second = DRAWS[name](gen).numpy(), DRAWS[name](gen).numpy()
    assert not np.array_equal(first, second)
    again = nrandom.SeedGenerator(3)
    np.testing.assert_array_equal(DRAWS[name](again).numpy(), first)
    np.testing.assert_array_equal(DRAWS[name](again).numpy(), second)


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_set_random_seed_replays_unseeded_draws(name: str) -> None:
    keras.utils.set_random_seed(11)
    first = [DRAWS[name](None).numpy() for _ in range(2)]
    keras.utils.set_random_seed(11)
    again = [DRAWS[name](None).numpy() for _ in range(2)]
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1])


def test_an_int_seed_is_the_first_draw_of_its_seed_generator() -> None:
    np.testing.assert_array_equal(nrandom.normal((4,), seed=5).numpy(),
                                  nrandom.normal((4,), seed=nrandom.SeedGenerator(5)).numpy())


def test_unseeded_seed_generators_are_reproducible_after_set_random_seed() -> None:
    keras.utils.set_random_seed(2)
    a = nrandom.uniform((3,), seed=nrandom.SeedGenerator())
    keras.utils.set_random_seed(2)
    b = nrandom.uniform((3,), seed=nrandom.SeedGenerator())
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_seed_generator_state_config_and_errors() -> None:
    gen = nrandom.SeedGenerator(9, name="noise")
    assert gen.state.trainable is False and gen.state.data.tolist() == [9, 0]
    assert gen.next().tolist() == [9, 0] and gen.state.data.tolist() == [9, 1]
    clone = nrandom.SeedGenerator.from_config(gen.get_config())
    assert clone.get_config() == {"seed": 9, "name": "noise"}
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        nrandom.SeedGenerator(1.5)
    with pytest.raises(ValueError, match="SeedGenerator"):
        nrandom.normal((2,), seed="x")


def test_distributions_have_their_moments() -> None:
    normal = nrandom.normal((N,), mean=2.0, stddev=3.0, seed=1).numpy()
    assert normal.dtype == np.float32
    assert abs(normal.mean() - 2.0) < 0.1 and abs(normal.std() - 3.0) < 0.1
    uniform = nrandom.uniform((N,), -1.0, 3.0, seed=1).numpy()
    assert uniform.min() >= -1.0 and uniform.max() < 3.0 and abs(uniform.mean() - 1.0) < 0.05
    trunc = nrandom.truncated_normal((N,), mean=1.0, stddev=0.5, seed=1).numpy()
    assert np.abs(trunc - 1.0).max() <= 1.0 and abs(trunc.std() - 0.5 * 0.8796) < 0.02
    gamma = nrandom.gamma((N,), 3.0, seed=1).numpy()
    assert abs(gamma.mean() - 3.0) < 0.1
    beta = nrandom.beta((N,), 2.0, 6.0, seed=1).numpy()
    assert abs(beta.mean() - 0.25) < 0.01
    binomial = nrandom.binomial((N,), 8, 0.25, seed=1).numpy()
    assert binomial.dtype == np.float32 and abs(binomial.mean() - 2.0) < 0.05


def test_randint_and_categorical() -> None:
    ints = nrandom.randint((N,), 3, 7, seed=1).numpy()
    assert ints.dtype == np.int32 and set(np.unique(ints)) == {3, 4, 5, 6}
    logits = np.log(np.array([[0.1, 0.6, 0.3], [1.0, 0.0, 0.0]]) + 1e-30)
    draws = nrandom.categorical(logits, N, seed=1).numpy()
    assert draws.shape == (2, N) and draws.dtype == np.int32
    np.testing.assert_allclose(np.bincount(draws[0], minlength=3) / N, [0.1, 0.6, 0.3],
                               atol=0.015)
    assert (draws[1] == 0).all()
    with pytest.raises(ValueError, match="logits must be 2-D"):
        nrandom.categorical(np.zeros(3), 2)


def test_dtype_rules() -> None:
    assert nrandom.normal((2,), dtype="float64").dtype == np.float64
    assert nrandom.randint((2,), 0, 3, dtype="uint8").dtype == np.uint8
    with pytest.raises(ValueError, match="uniform requires a floating point dtype"):
        nrandom.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="randint requires an integer dtype"):
        nrandom.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(ValueError, match="shape must not have negative sizes"):
        nrandom.normal((2, -1))


def test_dropout_scales_what_it_keeps_and_passes_gradients() -> None:
    x = Variable(np.ones((200, 50), "float32"))
    with GradientTape() as tape:
        y = nrandom.dropout(x, 0.25, seed=4)
        loss = y.sum()
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.75, rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), np.where(kept, 1 / 0.75, 0.0),
                               rtol=1e-6)
    rows = nrandom.dropout(np.ones((6, 5), "float32"), 0.5, noise_shape=(None, 1), seed=2)
    assert all(len(set(r)) == 1 for r in rows.numpy().tolist())
    assert nrandom.dropout(x, 0.0) is x
    assert not nrandom.dropout(x, 1.0).numpy().any()
    with pytest.raises(ValueError, match=r"rate must lie in \[0, 1\]"):
        nrandom.dropout(x, 1.5)


def test_shuffle_permutes_along_an_axis_and_passes_gradients() -> None:
    x = Variable(np.arange(12, dtype="float32").reshape(3, 4))
    with GradientTape() as tape:
        y = nrandom.shuffle(x, axis=1, seed=3)
        loss = (y * np.arange(4, dtype="float32")).sum()
    assert sorted(y.numpy()[0].tolist()) == [0.0, 1.0, 2.0, 3.0]
    assert (np.sort(y.numpy(), axis=1) == x.numpy()).all()
    perm = (y.numpy()[0]).astype(int)
    grad = tape.gradient(loss, x).numpy()
    np.testing.assert_allclose(grad[0, perm], np.arange(4))


def test_names_and_signatures_match_keras() -> None:
    import inspect

    expected = {
        "normal": ["shape", "mean", "stddev", "dtype", "seed"],
        "uniform": ["shape", "minval", "maxval", "dtype", "seed"],
        "truncated_normal": ["shape", "mean", "stddev", "dtype", "seed"],
        "randint": ["shape", "minval", "maxval", "dtype", "seed"],
        "categorical": ["logits", "num_samples", "dtype", "seed"],
        "dropout": ["inputs", "rate", "noise_shape", "seed"],
        "shuffle": ["x", "axis", "seed"],
        "gamma": ["shape", "alpha", "dtype", "seed"],
        "beta": ["shape", "alpha", "beta", "dtype", "seed"],
        "binomial": ["shape", "counts", "probabilities", "dtype", "seed"],
    }
    for name, params in expected.items():
        assert list(inspect.signature(getattr(nrandom, name)).parameters) == params, name
    assert keras.random is nrandom


@pytest.mark.parametrize(("draw", "message"), [
    (lambda: nrandom.randint((2,), 5, 1, seed=1), "randint: minval must be less than maxval"),
    (lambda: nrandom.randint((2,), 3, 3, seed=1), "randint: minval must be less than maxval"),
    (lambda: nrandom.gamma((2,), alpha=-1.0, seed=1), "gamma: alpha must be positive"),
    (lambda: nrandom.beta((2,), alpha=1.0, beta=0.0, seed=1), "beta: alpha and beta must be"),
    (lambda: nrandom.binomial((2,), counts=5, probabilities=1.5, seed=1),
     r"binomial: counts must be non-negative and probabilities in \[0, 1\]"),
    (lambda: nrandom.binomial((2,), counts=-1, probabilities=0.5, seed=1), "binomial: counts"),
])
def test_distribution_parameters_out_of_domain_get_one_clear_error(draw, message):
    with pytest.raises(ValueError, match=message):
        draw()
