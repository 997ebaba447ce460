"""fp4lab from Python: the same engine as the fp4lab CLI (NVFP4, MXFP4, NVINT4, INT4 recipes).

    import numpy as np, fp4lab
    x = np.random.default_rng(0).standard_normal((128, 256), dtype=np.float32)
    q = fp4lab.quantize(x, "nvfp4:4over6:mse")      # codes, scales, tensor scale, amax
    y = fp4lab.dequantize(q)                         # float32, x's shape
    r = fp4lab.run("compare", rows=256, cols=256)   # the CLI's Result as a dict

Inputs are float32, float16 or bfloat16 (ml_dtypes.bfloat16 for numpy; torch natively), of any
rank (blocks run along the last axis) and any strides: a non-contiguous array is copied once
into a dense buffer first. CUDA torch tensors and CuPy arrays run through fp4lab's CUDA kernels
on the caller's current stream when the module was built with CUDA. The GIL is released while
the C++ core computes; `threads=0` uses every core, as the CLI does.
"""

from __future__ import annotations

import json as _json

import ml_dtypes as _ml
import numpy as _np

from . import _arrays, _cuda
from . import _fp4lab as _core
from ._fp4lab import (QuantizedTensor, Recipe, element_types, experiments, load_text, model_path, parse_recipe,
                      recipes, tokenize)

__version__ = _core.version
__all__ = [
    "QuantizedTensor", "Recipe", "parse_recipe", "recipes", "quantize", "dequantize", "fake_quantize",
    "element_types", "to_element", "from_element", "to_e2m1", "to_e4m3", "to_ue4m3", "to_e5m2",
    "to_ue8m0", "to_int4", "experiments", "experiment_info", "run", "cuda_available", "provenance",
    "model_path", "load_text", "tokenize",
]


def _spec(recipe) -> str:
    """The spec string of a recipe given as a string or a Recipe."""
    if isinstance(recipe, Recipe):
        return recipe.spec
    if not isinstance(recipe, str):
        raise TypeError(f"fp4lab: recipe must be a spec string or a Recipe, not {type(recipe).__name__}")
    return recipe


def cuda_available() -> bool:
    """True when this build has the CUDA kernels compiled in (a GPU is still needed to run them)."""
    return bool(_core.cuda_compiled)


def quantize(x, recipe, *, layout: str = "row_major", records: bool = False, threads: int = 0):
    """Quantizes x with a recipe (a CLI spec such as 'nvfp4:te' or a Recipe).

    Returns a QuantizedTensor (codes, scales in `layout` 'row_major' or 'swizzled_128x4', tensor
    scale, amax, and per-block `records` when records=True). CUDA inputs return a
    CudaQuantizedTensor whose arrays stay on the device (records are a CPU feature).
    """
    spec = _spec(recipe)
    if _arrays.is_cuda(x):
        if records:
            raise ValueError("fp4lab: per-block records are computed on the CPU path only")
        return _cuda.quantize(x, spec, layout)
    array, tag = _arrays.host_input(x)
    return _core._quantize(array, tag, spec, layout, records, threads)


def dequantize(q, dtype=None, *, threads: int = 0):
    """Dequantizes a quantized tensor to `dtype` (float32, float16, bfloat16; default: the input's).

    A CPU QuantizedTensor gives a numpy array (bfloat16 as ml_dtypes.bfloat16); a
    CudaQuantizedTensor a tensor of its framework on the same device.
    """
    if isinstance(q, _cuda.CudaQuantizedTensor):
        return _cuda.dequantize(q, _arrays.dtype_name(dtype))
    if not isinstance(q, QuantizedTensor):
        raise TypeError(f"fp4lab: dequantize takes a QuantizedTensor, not {type(q).__name__}")
    out = _core._dequantize(q, _arrays.dtype_name(dtype), threads)
    return _arrays.host_output(out, None)


def fake_quantize(x, recipe, dtype=None, *, threads: int = 0):
    """Quantizes and dequantizes x in one pass (bit-identical to dequantize(quantize(x))).

    The result has x's shape, `dtype` (default: x's) and x's framework and device.
    """
    spec = _spec(recipe)
    if _arrays.is_cuda(x):
        return _cuda.fake_quantize(x, spec, _arrays.dtype_name(dtype))
    array, tag = _arrays.host_input(x)
    out = _core._fake_quantize(array, tag, spec, _arrays.dtype_name(dtype), threads)
    return _arrays.host_output(out, x)


# ---- element conversions (formats/: the encoders the block quantizers use) ----

_ML_TYPES = {
    "e2m1": _ml.float4_e2m1fn,
    "e4m3": _ml.float8_e4m3fn,
    "e5m2": _ml.float8_e5m2,
    "ue8m0": _ml.float8_e8m0fnu,
    "e2m3": getattr(_ml, "float6_e2m3fn", None),
    "e3m2": getattr(_ml, "float6_e3m2fn", None),
}


def to_element(x, element: str, *, rounding: str | None = None, saturation: str = "satfinite",
               nan: str = "cuda", codes: bool = False):
    """Encodes every element of x (float32/float16/bfloat16) as `element` (see element_types()).

    rounding: 'nearest_even' (default; 'toward_zero' for ue8m0), 'toward_zero', 'up',
    'nearest_ties_away'. saturation: 'satfinite' or 'nosat'. nan: 'cuda' (CUDA 13's
    behaviour), 'keep_sign' or 'to_zero'. Returns the ml_dtypes array of that type (float4_e2m1fn,
    float8_e4m3fn, float8_e5m2, float8_e8m0fnu, ...), or with codes=True (and for ue4m3 and
    int4, which ml_dtypes lacks or stores differently) the uint8 codes.
    """
    array, tag = _arrays.host_input(x)
    out = _core._encode(array, tag, element, rounding or "", saturation, nan)
    ml_type = _ML_TYPES.get(element)
    if codes or ml_type is None:
        return out
    return out.view(ml_type)


def from_element(a, element: str | None = None):
    """Decodes codes to float32 exactly: an ml_dtypes array of a known type, or uint8 codes with
    `element` named. NaN codes decode to +NaN (the decoders' canonical NaN)."""
    a = _np.asarray(a)
    if element is None:
        for name, ml_type in _ML_TYPES.items():
            if ml_type is not None and a.dtype == ml_type:
                element = name
                break
        else:
            raise TypeError(f"fp4lab: cannot tell the element type of dtype {a.dtype}; name it")
    return _core._decode(_np.ascontiguousarray(a.view(_np.uint8)), element)


def to_e2m1(x, rounding: str = "nearest_even", nan: str = "cuda"):
    """x as ml_dtypes.float4_e2m1fn (FP4 E2M1, saturating to +-6)."""
    return to_element(x, "e2m1", rounding=rounding, nan=nan)


def to_e4m3(x, saturation: str = "satfinite", rounding: str = "nearest_even", nan: str = "cuda"):
    """x as ml_dtypes.float8_e4m3fn (OCP FP8 E4M3, max 448)."""
    return to_element(x, "e4m3", rounding=rounding, saturation=saturation, nan=nan)


def to_ue4m3(x, saturation: str = "satfinite", rounding: str = "nearest_even"):
    """|x| as uint8 UE4M3 codes (the NVFP4 block scale: E4M3 without a sign)."""
    return to_element(x, "ue4m3", rounding=rounding, saturation=saturation)


def to_e5m2(x, saturation: str = "satfinite", rounding: str = "nearest_even", nan: str = "cuda"):
    """x as ml_dtypes.float8_e5m2 (OCP FP8 E5M2, max 57344, with Inf)."""
    return to_element(x, "e5m2", rounding=rounding, saturation=saturation, nan=nan)


def to_ue8m0(x, rounding: str = "toward_zero", saturation: str = "satfinite"):
    """x as ml_dtypes.float8_e8m0fnu (the MX block scale: powers of two 2^-127..2^127, NaN)."""
    return to_element(x, "ue8m0", rounding=rounding, saturation=saturation)


def to_int4(x, rounding: str = "nearest_even"):
    """x rounded and clamped to -8..7 as ml_dtypes.int4."""
    c = to_element(x, "int4", rounding=rounding, codes=True).astype(_np.int8)
    return (((c ^ 8) - 8).astype(_np.int8)).astype(_ml.int4)


# ---- experiments (the CLI's, same Result) ----

def experiment_info(experiment: str) -> dict:
    """An experiment's id, title, summary, default parameters and per-parameter help."""
    info = _core._experiment_info(experiment)
    info["defaults"] = _json.loads(info["defaults"])
    info["help"] = dict(info["help"])
    return info


def _number(v):
    if isinstance(v, str):
        return {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}.get(v, v)
    return v


def _table_arrays(table: dict) -> dict:
    """Each column of a table as a numpy array (float64 when every cell is a number)."""
    out = {}
    for i, name in enumerate(table["columns"]):
        cells = [_number(row[i]) for row in table["rows"]]
        numeric = all(isinstance(c, (int, float)) for c in cells)
        out[name] = _np.asarray(cells, dtype=_np.float64 if numeric else object)
    return out


def run(experiment: str, **params) -> dict:
    """Runs an experiment as `fp4lab <experiment>` does and returns its Result as a dict.

    Parameters are the CLI's (rows=4096, recipes='nvfp4:te,mxfp4:rceil', seed=1, ...; underscores
    or dashes as in the CLI's keys). Tables get a `columns_data` dict of numpy arrays, histogram
    edges and counts and curve points are numpy arrays; `provenance` (version, git revision,
    recipes, seed, input hash, parameters) is included. Bad parameters raise ValueError with
    the CLI's message.
    """
    given = {k.replace("-", "_"): v for k, v in params.items()}
    result = _json.loads(_core._run(experiment, _json.dumps(given)))
    for table in result.get("tables", []):
        table["columns_data"] = _table_arrays(table)
    for hist in result.get("histograms", []):
        hist["edges"] = _np.asarray([_number(v) for v in hist["edges"]], dtype=_np.float64)
        for s in hist["series"]:
            s["counts"] = _np.asarray([_number(v) for v in s["counts"]], dtype=_np.float64)
    for curve in result.get("curves", []):
        for s in curve["series"]:
            s["x"] = _np.asarray([_number(v) for v in s["x"]], dtype=_np.float64)
            s["y"] = _np.asarray([_number(v) for v in s["y"]], dtype=_np.float64)
    return result


def provenance() -> dict:
    """This module's version and git revision (what every Result's provenance records)."""
    return {"version": _core.version, "git_revision": _core.git_revision, "cuda": cuda_available()}
