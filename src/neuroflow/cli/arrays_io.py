"""Reading input arrays (.npy, .npz, .csv) in batches, and writing predictions (CSV, JSON)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import numpy as np

from neuroflow.cli.errors import BAD_INPUT, CliError

__all__ = [
    "SUFFIXES", "read_array", "npz_keys", "iter_batches", "fit_rows_to_shape", "PredictionWriter",
]

SUFFIXES = (".npy", ".npz", ".csv")


def _check_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise CliError(f"{path}: unsupported input format '{path.suffix}' "
                       f"(use {', '.join(SUFFIXES)})", BAD_INPUT)
    if not path.is_file():
        raise CliError(f"{path}: no such file", BAD_INPUT)
    return path


def _npz_member(path: Path, key: str | None, prefer: str) -> np.ndarray:
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = list(npz.files)
            if key is None:
                if prefer in names:
                    key = prefer
                elif len(names) == 1:
                    key = names[0]
                else:
                    raise CliError(f"{path}: holds arrays {names}; choose one with --key",
                                   BAD_INPUT)
            if key not in names:
                raise CliError(f"{path}: no array named '{key}' (it holds {names})", BAD_INPUT)
            return npz[key]
    except (OSError, ValueError) as err:
        raise CliError(f"{path}: not a readable .npz file ({err})", BAD_INPUT) from err


def _npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as err:
        raise CliError(f"{path}: not a readable .npy file ({err})", BAD_INPUT) from err


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _csv_chunks(path: Path, rows: int) -> Iterator[np.ndarray]:
    with path.open("r", encoding="utf-8") as stream:
        lines = (line for line in stream if line.strip())
        first = next(lines, None)
        if first is None:
            raise CliError(f"{path}: the file is empty", BAD_INPUT)
        if all(_is_number(field) for field in first.split(",")):
            lines = itertools.chain([first], lines)  # no header line
        line_no = 1
        while chunk := list(itertools.islice(lines, rows)):
            try:
                yield np.loadtxt(chunk, delimiter=",", dtype=np.float32, ndmin=2)
            except ValueError as err:
                raise CliError(f"{path}: bad CSV near data line {line_no} ({err})",
                               BAD_INPUT) from err
            line_no += len(chunk)


def read_array(path: str | Path, key: str | None = None, prefer: str = "x") -> np.ndarray:
    """The whole array in a .npy, .npz or .csv file (see `iter_batches`)."""
    return np.concatenate(list(iter_batches(path, 65536, key, prefer)), axis=0)


def read_named_arrays(path: str | Path, names: list[str]) -> dict[str, np.ndarray]:
    """One array per model input, read from an .npz file whose arrays carry the inputs'
    names (how several inputs are given on the command line)."""
    path = _check_path(path)
    if path.suffix.lower() != ".npz":
        raise CliError(f"{path}: the model has several inputs {names}; give them as an .npz "
                       "file with one array per input name", BAD_INPUT)
    with np.load(path, allow_pickle=False) as npz:
        missing = [n for n in names if n not in npz.files]
        if missing:
            raise CliError(f"{path}: holds arrays {npz.files} but the model's inputs are {names} "
                           f"(missing {missing})", BAD_INPUT)
        arrays = {n: np.asarray(npz[n]) for n in names}
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) != 1:
        raise CliError(f"{path}: the input arrays have different numbers of rows "
                       f"{ {n: len(a) for n, a in arrays.items()} }", BAD_INPUT)
    return arrays


def npz_keys(path: str | Path) -> list[str]:
    """The names of the arrays in an .npz file ([] for other files or unreadable ones)."""
    path = Path(path)
    if path.suffix.lower() != ".npz" or not path.is_file():
        return []
    try:
        with np.load(path, allow_pickle=False) as npz:
            return list(npz.files)
    except (OSError, ValueError):
        return []


def iter_batches(path: str | Path, batch_size: int, key: str | None = None,
                 prefer: str = "x") -> Iterator[np.ndarray]:
    """The rows of an input file, `batch_size` at a time.

    A .npy file is memory-mapped; in an .npz file the array is `key`, else the one named
    `prefer`, else the only one; a .csv file is read `batch_size` lines at a time (a first
    line that is not all numbers is a header and is skipped).
    """
    if batch_size < 1:
        raise CliError(f"the batch size must be at least 1, got {batch_size}", BAD_INPUT)
    path = _check_path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if key is not None:
            raise CliError(f"{path}: --key applies to .npz files only", BAD_INPUT)
        yield from _csv_chunks(path, batch_size)
        return
    array = _npy(path) if suffix == ".npy" else _npz_member(path, key, prefer)
    if array.ndim == 0 or len(array) == 0:
        raise CliError(f"{path}: holds no rows (shape {array.shape})", BAD_INPUT)
    for start in range(0, len(array), batch_size):
        yield np.asarray(array[start:start + batch_size])


def fit_rows_to_shape(batch: np.ndarray, shape: tuple | None, source: str) -> np.ndarray:
    """`batch` reshaped to `(len(batch), *shape)` when its rows hold as many values."""
    if shape is None or any(d is None for d in shape) or batch.shape[1:] == tuple(shape):
        return batch
    expected = int(np.prod(shape))
    got = int(np.prod(batch.shape[1:]))
    if got != expected:
        raise CliError(
            f"{source}: each row has {got} values of shape {batch.shape[1:]}, but the model "
            f"expects inputs of shape {tuple(shape)} ({expected} values)", BAD_INPUT)
    return batch.reshape((len(batch), *shape))


class PredictionWriter:
    """Writes prediction rows to a text stream as CSV or as one JSON array, batch by batch."""

    def __init__(self, stream: TextIO, fmt: str = "csv", precision: int = 7) -> None:
        if fmt not in ("csv", "json"):
            raise CliError(f"unknown output format '{fmt}' (use csv or json)", BAD_INPUT)
        self.stream, self.fmt, self.precision = stream, fmt, precision
        self._rows = 0

    def write(self, batch: np.ndarray) -> None:
        """Append the rows of a batch (1-D: one value per row; more: flattened per row)."""
        batch = np.asarray(batch)
        rows = batch.reshape(len(batch), -1) if batch.ndim > 1 else batch[:, None]
        integer = np.issubdtype(rows.dtype, np.integer)
        if self.fmt == "csv":
            np.savetxt(self.stream, rows, delimiter=",",
                       fmt="%d" if integer else f"%.{self.precision}g")
        else:
            for row in rows:
                values = [int(v) for v in row] if integer else [
                    float(f"{v:.{self.precision}g}") for v in row.tolist()]
                self.stream.write(("[\n" if self._rows == 0 else ",\n") + json.dumps(
                    values[0] if batch.ndim == 1 else values))
                self._rows += 1
        if self.fmt == "csv":
            self._rows += len(rows)

    def close(self) -> None:
        """Finish the output (closes the JSON array)."""
        if self.fmt == "json":
            self.stream.write("[]\n" if self._rows == 0 else "\n]\n")
        self.stream.flush()

    @property
    def rows(self) -> int:
        """Rows written so far."""
        return self._rows
