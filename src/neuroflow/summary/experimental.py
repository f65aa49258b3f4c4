"""tf.summary.experimental: the default step of summaries written without ``step=``."""

from neuroflow.summary._state import get_step, set_step

__all__ = ["get_step", "set_step"]
