"""Array plumbing of fp4lab: what the compiled module is handed, and what callers get back.

numpy arrays pass as they are (ml_dtypes.bfloat16 as a uint16 view tagged "bf16", since the
buffer protocol has no bfloat16); torch tensors pass natively through DLPack; anything else
goes through numpy.asarray. Results come back in the caller's framework (numpy or torch).
"""

from __future__ import annotations

import numpy as np
import ml_dtypes


def framework(x) -> str:
    """'torch', 'cupy' or 'numpy': the library that owns x (numpy for plain sequences)."""
    module = type(x).__module__
    if module.startswith("torch"):
        return "torch"
    if module.startswith("cupy"):
        return "cupy"
    return "numpy"


def is_cuda(x) -> bool:
    """True for a CUDA torch tensor or a CuPy array."""
    fw = framework(x)
    if fw == "torch":
        return x.device.type == "cuda"
    return fw == "cupy"


def host_input(x):
    """(array, dtype_tag) for the compiled module: a numpy array or a CPU torch tensor."""
    if framework(x) == "torch":
        return x.detach(), ""
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.dtype == ml_dtypes.bfloat16:
        return x.view(np.uint16), "bf16"
    return x, ""


def dtype_name(dtype) -> str:
    """'f32', 'f16', 'bf16' or '' (None) from a string, a numpy/ml_dtypes dtype or a torch dtype."""
    if dtype is None:
        return ""
    if isinstance(dtype, str):
        return dtype
    text = str(dtype)
    for name, out in (("bfloat16", "bf16"), ("float16", "f16"), ("float32", "f32")):
        if text.endswith(name):
            return out
    try:
        d = np.dtype(dtype)
    except TypeError:
        d = None
    if d == np.float32:
        return "f32"
    if d == np.float16:
        return "f16"
    if d == ml_dtypes.bfloat16:
        return "bf16"
    raise TypeError(f"fp4lab: dtype must be float32, float16 or bfloat16, not {dtype!r}")


def host_output(array: np.ndarray, like):
    """A numpy result (bf16 comes as uint16 bits) in the framework of `like`."""
    if array.dtype == np.uint16:
        array = array.view(ml_dtypes.bfloat16)
    if framework(like) != "torch":
        return array
    import torch

    if array.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(array)
