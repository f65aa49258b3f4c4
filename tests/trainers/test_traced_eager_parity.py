"""Parity matrix: every case trains traced (the plan) and eagerly (run_eagerly=True) and
must end with the same weights and logs.

Each case is 10 rows in batches of 4, so the last batch is ragged and traces its own
plan; two epochs replay both plans. Where the op order is the same the results agree to
the bit; the tolerance covers gradient sums accumulated in another order.
"""

import numpy as np
import pytest

import neuroflow as keras

RNG = np.random.default_rng(0)
X = RNG.standard_normal((10, 3)).astype("float32")
X2 = RNG.standard_normal((10, 2)).astype("float32")
LABELS = np.array([0, 1, 2, 1, 0, 2, 2, 1, 0, 1])
ONE_HOT = np.eye(3, dtype="float32")[LABELS]
BINARY = (LABELS == 1).astype("float32")[:, None]
REAL = RNG.standard_normal((10, 3)).astype("float32")
POSITIVE = np.abs(REAL) + 0.5
SIGNS = np.where(ONE_HOT > 0, 1.0, -1.0).astype("float32")


def _sequential(activation=None, units=3, extra=(), first=None):
    layers = [keras.Input((3,)), first or keras.layers.Dense(4, activation="tanh"), *extra,
              keras.layers.Dense(units, activation=activation)]
    return keras.Sequential(layers)


def _train(build, compile_kwargs, fit_kwargs, eager: bool):
    keras.utils.set_random_seed(11)
    model = build()
    optimizer = compile_kwargs.get("optimizer", "sgd")
    optimizer = optimizer if isinstance(optimizer, str) else optimizer()  # one per run
    model.compile(run_eagerly=eager, **{**compile_kwargs, "optimizer": optimizer})
    history = model.fit(batch_size=4, epochs=2, verbose=0, **fit_kwargs)
    return model, history.history


def _assert_parity(build, compile_kwargs, fit_kwargs, traced_expected=True):
    traced, logs_t = _train(build, compile_kwargs, fit_kwargs, False)
    eager, logs_e = _train(build, compile_kwargs, fit_kwargs, True)
    assert any(traced._plans.values()) == traced_expected
    assert not eager._plans
    assert sorted(logs_t) == sorted(logs_e)
    for key in logs_t:
        np.testing.assert_allclose(logs_t[key], logs_e[key], rtol=1e-6, err_msg=key)
    for a, b in zip(traced.get_weights(), eager.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    return traced


LOSS_CASES = [
    ("mean_squared_error", None, REAL),
    ("mean_absolute_error", None, REAL),
    ("mean_absolute_percentage_error", None, REAL),
    ("mean_squared_logarithmic_error", "softplus", POSITIVE),
    ("huber", None, REAL),
    ("log_cosh", None, REAL),
    ("cosine_similarity", None, REAL),
    ("hinge", "tanh", SIGNS),
    ("squared_hinge", "tanh", SIGNS),
    ("categorical_hinge", "tanh", ONE_HOT),
    ("kl_divergence", "softmax", ONE_HOT * 0.8 + 0.1),
    ("poisson", "softplus", POSITIVE),
    ("categorical_crossentropy", "softmax", ONE_HOT),
    ("sparse_categorical_crossentropy", "softmax", LABELS),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True), None, LABELS),
    (keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), None,
     ONE_HOT),
]


@pytest.mark.parametrize("loss, activation, y", LOSS_CASES,
                         ids=lambda v: getattr(v, "name", None) if not isinstance(v, str) else v)
def test_every_builtin_loss(loss, activation, y):
    metrics = ["accuracy"] if y is LABELS else ["mae"]
    _assert_parity(lambda: _sequential(activation), {"optimizer": "sgd", "loss": loss,
                                                     "metrics": metrics}, {"x": X, "y": y})


@pytest.mark.parametrize("loss, activation", [("binary_crossentropy", "sigmoid"),
                                              ("binary_crossentropy", "linear")])
def test_binary_crossentropy_on_sigmoid_outputs_and_probabilities(loss, activation):
    y = BINARY if activation == "sigmoid" else np.clip(RNG.random((10, 1)), 0.1, 0.9)
    build = (lambda: _sequential("sigmoid", units=1)) if activation == "sigmoid" else (
        lambda: _sequential(units=1, first=keras.layers.Dense(4, activation="sigmoid")))
    _assert_parity(build, {"optimizer": "adam", "loss": loss, "metrics": ["accuracy"]},
                   {"x": X, "y": y.astype("float32")})


@pytest.mark.parametrize("fit_kwargs", [
    {"sample_weight": RNG.random(10).astype("float32")},
    {"class_weight": {0: 0.5, 1: 2.0, 2: 1.0}},
], ids=["sample_weight", "class_weight"])
def test_sample_and_class_weights(fit_kwargs):
    _assert_parity(lambda: _sequential("softmax"),
                   {"optimizer": "sgd", "loss": "sparse_categorical_crossentropy",
                    "weighted_metrics": ["accuracy"]}, {"x": X, "y": LABELS, **fit_kwargs})


@pytest.mark.parametrize("frozen", [False, True])
def test_regularizers_on_trainable_and_frozen_layers(frozen):
    def build():
        model = _sequential(first=keras.layers.Dense(
            4, activation="relu", kernel_regularizer="l2", bias_regularizer="l1",
            activity_regularizer=keras.regularizers.L2(0.1)))
        model.layers[0].trainable = not frozen
        return model

    _assert_parity(build, {"optimizer": "sgd", "loss": "mse"}, {"x": X, "y": REAL})


RANDOM_AND_STATEFUL_LAYERS = [
    lambda: keras.layers.Dropout(0.3, seed=3),
    lambda: keras.layers.Dropout(0.3, noise_shape=(None, 1)),  # the global generator
    lambda: keras.layers.GaussianNoise(0.2, seed=3),
    lambda: keras.layers.GaussianDropout(0.3, seed=3),
    lambda: keras.layers.AlphaDropout(0.3, seed=3),
    lambda: keras.layers.BatchNormalization(),
]


@pytest.mark.parametrize("layer", RANDOM_AND_STATEFUL_LAYERS, ids=[
    "dropout", "dropout_global_rng_noise_shape", "gaussian_noise", "gaussian_dropout",
    "alpha_dropout", "batch_normalization"])
def test_layers_that_draw_or_keep_state_in_training_are_traced(layer):
    model = _assert_parity(lambda: _sequential(extra=(layer(),)),
                           {"optimizer": "adam", "loss": "mse"},
                           {"x": X, "y": REAL, "validation_data": (X, REAL)})
    kinds = {key[0]: bool(plan) for key, plan in model._plans.items()}
    assert kinds == {"train": True, "test": True}  # replays draw anew / update the state


def test_replayed_dropout_draws_a_new_mask_each_batch():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dropout(0.5, seed=1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X[:8], REAL[:8], batch_size=4, epochs=1, verbose=0)  # traces the plan
    plan = next(p for key, p in model._plans.items() if key[0] == "train")
    leaves = [X[:4], REAL[:4]]
    first, second = plan.run(leaves)[0][1], plan.run(leaves)[0][1]
    assert not np.array_equal(first, second)
    assert set(np.unique(first[first != 0] / X[:4][first != 0]).round(5)) == {2.0}


def test_replayed_batch_normalization_updates_the_moving_statistics():
    layer = keras.layers.BatchNormalization(momentum=0.5)
    model = keras.Sequential([keras.Input((3,)), layer])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X[:8], REAL[:8], batch_size=4, epochs=1, verbose=0, shuffle=False)
    before = np.array(layer.moving_mean.data)
    plan = next(p for key, p in model._plans.items() if key[0] == "train")
    plan.run([X[:4], REAL[:4]])
    np.testing.assert_allclose(layer.moving_mean.data,
                               0.5 * before + 0.5 * X[:4].mean(axis=0), rtol=1e-6)


def _two_in_two_out():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    hidden = keras.layers.Dense(4, activation="relu")(a)
    merged = keras.layers.concatenate([hidden, b])
    out1 = keras.layers.Dense(3, name="out1")(merged)
    out2 = keras.layers.Dense(3, activation="softmax", name="out2")(hidden)
    return keras.Model(inputs=[a, b], outputs=[out1, out2])


def test_several_inputs_and_outputs_with_loss_weights():
    _assert_parity(_two_in_two_out,
                   {"optimizer": "rmsprop", "loss": ["mse", "sparse_categorical_crossentropy"],
                    "loss_weights": [0.3, 2.0], "metrics": [["mae"], ["accuracy"]]},
                   {"x": [X, X2], "y": [REAL, LABELS]})


def test_dict_inputs_and_outputs_with_normalization():
    def build():
        a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
        norm = keras.layers.Normalization()
        norm.adapt(X)
        hidden = keras.layers.Dense(4, activation="relu")(norm(a))
        merged = keras.layers.concatenate([hidden, b])
        return keras.Model(inputs={"a": a, "b": b},
                           outputs={"main": keras.layers.Dense(3, name="main")(merged),
                                    "aux": keras.layers.Dense(3, name="aux")(hidden)})

    _assert_parity(build, {"optimizer": "adam", "loss": {"main": "mse", "aux": "huber"},
                           "loss_weights": {"main": 0.9, "aux": 0.1}},
                   {"x": {"a": X, "b": X2}, "y": {"main": REAL, "aux": REAL}})


OPTIMIZERS = [
    lambda: keras.optimizers.SGD(0.05),
    lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True, clipnorm=0.5),
    lambda: keras.optimizers.Adam(0.01, clipvalue=0.05),
    lambda: keras.optimizers.Adam(0.01, amsgrad=True, global_clipnorm=0.3),
    lambda: keras.optimizers.AdamW(0.01, use_ema=True, ema_momentum=0.5),
    lambda: keras.optimizers.Nadam(0.01, loss_scale_factor=64.0),
    lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: keras.optimizers.Adagrad(0.1, use_ema=True, ema_overwrite_frequency=2),
    lambda: keras.optimizers.Adadelta(1.0),
    lambda: keras.optimizers.Adamax(0.01, weight_decay=0.01),
    lambda: keras.optimizers.SGD(0.05, gradient_accumulation_steps=2),
]


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=[
    "sgd", "momentum", "nesterov_clipnorm", "adam_clipvalue", "amsgrad_global_clipnorm",
    "adamw_ema", "nadam_loss_scale", "rmsprop_centered", "adagrad_ema_overwrite", "adadelta",
    "adamax_weight_decay", "accumulation",
])
def test_every_optimizer_and_its_options(make_optimizer):
    _assert_parity(lambda: _sequential("softmax"),
                   {"optimizer": make_optimizer, "loss": "categorical_crossentropy"},
                   {"x": X, "y": ONE_HOT})


class _CustomStep(keras.Sequential):
    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            loss = self.compute_loss(x, y, self(x, training=True))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        return {"loss": loss}


def test_custom_train_step_runs_through_the_tape():
    def build():
        return _CustomStep([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                            keras.layers.Dense(3)])

    _assert_parity(build, {"optimizer": "sgd", "loss": "mse"}, {"x": X, "y": REAL},
                   traced_expected=False)


class _WideAndDeep(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = keras.layers.Dense(4, activation="relu")
        self.hidden2 = keras.layers.Dense(4, activation="relu")
        self.main_output = keras.layers.Dense(1)
        self.aux_output = keras.layers.Dense(1)

    def call(self, inputs):
        wide, deep = inputs
        hidden2 = self.hidden2(self.hidden1(deep))
        concat = keras.layers.concatenate([wide, hidden2])
        return self.main_output(concat), self.aux_output(hidden2)


def test_subclassed_wide_and_deep_with_two_outputs():
    y = REAL[:, :1]
    _assert_parity(_WideAndDeep, {"optimizer": "adam", "loss": ["mse", "mse"],
                                  "loss_weights": [0.9, 0.1]},
                   {"x": (X2, X), "y": (y, y)})


@pytest.mark.parametrize("make_optimizer", [lambda: keras.optimizers.SGD(0.05, momentum=0.9),
                                            lambda: keras.optimizers.Nadam(0.01)],
                         ids=["momentum", "nadam"])
def test_train_plans_write_gradients_into_the_flat_buffers(make_optimizer):
    model = _assert_parity(lambda: _sequential("softmax"),
                           {"optimizer": make_optimizer, "loss": "categorical_crossentropy"},
                           {"x": X, "y": ONE_HOT})
    train_plans = [p for key, p in model._plans.items() if key[0] == "train"]
    assert train_plans and all(p.flat for p in train_plans)
    params = model._flat.params
    assert all(np.shares_memory(v.data, params) for v in model.trainable_variables)


def _shared_dense():
    """One Dense applied twice: its kernel's gradient is a sum of two contributions."""
    inputs = keras.Input((3,))
    shared = keras.layers.Dense(3, activation="tanh")
    return keras.Model(inputs, keras.layers.Dense(3)(shared(shared(inputs))))


@pytest.mark.parametrize(("build", "copies"), [(_sequential, 0), (_shared_dense, 2)],
                         ids=["each-gradient-written-in-place", "summed-gradients-copied"])
def test_dense_gradients_are_written_straight_into_the_flat_buffer(build, copies):
    """The dense VJP writes its kernel and bias gradients into the flat buffer's views;
    a variable whose gradient sums several contributions is copied there once summed."""
    model = _assert_parity(build, {"optimizer": "sgd", "loss": "mse"}, {"x": X, "y": REAL})
    train_plans = [p for key, p in model._plans.items() if key[0] == "train"]
    assert train_plans and all(p.flat for p in train_plans)
    for plan in train_plans:
        assert plan.run.source.count("_copyto(") == copies
