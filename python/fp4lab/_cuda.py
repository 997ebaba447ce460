"""The CUDA path of fp4lab: torch CUDA tensors and CuPy arrays quantized by fp4lab's kernels
(kernels/quantize.hpp) on the caller's current stream, into buffers allocated by the caller's
framework (zero-copy: the input is read in place when contiguous), bit for bit as the CPU path.
"""

from __future__ import annotations

import numpy as np

from . import _arrays
from . import _fp4lab as _core

_NOT_COMPILED = ("fp4lab: this fp4lab module was built without CUDA (CUDA is not compiled in); "
                 "rebuild with -DFP4LAB_CUDA=ON to quantize CUDA tensors, or pass a CPU array")


def _require_cuda() -> None:
    if not _core.cuda_compiled:
        raise RuntimeError(_NOT_COMPILED)


class _Torch:
    """Allocation and stream of torch on x's device."""

    def __init__(self, x):
        import torch

        self.torch, self.device = torch, x.device
        self.stream = torch.cuda.current_stream(x.device).cuda_stream

    def contiguous(self, x):
        return x.contiguous()

    def empty(self, n, dtype):
        t = self.torch
        names = {"u8": t.uint8, "f32": t.float32, "f16": t.float16, "bf16": t.bfloat16, "i32": t.int32}
        return t.empty(n, dtype=names[dtype], device=self.device)

    def dtype_of(self, x) -> str:
        return {self.torch.float32: "f32", self.torch.float16: "f16", self.torch.bfloat16: "bf16"}.get(x.dtype, "?")

    def to_host(self, a):
        return a.cpu().numpy()


class _Cupy:
    """Allocation and stream of CuPy on the current device."""

    def __init__(self, x):
        import cupy

        self.cupy = cupy
        self.stream = cupy.cuda.get_current_stream().ptr

    def contiguous(self, x):
        return self.cupy.ascontiguousarray(x)

    def empty(self, n, dtype):
        names = {"u8": np.uint8, "f32": np.float32, "f16": np.float16, "i32": np.int32}
        if dtype == "bf16":
            raise TypeError("fp4lab: CuPy has no bfloat16; ask for float32 or float16")
        return self.cupy.empty(n, dtype=names[dtype])

    def dtype_of(self, x) -> str:
        return {np.dtype(np.float32): "f32", np.dtype(np.float16): "f16"}.get(np.dtype(x.dtype), "?")

    def to_host(self, a):
        return self.cupy.asnumpy(a)


def _backend(x):
    return _Torch(x) if _arrays.framework(x) == "torch" else _Cupy(x)


class CudaQuantizedTensor:
    """A quantized tensor whose arrays (codes, scales, ...) live on the GPU, in the input's framework.

    Same field names and layouts as QuantizedTensor; the tensor scale is read back on first use.
    """

    def __init__(self, backend, spec, layout, shape, input_dtype, sizes, codes, scales, group_scales,
                 zero_points, tensor_scale_bytes, amax_bits):
        self._backend = backend
        self.recipe, self.layout, self.shape, self.input_dtype = spec, layout, list(shape), input_dtype
        self.rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        self.cols = int(shape[-1]) if shape else 1
        self.padded_cols, self.scale_cols = sizes["padded_cols"], sizes["scale_cols"]
        # two codes per byte for the 4-bit formats, one per byte for the 3-, 6- and 8-bit ones
        self.codes = codes.reshape(self.rows, -1) if self.rows else codes
        self.scales = scales.reshape(self.rows, -1) if layout == "row_major" and self.rows and len(scales) else scales
        self.group_scales, self.zero_points = group_scales, zero_points
        self._ts_bytes, self._amax_bits = tensor_scale_bytes, amax_bits
        self._ts = None

    def _tensor_scale_fields(self):
        if self._ts is None:
            self._ts = self._backend.to_host(self._ts_bytes).view(np.float32)
        return self._ts

    @property
    def amax(self) -> float:
        """max |x| over the tensor, NaN ignored (computed for every recipe, as the CLI stores it)."""
        return float(self._backend.to_host(self._amax_bits).view(np.float32)[0])

    @property
    def tensor_scale(self) -> float:
        """The stored FP32 decode (second-level) scale; 1 where the recipe has none."""
        return float(self._tensor_scale_fields()[2])

    @property
    def tensor_scale_encode(self) -> float:
        """The encode scale that multiplied into the block scales."""
        return float(self._tensor_scale_fields()[1])

    @property
    def tensor_scale_divisor(self) -> float:
        """4/6 only: 1536, 2688 or 1792; 1 otherwise."""
        return float(self._tensor_scale_fields()[3])


def _input(b, x):
    x = b.contiguous(x)
    tag = b.dtype_of(x)
    if tag == "?":
        raise TypeError("fp4lab: input dtype must be float32, float16 or bfloat16")
    shape = list(x.shape)
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    cols = int(shape[-1]) if shape else 1
    return x, tag, shape, rows, cols


def quantize(x, spec: str, layout: str) -> CudaQuantizedTensor:
    """Quantizes a CUDA array on its current stream."""
    _require_cuda()
    b = _backend(x)
    x, tag, shape, rows, cols = _input(b, x)
    sizes = _core._quantized_sizes(spec, layout, rows, cols)
    codes = b.empty(sizes["code_bytes"], "u8")
    scales = b.empty(sizes["scale_bytes"], "u8")
    group_scales = b.empty(sizes["group_count"] if sizes["scale_bytes"] == 0 else 0, "f32")
    zero_points = b.empty(sizes["group_count"] if sizes["scale_bytes"] == 0 else 0, "u8")
    ts = b.empty(_core._tensor_scale_bytes, "u8")
    amax = b.empty(1, "i32")
    _core._cuda_quantize(x, "", spec, layout, codes, scales, group_scales, zero_points, ts, amax, b.stream)
    return CudaQuantizedTensor(b, spec, layout, shape, tag, sizes, codes, scales, group_scales, zero_points, ts, amax)


def fake_quantize(x, spec: str, out_dtype: str):
    """Fake-quantizes a CUDA array on its current stream into a new array of x's shape."""
    _require_cuda()
    b = _backend(x)
    x, tag, shape, rows, cols = _input(b, x)
    out_dtype = out_dtype or tag
    out = b.empty(rows * cols, out_dtype)
    amax = b.empty(1, "i32")
    _core._cuda_fake_quantize(x, "", spec, out, out_dtype, amax, b.stream)
    return out.reshape(shape)


def dequantize(q: CudaQuantizedTensor, out_dtype: str):
    """Dequantizes on the GPU into a new array of the input's shape."""
    _require_cuda()
    b = q._backend
    out_dtype = out_dtype or q.input_dtype
    out = b.empty(q.rows * q.cols, out_dtype)
    _core._cuda_dequantize(q.recipe, q.layout, q.rows, q.cols, q.codes, q.scales, q.group_scales, q.zero_points,
                           q._ts_bytes, out, out_dtype, b.stream)
    return out.reshape(q.shape)
