"""`neuroflow serve`: serve saved models over HTTP; its arguments and what it runs (the
server itself is neuroflow.serving, imported when the command runs)."""

from __future__ import annotations

import argparse

__all__ = ["register", "run_serve"]

_MISSING = "neuroflow serve needs the serve extra (Starlette and uvicorn): " \
           "pip install 'neuroflow[serve]'"


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `serve` to the `neuroflow` command's subparsers."""
    p = subparsers.add_parser(
        "serve", help="serve saved models over HTTP (TensorFlow Serving's REST API)",
        description="Serve saved models: POST /v1/models/NAME:predict, GET /v1/models/NAME, "
                    "GET /v1/models/NAME/metadata, POST /v1/models/NAME:reload, GET /healthz, "
                    "GET /openapi.json.")
    p.add_argument("model_files", nargs="*", metavar="MODEL_FILE",
                   help="saved model files (.keras, .h5, or .onnx served by ONNX "
                        "Runtime); each is named after its file stem")
    p.add_argument("--model", action="append", default=[], metavar="NAME=PATH",
                   help="a model file under a name of your choice (repeatable)")
    p.add_argument("--name", help="the name of the single MODEL_FILE (default: its stem)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--max-batch-size", type=int, default=256,
                   help="most rows gathered into one model call (default 256)")
    p.add_argument("--batch-timeout-ms", type=float, default=2.0,
                   help="longest wait for more requests to batch, in ms (default 2)")
    p.add_argument("--max-body-bytes", type=int, default=16 * 1024 * 1024,
                   help="largest request body accepted (default 16 MiB)")
    p.add_argument("--header-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="close connections that send no complete request headers within "
                        "this time (default 10)")
    p.add_argument("--max-connections", type=int, default=1000,
                   help="connections held at once; past it, idle ones are closed (default "
                        "1000, at most the open-file limit less 64)")
    p.add_argument("--blas-threads", type=int, default=1,
                   help="threads of the BLAS library per process (default 1; 0 leaves the "
                        "library's own setting)")
    p.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(func=run_serve, parser=p)
    return p


def run_serve(args: argparse.Namespace) -> int:
    """Load the models named by `args` and serve them until interrupted."""
    from neuroflow.serving.repository import parse_model_args

    try:
        sources = parse_model_args(args.model_files, args.model, args.name)
    except ValueError as err:
        args.parser.error(str(err))
    try:
        from neuroflow.serving.app import ServerSettings
        from neuroflow.serving.server import serve
    except ImportError as err:
        raise ImportError(f"{_MISSING} ({err})") from None
    settings = ServerSettings(max_batch_size=args.max_batch_size,
                              max_wait_ms=args.batch_timeout_ms,
                              max_body_bytes=args.max_body_bytes,
                              header_timeout_s=args.header_timeout,
                              max_connections=args.max_connections)
    serve(sources, host=args.host, port=args.port, workers=args.workers, settings=settings,
          log_level=args.log_level, blas_threads=args.blas_threads or None)
    return 0
