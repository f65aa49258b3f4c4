"""Members trained on their own rows in their own batch order end as if trained alone."""

from __future__ import annotations

import numpy as np
import pytest
from population_helpers import assert_same_training, classification_data, mlp, regression_data, twin

import neuroflow as keras
from neuroflow.backend.random import using_generator
from neuroflow.population import Population
from neuroflow.population import data as member_data

O = keras.optimizers
pytestmark = pytest.mark.usefixtures("products")  # every case with both kinds of products


@pytest.fixture(params=["one chunk", "a batch a chunk", "chunks across batches"])
def chunks(request, monkeypatch):
    """Batches gathered a whole epoch at once, one at a time, and in chunks of three
    (chunk boundaries that fall short of the epoch's end): the same batches each way."""
    if request.param == "a batch a chunk":
        monkeypatch.setattr(member_data, "CHUNK_BYTES", 1)
    return request.param  # "chunks across batches": each test sets the bytes of 3 batches


def _chunk_of(steps: int, k: int, batch: int, row_bytes: int) -> int:
    """CHUNK_BYTES for `steps` batches of a pack of `k` members."""
    return steps * k * batch * row_bytes


def _members(widths, optimizers, loss="mse", dropout=None, metrics=None, out=1):
    members = []
    for i, (w, opt) in enumerate(zip(widths, optimizers, strict=True)):
        model = mlp(w, out=out, dropout=dropout, seed=i,
                    output_activation="softmax" if out > 1 else None)
        model.compile(optimizer=opt, loss=loss, metrics=metrics)
        members.append(model)
    return members


@pytest.mark.parametrize("case", ["folds_sgd", "folds_adam_dropout", "same_rows_classifier",
                                  "unequal_folds", "no_shuffle"])
def test_each_member_trains_on_its_rows_in_its_own_order(case, chunks, monkeypatch):
    x, y = regression_data(n=60)
    rows = [np.arange(0, 40), np.arange(20, 60), np.r_[0:20, 40:60]]
    widths, opts = [(4,), (7,), (5,)], [O.SGD(0.02), O.SGD(0.05), O.SGD(0.01)]
    kwargs: dict = {}
    shuffle = True
    if case == "folds_adam_dropout":
        opts = [O.Adam(0.01), O.Adam(0.003), O.Adam(0.02)]
        kwargs["dropout"] = (0.3, None)  # unseeded: masks come from the member's generator
    elif case == "same_rows_classifier":
        x, y = classification_data(n=60)
        rows = [np.arange(60)] * 3
        kwargs.update(loss="sparse_categorical_crossentropy", out=3, metrics=["accuracy"])
    elif case == "unequal_folds":
        rows = [np.arange(0, 40), np.arange(20, 60), np.arange(0, 39)]
    elif case == "no_shuffle":
        shuffle = False
    members = _members(widths, opts, **kwargs)
    twins = [twin(m) for m in members]
    if chunks == "chunks across batches":  # 3 batches of 16 a chunk: 40 rows end mid-chunk
        monkeypatch.setattr(member_data, "CHUNK_BYTES",
                            _chunk_of(3, 3, 16, x[0].nbytes + np.asarray(y)[0].nbytes))
    generators = [np.random.default_rng(100 + i) for i in range(3)]
    population = Population(members)
    histories = population.fit(x, y, batch_size=16, epochs=3, shuffle=shuffle, rows=rows,
                               generators=generators, validation_data=(x[:10], y[:10]))
    assert sorted(map(sorted, population.packs)) == (
        [[0, 1], [2]] if case == "unequal_folds" else [[0, 1, 2]])
    for i, (t, r) in enumerate(zip(twins, rows, strict=True)):
        with using_generator(np.random.default_rng(100 + i)):
            alone = t.fit(x[r], y[r], batch_size=16, epochs=3, verbose=0, shuffle=shuffle,
                          validation_data=(x[:10], y[:10]))
        assert_same_training(members[i], t, histories[i], alone)


def test_a_member_that_diverges_mid_epoch_leaves_and_the_others_keep_their_batches(
        chunks, monkeypatch):
    x, y = regression_data(n=60)
    if chunks == "chunks across batches":  # 3 batches of 8 a chunk: it leaves mid-chunk
        monkeypatch.setattr(member_data, "CHUNK_BYTES",
                            _chunk_of(3, 3, 8, x[0].nbytes + np.asarray(y)[0].nbytes))
    members = []
    for i, rate in enumerate([1.0, 1e-3, 2e-3]):
        members.append(mlp((4 + i, 4), seed=i, activation="linear"))
        members[-1].compile(optimizer=O.SGD(rate), loss="mse")
    twins = [twin(m) for m in members]
    generators = [np.random.default_rng(7 + i) for i in range(3)]
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        histories = Population(members).fit(x * 10, y, batch_size=8, epochs=2,
                                            generators=generators)
    assert not np.isfinite(histories[0].history["loss"][-1])
    for i in (1, 2):  # still trained on their own batches after member 0 left
        with using_generator(np.random.default_rng(7 + i)):
            alone = twins[i].fit(x * 10, y, batch_size=8, epochs=2, verbose=0)
        assert_same_training(members[i], twins[i], histories[i], alone)


def test_rows_are_checked():
    x, y = regression_data(n=20)
    population = Population(_members([(3,), (4,)], [O.SGD(0.1), O.SGD(0.1)]))
    with pytest.raises(ValueError, match=r"rows must hold one index array per member \(2\)"):
        population.fit(x, y, rows=[np.arange(10)])
    with pytest.raises(ValueError, match=r"rows\[1\] must be a non-empty 1-D array"):
        population.fit(x, y, rows=[np.arange(10), np.arange(15, 25)])
    with pytest.raises(ValueError, match="generators must be 2 numpy Generators"):
        population.fit(x, y, generators=[np.random.default_rng(0)])
    with pytest.raises(ValueError, match="validation_split cannot be combined with rows"):
        population.fit(x, y, rows=[np.arange(10)] * 2, validation_split=0.2)


def test_members_of_different_depths_train_on_their_own_rows():
    x, y = regression_data(n=60)
    rows = [np.arange(0, 40), np.arange(20, 60), np.r_[0:20, 40:60]]
    members = _members([(4, 4), (7,), (3, 5, 2)], [O.SGD(0.02), O.SGD(0.05), O.SGD(0.01)])
    twins = [twin(m) for m in members]
    population = Population(members)
    histories = population.fit(x, y, batch_size=16, epochs=3, rows=rows,
                               generators=[np.random.default_rng(100 + i) for i in range(3)])
    assert population.packs == [[2, 0, 1]]  # one pack, deepest first
    for i, (t, r) in enumerate(zip(twins, rows, strict=True)):
        with using_generator(np.random.default_rng(100 + i)):
            alone = t.fit(x[r], y[r], batch_size=16, epochs=3, verbose=0)
        assert_same_training(members[i], t, histories[i], alone)
