"""The progress bar and other callbacks that want the logs only now and then
(`Callback.batch_hook_interval`) leave fit and evaluate on the direct replay loop."""

import io
import math

import numpy as np
import pytest

import neuroflow as keras

_ROWS, _BATCH = 50, 8  # 7 steps, the last one ragged


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((_ROWS, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


def _model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return model


class _Recorder(keras.callbacks.Callback):
    """Records every batch-end call it gets, with the logs it was handed."""

    def __init__(self, interval: float):
        super().__init__()
        self.batch_hook_interval = interval
        self.calls: list = []

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append((batch, dict(logs)))


class _TTY(io.StringIO):
    def isatty(self):
        return True


def _count_eager_steps(model, monkeypatch, name="_train_batch"):
    calls = []
    original = getattr(model, name)
    monkeypatch.setattr(model, name, lambda *a: (calls.append(1), original(*a))[1])
    return calls


@pytest.mark.parametrize("verbose", [1, 2, "auto"])
def test_fit_with_the_progress_bar_replays_the_plan(verbose, monkeypatch, capsys):
    x, y = _data()
    model = _model()
    eager = _count_eager_steps(model, monkeypatch)
    model.fit(x, y, batch_size=_BATCH, epochs=2, verbose=verbose)
    assert len(eager) == 2  # each batch size's first step traces; the other 12 replay
    out = capsys.readouterr().out
    assert out.count("7/7") == 2 and "Epoch 2/2" in out


def test_evaluate_with_the_progress_bar_replays_the_plan(monkeypatch, capsys):
    x, y = _data()
    model = _model()
    eager = _count_eager_steps(model, monkeypatch, "_test_batch")
    loss = model.evaluate(x, y, batch_size=_BATCH, verbose=1)[0]
    assert len(eager) == 2
    out = capsys.readouterr().out
    assert "7/7" in out and f"loss: {loss:.4f}" in out


def test_a_periodic_callback_sees_what_an_every_batch_callback_sees():
    """Due on every batch (a tiny interval) in the replay loop == after every batch in
    the step-by-step loop: the same batch indices, logs and final weights."""
    x, y = _data()
    results = []
    for interval in (1e-12, 0.0):
        model = _model()
        recorder = _Recorder(interval)
        model.fit(x, y, batch_size=_BATCH, epochs=2, shuffle=False, verbose=0,
                  callbacks=[recorder])
        results.append((recorder.calls, model.get_weights()))
    (periodic, w_periodic), (every, w_every) = results
    assert [b for b, _ in periodic] == [b for b, _ in every] == list(range(7)) * 2
    for (_, a), (_, b) in zip(periodic, every, strict=True):
        assert a.keys() == b.keys() == {"loss", "mae"}
        assert a == b
    for a, b in zip(w_periodic, w_every, strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_infinite_interval_sees_only_each_epochs_last_batch(monkeypatch):
    x, y = _data()
    model = _model()
    eager = _count_eager_steps(model, monkeypatch)
    recorder = _Recorder(math.inf)
    history = model.fit(x, y, batch_size=_BATCH, epochs=2, verbose=0, callbacks=[recorder])
    assert [b for b, _ in recorder.calls] == [6, 6]
    assert len(eager) == 2
    assert recorder.calls[-1][1]["loss"] == pytest.approx(history.history["loss"][-1])


def test_a_batch_begin_hook_still_runs_every_batch():
    x, y = _data()

    class BeginToo(_Recorder):
        def on_train_batch_begin(self, batch, logs=None):
            self.calls.append(("begin", batch))

    recorder = BeginToo(math.inf)
    _model().fit(x, y, batch_size=_BATCH, epochs=1, verbose=0, callbacks=[recorder])
    assert [c for c in recorder.calls if c[0] == "begin"] == [("begin", b) for b in range(7)]
    assert [c[0] for c in recorder.calls if c[0] != "begin"] == list(range(7))


def test_the_progress_bar_interval_follows_its_stream(monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # CI=true means "no terminal", whatever isatty says
    bar = keras.callbacks.ProgbarLogger()
    bar.stream = io.StringIO()
    assert bar.batch_hook_interval == math.inf  # a file: only the finished line
    bar.stream = _TTY()
    assert 0 < bar.batch_hook_interval < 1  # a terminal: redrawn now and then
    assert keras.callbacks.Callback().batch_hook_interval == 0.0


def test_a_terminal_bar_is_redrawn_mid_epoch_from_the_replay_loop(monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # CI=true means "no terminal", whatever isatty says
    x, y = _data()
    model = _model()
    eager = _count_eager_steps(model, monkeypatch)
    stream = _TTY()
    bar = keras.callbacks.ProgbarLogger(stream=stream)
    monkeypatch.setattr(type(bar), "batch_hook_interval", property(lambda self: 1e-12))
    monkeypatch.setattr(keras.callbacks.progress_bar.Progbar, "__init__",
                        _zero_interval(keras.callbacks.progress_bar.Progbar.__init__))
    model.fit(x, y, batch_size=_BATCH, epochs=1, verbose=1, callbacks=[bar])
    lines = stream.getvalue().split("\r")
    assert len(lines) >= 7  # redrawn after the batches, then finalized
    assert "ETA" in lines[1] and lines[-1].startswith("7/7")
    assert len(eager) == 2


def _zero_interval(init):
    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.interval = 0.0
    return patched
