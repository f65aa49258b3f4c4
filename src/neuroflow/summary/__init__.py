"""TensorBoard summaries without TensorFlow, tf.summary's way (on tensorboardX).

    writer = neuroflow.summary.create_file_writer("my_logs/run_1")
    with writer.as_default():
        for step in range(100):
            neuroflow.summary.scalar("my_scalar", np.sin(step / 10), step=step)

Writers, the default step and ``record_if`` are per thread; values are stored as
TensorFlow 2 stores them, so TensorBoard shows them as it shows TensorFlow's.
"""

from neuroflow.summary import experimental
from neuroflow.summary._ops import audio, flush, histogram, image, scalar, text, write
from neuroflow.summary._state import record_if, should_record_summaries
from neuroflow.summary._writer import SummaryWriter, create_file_writer, create_noop_writer

__all__ = [
    "SummaryWriter", "audio", "create_file_writer", "create_noop_writer", "experimental",
    "flush", "histogram", "image", "record_if", "scalar", "should_record_summaries", "text",
    "write",
]
