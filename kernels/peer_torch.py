#!/usr/bin/env python3
# Plain-PyTorch peer of fp4lab's NVFP4 `te` quantizer (FORMATS.md §2, formats/nvfp4.hpp): checks
# bit equality of codes and scales with the dump of `fp4lab bench`, then times eager and
# torch.compile versions with CUDA events on the same sizes and prints the speed ratio to ours.
"""Usage: peer_torch.py --dump-dir DIR [--bench-csv FILE] [--sizes-mib 16,64,...] [--runs 20]"""

import argparse
import csv
import math
import os
import statistics
import sys

import numpy as np
import torch

FLT_MAX = float(np.finfo(np.float32).max)
# 1.0f / 6.0f in FP32; the double 1/6 rounds to the same float (no double-rounding tie)
ONE_SIXTH = float(np.float32(1.0) / np.float32(6.0))
assert np.float32(1.0 / 6.0) == np.float32(ONE_SIXTH)
# E2M1 round-to-nearest-even: |v| against the seven midpoints, ">" where the lower
# neighbour's mantissa is even, ">=" where the upper one's is (e2m1_rne_ladder)
LADDER = [(0.25, False), (0.75, True), (1.25, False), (1.75, True), (2.5, False), (3.5, True),
          (5.0, False)]


def nvfp4_te_quantize(x):
    """x: (rows, cols) BF16/FP16/FP32 on the GPU, cols % 16 == 0. Returns packed codes
    (rows, cols/2) uint8, UE4M3 scale codes (rows, cols/16) uint8 and S_dec (0-d float32)."""
    rows, cols = x.shape
    xf = x.float()
    a = xf.abs()
    a = torch.where(torch.isnan(a), torch.zeros_like(a), a)  # amax and bmax ignore NaN
    amax = a.amax()
    s_enc = torch.clamp(torch.full_like(amax, 2688.0) / amax, max=FLT_MAX)
    s_enc = torch.where((amax == 0) | (s_enc == 0), torch.ones_like(s_enc), s_enc)
    s_dec = (1.0 / s_enc.double()).float()
    bmax = a.view(rows, cols // 16, 16).amax(-1)
    # s_b = e4m3_satfinite(bmax * (S_enc * float(1/6))): the clamp at 448 is the saturation
    # (the cast itself would give NaN above 464); RNE below it is the cast's
    sb8 = torch.clamp(bmax * (s_enc * ONE_SIXTH), max=448.0).to(torch.float8_e4m3fn)
    inv = torch.clamp(1.0 / (sb8.float() * s_dec), max=FLT_MAX)  # guarded reciprocal
    v = xf.view(rows, cols // 16, 16) * inv.unsqueeze(-1)
    av = v.abs()
    mag = torch.zeros_like(av, dtype=torch.uint8)
    for t, inclusive in LADDER:
        mag += (av >= t if inclusive else av > t).to(torch.uint8)
    sign = ((v.view(torch.int32) >> 28) & 8).to(torch.uint8)  # negatives (and -0) get 0x8
    codes = torch.where(torch.isnan(v), torch.full_like(mag, 7), sign | mag).view(rows, cols // 2, 2)
    packed = codes[..., 0] | (codes[..., 1] << 4)
    return packed, sb8.view(torch.uint8), s_dec


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition(" ")
            meta[k] = v
    return meta


def check_dump(dump_dir, fns):
    """Bit-compares each fn's output on the dumped input with our codes/scales/S_dec."""
    meta = read_meta(os.path.join(dump_dir, "meta.txt"))
    rows, cols = int(meta["rows"]), int(meta["cols"])
    x = torch.from_numpy(np.fromfile(os.path.join(dump_dir, "input.bf16"), dtype=np.int16))
    x = x.view(torch.bfloat16).reshape(rows, cols).cuda()
    ours_codes = torch.from_numpy(np.fromfile(os.path.join(dump_dir, "codes.u8"), dtype=np.uint8)).cuda()
    ours_scales = torch.from_numpy(np.fromfile(os.path.join(dump_dir, "scales.u8"), dtype=np.uint8)).cuda()
    ours_dec = int(meta["decode_bits"], 16)
    results = {}
    for name, fn in fns.items():
        try:
            codes, scales, s_dec = fn(x)
            torch.cuda.synchronize()
        except Exception as e:  # torch.compile may be unavailable: report, don't crash
            results[name] = f"failed: {type(e).__name__}: {str(e).splitlines()[0][:120]}"
            continue
        dec_bits = int(np.frombuffer(np.float32(s_dec.item()).tobytes(), dtype=np.uint32)[0])
        dc = int((codes.reshape(-1) != ours_codes).sum().item())
        ds = int((scales.reshape(-1) != ours_scales).sum().item())
        ok = dc == 0 and ds == 0 and dec_bits == ours_dec
        results[name] = (f"{'EQUAL' if ok else 'DIFFERENT'}: {dc} of {ours_codes.numel()} code bytes, "
                         f"{ds} of {ours_scales.numel()} scales differ; S_dec 0x{dec_bits:08x} vs "
                         f"ours 0x{ours_dec:08x}")
    return rows, cols, results


def time_fn(fn, xs, runs, warmup):
    for i in range(warmup):
        fn(xs[i % len(xs)])
    torch.cuda.synchronize()
    ev = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(runs)]
    for i, (s, e) in enumerate(ev):
        x = xs[(i + warmup) % len(xs)]
        s.record()
        fn(x)
        e.record()
    torch.cuda.synchronize()
    return statistics.median(s.elapsed_time(e) for s, e in ev)


def read_ours(path, op="nvfp4-te (amax+quantize)"):
    ours = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for row in csv.DictReader(f):
                if row["op"] == op:
                    ours[int(row["size_mib"])] = float(row["median_ms"])
    return ours


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dump-dir", required=True)
    ap.add_argument("--bench-csv", default="")
    ap.add_argument("--sizes-mib", default="16,64,256,1024,2048")
    ap.add_argument("--cols", type=int, default=8192)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--no-compile", action="store_true")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("peer_torch: no CUDA device, nothing to do")
        return 0
    dev = torch.cuda.get_device_properties(0)
    print(f"torch {torch.__version__} on {dev.name}")
    fns = {"eager": nvfp4_te_quantize}
    if not args.no_compile:
        fns["compiled"] = torch.compile(nvfp4_te_quantize, dynamic=False)

    rows, cols, eq = check_dump(args.dump_dir, fns)
    print(f"\nbit equality with fp4lab bench's NVFP4 te dump ({rows} x {cols} BF16):")
    for name, msg in eq.items():
        print(f"  {name:9s} {msg}")

    ours = read_ours(args.bench_csv)
    l2 = getattr(dev, "L2_cache_size", 50 * 2**20)
    table = []
    for mib in [int(s) for s in args.sizes_mib.split(",") if s]:
        n = mib * 2**20 // 2
        r, c = n // args.cols, args.cols
        nbuf = max(1, math.ceil(max(512 * 2**20, 8 * l2) / (2 * n)))
        free, _ = torch.cuda.mem_get_info()
        if 2 * n * nbuf + 40 * n > 0.9 * free:  # inputs + eager temporaries (FP32 copies, masks)
            print(f"{mib} MiB: not enough free memory for the eager peer, skipped")
            continue
        torch.manual_seed(mib)
        xs = [torch.randn(r, c, device="cuda", dtype=torch.bfloat16) for _ in range(nbuf)]
        nbytes = 2 * n + n // 2 + n // 16
        row = {"mib": mib}
        for name, fn in fns.items():
            try:
                row[name] = time_fn(fn, xs, args.runs, args.warmup)
            except Exception as e:
                print(f"{mib} MiB {name}: failed ({type(e).__name__}: {str(e).splitlines()[0][:120]})")
                row[name] = float("nan")
        row["ours"] = ours.get(mib, float("nan"))
        row["gbps"] = {k: nbytes / (row[k] * 1e-3) / 1e9 for k in list(fns) + ["ours"]}
        table.append(row)
        del xs
        torch.cuda.empty_cache()

    print("\nNVFP4 te quantize (amax + quantize), BF16 input: median ms (GB/s of input + codes + scales)")
    head = f"  {'MiB':>6}" + "".join(f" {k:>20}" for k in list(fns) + ["fp4lab"])
    head += "".join(f" {'fp4lab speedup vs ' + k:>26}" for k in fns)
    print(head)
    for row in table:
        line = f"  {row['mib']:>6}"
        for k in list(fns) + ["ours"]:
            line += f" {row[k]:>9.4f} ({row['gbps'][k]:>7.1f})"
        for k in fns:
            line += f" {row[k] / row['ours']:>26.2f}"
        print(line)
    return 0 if str(eq.get("eager", "")).startswith("EQUAL") else 1


if __name__ == "__main__":
    sys.exit(main())
