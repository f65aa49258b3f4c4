"""`neuroflow tune SEARCH_FILE [--storage URL]`: start a hyperparameter-search worker."""

from __future__ import annotations

import argparse

from neuroflow.tuner import worker

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the tune command (a worker of the search a Python file defines)."""
    p = subparsers.add_parser(
        "tune", help="run a worker of the hyperparameter search a Python file defines",
        description=worker.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    worker.add_arguments(p)
    p.set_defaults(func=worker.run_from_args)
