"""The `neuroflow` command: train the chapter's models, and use saved models from the shell.

    neuroflow demo [fashion-mnist|california|wide-deep|perceptron|xor|tune]
    neuroflow summary MODEL_FILE
    neuroflow predict MODEL_FILE INPUT [--format csv|json] [--output FILE]
    neuroflow evaluate MODEL_FILE INPUT --labels LABELS
    neuroflow export MODEL_FILE OUTPUT.onnx [--opset N]
    neuroflow serve MODEL_FILE... [--model NAME=PATH] [--host H] [--port P] [--workers N]

Exit codes: 0 success; 1 failure while running; 2 bad command line; 3 a file or data set
that cannot be found or read, or data that does not fit the model; 4 a missing optional
dependency; 130 interrupted; 141 output pipe closed early (`| head`). Errors are reported
in one line on stderr (with the traceback under --debug).

Each command lives in a module of this package with a `register(subparsers)` function;
a module listed in `COMMAND_MODULES` that is not installed (such as `tune`, which comes
with the tuner) is left out.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from neuroflow.cli.errors import BROKEN_PIPE, INTERRUPTED, exit_code_for

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

COMMAND_MODULES = ("demo", "model_commands", "export", "tune", "serve")
"""Modules of `neuroflow.cli` whose `register(subparsers)` adds commands, in help order."""

EPILOG = ("exit codes: 0 success, 1 failure while running, 2 bad command line, 3 unreadable "
          "or unfit input (files, data sets), 4 missing optional dependency, 130 interrupted, "
          "141 output closed early")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `neuroflow` command and its subcommands."""
    from neuroflow import __version__

    parser = argparse.ArgumentParser(
        prog="neuroflow", epilog=EPILOG,
        description="neuroflow: the Keras API on a NumPy autodiff engine. Train the "
                    "chapter's models and use saved models from the shell.")
    parser.add_argument("--version", action="version", version=f"neuroflow {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback when a command fails")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"neuroflow.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"neuroflow.cli.{name}":
                raise
            continue
        module.register(sub)
    for command in sub.choices.values():  # `neuroflow predict ... --debug` works too
        if "--debug" not in command._option_string_actions:
            command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                 help="show the full traceback when the command fails")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `neuroflow` command with `argv` (default: sys.argv[1:]); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("neuroflow: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # the reader stopped early (`| head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except Exception as err:  # noqa: BLE001 - the command reports every error in one line
        if args.debug:
            raise
        message = " ".join(str(err).split()) or type(err).__name__
        print(f"neuroflow {args.command}: error: {message}", file=sys.stderr)
        return exit_code_for(err)
