"""Builders of damaged and hostile model files, shared by the security tests and the fuzz
child process (which imports this file by path).

Every builder starts from a file neuroflow wrote for `small_model()` and changes one
thing; `secret` is a file outside the model that a hostile file tries to read.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import zipfile
from collections.abc import Callable

import h5py
import numpy as np

FORMATS = ("keras", "h5", "weights")  # .keras, full-model .h5, load_weights' .weights.h5


def small_model():
    from neuroflow import backend, layers, models

    backend.set_seed(3)
    model = models.Sequential([layers.Input((4,)), layers.Dense(3, activation="relu"),
                               layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4), "float32"), np.ones((8, 2), "float32"), epochs=1, verbose=0)
    return model


def write_good(model, folder: str, fmt: str) -> str:
    name = {"keras": "m.keras", "h5": "m.h5", "weights": "m.weights.h5"}[fmt]
    path = os.path.join(folder, name)
    if fmt == "weights":
        model.save_weights(path)
    else:
        model.save(path)
    return path


def load(path: str, fmt: str, **kwargs):
    """Load `path` as its format is meant to be loaded (weights into a fresh model)."""
    from neuroflow import models

    if fmt == "weights":
        model = small_model()
        model.load_weights(path, **kwargs)
        return model
    return models.load_model(path, **kwargs)


# ---- editing the HDF5 part of a file -------------------------------------------------------
def edit_h5(path: str, fmt: str, edit: Callable[[h5py.File], None]) -> None:
    """Apply `edit` to the HDF5 weights of `path` (inside the zip for .keras)."""
    if fmt != "keras":
        with h5py.File(path, "r+") as f:
            edit(f)
        return
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as f:
        edit(f)
    members["model.weights.h5"] = buffer.getvalue()
    rewrite_zip(path, members)


def edit_config(path: str, fmt: str, edit: Callable[[dict], object]) -> None:
    """Replace the model config by `edit(config)` (or the edited config when it returns
    None); a str result is written verbatim."""
    def apply(config: dict):
        result = edit(config)
        return config if result is None else result

    if fmt == "keras":
        with zipfile.ZipFile(path) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        result = apply(json.loads(members["config.json"]))
        members["config.json"] = (result if isinstance(result, str) else
                                  json.dumps(result)).encode()
        rewrite_zip(path, members)
    else:
        with h5py.File(path, "r+") as f:
            result = apply(json.loads(f.attrs["model_config"]))
            f.attrs["model_config"] = result if isinstance(result, str) else json.dumps(result)


def rewrite_zip(path: str, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def first_kernel(f: h5py.File) -> str:
    return "layers/dense/vars/0"


def replace_dataset(f: h5py.File, where: str, **create) -> None:
    del f[where]
    f.create_dataset(where, **create)


# ---- the attacks ---------------------------------------------------------------------------
def external_storage(secret: str):
    def edit(f):
        shape = f[first_kernel(f)].shape
        nbytes = int(np.prod(shape)) * 4
        replace_dataset(f, first_kernel(f), shape=shape, dtype="float32",
                        external=[(secret, 0, nbytes)])
    return edit


def external_link(secret: str):
    def edit(f):
        del f[first_kernel(f)]
        f[first_kernel(f)] = h5py.ExternalLink(secret, "/data")
    return edit


def soft_link(f):
    del f[first_kernel(f)]
    f[first_kernel(f)] = h5py.SoftLink("/layers/dense/vars/1")


def virtual_dataset(secret: str):
    def edit(f):
        shape = f[first_kernel(f)].shape
        layout = h5py.VirtualLayout(shape=shape, dtype="float32")
        layout[...] = h5py.VirtualSource(secret, "data", shape=shape)
        del f[first_kernel(f)]
        f.create_virtual_dataset(first_kernel(f), layout)
    return edit


def write_secret_h5(path: str, shape: tuple) -> None:
    """A file a hostile model points at, holding data that would load if followed."""
    with h5py.File(path, "w") as f:
        f.create_dataset("data", data=np.full(shape, 7.0, "float32"))


def huge_compressed_dataset(f):
    replace_dataset(f, first_kernel(f), shape=(4, 300_000_000), dtype="float32",
                    chunks=(1, 1_000_000), compression="gzip")


def huge_plain_dataset(f):
    replace_dataset(f, first_kernel(f), shape=(4, 300_000_000), dtype="float32",
                    chunks=(1, 250_000))


def group_for_dataset(f):
    del f[first_kernel(f)]
    f.create_group(first_kernel(f))


def dataset_for_group(f):
    del f["layers/dense/vars"]
    f.create_dataset("layers/dense/vars", data=np.zeros(3))


def weights_of_dtype(dtype):
    def edit(f):
        shape = f[first_kernel(f)].shape
        if dtype == "string":
            data = np.full(shape, b"x" * 8, dtype="S8")
        elif dtype == "compound":
            data = np.zeros(shape, dtype=[("a", "f4"), ("b", "f4")])
        elif dtype == "reference":
            data = np.full(shape, f.ref, dtype=h5py.ref_dtype)
        else:
            data = np.ones(shape, dtype=dtype)
        replace_dataset(f, first_kernel(f), data=data)
    return edit


def weights_holding(value: float):
    def edit(f):
        data = f[first_kernel(f)][()]
        data.flat[0] = value
        replace_dataset(f, first_kernel(f), data=data)
    return edit


def flip_a_weight_bit(f):
    """Flip one bit of a stored weight, as a damaged disk would (the checksum stays)."""
    ds = f[first_kernel(f)]
    data = ds[()]
    data.view("uint32").flat[0] ^= 1 << 20
    ds[...] = data


def drop_checksums(f):
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and "sha256" in obj.attrs:
            del obj.attrs["sha256"]
    f.visititems(visit)


def deep_json(depth: int = 50_000) -> str:
    return "[" * depth + "]" * depth


def huge_dense(config: dict) -> None:
    """Dense(30000) on 30,000 inputs: 3.6 GB of weights from a 2 KB config."""
    layers = config["config"]["layers"]
    for layer in layers:
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_shape"] = [None, 30000]
            layer["config"].pop("batch_input_shape", None)
    first = next(layer for layer in layers if layer["class_name"] == "Dense")
    first["config"]["units"] = 30000
    first["build_config"] = {"input_shape": [None, 30000]}
    config.setdefault("build_config", {})["input_shape"] = [None, 30000]


def numpy_node(node: dict):
    """Put a crafted `__numpy__` node where the first Dense's kernel initializer is."""
    def edit(config):
        first = next(layer for layer in config["config"]["layers"]
                     if layer["class_name"] == "Dense")
        first["config"]["kernel_initializer"] = {"class_name": "Constant", "config": {
            "value": node}}
    return edit


NUMPY_NODES = [
    {"class_name": "__numpy__", "config": {"value": [10 ** 400], "dtype": "float32"}},
    {"class_name": "__numpy__", "config": {"value": [[1], [1, 2]], "dtype": "float32"}},
    {"class_name": "__numpy__", "config": {"dtype": "float32"}},
    {"class_name": "__numpy__", "config": {"value": 1, "dtype": "float99"}},
    {"class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}},
    {"class_name": "__numpy__", "config": "nonsense"},
]


# ---- zip members ---------------------------------------------------------------------------
def inflating_member(name: str, size: int):
    """Replace a member of a .keras archive by `size` zero bytes (a tiny deflate stream)."""
    def edit(path):
        with zipfile.ZipFile(path) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        members[name] = members[name] + bytes(size)
        rewrite_zip(path, members)
    return edit


def lying_member_size(name: str, declared: int, size: int):
    """A member that inflates to `size` bytes while the zip declares `declared`."""
    def edit(path):
        inflating_member(name, size)(path)
        raw = bytearray(open(path, "rb").read())
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(name)
        # local header: uncompressed size at +22; central directory entry: at +24
        struct.pack_into("<I", raw, info.header_offset + 22, declared)
        cursor = raw.find(b"PK\x01\x02")
        while cursor != -1:
            name_len = struct.unpack_from("<H", raw, cursor + 28)[0]
            if raw[cursor + 46:cursor + 46 + name_len] == name.encode():
                struct.pack_into("<I", raw, cursor + 24, declared)
            cursor = raw.find(b"PK\x01\x02", cursor + 4)
        open(path, "wb").write(bytes(raw))
    return edit


def copy(path: str, folder: str, name: str) -> str:
    target = os.path.join(folder, name)
    shutil.copyfile(path, target)
    return target
