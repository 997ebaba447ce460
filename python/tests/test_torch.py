"""fp4lab.torch (skipped without torch): straight-through fake-quantization, QuantizedLinear,
quantize_model, all bit for bit against fp4lab.fake_quantize; and the CUDA path against the
CPU path when a GPU and a CUDA build are present."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fp4lab  # noqa: E402
import fp4lab.torch as fpt  # noqa: E402

from conftest import sample  # noqa: E402

SPECS = ["nvfp4:te", "nvfp4:4over6:mse", "mxfp4:rceil", "nvint4", "int4:g32:asym"]


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("spec", SPECS)
def test_torch_cpu_tensors_give_the_numpy_bits(spec, dtype):
    t = torch.from_numpy(sample((32, 64))).to(dtype)
    mine = fp4lab.fake_quantize(t, spec)
    assert isinstance(mine, torch.Tensor) and mine.dtype == dtype and mine.shape == t.shape
    ref = fp4lab.fake_quantize(t.float().numpy(), spec, dtype=str(dtype).split(".")[-1])
    assert mine.view(torch.int16 if dtype != torch.float32 else torch.int32).numpy().tobytes() == ref.tobytes()


def test_fake_quantize_has_a_straight_through_gradient():
    x = torch.from_numpy(sample((8, 32))).requires_grad_()
    y = fpt.fake_quantize(x, "nvfp4:te")
    assert torch.equal(y.detach(), fp4lab.fake_quantize(x.detach(), "nvfp4:te"))
    (y * torch.arange(32.0)).sum().backward()
    assert torch.equal(x.grad, torch.arange(32.0).expand(8, 32))


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.up = torch.nn.Linear(64, 32)
        self.norm = torch.nn.LayerNorm(32)
        self.block = torch.nn.Sequential(torch.nn.Linear(32, 32), torch.nn.ReLU())
        self.lm_head = torch.nn.Linear(32, 16)

    def forward(self, x):
        return self.lm_head(self.block(self.norm(self.up(x))))


def test_quantize_model_swaps_linears_but_not_lm_head_or_norms():
    torch.manual_seed(0)
    model = Tiny()
    w = model.up.weight.detach().clone()
    fpt.quantize_model(model, weights="nvfp4:4over6:mse", activations="nvfp4:te")
    assert isinstance(model.up, fpt.QuantizedLinear) and isinstance(model.block[0], fpt.QuantizedLinear)
    assert isinstance(model.lm_head, torch.nn.Linear) and not isinstance(model.lm_head, fpt.QuantizedLinear)
    assert isinstance(model.norm, torch.nn.LayerNorm)
    assert torch.equal(model.up.weight, fp4lab.fake_quantize(w, "nvfp4:4over6:mse"))
    x = torch.from_numpy(sample((4, 64)))
    expected = torch.nn.functional.linear(fp4lab.fake_quantize(x, "nvfp4:te"), model.up.weight, model.up.bias)
    assert torch.equal(model.up(x), expected)
    model(x).sum().backward()  # gradients flow through the straight-through activations


def test_exclude_patterns():
    model = fpt.quantize_model(Tiny(), weights="mxfp4:rceil", exclude=["up", "lm_head"])
    assert not isinstance(model.up, fpt.QuantizedLinear) and isinstance(model.block[0], fpt.QuantizedLinear)


cuda = pytest.mark.skipif(not (torch.cuda.is_available() and fp4lab.cuda_available()),
                          reason="needs a GPU and fp4lab built with CUDA")


@cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("spec", SPECS + ["nvfp4:te:2d", "mxfp4:floor:bs=64", "if4", "nvfp6:e2m3"])
@pytest.mark.parametrize("layout", ["row_major", "swizzled_128x4"])
def test_cuda_tensors_quantize_bit_equal_to_the_cpu(spec, dtype, layout):
    if spec.startswith("int4") and layout != "row_major":
        pytest.skip("grouped INT4 stores row_major scales only")
    x = torch.from_numpy(sample((257, 384))).to(dtype)
    g = fp4lab.quantize(x.cuda(), spec, layout=layout)
    c = fp4lab.quantize(x, spec, layout=layout)
    assert g.codes.device.type == "cuda"
    assert np.array_equal(g.codes.cpu().numpy(), c.codes)
    assert np.array_equal(g.scales.cpu().numpy().reshape(-1), c.scales.reshape(-1))
    assert g.group_scales.cpu().numpy().tobytes() == c.group_scales.tobytes()
    assert (g.amax, g.tensor_scale) == (c.amax, c.tensor_scale)
    d = fp4lab.dequantize(g)
    assert d.device.type == "cuda" and d.dtype == dtype
    assert d.cpu().contiguous().view(torch.uint8).numpy().tobytes() == np.asarray(fp4lab.dequantize(c)).tobytes()
    f = fp4lab.fake_quantize(x.cuda(), spec)
    assert torch.equal(f.cpu(), fp4lab.fake_quantize(x, spec))


@cuda
def test_cuda_runs_on_the_current_stream():
    x = torch.from_numpy(sample((1024, 1024))).cuda()
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        y = fp4lab.fake_quantize(x, "nvfp4:4over6:mse")
    s.synchronize()
    assert torch.equal(y.cpu(), fp4lab.fake_quantize(x.cpu(), "nvfp4:4over6:mse"))


@cuda
@pytest.mark.parametrize("spec", ["nvfp4:te", "nvfp4:4over6:mse", "if4"])
def test_cuda_fake_quantize_of_3d_and_strided_tensors(spec):
    """What QuantizedLinear meets inside a model: (batch, tokens, features) activations and
    transposed views; blocks run along the last axis of the logical tensor, as on the CPU."""
    x = torch.from_numpy(sample((3, 40, 64)))
    got = fp4lab.fake_quantize(x.cuda(), spec)
    assert got.shape == x.shape and torch.equal(got.cpu(), fp4lab.fake_quantize(x, spec))
    t = torch.from_numpy(sample((64, 96))).cuda().t()  # (96, 64), not contiguous
    assert not t.is_contiguous()
    assert torch.equal(fp4lab.fake_quantize(t, spec).cpu(), fp4lab.fake_quantize(t.cpu().contiguous(), spec))
