"""fit/evaluate/predict on a keras.utils.PyDataset and on Python generators of batches
(Keras 3 accepts both): the same numbers as on the arrays, through the traced plan."""

import numpy as np
import pytest

import neuroflow as keras
from neuroflow.trainers.plan import Plan

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3)).astype("float32")
Y = (X @ np.array([1.0, -2.0, 0.5], "float32"))[:, None]
W = RNG.uniform(0.5, 2.0, size=40).astype("float32")


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y=None, sw=None, batch_size=8, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.sw, self.bs = x, y, sw, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.bs)

    def __getitem__(self, i):
        s = slice(i * self.bs, (i + 1) * self.bs)
        if self.y is None:
            return self.x[s]
        return (self.x[s], self.y[s]) if self.sw is None else (self.x[s], self.y[s], self.sw[s])

    def on_epoch_end(self):
        self.epochs_ended += 1


def generator(x, y, sw=None, batch_size=8, repeat=True):
    while True:
        for i in range(0, len(x), batch_size):
            s = slice(i, i + batch_size)
            yield (x[s], y[s]) if sw is None else (x[s], y[s], sw[s])
        if not repeat:
            return


def _model(run_eagerly=False):
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], run_eagerly=run_eagerly)
    return model


def _fit_arrays(sw=None, **kwargs):
    model = _model()
    history = model.fit(X, Y, sample_weight=sw, batch_size=8, shuffle=False, verbose=0,
                        **kwargs)
    return model, history


@pytest.mark.parametrize("source", ["pydataset", "pydataset-threads", "generator"])
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_on_batches_equals_fit_on_arrays_through_the_traced_plan(source, weighted):
    sw = W if weighted else None
    reference, ref_history = _fit_arrays(sw, epochs=3)
    model = _model()
    if source == "generator":
        data, steps = generator(X, Y, sw), 5
    else:
        data = Batches(X, Y, sw, workers=2 if source == "pydataset-threads" else 1)
        steps = None
    history = model.fit(data, epochs=3, steps_per_epoch=steps, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    np.testing.assert_allclose(history.history["loss"], ref_history.history["loss"], rtol=1e-6)
    assert any(isinstance(p, Plan) for p in model._plans.values())  # replayed, not eager
    if source != "generator":
        assert data.epochs_ended == 3


def test_steps_per_epoch_takes_that_many_batches_of_a_pydataset():
    reference, _ = _fit_arrays(steps_per_epoch=2, epochs=2)
    model = _model()
    model.fit(Batches(X, Y), steps_per_epoch=2, epochs=2, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_evaluate_and_predict_on_batches_equal_the_arrays():
    model, _ = _fit_arrays(epochs=1)
    want = model.evaluate(X, Y, batch_size=8, verbose=0, return_dict=True)
    for data in (Batches(X, Y), generator(X, Y, repeat=False)):
        got = model.evaluate(data, verbose=0, return_dict=True)
        assert got == pytest.approx(want, rel=1e-6)
    pred = model.predict(X, batch_size=8, verbose=0)
    np.testing.assert_allclose(model.predict(Batches(X), verbose=0), pred, rtol=1e-6)
    xs = (X[i:i + 8] for i in range(0, 40, 8))
    np.testing.assert_allclose(model.predict(xs, verbose=0), pred, rtol=1e-6)
    np.testing.assert_allclose(model.predict(Batches(X, Y), steps=2, verbose=0), pred[:16],
                               rtol=1e-6)


def test_validation_data_may_be_a_pydataset_and_class_weight_applies_per_batch():
    labels = (X[:, 0] > 0).astype("int64")
    keras.utils.set_random_seed(3)
    a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    a.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    b = keras.models.clone_model(a)
    b.set_weights(a.get_weights())
    b.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    cw = {0: 1.0, 1: 3.0}
    ha = a.fit(X, labels, batch_size=8, shuffle=False, class_weight=cw,
               validation_data=(X, labels), verbose=0)
    hb = b.fit(Batches(X, labels), class_weight=cw, validation_data=Batches(X, labels),
               verbose=0)
    assert hb.history["loss"] == pytest.approx(ha.history["loss"], rel=1e-6)
    assert hb.history["val_loss"] == pytest.approx(ha.history["val_loss"], rel=1e-6)


def test_a_generator_that_runs_out_stops_training_with_a_warning():
    model = _model()
    with pytest.warns(UserWarning, match="ran out of data at epoch 2"):
        history = model.fit(generator(X, Y, repeat=False), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1


def test_run_eagerly_trains_the_same_on_batches():
    reference, _ = _fit_arrays(epochs=2)
    model = _model(run_eagerly=True)
    model.fit(Batches(X, Y), epochs=2, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_bad_batch_sources_raise_one_clear_error():
    model = _model()
    with pytest.raises(ValueError, match="y must not be given"):
        model.fit(Batches(X, Y), Y, verbose=0)
    with pytest.raises(ValueError, match="validation_split is not supported"):
        model.fit(Batches(X, Y), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="batch 0: expected .* with targets"):
        model.fit(Batches(X), verbose=0)
    with pytest.raises(ValueError, match="yielded no batch"):
        model.fit(iter([]), verbose=0)
    ragged = iter([(X[:8], Y[:8]), (X[:8, :2], Y[:8])])
    with pytest.raises(ValueError, match="batch 1 has arrays"):
        model.fit(ragged, verbose=0)
    nan = X.copy()
    nan[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"batch 0: x contains NaN"):
        model.fit(Batches(nan, Y), verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch must be a positive integer"):
        model.fit(Batches(X, Y), steps_per_epoch=0, verbose=0)
