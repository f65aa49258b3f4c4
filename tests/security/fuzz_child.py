"""The fuzz run of test_fuzz_model_files, in its own process under an address-space limit.

Usage: python fuzz_child.py FOLDER SEED COUNT AS_LIMIT_BYTES. It writes damaged and
hostile variants of a small model's files (.keras, .h5, .weights.h5) into FOLDER, loads
each one in a thread (a load that blocks - the sign that a FIFO "secret" outside the model
was opened - is reported and ends the run), and prints one JSON line per file:
{"case", "fmt", "outcome": "loaded"|"error"|"blocked", "type", "message", "same"}.
Secrets are FIFOs, so reading any of them would block.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hostile_files as hf  # noqa: E402
import numpy as np  # noqa: E402


def mutations(rng: random.Random, secret_h5: str, secret_raw: str, count: int):
    """(name, fmt, kind, edit) tuples: kind 'h5' edits the HDF5 part, 'config' the config,
    'bytes' the raw file, 'path' gets the file's path."""
    hostile = [
        ("external_storage", "h5", hf.external_storage(secret_raw)),
        ("external_link", "h5", hf.external_link(secret_h5)),
        ("soft_link", "h5", hf.soft_link),
        ("virtual_dataset", "h5", hf.virtual_dataset(secret_h5)),
        ("huge_compressed", "h5", hf.huge_compressed_dataset),
        ("huge_plain", "h5", hf.huge_plain_dataset),
        ("group_for_dataset", "h5", hf.group_for_dataset),
        ("dataset_for_group", "h5", hf.dataset_for_group),
        ("nan", "h5", hf.weights_holding(np.nan)),
        ("inf", "h5", hf.weights_holding(np.inf)),
        ("bit_flip", "h5", hf.flip_a_weight_bit),
        ("huge_dense", "config", hf.huge_dense),
        ("deep_json", "config", lambda c: hf.deep_json()),
    ]
    hostile += [(f"dtype_{d}", "h5", hf.weights_of_dtype(d))
                for d in ("string", "compound", "reference", "complex64", "int32")]
    hostile += [(f"numpy_node_{i}", "config", hf.numpy_node(n))
                for i, n in enumerate(hf.NUMPY_NODES)]
    hostile += [("weights_bomb", "path", hf.inflating_member("model.weights.h5", 200 * 2**20)),
                ("config_bomb", "path", hf.inflating_member("config.json", 200 * 2**20)),
                ("lying_size", "path", hf.lying_member_size("config.json", 900, 200 * 2**20))]
    for fmt in hf.FORMATS:
        for name, kind, edit in hostile:
            if kind == "config" and fmt == "weights" or kind == "path" and fmt != "keras":
                continue
            yield name, fmt, kind, edit
    for i in range(count):
        fmt = hf.FORMATS[i % 3]
        how = rng.choice(["truncate", "overwrite", "flip"])
        yield f"random_{how}_{i}", fmt, "bytes", (how, rng.random(), rng.randrange(2**31))


def damage(raw: bytes, how: str, where: float, seed: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(raw)
    if how == "truncate":
        return bytes(data[:int(len(data) * where)])
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        if how == "flip":
            data[i] ^= 1 << rng.randrange(8)
        else:
            data[i] = rng.randrange(256)
    return bytes(data)


def load_bounded(path: str, fmt: str, seconds: float = 20.0):
    box: list = []

    def run():
        try:
            box.append(("loaded", hf.load(path, fmt)))
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            box.append(("error", err))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return box[0] if box else ("blocked", None)


def main() -> None:
    folder, seed, count, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    original = hf.small_model()
    reference = [w.numpy() for w in original.weights]
    good = {fmt: hf.write_good(original, folder, fmt) for fmt in hf.FORMATS}
    secret_h5, secret_raw = os.path.join(folder, "secret.h5"), os.path.join(folder, "secret")
    for secret in (secret_h5, secret_raw):
        os.mkfifo(secret)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    rng = random.Random(seed)
    for n, (name, fmt, kind, edit) in enumerate(mutations(rng, secret_h5, secret_raw, count)):
        path = hf.copy(good[fmt], folder, f"case{n}" + os.path.basename(good[fmt])[1:])
        try:
            if kind == "h5":
                hf.edit_h5(path, fmt, edit)
            elif kind == "config":
                hf.edit_config(path, fmt, edit)
            elif kind == "path":
                edit(path)
            else:
                with open(path, "rb") as f:
                    raw = f.read()
                with open(path, "wb") as f:
                    f.write(damage(raw, *edit))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # the edit itself is impossible on this file
        outcome, value = load_bounded(path, fmt)
        report = {"case": name, "fmt": fmt, "path": path, "outcome": outcome}
        if outcome == "error":
            report.update(type=type(value).__name__, message=str(value)[:300],
                          file_format_error=any(c.__name__ == "FileFormatError"
                                                for c in type(value).__mro__))
        elif outcome == "loaded":
            got = [w.numpy() for w in value.weights]
            report["same"] = len(got) == len(reference) and all(
                np.array_equal(a, b) for a, b in zip(got, reference, strict=True))
        print(json.dumps(report), flush=True)
        os.remove(path)
        if outcome == "blocked":
            os._exit(3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak_rss": peak}), flush=True)


if __name__ == "__main__":
    main()
