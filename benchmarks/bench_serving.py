"""Load-test `neuroflow serve` on loopback: requests per second and latency percentiles.

Saves the chapter's Fashion-MNIST MLP (784-300-100-10, random weights) to a temporary
file, starts `neuroflow serve` on 127.0.0.1 on a free port in a subprocess, and drives it
with a small keep-alive HTTP/1.1 load generator (asyncio streams, a fixed number of
concurrent connections) for a bounded time per case: single-row and 256-row requests.
Every answer is checked to be a 200. The server is stopped at the end.

    python benchmarks/bench_serving.py [--duration 5] [--workers 1] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
sys.path.insert(0, SRC)

import neuroflow as nf  # noqa: E402


def save_model(path: str) -> nf.models.Sequential:
    nf.utils.set_random_seed(0)
    model = nf.models.Sequential([
        nf.layers.Flatten(input_shape=[28, 28]),
        nf.layers.Dense(300, activation="relu"),
        nf.layers.Dense(100, activation="relu"),
        nf.layers.Dense(10, activation="softmax"),
    ])
    model.save(path)
    return model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: str, port: int, workers: int, extra: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.path.abspath(SRC)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "neuroflow", "serve", path, "--name", "mlp", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", *extra],
        env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise SystemExit("the server did not start within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def request_bytes(port: int, body: bytes) -> bytes:
    head = (f"POST /v1/models/mlp:predict HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def connection(port: int, payload: bytes, stop_at: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            writer.write(payload)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            if status != b"200":
                raise RuntimeError(f"the server answered {status.decode()}")
            latencies.append(time.perf_counter() - start)
    finally:
        writer.close()


async def drive(port: int, payload: bytes, concurrency: int, duration: float) -> list[float]:
    latencies: list[float] = []
    stop_at = time.perf_counter() + duration
    await asyncio.gather(*[connection(port, payload, stop_at, latencies)
                           for _ in range(concurrency)])
    return latencies


def run_case(port: int, rows: int, concurrency: int, duration: float) -> dict:
    rng = np.random.default_rng(rows)
    x = rng.random((rows, 28, 28), dtype=np.float32).round(3)
    payload = request_bytes(port, json.dumps({"instances": x.tolist()}).encode())
    asyncio.run(drive(port, payload, concurrency, min(1.0, duration)))  # warm up
    start = time.perf_counter()
    latencies = asyncio.run(drive(port, payload, concurrency, duration))
    elapsed = time.perf_counter() - start
    ms = np.asarray(latencies) * 1000
    return {"rows": rows, "concurrency": concurrency, "requests": len(ms),
            "rps": len(ms) / elapsed, "rows_per_s": len(ms) * rows / elapsed,
            "p50": np.percentile(ms, 50), "p90": np.percentile(ms, 90),
            "p99": np.percentile(ms, 99), "body_kib": len(payload) / 1024}


def predict_ms(model, rows: int, repeats: int = 50) -> float:
    x = np.random.default_rng(rows).random((rows, 28, 28), dtype=np.float32)
    model.predict_on_batch(x)
    start = time.perf_counter()
    for _ in range(repeats):
        model.predict_on_batch(x)
    return (time.perf_counter() - start) / repeats * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per case")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--batch-timeout-ms", type=float, default=2.0,
                        help="the server's longest wait to gather a batch")
    parser.add_argument("--quick", action="store_true", help="1 s per case")
    args = parser.parse_args()
    duration = 1.0 if args.quick else min(args.duration, 30.0)
    cases = [(1, 1), (1, 16), (256, 1), (256, 4)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fashion_mnist_mlp.keras")
        model = save_model(path)
        port = free_port()
        proc = start_server(path, port, args.workers,
                            ["--batch-timeout-ms", str(args.batch_timeout_ms)])
        try:
            results = [run_case(port, rows, conc, duration) for rows, conc in cases]
        finally:
            stop_server(proc)
    print(f"neuroflow serve, 784-300-100-10 MLP, {args.workers} worker(s), batch wait "
          f"{args.batch_timeout_ms:g} ms, {os.cpu_count()} CPU(s), {duration:g} s per case, "
          "loopback, keep-alive connections")
    print(f"{'rows/req':>8} {'conns':>5} {'requests':>8} {'req/s':>8} {'rows/s':>9} "
          f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'body KiB':>8}")
    for r in results:
        print(f"{r['rows']:>8} {r['concurrency']:>5} {r['requests']:>8} {r['rps']:>8.0f} "
              f"{r['rows_per_s']:>9.0f} {r['p50']:>7.2f} {r['p90']:>7.2f} {r['p99']:>7.2f} "
              f"{r['body_kib']:>8.1f}")
    print(f"model.predict_on_batch in process: 1 row {predict_ms(model, 1):.3f} ms, "
          f"256 rows {predict_ms(model, 256):.3f} ms")


if __name__ == "__main__":
    main()
