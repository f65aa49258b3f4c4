"""Where the demos put what they learned: the model file and the learning curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["save_model", "save_history"]


def save_model(model, path: Path) -> Path:
    """Save `model` to `path` (.keras); without h5py, save its weights as .npz and say so."""
    try:
        model.save(path)
    except ImportError as err:
        path = path.with_suffix(".weights.npz")
        np.savez(path, *model.get_weights())
        print(f"Could not write a .keras file ({err}); saved the weights instead.")
    print(f"Saved the model to {path}")
    return path


def save_history(history, folder: Path, stem: str) -> None:
    """Save the learning curves as JSON and, when matplotlib is installed, as a PNG."""
    logs = {name: [float(v) for v in values] for name, values in history.history.items()}
    json_path = folder / f"{stem}_history.json"
    json_path.write_text(json.dumps(logs, indent=1) + "\n", encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        from neuroflow.utils.plotting import plot_history
    except ImportError:
        print(f"Saved the learning curves to {json_path} (install matplotlib for a picture)")
        return
    png_path = folder / f"{stem}_curves.png"
    fig = plot_history(history, shift_training=True, filename=png_path)
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"Saved the learning curves to {png_path} and {json_path}")
