#!/usr/bin/env python3
# Speed of fouroversix 1.1's Triton quantizer (the 4/6 and IF reference) against fp4lab's CUDA
# kernels on the same GPU in the same call: the Triton kernels are timed with CUDA events on a
# rows x cols BF16 tensor, then `fp4lab bench` times its kernels on a BF16 tensor of the same
# shape (its own random data, same size) and the medians are set side by side. Bit equality of
# the two is peer_fouroversix.py's job; this script only times.
"""Usage: PYTHONPATH=.peers/fouroversix peer_speed.py --fp4lab build/experiments/fp4lab [--rows 8192 --cols 16384]"""

import argparse
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_torch import read_ours, time_fn  # noqa: E402  (CUDA-event timing, bench CSV reader)

# (fouroversix dtype, scale rule, the `fp4lab bench` row with the same work: amax included,
# as fouroversix computes the tensor amax inside quantize)
PAIRS = [
    ("nvfp4", "static_6", "nvfp4-te (amax+quantize)"),
    ("nvfp4", "mse", "4/6-mse (amax+quantize)"),
    ("if4", "mse", "if4-mse (amax+quantize)"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fp4lab", default="build/experiments/fp4lab")
    ap.add_argument("--rows", type=int, default=8192)
    ap.add_argument("--cols", type=int, default=16384)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    if args.rows <= 0 or args.cols <= 0 or args.cols % 16 or (args.rows * args.cols * 2) % (1 << 20):
        sys.exit("peer_speed.py: rows and cols must be positive, cols a multiple of 16, and the BF16 tensor "
                 "a whole number of MiB (fp4lab bench sizes are in MiB)")
    from fouroversix.quantize import QuantizationConfig, quantize
    from fouroversix.utils import DataType, QuantizeBackend, ScaleRule

    gen = torch.Generator(device="cuda").manual_seed(0)
    xs = [torch.randn(args.rows, args.cols, device="cuda", generator=gen).to(torch.bfloat16) for _ in range(2)]
    size_mib = args.rows * args.cols * 2 // (1 << 20)
    with tempfile.TemporaryDirectory() as tmp:
        bench_csv = os.path.join(tmp, "bench.csv")
        subprocess.run([args.fp4lab, "bench", "--sizes-mib", str(size_mib), "--cols", str(args.cols), "--runs",
                        str(args.runs), "--csv", bench_csv], check=True, stdout=subprocess.DEVNULL)
        print(f"{args.rows}x{args.cols} BF16 ({size_mib} MiB), {torch.cuda.get_device_name()}, medians of {args.runs}")
        print(f"{'fouroversix triton':<26} {'ms':>8}   {'fp4lab bench row':<26} {'ms':>8} {'fp4lab speed-up':>16}")
        for dtype, rule, row in PAIRS:
            cfg = QuantizationConfig(backend=QuantizeBackend("triton"), dtype=DataType(dtype), scale_rule=ScaleRule(rule))
            try:
                theirs = time_fn(lambda x, c=cfg: quantize(x, c), xs, args.runs, 5)
            except Exception as ex:  # Triton or the GPU may lack what a kernel needs
                print(f"{dtype + ' ' + rule:<26} unavailable: {type(ex).__name__}: {str(ex)[:80]}")
                continue
            ours = read_ours(bench_csv, row).get(size_mib)
            if ours is None:
                print(f"{dtype + ' ' + rule:<26} {theirs:8.3f}   {row:<26} missing from the bench CSV")
                continue
            print(f"{dtype + ' ' + rule:<26} {theirs:8.3f}   {row:<26} {ours:8.3f} {theirs / ours:15.2f}x")


if __name__ == "__main__":
    main()
