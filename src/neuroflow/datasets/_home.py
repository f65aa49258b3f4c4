"""Where data set files live on this machine: the user cache and ``NEUROFLOW_DATA``."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "NEUROFLOW_HOME"
DATA_ENV = "NEUROFLOW_DATA"


def get_data_home(data_home: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder of the user cache of data sets, creating it if needed.

    Args:
        data_home: the folder to use. Default (None): ``$NEUROFLOW_HOME/datasets`` when the
            ``NEUROFLOW_HOME`` environment variable is set, else ``~/.neuroflow/datasets``.

    Returns:
        The folder as an absolute path. Creating it is best effort: a folder that cannot
        be created (read-only home) is still returned, and writes into it fail later with
        a clear ``OSError``.
    """
    if data_home is None:
        base = os.environ.get(HOME_ENV)
        root = Path(base).expanduser() if base else Path.home() / ".neuroflow"
        folder = root / "datasets"
    else:
        folder = Path(data_home).expanduser()
    folder = folder.absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return folder


def data_root() -> Path | None:
    """Return the folder named by ``NEUROFLOW_DATA``, or None when it is unset or empty."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value).expanduser().absolute() if value else None
