"""Code written for tf.keras 2 (Hands-On ML, chapter 10) runs unchanged.

Each test imports `tensorflow` from a shim package written into tmp_path, which only maps
`tf.keras` to neuroflow, `tf.summary` to `neuroflow.summary` and `tf.random.set_seed` to
`neuroflow.utils.set_random_seed`;
the test bodies are the chapter's tf.keras 2 code, shrunk to tiny data.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest

# the code runs as written; its deprecated spellings warn (asserted where each is tested)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHIM = '''"""A stand-in for TensorFlow that maps keras to neuroflow."""
import types

import neuroflow as keras
from neuroflow import summary
from neuroflow.utils import set_random_seed

random = types.SimpleNamespace(set_seed=set_random_seed)
'''


@pytest.fixture
def tf(tmp_path, monkeypatch):
    package = tmp_path / "shim" / "tensorflow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(SHIM)
    monkeypatch.syspath_prepend(str(tmp_path / "shim"))
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    import tensorflow

    tensorflow.keras.backend.clear_session()
    yield tensorflow
    sys.modules.pop("tensorflow", None)


@pytest.fixture
def keras(tf):
    return tf.keras


def regression_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype("float32")
    y = (X @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return X[: n // 2], y[: n // 2], X[n // 2:], y[n // 2:]


def classification_data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)).astype("float32")
    y = np.argmax(X[:, :3], axis=1)
    return X, y


def regression_model(keras, optimizer="sgd"):
    model = keras.models.Sequential([
        keras.layers.Dense(10, activation="relu", input_shape=[8]),
        keras.layers.Dense(1),
    ])
    model.compile(loss="mean_squared_error", optimizer=optimizer)
    return model


# ---- keras.backend -----------------------------------------------------------------------
def test_clear_session_restarts_automatic_layer_names(keras):
    keras.models.Sequential([keras.layers.Dense(3, input_shape=[2])])
    keras.backend.clear_session()
    model = keras.models.Sequential([keras.layers.Dense(3, input_shape=[2])])
    assert model.layers[0].name == "dense"


def test_clear_session_then_seeds_reproduce_the_same_model(tf, keras):
    def build():
        keras.backend.clear_session()
        tf.random.set_seed(42)
        np.random.seed(42)
        return keras.models.Sequential([keras.layers.Dense(4, input_shape=[3])])

    first, second = build(), build()
    np.testing.assert_array_equal(first.get_weights()[0], second.get_weights()[0])


def test_backend_floatx_and_epsilon(keras):
    K = keras.backend
    assert (K.floatx(), K.epsilon()) == ("float32", 1e-7)


def test_exponential_learning_rate_callback_multiplies_the_rate_each_batch(keras):
    K = keras.backend

    class ExponentialLearningRate(keras.callbacks.Callback):
        def __init__(self, factor):
            self.factor = factor
            self.rates = []
            self.losses = []

        def on_batch_end(self, batch, logs):
            self.rates.append(K.get_value(self.model.optimizer.learning_rate))
            self.losses.append(logs["loss"])
            K.set_value(self.model.optimizer.learning_rate,
                        self.model.optimizer.learning_rate * self.factor)

    X_train, y_train, X_valid, y_valid = regression_data()
    with pytest.warns(DeprecationWarning):
        optimizer = keras.optimizers.SGD(lr=1e-3)
    model = regression_model(keras, optimizer)
    expon_lr = ExponentialLearningRate(factor=1.5)
    model.fit(X_train, y_train, epochs=1, batch_size=10, verbose=0,
              validation_data=(X_valid, y_valid), callbacks=[expon_lr])
    np.testing.assert_allclose(expon_lr.rates, 1e-3 * 1.5 ** np.arange(6), rtol=1e-5)


def test_learning_rate_finder_records_the_running_loss(keras):
    K = keras.backend
    losses = []

    class RecordLoss(keras.callbacks.Callback):
        def __init__(self):
            pass

        def on_batch_end(self, batch, logs):
            losses.append(logs["loss"])
            K.set_value(self.model.optimizer.lr, K.get_value(self.model.optimizer.lr) * 1.1)

    X_train, y_train, _, _ = regression_data()
    model = regression_model(keras)
    history = model.fit(X_train, y_train, epochs=1, batch_size=10, verbose=0,
                        callbacks=[RecordLoss()])
    assert losses[-1] == pytest.approx(history.history["loss"][0])


# ---- optimizers ----------------------------------------------------------------------------
def test_sgd_lr_argument_sets_the_learning_rate_with_a_deprecation_warning(keras):
    with pytest.warns(DeprecationWarning, match="lr"):
        optimizer = keras.optimizers.SGD(lr=0.02)
    assert keras.backend.get_value(optimizer.learning_rate) == pytest.approx(0.02)


def test_model_optimizer_lr_is_the_learning_rate_variable(keras):
    model = regression_model(keras, keras.optimizers.SGD(learning_rate=0.05))
    keras.backend.set_value(model.optimizer.lr, 0.2)
    assert keras.backend.get_value(model.optimizer.learning_rate) == pytest.approx(0.2)


def test_optimizer_decay_divides_the_rate_by_one_plus_decay_times_iterations(keras):
    model = keras.models.Sequential([
        keras.layers.Dense(1, use_bias=False, kernel_initializer="ones", input_shape=[1])
    ])
    with pytest.warns(DeprecationWarning, match="decay"):
        optimizer = keras.optimizers.SGD(learning_rate=0.1, decay=0.5)
    model.compile(loss="mse", optimizer=optimizer)
    x, y = np.ones((1, 1), "float32"), np.zeros((1, 1), "float32")
    model.train_on_batch(x, y)  # w = 1 - 0.1 * 2 = 0.8
    model.train_on_batch(x, y)  # w = 0.8 - 0.1 / (1 + 0.5) * 1.6
    assert model.get_weights()[0][0, 0] == pytest.approx(0.8 - 0.1 / 1.5 * 1.6, rel=1e-5)


def test_optimizer_iterations_has_numpy(keras):
    model = regression_model(keras)
    X_train, y_train, _, _ = regression_data()
    model.fit(X_train, y_train, epochs=1, batch_size=20, verbose=0)
    assert model.optimizer.iterations.numpy() == 3


# ---- saving --------------------------------------------------------------------------------
def test_save_weights_to_a_ckpt_name_loads_back_from_the_same_name(keras):
    X_train, y_train, X_valid, _ = regression_data()
    model = regression_model(keras)
    model.fit(X_train, y_train, epochs=1, verbose=0)
    model.save_weights("my_keras_weights.ckpt")
    clone = regression_model(keras)
    clone.load_weights("my_keras_weights.ckpt")
    np.testing.assert_allclose(clone.predict(X_valid), model.predict(X_valid), rtol=1e-6)


def test_h5_model_with_function_metrics_round_trips(keras):
    X_train, y_train, X_valid, y_valid = regression_data()
    model = keras.models.Sequential([keras.layers.Dense(5, activation="relu", input_shape=[8]),
                                     keras.layers.Dense(1)])
    model.compile(loss=keras.losses.mean_squared_error, optimizer="sgd",
                  metrics=[keras.metrics.mse, "mae"])
    model.fit(X_train, y_train, epochs=1, verbose=0)
    model.save("my_keras_model.h5")
    model = keras.models.load_model("my_keras_model.h5")
    loss, mse, mae = model.evaluate(X_valid, y_valid, verbose=0)
    assert loss == pytest.approx(mse, rel=1e-5)


def test_model_checkpoint_h5_keeps_the_best_epoch(keras):
    X_train, y_train, X_valid, y_valid = regression_data()
    model = regression_model(keras)
    checkpoint_cb = keras.callbacks.ModelCheckpoint("my_keras_model.h5", save_best_only=True)
    history = model.fit(X_train, y_train, epochs=5, verbose=0,
                        validation_data=(X_valid, y_valid), callbacks=[checkpoint_cb])
    model = keras.models.load_model("my_keras_model.h5")  # roll back to best model
    mse_test = model.evaluate(X_valid, y_valid, verbose=0)
    assert mse_test == pytest.approx(min(history.history["val_loss"]), rel=1e-5)


def test_early_stopping_restore_best_weights_rolls_back(tf, keras):
    tf.random.set_seed(42)
    np.random.seed(42)
    X_train, y_train, X_valid, y_valid = regression_data()
    with pytest.warns(DeprecationWarning):
        optimizer = keras.optimizers.SGD(lr=0.25)  # large: the validation loss goes up again
    model = regression_model(keras, optimizer)
    checkpoint_cb = keras.callbacks.ModelCheckpoint("my_keras_model.h5", save_best_only=True)
    early_stopping_cb = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    history = model.fit(X_train, y_train, epochs=4, verbose=0,
                        validation_data=(X_valid, y_valid),
                        callbacks=[checkpoint_cb, early_stopping_cb])
    val_losses = history.history["val_loss"]
    assert val_losses[-1] > min(val_losses)  # precondition: the last epoch is not the best
    mse_valid = model.evaluate(X_valid, y_valid, verbose=0)
    assert mse_valid == pytest.approx(min(val_losses), rel=1e-5)


# ---- fit, callbacks, history ---------------------------------------------------------------
def test_print_val_train_ratio_callback_sees_loss_and_val_loss(keras, capsys):
    class PrintValTrainRatioCallback(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            print("\nval/train: {:.2f}".format(logs["val_loss"] / logs["loss"]))

    X_train, y_train, X_valid, y_valid = regression_data()
    model = regression_model(keras)
    model.fit(X_train, y_train, epochs=3, verbose=0, validation_data=(X_valid, y_valid),
              callbacks=[PrintValTrainRatioCallback()])
    assert capsys.readouterr().out.count("val/train: ") == 3


def test_history_params_has_verbose_epochs_and_steps(keras):
    X_train, y_train, X_valid, y_valid = regression_data()
    model = regression_model(keras)
    history = model.fit(X_train, y_train, epochs=2, verbose=0,
                        validation_data=(X_valid, y_valid))
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 2}


def test_fit_with_validation_data_records_loss_and_val_loss_per_epoch(keras, capsys):
    X_train, y_train, X_valid, y_valid = regression_data()
    model = regression_model(keras)
    history = model.fit(X_train, y_train, epochs=30, validation_data=(X_valid, y_valid))
    assert [len(history.history[k]) for k in ("loss", "val_loss")] == [30, 30]


def test_tensorboard_callback_writes_event_files_under_run_logdir(keras):
    pytest.importorskip("tensorboardX")
    root_logdir = os.path.join(os.curdir, "my_logs")

    def get_run_logdir():
        run_id = time.strftime("run_%Y_%m_%d-%H_%M_%S")
        return os.path.join(root_logdir, run_id)

    run_logdir = get_run_logdir()
    X_train, y_train, X_valid, y_valid = regression_data()
    model = regression_model(keras)
    tensorboard_cb = keras.callbacks.TensorBoard(run_logdir)
    model.fit(X_train, y_train, epochs=2, verbose=0, validation_data=(X_valid, y_valid),
              callbacks=[tensorboard_cb])
    events = [name for _, _, files in os.walk(run_logdir) for name in files
              if name.startswith("events.out.tfevents")]
    assert events


def test_summary_writer_code_of_the_chapter_writes_what_tensorboard_reads(tf, monkeypatch):
    pytest.importorskip("tensorboardX")
    test_logdir = os.path.join(os.curdir, "my_logs", time.strftime("run_%Y_%m_%d-%H_%M_%S"))
    writer = tf.summary.create_file_writer(str(test_logdir))
    with writer.as_default():
        for step in range(1, 3 + 1):
            tf.summary.scalar("my_scalar", np.sin(step / 10), step=step)
            data = (np.random.randn(100) + 2) * step / 100  # gets larger
            tf.summary.histogram("my_hist", data, buckets=50, step=step)
            images = np.random.rand(2, 32, 32, 3) * step / 1000  # gets brighter
            tf.summary.image("my_images", images, step=step)
            texts = ["The step is " + str(step), "Its square is " + str(step ** 2)]
            tf.summary.text("my_text", texts, step=step)
            # the book builds the wave with tf.math.sin/tf.range/tf.reshape; NumPy here
            sine_wave = np.sin(np.arange(12000) / 48000 * 2 * np.pi * step)
            audio = np.reshape(sine_wave.astype(np.float32), [1, -1, 1])
            tf.summary.audio("my_audio", audio, sample_rate=48000, step=step)
    with monkeypatch.context() as patch:  # TensorBoard must not take the shim for TensorFlow
        patch.setitem(sys.modules, "tensorflow", None)
        from tensorboard.backend.event_processing import plugin_event_accumulator

        acc = plugin_event_accumulator.EventAccumulator(test_logdir)
        acc.Reload()
    for plugin, tag in [("scalars", "my_scalar"), ("histograms", "my_hist"),
                        ("images", "my_images"), ("text", "my_text"), ("audio", "my_audio")]:
        assert list(acc.PluginTagToContent(plugin)) == [tag]
        assert [event.step for event in acc.Tensors(tag)] == [1, 2, 3]


def test_plot_model_draws_a_png_with_graphviz_and_no_pydot(keras, monkeypatch):
    if not any(os.access(os.path.join(d, "dot"), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep)):
        pytest.skip("Graphviz's dot is not installed")
    monkeypatch.setitem(sys.modules, "pydot", None)  # `import pydot` fails
    model = regression_model(keras)
    keras.utils.plot_model(model, "my_mnist_model.png", show_shapes=True)
    with open("my_mnist_model.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


# ---- Sequential.predict_classes / predict_proba -------------------------------------------
def classifier(keras, X, y):
    model = keras.models.Sequential([
        keras.layers.Dense(8, activation="relu", input_shape=[X.shape[1]]),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"])
    model.fit(X, y, epochs=1, verbose=0)
    return model


def test_predict_classes_returns_the_argmax_with_a_deprecation_warning(keras):
    X, y = classification_data()
    model = classifier(keras, X, y)
    with pytest.warns(DeprecationWarning, match="predict_classes"):
        y_pred = model.predict_classes(X[:3])
    np.testing.assert_array_equal(y_pred, np.argmax(model.predict(X[:3]), axis=-1))


def test_predict_classes_thresholds_a_single_sigmoid_output(keras):
    model = keras.models.Sequential([keras.layers.Dense(1, activation="sigmoid",
                                                        input_shape=[1])])
    model.set_weights([np.array([[10.0]], "float32"), np.zeros(1, "float32")])
    with pytest.warns(DeprecationWarning):
        y_pred = model.predict_classes(np.array([[-1.0], [1.0]], "float32"))
    np.testing.assert_array_equal(y_pred, np.array([[0], [1]], "int32"))


def test_predict_proba_returns_the_predictions_with_a_deprecation_warning(keras):
    X, y = classification_data()
    model = classifier(keras, X, y)
    with pytest.warns(DeprecationWarning, match="predict_proba"):
        y_proba = model.predict_proba(X[:3])
    np.testing.assert_allclose(y_proba, model.predict(X[:3]), rtol=1e-6)


# ---- loss_weights with one loss on several outputs ----------------------------------------
def wide_and_deep_data(n=60, seed=0):
    X_train, y_train, _, _ = regression_data(2 * n, seed)
    return X_train[:, :5], X_train[:, 2:], y_train


def test_loss_weights_weight_a_single_loss_on_a_subclassed_two_output_model(keras):
    class WideAndDeepModel(keras.models.Model):
        def __init__(self, units=30, activation="relu", **kwargs):
            super().__init__(**kwargs)
            self.hidden1 = keras.layers.Dense(units, activation=activation)
            self.hidden2 = keras.layers.Dense(units, activation=activation)
            self.main_output = keras.layers.Dense(1)
            self.aux_output = keras.layers.Dense(1)

        def call(self, inputs):
            input_A, input_B = inputs
            hidden1 = self.hidden1(input_B)
            hidden2 = self.hidden2(hidden1)
            concat = keras.layers.concatenate([input_A, hidden2])
            main_output = self.main_output(concat)
            aux_output = self.aux_output(hidden2)
            return main_output, aux_output

    X_train_A, X_train_B, y_train = wide_and_deep_data()
    model = WideAndDeepModel(30, activation="relu")
    model.compile(loss="mse", loss_weights=[0.9, 0.1],
                  optimizer=keras.optimizers.SGD(lr=1e-3))
    model.fit((X_train_A, X_train_B), (y_train, y_train), epochs=2, verbose=0)
    total_loss, main_loss, aux_loss = model.evaluate((X_train_A, X_train_B),
                                                     (y_train, y_train), verbose=0)
    assert total_loss == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-5)


def test_loss_weights_weight_a_single_loss_on_a_functional_two_output_model(keras):
    input_A = keras.layers.Input(shape=[5], name="wide_input")
    input_B = keras.layers.Input(shape=[6], name="deep_input")
    hidden1 = keras.layers.Dense(30, activation="relu")(input_B)
    hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
    concat = keras.layers.concatenate([input_A, hidden2])
    output = keras.layers.Dense(1, name="main_output")(concat)
    aux_output = keras.layers.Dense(1, name="aux_output")(hidden2)
    model = keras.models.Model(inputs=[input_A, input_B], outputs=[output, aux_output])
    model.compile(loss="mse", loss_weights=[0.9, 0.1], optimizer="sgd")
    X_train_A, X_train_B, y_train = wide_and_deep_data()
    model.fit([X_train_A, X_train_B], [y_train, y_train], epochs=2, verbose=0)
    total_loss, main_loss, aux_loss = model.evaluate([X_train_A, X_train_B],
                                                     [y_train, y_train], verbose=0)
    assert total_loss == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-5)


# ---- keras.wrappers.scikit_learn -----------------------------------------------------------
def build_model(n_hidden=1, n_neurons=30, learning_rate=3e-3, input_shape=[8]):  # noqa: B006
    import tensorflow as tf

    keras = tf.keras
    model = keras.models.Sequential()
    model.add(keras.layers.InputLayer(input_shape=input_shape))
    for _layer in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(1))
    optimizer = keras.optimizers.SGD(lr=learning_rate)
    model.compile(loss="mse", optimizer=optimizer)
    return model


def test_keras_regressor_takes_build_fn_positionally_and_exposes_model(keras):
    pytest.importorskip("sklearn")
    X_train, y_train, X_valid, y_valid = regression_data()
    keras_reg = keras.wrappers.scikit_learn.KerasRegressor(build_model, n_neurons=7)
    keras_reg.fit(X_train, y_train, epochs=2, verbose=0,
                  validation_data=(X_valid, y_valid),
                  callbacks=[keras.callbacks.EarlyStopping(patience=10)])
    assert keras_reg.model.layers[0].units == 7


def test_keras_regressor_score_is_the_negative_mse(keras):
    pytest.importorskip("sklearn")
    X_train, y_train, X_valid, y_valid = regression_data()
    keras_reg = keras.wrappers.scikit_learn.KerasRegressor(build_model, epochs=2, verbose=0)
    keras_reg.fit(X_train, y_train)
    mse_test = keras_reg.score(X_valid, y_valid)
    assert mse_test == pytest.approx(-keras_reg.model.evaluate(X_valid, y_valid, verbose=0),
                                     rel=1e-5)


def test_randomized_search_best_estimator_model_has_the_best_params(keras):
    pytest.importorskip("sklearn")
    from sklearn.model_selection import RandomizedSearchCV

    X_train, y_train, X_valid, y_valid = regression_data()
    y_train, y_valid = y_train.ravel(), y_valid.ravel()
    keras_reg = keras.wrappers.scikit_learn.KerasRegressor(build_model)
    param_distribs = {"n_hidden": [0, 2], "n_neurons": [3, 5]}
    rnd_search_cv = RandomizedSearchCV(keras_reg, param_distribs, n_iter=2, cv=2,
                                       random_state=42)
    rnd_search_cv.fit(X_train, y_train, epochs=2, verbose=0,
                      validation_data=(X_valid, y_valid),
                      callbacks=[keras.callbacks.EarlyStopping(patience=10)])
    model = rnd_search_cv.best_estimator_.model
    assert len(model.layers) == rnd_search_cv.best_params_["n_hidden"] + 1


def test_keras_classifier_predicts_class_labels(keras):
    pytest.importorskip("sklearn")
    X, y = classification_data()

    def build_classifier(n_neurons=8):
        model = keras.models.Sequential([
            keras.layers.Dense(n_neurons, activation="relu", input_shape=[6]),
            keras.layers.Dense(3, activation="softmax"),
        ])
        model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                      metrics=["accuracy"])
        return model

    keras_clf = keras.wrappers.scikit_learn.KerasClassifier(build_classifier, epochs=1,
                                                            verbose=0)
    keras_clf.fit(X, y)
    assert set(np.unique(keras_clf.predict(X))) <= {0, 1, 2}
