"""Read event files back with TensorBoard's own readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorboardX")
pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing import event_accumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


class Run:
    """The summaries of one log folder, as TensorBoard's EventAccumulator reads them."""

    def __init__(self, logdir: Path):
        self.acc = event_accumulator.EventAccumulator(
            str(logdir), size_guidance={event_accumulator.TENSORS: 0})
        self.acc.Reload()

    def tags(self) -> list[str]:
        return self.acc.Tags()["tensors"]

    def steps(self, tag: str) -> list[int]:
        return [event.step for event in self.acc.Tensors(tag)]

    def values(self, tag: str) -> list[np.ndarray]:
        return [tensor_util.make_ndarray(event.tensor_proto) for event in self.acc.Tensors(tag)]

    def plugin(self, tag: str) -> str:
        return self.acc.SummaryMetadata(tag).plugin_data.plugin_name


@pytest.fixture(autouse=True)
def no_default_writer():
    """Each test starts and ends with no default writer and no default step."""
    from neuroflow.summary import _state

    _state.restore_default((None, None))
    yield
    _state.restore_default((None, None))


@pytest.fixture
def read():
    """read(logdir) -> Run."""
    return Run
