"""The chapter's Sequential workflow: build, inspect, compile, fit, evaluate, predict."""

from __future__ import annotations

import io

import numpy as np
import pytest

import neuroflow as keras


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)


def chapter_classifier():
    return keras.Sequential(
        [
            keras.layers.Flatten(input_shape=[28, 28]),
            keras.layers.Dense(300, activation="relu"),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def blobs(n=300, classes=3, dim=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 4, (classes, dim))
    y = rng.integers(0, classes, n)
    x = centers[y] + rng.normal(0, 0.5, (n, dim))
    return x.astype("float32"), y.astype("uint8")


def test_summary_of_the_chapter_model_reports_266610_params():
    lines = []
    chapter_classifier().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Total params: 266,610" in text
    assert "Trainable params: 266,610" in text
    assert "(None, 784)" in text and "(None, 300)" in text and "(None, 10)" in text


def test_layers_get_layer_and_kernel_shape():
    model = chapter_classifier()
    hidden1 = model.layers[1]
    assert model.get_layer(hidden1.name) is hidden1
    assert model.get_layer(index=1) is hidden1
    kernel, bias = hidden1.get_weights()
    assert kernel.shape == (784, 300) and bias.shape == (300,)
    assert np.all(bias == 0) and kernel.std() > 0
    assert model.count_params() == 266_610


def test_set_weights_round_trips_and_checks_shapes():
    model = chapter_classifier()
    weights = [w + 1 for w in model.get_weights()]
    model.set_weights(weights)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights, strict=True))
    with pytest.raises(ValueError, match="shape"):
        model.layers[1].set_weights([np.zeros((3, 3)), np.zeros(300)])


def test_auto_names_are_unique_and_counted():
    keras.backend.clear_session() if hasattr(keras.backend, "clear_session") else None
    a, b = keras.layers.Dense(1), keras.layers.Dense(1)
    assert a.name != b.name
    assert b.name.startswith("dense")


def test_deferred_build_happens_at_first_call():
    model = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    assert not model.built
    out = model(np.ones((3, 5), dtype="float32"))
    assert model.built and out.shape == (3, 2)
    assert model.layers[0].kernel.shape == (5, 4)


def test_integer_pixels_are_cast_to_float32():
    model = chapter_classifier()
    out = model.predict(np.full((2, 28, 28), 255, dtype=np.uint8), verbose=0)
    assert out.dtype == np.float32 and out.shape == (2, 10)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-5)


def test_fit_returns_history_with_keras_keys_and_params():
    x, y = blobs()
    model = keras.Sequential(
        [
            keras.layers.Dense(8, activation="relu", input_shape=[4]),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 8}
    assert model.history is history


def test_calling_fit_again_continues_training():
    x, y = blobs()
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    first = model.fit(x, y, epochs=2, verbose=0).history["loss"]
    second = model.fit(x, y, epochs=2, verbose=0).history["loss"]
    assert second[0] < first[0]


def test_softmax_mlp_separates_three_classes():
    x, y = blobs(n=600)
    model = keras.Sequential(
        [
            keras.layers.Dense(16, activation="relu", input_shape=[4]),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=0.05),
        metrics=["accuracy"],
    )
    model.fit(x[:500], y[:500], epochs=20, verbose=0)
    loss, accuracy = model.evaluate(x[500:], y[500:], verbose=0)
    assert accuracy > 0.95


def test_mlp_learns_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    y = np.array([0, 1, 1, 0], dtype="float32")
    model = keras.Sequential(
        [
            keras.layers.Dense(8, activation="tanh", input_shape=[2]),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.05))
    model.fit(x, y, epochs=300, batch_size=4, verbose=0)
    predicted = (model.predict(x, verbose=0).ravel() > 0.5).astype(int)
    assert predicted.tolist() == [0, 1, 1, 0]


def test_regression_mlp_reaches_low_mse_on_a_linear_problem():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(800, 8)).astype("float32")
    y = x @ rng.normal(size=8).astype("float32") + 0.5
    model = keras.Sequential(
        [keras.layers.Dense(30, activation="relu", input_shape=[8]), keras.layers.Dense(1)]
    )
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.01))
    model.fit(x, y, epochs=30, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.05 * y.var()


def test_same_seed_gives_bit_identical_weights_and_history():
    def run():
        keras.utils.set_random_seed(42)
        x, y = blobs()
        model = keras.Sequential(
            [
                keras.layers.Dense(8, activation="relu", input_shape=[4]),
                keras.layers.Dropout(0.2)
                if hasattr(keras.layers, "Dropout")
                else keras.layers.Activation("linear"),
                keras.layers.Dense(3, activation="softmax"),
            ]
        )
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        history = model.fit(x, y, epochs=2, verbose=0)
        return model.get_weights(), history.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True))


@pytest.mark.parametrize(
    "loss, activation, y_kind",
    [
        ("sparse_categorical_crossentropy", "softmax", "sparse"),
        ("categorical_crossentropy", "softmax", "onehot"),
        ("mse", None, "regression"),
        ("mse", "relu", "regression"),
    ],
)
def test_traced_step_matches_the_gradient_tape_path(loss, activation, y_kind):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(96, 6, 2)).astype("float32")
    sparse = rng.integers(0, 4, 96)
    y = {
        "sparse": sparse,
        "onehot": keras.utils.to_categorical(sparse, 4),
        "regression": rng.normal(size=(96, 4)).astype("float32"),
    }[y_kind]
    sample_weight = rng.random(96).astype("float32")
    results = []
    for eager in (False, True):
        keras.utils.set_random_seed(5)
        model = keras.Sequential(
            [
                keras.layers.Flatten(input_shape=[6, 2]),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dense(4, activation=activation),
            ]
        )
        model.compile(loss=loss, optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                      run_eagerly=eager)
        history = model.fit(x, y, epochs=2, batch_size=16, sample_weight=sample_weight, verbose=0)
        assert any(model._plans.values()) != eager
        results.append((model.get_weights(), history.history["loss"]))
    (w_traced, l_traced), (w_tape, l_tape) = results
    assert l_traced == l_tape
    for a, b in zip(w_traced, w_tape, strict=True):
        np.testing.assert_array_equal(a, b)


def test_class_weight_scales_the_loss_of_each_class():
    x, y = blobs(n=64)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    plain = model.evaluate(x, y, verbose=0)
    weights = np.where(y == 0, 3.0, 1.0)
    weighted = model.test_on_batch(x, y, sample_weight=weights)
    per_sample = keras.losses.sparse_categorical_crossentropy(y, model(x)).numpy()
    assert weighted == pytest.approx(float((per_sample * weights).mean()), rel=1e-5)
    assert plain == pytest.approx(float(per_sample.mean()), rel=1e-5)
    history = model.fit(
        x,
        y,
        class_weight={0: 3.0, 1: 1.0, 2: 1.0},
        epochs=1,
        verbose=0,
        shuffle=False,
        batch_size=64,
    )
    assert history.history["loss"][0] == pytest.approx(weighted, rel=1e-5)


def test_evaluate_returns_scalar_list_or_dict():
    x, y = blobs(n=40)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": accuracy}
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_predict_batches_large_inputs_and_matches_a_direct_call():
    x, _ = blobs(n=100)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    np.testing.assert_allclose(
        model.predict(x, batch_size=7, verbose=0), model(x).numpy(), rtol=1e-6
    )
    np.testing.assert_array_equal(model.predict_on_batch(x[:5]), model(x[:5]).numpy())


def test_train_on_batch_returns_the_batch_loss_and_lowers_it():
    x, y = blobs(n=32)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(
        loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.5)
    )
    first = model.train_on_batch(x, y)
    for _ in range(10):
        last = model.train_on_batch(x, y)
    assert last < first


def test_fit_accepts_lists_and_pandas_frames():
    pd = pytest.importorskip("pandas")
    x, y = blobs(n=40)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    model.fit(pd.DataFrame(x), pd.Series(y), epochs=1, verbose=0)
    model.fit(x.tolist(), y.tolist(), epochs=1, verbose=0)


def test_initial_epoch_steps_per_epoch_and_validation_freq():
    x, y = blobs(n=64)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    history = model.fit(
        x,
        y,
        epochs=4,
        initial_epoch=1,
        steps_per_epoch=1,
        verbose=0,
        validation_data=(x, y),
        validation_freq=2,
    )
    assert history.epoch == [1, 2, 3]
    assert len(history.history["val_loss"]) == 2
    assert history.params["steps"] == 1


def test_progress_output_is_one_line_per_epoch_when_not_a_terminal(capsys):
    x, y = blobs(n=256)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=1)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2"
    assert len(out) == 4
    assert out[1].startswith("32/32 [") and "loss:" in out[1] and "accuracy:" in out[1]
    assert "\r" not in "".join(out)


def test_verbose_2_prints_a_line_per_epoch_and_0_prints_nothing(capsys):
    x, y = blobs(n=64)
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=[4])])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    model.fit(x, y, epochs=2, verbose=2, validation_data=(x, y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and "val_loss:" in lines[1] and "[" not in lines[1]
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_progress_bar_redraws_in_place_on_a_terminal():
    from neuroflow.callbacks.progress_bar import Progbar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = Progbar(10, stream=stream, interval=0.0)
    bar.dynamic = True
    for step in range(1, 11):
        bar.update(step, {"loss": 0.5})
    bar.update(10, {"loss": 0.5}, finalize=True)
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.count("\r") >= 10 and "ETA" in text


def test_to_categorical():
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2], 3), [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="num_classes"):
        keras.utils.to_categorical([3], 3)


def test_automatic_input_name_is_stable_across_save_and_load(tmp_path):
    pytest.importorskip("h5py")
    model = keras.Sequential([keras.layers.Dense(2, input_shape=[3], name="hidden")])
    model.save(tmp_path / "m.keras")
    first = keras.models.load_model(tmp_path / "m.keras")
    second = keras.models.load_model(tmp_path / "m.keras")
    assert model.inputs[0].name == first.inputs[0].name == second.inputs[0].name == "hidden_input"


def test_floatx_scope_changes_the_float_type_in_this_thread_only():
    import threading

    seen = {}
    with keras.backend.floatx_scope("float64"):
        assert keras.backend.floatx() == "float64"
        worker = threading.Thread(target=lambda: seen.setdefault("other", keras.backend.floatx()))
        worker.start()
        worker.join()
        model = keras.Sequential([keras.Input(shape=[2]), keras.layers.Dense(1)])
        assert model.predict(np.ones((1, 2)), verbose=0).dtype == np.float64
    assert seen["other"] == "float32" and keras.backend.floatx() == "float32"
