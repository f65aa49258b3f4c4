"""Where the demos put what they learned: the model file and the learning curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from neuroflow.cli.errors import FAILURE, CliError

__all__ = ["save_model", "save_history"]


def save_model(model, path: Path, sample) -> Path:
    """Save `model` to `path` (.keras), load it back and check it predicts as before.

    The chapter's workflow ends with a file someone else can load; reloading it here proves
    the file is complete before the demo says it is there. `sample` is a few input rows
    (an array, or a list of arrays for a model with several inputs).
    """
    from neuroflow.saving import load_model

    model.save(path)
    before = _as_list(model.predict(sample, verbose=0))
    after = _as_list(load_model(path).predict(sample, verbose=0))
    if not all(np.array_equal(a, b) for a, b in zip(before, after, strict=True)):
        raise CliError(f"{path} was saved but its reloaded model predicts differently", FAILURE)
    print(f"Saved the model to {path} (reloaded: it predicts the same)")
    return path


def _as_list(outputs) -> list[np.ndarray]:
    if isinstance(outputs, dict):
        return [np.asarray(outputs[k]) for k in sorted(outputs)]
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o) for o in outputs]
    return [np.asarray(outputs)]


def save_history(history, folder: Path, stem: str) -> None:
    """Save the learning curves as JSON and, when matplotlib is installed, as a PNG."""
    logs = {name: [float(v) for v in values] for name, values in history.history.items()}
    json_path = folder / f"{stem}_history.json"
    json_path.write_text(json.dumps(logs, indent=1) + "\n", encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        from neuroflow.callbacks.plotting import plot_history
    except ImportError:
        print(f"Saved the learning curves to {json_path} (for a picture too: "
              "python -m pip install 'neuroflow[plot]')")
        return
    png_path = folder / f"{stem}_curves.png"
    fig = plot_history(history, shift_training=True, filename=png_path)
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"Saved the learning curves to {png_path} and {json_path}")
