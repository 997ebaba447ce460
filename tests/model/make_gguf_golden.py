#!/usr/bin/env python3
"""Writes data/golden/gguf/types.gguf (one small tensor of each type fp4lab reads, plus one Q6_K
tensor it must refuse by name) and types_expected.safetensors: every readable tensor dequantized by
the PyPI `gguf` package (gguf.quants.dequantize), the oracle tests/core/gguf_test.cpp compares
fp4lab's reader with bit for bit. Needs: pip install gguf numpy safetensors. Fixed seed.
"""
import os

import numpy as np
from gguf import GGMLQuantizationType as Q
from gguf import GGUFWriter
from gguf.quants import dequantize, quantize
from safetensors.numpy import save_file

out = os.path.join(os.path.dirname(__file__), "../../data/golden/gguf")
rng = np.random.default_rng(20261203)
w = GGUFWriter(os.path.join(out, "types.gguf"), arch="llama")
w.add_uint32("test.u32", 7)
w.add_string("test.name", "fp4lab golden")
w.add_array("test.list", ["a", "b c"])
expected = {}
shape = (4, 64)  # rows x cols; every row a whole number of 32-value blocks
for name, qt in [("f32", Q.F32), ("f16", Q.F16), ("bf16", Q.BF16), ("q8_0", Q.Q8_0), ("q4_0", Q.Q4_0), ("q4_1", Q.Q4_1)]:
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    x[0, :4] = [0.0, -0.0, 1e-8, -65504.0]
    data = quantize(x, qt)
    w.add_tensor(name, data, raw_dtype=qt)
    expected[name] = np.ascontiguousarray(dequantize(data, qt).reshape(shape).astype(np.float32))
x = rng.standard_normal((1, 256)).astype(np.float32)
w.add_tensor("q6_k", rng.integers(0, 256, (1, 210), dtype=np.uint8), raw_dtype=Q.Q6_K)  # 256 values: any bytes
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
save_file(expected, os.path.join(out, "types_expected.safetensors"))
print("wrote", sorted(expected))
