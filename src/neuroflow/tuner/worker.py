"""A search worker: run the search a Python file defines, sharing its study with others.

The file defines `tuner` (a Tuner) and, optionally, `search_args` (a tuple) and
`search_kwargs` (a dict) for `tuner.search`. It runs with `__name__` set to
'__neuroflow_tune__', so code under `if __name__ == "__main__":` does not. Start the same
file on as many processes and machines as you like, with a shared `--storage` URL.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from typing import Any

__all__ = ["add_arguments", "main", "run_worker"]


def run_worker(path: str | os.PathLike, storage: str | None = None,
               max_trials: int | None = None, verbose: int | None = None) -> Any:
    """Load the search file at `path`, join its study and run trials until none are left.

    `storage` and `max_trials` override the file's; a worker never deletes the study
    (overwrite is turned off). Returns the tuner.
    """
    from neuroflow.tuner.tuner import Tuner

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no search file {path!r}")
    namespace = runpy.run_path(path, run_name="__neuroflow_tune__")
    tuner = namespace.get("tuner")
    if not isinstance(tuner, Tuner):
        raise ValueError(f"{path!r} must define `tuner`, a neuroflow.tuner Tuner (for example "
                         "tuner = kt.RandomSearch(build_model, ...)); found "
                         f"{type(tuner).__name__ if tuner is not None else 'none'}")
    args = namespace.get("search_args", ())
    kwargs = namespace.get("search_kwargs", {})
    if not isinstance(args, (tuple, list)) or not isinstance(kwargs, dict):
        raise ValueError(f"{path!r}: search_args must be a tuple and search_kwargs a dict")
    if storage is not None:
        tuner.oracle.storage = storage
    if max_trials is not None:
        tuner.oracle.max_trials = max_trials
    if tuner.overwrite:
        print("neuroflow tune: a worker joins the existing study (overwrite=True ignored)",
              file=sys.stderr)
        tuner.overwrite = False
    kwargs = dict(kwargs)
    if verbose is not None:
        kwargs["verbose"] = verbose
    tuner.search(*args, **kwargs)
    return tuner


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The worker's command-line arguments (shared by `neuroflow tune`)."""
    parser.add_argument("search_file", help="Python file defining `tuner` (and search_kwargs)")
    parser.add_argument("--storage", default=None,
                        help="database URL of the shared study (sqlite:///..., "
                             "postgresql://...); default: the tuner's own")
    parser.add_argument("--max-trials", type=int, default=None,
                        help="complete this many trials in all (default: the tuner's)")
    parser.add_argument("--verbose", type=int, default=None, choices=(0, 1, 2))


def run_from_args(args: argparse.Namespace) -> int:
    """Run a worker for parsed arguments and print the best trial."""
    if args.max_trials is not None and args.max_trials < 1:
        raise ValueError(f"--max-trials must be positive, received {args.max_trials}")
    tuner = run_worker(args.search_file, storage=args.storage, max_trials=args.max_trials,
                       verbose=args.verbose)
    best = tuner.oracle.get_best_trials(1)
    if best:
        print(f"Best trial so far: {best[0].trial_id}, {tuner.oracle.objective.name} = "
              f"{best[0].score}, {best[0].hyperparameters.values}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m neuroflow.tuner", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_from_args(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, ImportError) as err:
        print(f"neuroflow.tuner: error: {err}", file=sys.stderr)
        return 1
