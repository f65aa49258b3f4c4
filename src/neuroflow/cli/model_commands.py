"""`neuroflow summary|predict|evaluate MODEL_FILE ...`: use a saved model from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from neuroflow.cli.arrays_io import (
    PredictionWriter,
    fit_rows_to_shape,
    iter_batches,
    npz_keys,
    read_array,
    read_named_arrays,
)
from neuroflow.cli.errors import BAD_INPUT, OK, CliError

__all__ = ["register", "load_model_file", "summary", "predict", "evaluate"]

INPUT_HELP = ("input rows: a .npy, .npz (array 'x', the only one, or --key) or .csv file; "
              "for a model with several inputs, an .npz with one array per input name")


def load_model_file(path: str | Path):
    """The model saved in `path` (.keras, .h5 or any format `load_model` reads)."""
    path = Path(path)
    if not path.exists():
        raise CliError(f"{path}: no such model file", BAD_INPUT)
    from neuroflow.models import load_model

    try:
        return load_model(path)
    except ImportError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure to read the file is bad input
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CliError(f"{path}: cannot load the model ({first})", BAD_INPUT) from err


def _input_shape(model) -> tuple | None:
    shape = getattr(model, "input_shape", None)
    if isinstance(shape, tuple) and shape and not isinstance(shape[0], tuple | list):
        return tuple(shape[1:])
    return None  # several inputs, or unknown: the model checks for itself


def _input_names(model) -> list[str] | None:
    """The names of a model's inputs when it has several (None for a single input)."""
    names = getattr(model, "input_names", None)
    return list(names) if isinstance(names, list | tuple) and len(names) > 1 else None


def _batches(args: argparse.Namespace, model) -> Iterator[Any]:
    """Input batches: arrays for a single-input model, dicts by input name otherwise."""
    names = _input_names(model)
    if names is None:
        shape = _input_shape(model)
        for batch in iter_batches(args.input, args.batch_size, args.key):
            yield fit_rows_to_shape(batch, shape, args.input)
        return
    arrays = read_named_arrays(args.input, names)
    rows = len(next(iter(arrays.values())))
    for start in range(0, rows, args.batch_size):
        yield {n: a[start:start + args.batch_size] for n, a in arrays.items()}


def _rows(batch: Any) -> int:
    return len(next(iter(batch.values()))) if isinstance(batch, dict) else len(batch)


def summary(args: argparse.Namespace) -> int:
    """Print the summary of a saved model."""
    load_model_file(args.model).summary()
    return OK


def _as_classes(batch: Any) -> np.ndarray:
    batch = np.asarray(batch)
    if batch.ndim == 2 and batch.shape[1] > 1:
        return batch.argmax(axis=1)
    return (batch.reshape(len(batch)) > 0.5).astype(np.int64)  # one sigmoid unit


def predict(args: argparse.Namespace) -> int:
    """Predict each row of the input file, writing CSV or JSON to stdout or --output."""
    model = load_model_file(args.model)
    target = open(args.output, "w", encoding="utf-8") if args.output else nullcontext(sys.stdout)
    with target as stream:
        writer = PredictionWriter(stream, args.format)
        for batch in _batches(args, model):
            rows = _rows(batch)
            out = model.predict(batch, batch_size=rows, verbose=0)
            if isinstance(out, dict):
                out = list(out.values())
            if isinstance(out, list | tuple):
                out = np.concatenate([np.reshape(o, (rows, -1)) for o in out], axis=1)
            writer.write(_as_classes(out) if args.classes else out)
        writer.close()
    if args.output:
        print(f"Wrote {writer.rows} predictions to {args.output}", file=sys.stderr)
    return OK


def _labels(args: argparse.Namespace) -> np.ndarray:
    if not Path(args.labels).exists() and args.labels in npz_keys(args.input):
        return read_array(args.input, key=args.labels)
    return read_array(args.labels, prefer="y")


def evaluate(args: argparse.Namespace) -> int:
    """Print the loss and metrics of a saved model on labelled data."""
    model = load_model_file(args.model)
    names = _input_names(model)
    if names is None:
        x = fit_rows_to_shape(read_array(args.input, args.key), _input_shape(model), args.input)
    else:
        x = read_named_arrays(args.input, names)
    y = _labels(args)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if len(y) != _rows(x):
        raise CliError(f"{args.labels}: {len(y)} labels for {_rows(x)} input rows", BAD_INPUT)
    if not getattr(model, "compiled", True):
        raise CliError(f"{args.model}: the model was saved without compile(); "
                       "evaluate needs its loss and metrics", BAD_INPUT)
    results = model.evaluate(x, y, batch_size=args.batch_size, verbose=0, return_dict=True)
    results = {name: float(value) for name, value in results.items()}
    results = {"loss": results.pop("loss"), **results} if "loss" in results else results
    if args.format == "json":
        print(json.dumps(results))
    else:
        for name, value in results.items():
            print(f"{name}: {value:.6g}")
    return OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the summary, predict and evaluate commands."""
    p = subparsers.add_parser("summary", help="print the layers and parameters of a saved model",
                              description=summary.__doc__)
    p.add_argument("model", metavar="MODEL_FILE", help="a saved model (.keras or .h5)")
    p.set_defaults(func=summary)

    p = subparsers.add_parser("predict", help="predict the rows of a file with a saved model",
                              description=predict.__doc__)
    p.add_argument("model", metavar="MODEL_FILE", help="a saved model (.keras or .h5)")
    p.add_argument("input", metavar="INPUT", help=INPUT_HELP)
    p.add_argument("--key", help="the array to read in an .npz input")
    p.add_argument("--format", choices=("csv", "json"), default="csv",
                   help="output format (default: csv, one row per input row)")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    p.add_argument("--classes", action="store_true",
                   help="write the predicted class index instead of the raw outputs")
    p.add_argument("--batch-size", type=int, default=1024,
                   help="rows read and predicted at a time (default: 1024)")
    p.set_defaults(func=predict)

    p = subparsers.add_parser("evaluate", help="loss and metrics of a saved model on labelled data",
                              description=evaluate.__doc__)
    p.add_argument("model", metavar="MODEL_FILE", help="a saved, compiled model")
    p.add_argument("input", metavar="INPUT", help=INPUT_HELP)
    p.add_argument("--labels", required=True,
                   help="the targets: a .npy, .npz (array 'y' or the only one) or .csv file, "
                        "or the name of an array in an .npz INPUT")
    p.add_argument("--key", help="the array to read in an .npz input")
    p.add_argument("--batch-size", type=int, default=32, help="default: 32")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="output format (default: text, one 'name: value' per line)")
    p.set_defaults(func=evaluate)
