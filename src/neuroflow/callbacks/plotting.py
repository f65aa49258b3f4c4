"""The chapter's pictures: learning curves (`plot_history`) and image grids (`plot_images`).

Both need matplotlib (`pip install "neuroflow[plot]"`), return the matplotlib Figure, and
save it when given a `filename` ending in .png, .svg or .pdf.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_history", "plot_images"]

_SAVE_FORMATS = (".png", ".svg", ".pdf")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            'plotting needs matplotlib; install it with: pip install "neuroflow[plot]"'
        ) from err
    return plt


def _check_filename(filename: str | Path | None) -> Path | None:
    if filename is None:
        return None
    path = Path(filename)
    if path.suffix.lower() not in _SAVE_FORMATS:
        raise ValueError(
            f"cannot save a figure as '{path.name}': the name must end in one of "
            f"{', '.join(_SAVE_FORMATS)}"
        )
    return path


def _save(fig, path: Path | None, dpi: int) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi, bbox_inches="tight")


def _history_dict(history: Any) -> dict[str, list[float]]:
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            "plot_history expects the History returned by fit() or a dict of per-epoch lists, "
            f"got {type(history).__name__}"
        )
    curves = {}
    for name, values in logs.items():
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.size:
            curves[str(name)] = values
    if not curves:
        raise ValueError("plot_history: the history holds no values (was fit() run?)")
    return curves


def plot_history(
    history: Any,
    *,
    metrics: Sequence[str] | None = None,
    shift_training: bool = False,
    ylim: tuple[float, float] | None = None,
    figsize: tuple[float, float] = (8, 5),
    ax: Any = None,
    filename: str | Path | None = None,
    dpi: int = 100,
):
    """Plot the learning curves of a training run, as in the chapter.

    Args:
        history: the `History` that `fit` returns (or `history.history`, a dict of lists).
        metrics: the names to draw without their `val_` prefix (default: all, loss first).
        shift_training: draw training values half an epoch to the left: they are averages
            over the epoch, while validation is measured at its end. Default False.
        ylim: the y range; by default (0, 1) when every value fits in it, else automatic.
        figsize: size of a new figure in inches. Default (8, 5).
        ax: a matplotlib Axes to draw on instead of a new figure.
        filename: save the figure there (.png, .svg or .pdf).
        dpi: resolution of a saved PNG. Default 100.

    Returns:
        The matplotlib Figure.
    """
    path = _check_filename(filename)
    curves = _history_dict(history)
    names = [n for n in curves if not n.startswith("val_")]
    names += [n[4:] for n in curves if n.startswith("val_") and n[4:] not in names]
    names.sort(key=lambda n: n != "loss")
    if metrics is not None:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(f"plot_history: no curve named {unknown}; the history has {names}")
        names = list(metrics)
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    shown = []
    for i, name in enumerate(names):
        color = colors[i % len(colors)]
        if name in curves:
            values = curves[name]
            epochs = np.arange(len(values)) - (0.5 if shift_training else 0.0)
            ax.plot(epochs, values, "--", color=color, label=name)
            shown.append(values)
        if "val_" + name in curves:
            values = curves["val_" + name]
            ax.plot(np.arange(len(values)), values, "-", marker=".", color=color,
                    label="val_" + name)
            shown.append(values)
    every = np.concatenate(shown)
    if ylim is None and np.all(np.isfinite(every)) and every.min() >= 0 and every.max() <= 1:
        ylim = (0.0, 1.0)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("Epoch")
    ax.grid(True)
    ax.legend(loc="best")
    _save(fig, path, dpi)
    return fig


def _as_classes(values: Any, n: int, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] > 1:  # probabilities or one-hot rows
        arr = arr.argmax(axis=1)
    arr = arr.reshape(-1)
    if len(arr) != n:
        raise ValueError(f"plot_images: {what} has {len(arr)} entries for {n} images")
    return arr.astype(np.int64)


def plot_images(
    x: Any,
    labels: Any,
    class_names: Sequence[str] | None = None,
    predictions: Any = None,
    *,
    n_cols: int = 10,
    max_images: int = 40,
    cmap: str = "binary",
    cell_size: float = 1.2,
    filename: str | Path | None = None,
    dpi: int = 100,
):
    """Draw images in a grid with their class names, as the chapter shows Fashion-MNIST.

    Args:
        x: images, shape (n, height, width) or (n, height, width, channels).
        labels: the true class of each image (indices, or one-hot/probability rows).
        class_names: the name of each class index (default: the index itself).
        predictions: predicted classes or probabilities; wrong ones are titled in red with
            the prediction and the truth, right ones in the default colour.
        n_cols: images per row. Default 10.
        max_images: draw at most this many (the first ones). Default 40.
        cmap: colour map for single-channel images. Default "binary" (as in the chapter).
        cell_size: inches per image. Default 1.2.
        filename: save the figure there (.png, .svg or .pdf).
        dpi: resolution of a saved PNG. Default 100.

    Returns:
        The matplotlib Figure.
    """
    path = _check_filename(filename)
    images = np.asarray(x)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(
            "plot_images expects a non-empty batch of images of shape (n, height, width) or "
            f"(n, height, width, channels), got shape {images.shape}"
        )
    if n_cols < 1 or max_images < 1:
        raise ValueError("plot_images: n_cols and max_images must be at least 1")
    n = min(len(images), max_images)
    truth = _as_classes(labels, len(images), "labels")[:n]
    guess = None if predictions is None else _as_classes(
        predictions, len(images), "predictions")[:n]

    def name(index: int) -> str:
        if class_names is None:
            return str(index)
        if not 0 <= index < len(class_names):
            raise ValueError(f"plot_images: class {index} has no name among "
                             f"{len(class_names)} class_names")
        return str(class_names[index])

    cols = min(n_cols, n)
    rows = math.ceil(n / cols)
    plt = _pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(cols * cell_size, rows * cell_size * 1.2),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap=cmap if images.ndim == 3 else None, interpolation="nearest")
        if guess is None or guess[i] == truth[i]:
            ax.set_title(name(int(truth[i])), fontsize=8)
        else:
            ax.set_title(f"{name(int(guess[i]))}\n(true: {name(int(truth[i]))})",
                         fontsize=7, color="red")
    fig.subplots_adjust(wspace=0.2, hspace=0.6)
    _save(fig, path, dpi)
    return fig
