"""Every recipe through fp4lab.quantize / dequantize against the CLI's quantized and
dequantized files, bit for bit, on fixed inputs (FORMATS.md §7 storage)."""

import numpy as np
import pytest

import fp4lab
from conftest import read_safetensors, sample

EXTRA = ["nvfp4:te:2d", "nvfp4:te:rht", "nvfp4:4over6:mse:bs=32", "nvfp4:te:sr:seed=7", "mxfp4:rceil:bs=64",
         "int4:g32:asym:fp16", "int4:g128:sym:bf16", "nvfp4:static_4:bs=32"]


@pytest.mark.parametrize("layout", ["row_major", "swizzled_128x4"])
@pytest.mark.parametrize("spec", fp4lab.recipes() + EXTRA)
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_quantize_matches_the_cli_file(cli, tmp_path, spec, layout, dtype):
    if layout != "row_major" and spec.startswith("int4"):
        pytest.skip("grouped INT4 stores row_major scales only")
    x = sample((48, 80), seed=11, dtype=dtype)
    np.save(tmp_path / "x.npy", x)
    args = ["quantize", tmp_path / "x.npy", "--recipe", spec, "--out", tmp_path / "q.safetensors", "--quiet"]
    cli(*args, *(["--swizzle"] if layout != "row_major" else []))
    files, meta = read_safetensors(tmp_path / "q.safetensors")
    name = [k[:-len(".codes")] for k in files if k.endswith(".codes")][0]
    q = fp4lab.quantize(x, spec, layout=layout)
    assert meta[name + ".recipe"] == q.recipe
    assert np.array_equal(files[name + ".codes"].reshape(-1), q.codes.reshape(-1))
    if name + ".scales" in files:
        assert np.array_equal(files[name + ".scales"].reshape(-1), q.scales.reshape(-1))
    if name + ".group_scales" in files:
        # stored in the recipe's scale dtype (F32, F16, or BF16 read as uint16), widened exactly here
        gs = files[name + ".group_scales"].reshape(-1)
        if gs.dtype == np.uint16:
            gs = (gs.astype(np.uint32) << 16).view(np.float32)
        assert gs.astype(np.float32).tobytes() == q.group_scales.astype(np.float32).tobytes()
        if name + ".zero_points" in files:  # asymmetric INT4 only
            assert np.array_equal(files[name + ".zero_points"].reshape(-1), q.zero_points)
        else:
            assert ":asym" not in spec
    assert files[name + ".tensor_scale"].tobytes() == np.float32(q.tensor_scale).tobytes()
    assert files[name + ".amax"].tobytes() == np.float32(q.amax).tobytes()

    # the CLI's dequantized file, bit for bit
    cli("dequantize", tmp_path / "q.safetensors", "--out", tmp_path / "y.safetensors", "--dtype", "f32", "--quiet")
    ys, _ = read_safetensors(tmp_path / "y.safetensors")
    y = fp4lab.dequantize(q, np.float32)
    assert ys[name].tobytes() == y.tobytes()
