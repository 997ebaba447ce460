#!/usr/bin/env python3
# Makes the tiny golden files tests/core/io_test.cpp reads, with the reference writers:
# golden.safetensors (Python safetensors), golden_f32.npy, golden_f16.npy, golden_bf16.npy,
# golden_u8.npy (numpy np.save; bfloat16 through ml_dtypes, which np.save stores as '<V2').
# Made once with safetensors 0.8.0, numpy 2.4.6, ml_dtypes (pip install safetensors numpy
# ml_dtypes) and committed; the build never runs this. Rerun: python3 data/golden/make_golden.py
import os

import ml_dtypes
import numpy as np
from safetensors.numpy import save_file

here = os.path.dirname(os.path.abspath(__file__))

# Values exact in their dtype, so the C++ test can compare them with ==.
f32 = np.array([[0.0, 1.0, -2.5], [3.140625, 0.001, -65504.0]], dtype=np.float32)
f16 = np.array([1.0, -0.5, 65504.0, 2.0**-14], dtype=np.float16)
bf16 = np.array([[1.0, -2.0], [0.15625, 256.0]], dtype=ml_dtypes.bfloat16)
u8 = np.array([0, 7, 255], dtype=np.uint8)

save_file({"weight.f32": f32, "scale.f16": f16, "act.bf16": bf16, "codes.u8": u8},
          os.path.join(here, "golden.safetensors"), metadata={"source": "python-safetensors"})
np.save(os.path.join(here, "golden_f32.npy"), f32)
np.save(os.path.join(here, "golden_f16.npy"), f16)
np.save(os.path.join(here, "golden_bf16.npy"), bf16)
np.save(os.path.join(here, "golden_u8.npy"), u8)
