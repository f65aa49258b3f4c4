"""A search interrupted by Ctrl-C resumes with overwrite=False, without repeating trials."""

import pytest
from tuner_helpers import tiny_build_model

import neuroflow.tuner as kt


class CountingHyperModel(kt.HyperModel):
    """Counts fits; raises KeyboardInterrupt on fit number `interrupt_at` (1-based)."""

    def __init__(self, interrupt_at=None):
        super().__init__()
        self.fits = 0
        self.interrupt_at = interrupt_at

    def build(self, hp):
        return tiny_build_model(hp)

    def fit(self, hp, model, *args, **kwargs):
        self.fits += 1
        if self.fits == self.interrupt_at:
            raise KeyboardInterrupt
        return model.fit(*args, **kwargs)


def _tuner(tmp_path, hypermodel, max_trials, overwrite=False):
    return kt.RandomSearch(hypermodel, objective="val_loss", max_trials=max_trials, seed=3,
                           overwrite=overwrite, directory=str(tmp_path), project_name="resume")


def _interrupted_search(tmp_path, data):
    x, y, xv, yv = data
    tuner = _tuner(tmp_path, CountingHyperModel(interrupt_at=3), 4, overwrite=True)
    with pytest.raises(KeyboardInterrupt):
        tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    return tuner


def test_interrupted_search_keeps_its_completed_trials(tmp_path, data):
    tuner = _interrupted_search(tmp_path, data)
    statuses = [t.status for t in tuner.oracle.trials.values()]
    assert statuses == ["COMPLETED", "COMPLETED", "FAILED"]


def test_resumed_search_runs_only_the_missing_trials(tmp_path, data):
    x, y, xv, yv = data
    _interrupted_search(tmp_path, data)
    hypermodel = CountingHyperModel()
    tuner = _tuner(tmp_path, hypermodel, 4)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    completed = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    assert hypermodel.fits == 2 and len(completed) == 4


def test_resumed_search_may_raise_max_trials(tmp_path, data):
    x, y, xv, yv = data
    tuner = _tuner(tmp_path, CountingHyperModel(), 2, overwrite=True)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    hypermodel = CountingHyperModel()
    tuner = _tuner(tmp_path, hypermodel, 3)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert hypermodel.fits == 1 and len(tuner.oracle.get_best_trials(10)) == 3


def test_overwrite_true_starts_afresh(tmp_path, data):
    x, y, xv, yv = data
    _tuner(tmp_path, CountingHyperModel(), 2).search(x, y, epochs=1, validation_data=(xv, yv),
                                                     verbose=0)
    tuner = _tuner(tmp_path, CountingHyperModel(), 1, overwrite=True)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert len(tuner.oracle.trials) == 1


def test_study_of_another_objective_is_refused(tmp_path, data):
    x, y, xv, yv = data
    _tuner(tmp_path, CountingHyperModel(), 1).search(x, y, epochs=1, validation_data=(xv, yv),
                                                     verbose=0)
    other = kt.RandomSearch(tiny_build_model, objective="val_accuracy", max_trials=1,
                            directory=str(tmp_path), project_name="resume")
    with pytest.raises(kt.FatalError, match="use another project_name"):
        other.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
