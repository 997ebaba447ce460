"""fp4lab for PyTorch: straight-through fake-quantization as an autograd function, a
QuantizedLinear that fake-quantizes its weight once and its input on every call, and
quantize_model, which swaps a model's nn.Linear layers (lm_head and norms excluded by default).

Imported only on request (`import fp4lab.torch`): torch is not a dependency of fp4lab. CUDA
tensors go through fp4lab's kernels (when compiled in), CPU tensors through the CPU path;
both give the bits of fp4lab.fake_quantize.
"""

from __future__ import annotations

import fnmatch

import torch

import fp4lab

__all__ = ["fake_quantize", "FakeQuantize", "QuantizedLinear", "quantize_model", "DEFAULT_EXCLUDE"]

#: Module names left in high precision by default: the output head and every norm.
DEFAULT_EXCLUDE = ("lm_head", "*norm*")


class FakeQuantize(torch.autograd.Function):
    """Forward: fp4lab.fake_quantize(t, recipe) in t's dtype. Backward: the gradient passes
    through unchanged (straight-through estimator)."""

    @staticmethod
    def forward(ctx, t, recipe):  # noqa: D102 (documented on the class)
        return fp4lab.fake_quantize(t.detach(), recipe).to(t.dtype)

    @staticmethod
    def backward(ctx, grad):  # noqa: D102
        return grad, None


def fake_quantize(t: torch.Tensor, recipe) -> torch.Tensor:
    """Fake-quantizes t with a straight-through gradient (same bits as fp4lab.fake_quantize)."""
    return FakeQuantize.apply(t, recipe)


class QuantizedLinear(torch.nn.Module):
    """A Linear whose weight is fake-quantized once (at construction) and whose input is
    fake-quantized on each call, blocks along the reduction (last) axis of both; None keeps a
    side in high precision."""

    def __init__(self, linear: torch.nn.Linear, weights=None, activations=None):
        super().__init__()
        self.weights, self.activations = weights, activations
        w = linear.weight.detach()
        if weights is not None:
            w = fp4lab.fake_quantize(w, weights).to(w.dtype)
        self.weight = torch.nn.Parameter(w, requires_grad=linear.weight.requires_grad)
        self.bias = linear.bias
        self.in_features, self.out_features = linear.in_features, linear.out_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x fake-quantized (straight-through), then the linear map with the quantized weight."""
        if self.activations is not None:
            x = fake_quantize(x, self.activations)
        return torch.nn.functional.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        """The sizes and recipes."""
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"weights={self.weights!r}, activations={self.activations!r}")


def _excluded(name: str, patterns) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(leaf, p) for p in patterns)


def quantize_model(model: torch.nn.Module, weights=None, activations=None, exclude=DEFAULT_EXCLUDE) -> torch.nn.Module:
    """Replaces, in place, every nn.Linear whose name (or last name part) matches none of the
    `exclude` glob patterns with a QuantizedLinear; returns the model. The default exclusions
    keep lm_head and every '*norm*' module in high precision."""
    targets = [(name, m) for name, m in model.named_modules()
               if isinstance(m, torch.nn.Linear) and not _excluded(name, exclude)]
    for name, m in targets:
        parent_name, _, attr = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, attr, QuantizedLinear(m, weights, activations))
    return model
