"""Callbacks: hooks into fit, evaluate and predict."""

from neuroflow.callbacks.backup_and_restore import BackupAndRestore
from neuroflow.callbacks.callback import Callback, CallbackList
from neuroflow.callbacks.csv_logger import CSVLogger
from neuroflow.callbacks.early_stopping import EarlyStopping
from neuroflow.callbacks.history import History
from neuroflow.callbacks.lambda_callback import LambdaCallback
from neuroflow.callbacks.learning_rate_scheduler import LearningRateScheduler
from neuroflow.callbacks.model_checkpoint import ModelCheckpoint
from neuroflow.callbacks.progbar_logger import ProgbarLogger
from neuroflow.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from neuroflow.callbacks.remote_monitor import RemoteMonitor
from neuroflow.callbacks.swap_ema_weights import SwapEMAWeights
from neuroflow.callbacks.tensorboard import TensorBoard
from neuroflow.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore", "Callback", "CallbackList", "CSVLogger", "EarlyStopping", "History",
    "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
    "ReduceLROnPlateau", "TensorBoard", "TerminateOnNaN", "RemoteMonitor", "SwapEMAWeights",
]
