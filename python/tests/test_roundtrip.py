"""Round trips, output dtypes, ranks, strides and bf16 (ml_dtypes) through fp4lab's Python API."""

import ml_dtypes
import numpy as np
import pytest

import fp4lab
from conftest import sample

SPECS = ["nvfp4:te", "nvfp4:4over6:mse", "mxfp4:rceil", "nvint4", "int4:g32:asym", "nvfp4:te:2d", "nvfp4:te:rht"]


@pytest.mark.parametrize("spec", SPECS)
def test_fake_quantize_is_dequantize_of_quantize(spec):
    x = sample((64, 128))
    q = fp4lab.quantize(x, spec)
    assert fp4lab.fake_quantize(x, spec).tobytes() == fp4lab.dequantize(q).tobytes()


@pytest.mark.parametrize("spec", SPECS)
def test_codes_round_trip_through_the_grid(spec):
    # dequantized values are on the grid: quantizing them again gives the same values
    y = fp4lab.fake_quantize(sample((32, 64)), spec)
    if "rht" in spec:
        pytest.skip("the RHT does not map grid values onto the grid")
    if "asym" in spec:
        pytest.skip("an asymmetric group's new min/max scale need not reproduce its grid")
    assert fp4lab.fake_quantize(y, spec).tobytes() == y.tobytes()


def test_output_dtypes_follow_the_input_or_the_request():
    x = sample((16, 32))
    assert fp4lab.fake_quantize(x, "nvfp4:te").dtype == np.float32
    assert fp4lab.fake_quantize(x.astype(np.float16), "nvfp4:te").dtype == np.float16
    assert fp4lab.fake_quantize(x, "nvfp4:te", ml_dtypes.bfloat16).dtype == ml_dtypes.bfloat16
    q = fp4lab.quantize(x.astype(np.float16), "mxfp4:floor")
    assert q.input_dtype == "F16" and fp4lab.dequantize(q).dtype == np.float16
    assert fp4lab.dequantize(q, "f32").dtype == np.float32


def test_bf16_via_ml_dtypes_quantizes_as_its_exact_float32_values():
    xb = sample((32, 64)).astype(ml_dtypes.bfloat16)
    for spec in ("nvfp4:te", "mxfp4:rceil", "int4:g32:sym"):
        qb, qf = fp4lab.quantize(xb, spec), fp4lab.quantize(xb.astype(np.float32), spec)
        assert np.array_equal(qb.codes, qf.codes) and np.array_equal(qb.scales, qf.scales)
        assert qb.input_dtype == "BF16"
        yb = fp4lab.dequantize(qb)
        assert yb.dtype == ml_dtypes.bfloat16
        assert yb.tobytes() == fp4lab.dequantize(qf, ml_dtypes.bfloat16).tobytes()


@pytest.mark.parametrize("shape", [(256,), (4, 8, 48), (2, 3, 4, 32), (5, 17)])
def test_any_rank_with_blocks_along_the_last_axis(shape):
    x = sample(shape)
    q = fp4lab.quantize(x, "nvfp4:te")
    assert list(q.shape) == list(shape)
    assert q.rows == int(np.prod(shape[:-1])) and q.cols == shape[-1]
    y2 = fp4lab.fake_quantize(x.reshape(-1, shape[-1]), "nvfp4:te")
    assert fp4lab.fake_quantize(x, "nvfp4:te").reshape(-1, shape[-1]).tobytes() == y2.tobytes()


@pytest.mark.parametrize("view", ["transpose", "step", "negative", "column_slice"])
def test_strided_inputs_equal_their_contiguous_copy(view):
    base = sample((64, 96))
    x = {"transpose": base.T, "step": base[::2, ::3], "negative": base[::-1], "column_slice": base[:, 16:80]}[view]
    assert not x.flags.c_contiguous
    dense = np.ascontiguousarray(x)
    for spec in ("nvfp4:4over6:mse", "mxfp4:floor"):
        a, b = fp4lab.quantize(x, spec), fp4lab.quantize(dense, spec)
        assert np.array_equal(a.codes, b.codes) and np.array_equal(a.scales, b.scales)
        assert fp4lab.fake_quantize(x, spec).tobytes() == fp4lab.fake_quantize(dense, spec).tobytes()
    xb = x.astype(ml_dtypes.bfloat16)[::1]
    assert fp4lab.fake_quantize(base.astype(ml_dtypes.bfloat16)[::-1], "nvfp4:te").shape == base.shape
    assert fp4lab.quantize(xb, "nvfp4:te").input_dtype == "BF16"


def test_swizzled_scales_hold_the_row_major_scales():
    x = sample((130, 96))
    rm, sw = fp4lab.quantize(x, "nvfp4:te"), fp4lab.quantize(x, "nvfp4:te", layout="swizzled_128x4")
    assert sw.layout == "swizzled_128x4" and np.array_equal(rm.codes, sw.codes)
    rows, cols = rm.scales.shape
    for r in (0, 31, 32, 127, 128, 129):
        for c in range(cols):
            off = ((r // 128) * ((cols + 3) // 4) + c // 4) * 512 + (r % 32) * 16 + ((r % 128) // 32) * 4 + c % 4
            assert sw.scales[off] == rm.scales[r, c]


def test_records_on_request():
    x = sample((16, 64))
    assert fp4lab.quantize(x, "nvfp4:4over6:mse").records is None
    rec = fp4lab.quantize(x, "nvfp4:4over6:mse", records=True).records
    q = fp4lab.quantize(x, "nvfp4:4over6:mse")
    assert rec["scale_code"].shape == (16 * 4,)
    assert np.array_equal(rec["scale_code"], q.scales.reshape(-1))
    assert set(np.unique(rec["chosen_max"])) <= {4, 6}
    blocks = np.abs(x.reshape(-1, 16)).max(axis=1)
    assert np.array_equal(rec["bmax"], blocks)


def test_unpacked_codes_match_the_packed_nibbles():
    q = fp4lab.quantize(sample((8, 32)), "nvfp4:te")
    e = q.element_codes()
    assert np.array_equal(e[:, 0::2], q.codes & 0xF) and np.array_equal(e[:, 1::2], q.codes >> 4)


def test_arrays_outlive_the_quantized_tensor():
    codes = fp4lab.quantize(sample((8, 32)), "nvfp4:te").codes
    assert codes.shape == (8, 16) and codes.base is not None
    assert int(codes.sum()) >= 0


def test_recipes_parse_to_their_canonical_spec():
    for spec in fp4lab.recipes():
        r = fp4lab.parse_recipe(spec)
        assert fp4lab.parse_recipe(r.spec) == r
        assert r.spec.startswith(r.format)
    r = fp4lab.parse_recipe("nvfp4:4over6:mse:bs=32:2d")
    assert (r.block_size, r.two_d, r.rht, r.has_tensor_scale) == (32, True, False, True)
    assert fp4lab.quantize(sample((32, 64)), r).recipe == r.spec


def test_threads_do_not_change_the_bits():
    x = sample((256, 256))
    assert fp4lab.fake_quantize(x, "nvfp4:4over6:mse", threads=1).tobytes() == \
        fp4lab.fake_quantize(x, "nvfp4:4over6:mse", threads=0).tobytes()
