"""fit times its first replayed steps on one BLAS thread and on the default, keeps the
faster for the epoch, and gives the process its threads back."""

import numpy as np
import pytest

import neuroflow as keras
from neuroflow.backend import blas_threads
from neuroflow.trainers import trainer as trainer_module

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads() -> list[int]:
    controller = blas_threads._controller()
    return [lib.num_threads for lib in controller.select(user_api="blas").lib_controllers]


class _Recording(blas_threads.ThreadChooser):
    made: list = []

    def __init__(self):
        super().__init__()
        self.used: list[int] = []
        _Recording.made.append(self)

    def start(self):
        super().start()
        self.used.append(self.threads)


def _fit(width: int, monkeypatch) -> list:
    _Recording.made = []
    monkeypatch.setattr(trainer_module, "ThreadChooser", _Recording)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 100)).astype("float32")
    y = x[:, :1].copy()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=2, epochs=2, verbose=0)
    return _Recording.made


def test_a_wide_model_tries_both_thread_counts_then_restores_them(monkeypatch):
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        choosers = _fit(120, monkeypatch)  # a 100x120 kernel: 12,000 weights
        assert _blas_threads() == [2] * len(_blas_threads())
    assert len(choosers) == 2  # one trial per epoch
    for chooser in choosers:
        assert chooser.used[:16] == [1] * 4 + [2] * 4 + [1] * 4 + [2] * 4
        assert len(chooser.used) == 16  # then no more timing
        assert not chooser.trying


def test_a_narrow_model_leaves_the_threads_alone(monkeypatch):
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        assert _fit(30, monkeypatch) == []
