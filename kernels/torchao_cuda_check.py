#!/usr/bin/env python3
# GPU-machine check of fp4lab's `nvfp4:torchao:torch_cuda` and `nvfp4:torchao_1level` (README
# "Semantics"): PyTorch on CUDA divides a tensor by a Python number as x * float(1/c), on the CPU
# as x / c, so torchao's amax/2688 and bmax/6 can differ by one ulp between the two devices.
"""Usage: python3 kernels/torchao_cuda_check.py

Needs torch with a CUDA device. With torchao importable (pip install torchao==0.18.*) it also runs
torchao's own per_tensor_amax_to_scale and nvfp4_quantize on both devices; without it, it checks
the PyTorch arithmetic those functions are built on. Prints one line per check and exits 1 if
any prediction of fp4lab (tests/core/peer_recipes_test.cpp, tests/formats/peer_semantics_test.cpp)
is not what PyTorch/torchao gives.
"""

import struct
import sys

import torch


def bits(x):
    """The FP32 bits of a 0-d or 1-element tensor (or a float)."""
    v = float(x.item()) if torch.is_tensor(x) else float(x)
    return struct.unpack("<I", struct.pack("<f", v))[0]


def f32(hexstr):
    return struct.unpack("<f", struct.pack("<f", float.fromhex(hexstr)))[0]


failures = 0


def check(what, got, want):
    global failures
    ok = got == want
    failures += 0 if ok else 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}: got {got}, fp4lab predicts {want}")


def main():
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 2
    amax = f32("0x1.000002p+0")
    # the arithmetic itself: tensor / Python float on each device
    for dev, want in (("cpu", "0x1.861864p-12"), ("cuda", "0x1.861866p-12")):
        p = torch.tensor(amax, dtype=torch.float32, device=dev) / (448.0 * 6.0)
        check(f"amax/2688 on {dev} (bits)", hex(bits(p)), hex(bits(f32(want))))
    bmax = f32("0x1.c7fffep+0")
    one_sixth = f32((1.0 / 6.0).hex())
    for dev, want in (("cpu", f32((bmax / 6.0).hex())), ("cuda", f32((bmax * one_sixth).hex()))):
        q = torch.tensor(bmax, dtype=torch.float32, device=dev) / 6.0
        rule = "bmax / 6" if dev == "cpu" else "bmax * float(1/6)"
        check(f"bmax/6 on {dev} is {rule} (bits)", hex(bits(q)), hex(bits(want)))

    # the tensor of the fp4lab test: block 0 holds amax, block 1 a block whose scale code moves
    x = torch.zeros(1, 32, dtype=torch.float32)
    x[0, 0] = amax
    x[0, 16] = f32("0x1.5b6db8p-7")
    x[0, 17] = -0.001
    try:
        from torchao.prototype.mx_formats import nvfp4_tensor as ao
    except Exception as e:  # torchao absent: the arithmetic checks above are the result
        print(f"torchao not importable ({type(e).__name__}: {e}); pip install torchao==0.18.* to run its code")
        return 1 if failures else 0
    want_scales = {"cpu": [0x7E, 0x4A], "cuda": [0x7E, 0x49]}
    for dev in ("cpu", "cuda"):
        xd = x.to(dev)
        pts = ao.per_tensor_amax_to_scale(torch.max(torch.abs(xd)))
        check(f"torchao per_tensor_amax_to_scale on {dev}", hex(bits(pts)),
              hex(bits(f32("0x1.861864p-12" if dev == "cpu" else "0x1.861866p-12"))))
        scales, _ = ao.nvfp4_quantize(xd, 16, pts)
        check(f"torchao two-level block scale codes on {dev}", scales.view(torch.uint8).flatten().tolist(),
              want_scales[dev])
    # single level: bmax = 0x1.c7fffep+0 gives code 0x29 on the CPU and 0x2A with CUDA's bmax * float(1/6)
    y = torch.zeros(1, 16, dtype=torch.float32)
    y[0, 0] = bmax
    for dev, want in (("cpu", [0x29]), ("cuda", [0x2A])):
        scales, _ = ao.nvfp4_quantize(y.to(dev), 16, None)
        check(f"torchao single-level block scale code on {dev}", scales.view(torch.uint8).flatten().tolist(), want)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
