"""Shared fixtures of fp4lab's pytest suite: the CLI binary the module is compared with, a
temporary folder, fixed inputs, and a reader for the quantized files the CLI writes."""

import json
import os
import pathlib
import struct
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def cli_path() -> pathlib.Path:
    """The fp4lab CLI: $FP4LAB_CLI, else build/experiments/fp4lab."""
    return pathlib.Path(os.environ.get("FP4LAB_CLI", REPO / "build" / "experiments" / "fp4lab"))


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI with arguments; returns the CompletedProcess (text)."""
    path = cli_path()
    if not path.exists():
        pytest.skip(f"no fp4lab CLI at {path} (set FP4LAB_CLI)")

    def run(*args, check=True):
        p = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"fp4lab {' '.join(map(str, args))} failed: {p.stderr}")
        return p

    return run


def read_safetensors(path) -> tuple[dict, dict]:
    """(tensors as numpy arrays by name, metadata) of a .safetensors file (U8, F32, F16, BF16 as uint16)."""
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    dtypes = {"U8": np.uint8, "F32": np.float32, "F16": np.float16, "BF16": np.uint16}
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out, meta


def sample(shape, seed=7, dtype=np.float32):
    """A fixed input: normal values with a few rows scaled up (so blocks and rows differ)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    x *= np.exp(rng.standard_normal(shape[:-1] + (1,)).astype(np.float32))
    return x.astype(dtype)
