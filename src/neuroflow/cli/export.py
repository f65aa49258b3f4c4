"""`neuroflow export MODEL_FILE OUTPUT.onnx`: a saved model as an ONNX file."""

from __future__ import annotations

import argparse

from neuroflow.cli.errors import OK

__all__ = ["register", "export"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `export` to the `neuroflow` command's subparsers."""
    p = subparsers.add_parser(
        "export", help="export a saved model to ONNX (checked by onnx.checker)",
        description="Export a saved model (.keras or .h5) to an ONNX file that ONNX Runtime "
                    "runs: float32 inputs with a dynamic batch axis, the model's input and "
                    "output names. Needs the onnx extra.")
    p.add_argument("model", metavar="MODEL_FILE", help="the saved model (.keras or .h5)")
    p.add_argument("output", metavar="OUTPUT", help="the ONNX file to write (e.g. model.onnx)")
    p.add_argument("--opset", type=int, default=None,
                   help="the ONNX opset to target (default: neuroflow.export.DEFAULT_OPSET)")
    p.add_argument("--format", default="onnx", choices=("onnx",), help="export format")
    p.set_defaults(func=export, parser=p)
    return p


def export(args: argparse.Namespace) -> int:
    """Load `args.model` and write it to `args.output` in ONNX."""
    from neuroflow.cli.model_commands import load_model_file
    from neuroflow.export import export_model

    model = load_model_file(args.model)
    export_model(model, args.output, format=args.format, verbose=True,
                 opset_version=args.opset)
    return OK
