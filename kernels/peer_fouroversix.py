#!/usr/bin/env python3
# Peer comparison of the FORMATS.md §9 block formats with fouroversix 1.1 (the reference, not
# part of fp4lab; ../shared/peers/README.md): for every recipe the reference ships, fixed and
# random bf16 inputs go through fouroversix (backend pytorch = reference.py, and triton) and
# through `fp4lab quantize` / `fp4lab dequantize`; codes, scales and dequantized values are
# compared and the mismatch counts printed per recipe and backend.
"""Usage (on the GPU machine, from the repository root, fp4lab built):
  PYTHONPATH=.peers/fouroversix python3 kernels/peer_fouroversix.py \
      --fp4lab build/experiments/fp4lab [--rows 256 --cols 512 --seed 0 --out peer_out]
Prints one line per (recipe, backend, input) and writes peer_out/summary.csv."""

import argparse
import csv
import json
import os
import struct
import subprocess
import sys

import torch

# (fp4lab spec, fouroversix DataType, scale rule, implemented by the PyTorch reference path)
# The PyTorch reference routes nvfp3/nvint3/nvint6/mxfp3/mxfp6 (and if3) to its NVFP4 branch or
# fails (reference.py:457-485, 343-375): those run on Triton only. MX types use the reference's
# rounded-up scale, fp4lab's `rceil`. MXFP8 is not in fouroversix (no peer here).
RECIPES = [
    ("nvfp6:e2m3", "nvfp6_e2m3", "static_6", True),
    ("nvfp6:e3m2", "nvfp6_e3m2", "static_6", True),
    ("mxfp6:e2m3:rceil", "mxfp6_e2m3", "static_6", False),
    ("mxfp6:e3m2:rceil", "mxfp6_e3m2", "static_6", False),
    ("nvfp3", "nvfp3", "static_6", False),
    ("nvfp3:bs=8", "nvfp3_bs8", "static_6", False),
    ("mxfp3:rceil", "mxfp3", "static_6", False),
    ("mxfp3:rceil:bs=8", "mxfp3_bs8", "static_6", False),
    ("nvint3", "nvint3", "static_6", False),
    ("nvint3:bs=8", "nvint3_bs8", "static_6", False),
    ("nvint6", "nvint6", "static_6", False),
]
# NVFP4 static_6 and 4/6 (fouroversix's own format). fp4lab's `ref_unclamped` (reference.py's
# unclamped E2M1 cast) is fake-quantize only: `quantize` refuses it (an 8 has no E2M1 code), so
# its codes cannot be compared here.
RECIPES += [
    ("nvfp4:static_6", "nvfp4", "static_6", True),
    ("nvfp4:4over6:mse", "nvfp4", "mse", True),
    ("nvfp4:4over6:abs_max", "nvfp4", "abs_max", True),
]
for rule in ("mse", "mae", "abs_max"):
    RECIPES += [
        (f"if4:{rule}", "if4", rule, True),
        (f"if4:{rule}:bs=8", "if4_bs8", rule, True),
        (f"if3:{rule}", "if3", rule, False),
        (f"if3:{rule}:bs=8", "if3_bs8", rule, False),
        (f"if6:e2m3:{rule}", "if6_e2m3", rule, True),
        (f"if6:e3m2:{rule}", "if6_e3m2", rule, True),
    ]

ST_DTYPES = {torch.bfloat16: "BF16", torch.float32: "F32", torch.uint8: "U8"}
ST_TORCH = {"BF16": torch.bfloat16, "F32": torch.float32, "U8": torch.uint8, "F16": torch.float16,
            "F8_E4M3": torch.uint8, "F8_E8M0": torch.uint8}


def write_safetensors(path, tensors):
    """A minimal safetensors writer (name -> CPU tensor)."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        raw = torch.frombuffer(bytearray(data[8 + n + a:8 + n + b]), dtype=torch.uint8)
        out[name] = raw.view(ST_TORCH[e["dtype"]]).reshape(e["shape"]) if b > a else raw
    return out, meta


def inputs(rows, cols, seed):
    g = torch.Generator().manual_seed(seed)
    fixed = torch.linspace(-6.0, 6.0, rows * cols).reshape(rows, cols)  # many exact grid points and ties
    fixed[::7] *= 1e-3  # small blocks: E4M3 subnormal scales
    normal = torch.randn(rows, cols, generator=g)
    torch.manual_seed(seed)  # StudentT.sample draws from the global generator
    heavy = torch.distributions.StudentT(3.0).sample((rows, cols))
    return {"fixed": fixed.bfloat16(), "normal": normal.bfloat16(), "student_t": heavy.bfloat16()}


def fp4lab_side(exe, spec, x, workdir, tag):
    src = os.path.join(workdir, f"in_{tag}.safetensors")
    q = os.path.join(workdir, f"q_{tag}.safetensors")
    dq = os.path.join(workdir, f"dq_{tag}.safetensors")
    write_safetensors(src, {"x": x.cpu()})
    subprocess.run([exe, "quantize", src, "--recipe", spec, "--out", q, "--quiet"], check=True)
    subprocess.run([exe, "dequantize", q, "--dtype", "f32", "--out", dq, "--quiet"], check=True)
    qt, _ = read_safetensors(q)
    dt, _ = read_safetensors(dq)
    return qt["x.codes"], qt["x.scales"], float(qt["x.amax"].view(torch.float32)[0]), dt["x"].float()


def reference_side(ff, backend, dtype_name, rule, x):
    """Codes (as stored: IF4 packed, others one per byte), row-major scale bytes and amax."""
    from fouroversix.utils import DataType, ScaleRule
    dt = DataType(dtype_name)
    if backend in ("pytorch", "pytorch_cpu"):
        # pytorch_cpu: reference.py on CPU tensors, where PyTorch divides by a Python number as
        # x / c (on CUDA as x * float(1/c), which moves last bits and near-tie choices)
        if backend == "pytorch_cpu":
            x = x.cpu()
        from fouroversix.quantize.pytorch.reference import quantize as ref_quantize
        codes, scales, amax = ref_quantize(x, fp4_format=dt, scale_rule=ScaleRule(rule), use_blackwell_scale_layout=False)
        return codes, scales.view(torch.uint8).reshape(x.shape[0], -1), float(amax)
    from fouroversix.quantize import QuantizationConfig, quantize
    from fouroversix.quantize.dequantize_utils import from_blocked
    from fouroversix.utils import QuantizeBackend
    qt = quantize(x, QuantizationConfig(backend=QuantizeBackend(backend), dtype=dt, scale_rule=ScaleRule(rule)))
    sc = qt.scale_factors.view(torch.uint8)
    if getattr(qt, "scale_factors_are_in_blackwell_layout", False):
        sc = from_blocked(sc.reshape(-1), (x.shape[0], x.shape[1] // dt.block_size))
    return qt.values, sc.reshape(x.shape[0], -1), float(qt.amax.float().reshape(-1)[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fp4lab", default="build/experiments/fp4lab")
    ap.add_argument("--rows", type=int, default=256)
    ap.add_argument("--cols", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="peer_out")
    ap.add_argument("--backends", default="pytorch,pytorch_cpu,triton",
                    help="pytorch (reference.py on CUDA), pytorch_cpu (reference.py on the CPU), triton")
    ap.add_argument("--only", default="", help="comma-separated fp4lab specs to run (default: every recipe)")
    ap.add_argument("--explain", type=int, default=0,
                    help="print up to N differing blocks per row (inputs, scales, codes, values) to stderr")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import fouroversix  # noqa: F401  (PYTHONPATH=.peers/fouroversix)
    xs = {k: v.cuda() for k, v in inputs(args.rows, args.cols, args.seed).items()}
    rows_out = []
    only = set(filter(None, args.only.split(",")))
    for spec, dtype_name, rule, in_pytorch in RECIPES:
        if only and spec not in only:
            continue
        for name, x in xs.items():
            tag = f"{spec.replace(':', '_')}_{name}"
            codes_l, scales_l, amax_l, dq_l = fp4lab_side(args.fp4lab, spec, x, args.out, tag)
            for backend in args.backends.split(","):
                if backend.startswith("pytorch") and not in_pytorch:
                    rows_out.append([spec, backend, name, "n/a: not in the PyTorch reference", "", "", ""])
                    continue
                try:
                    codes_r, scales_r, amax_r = reference_side(None, backend, dtype_name, rule, x)
                except Exception as ex:  # e.g. Triton needs a Blackwell GPU
                    rows_out.append([spec, backend, name, f"unavailable: {type(ex).__name__}: {str(ex)[:80]}", "", "", ""])
                    continue
                codes_r = codes_r.cpu().to(torch.uint8).reshape(codes_l.shape)
                scales_r = scales_r.cpu().reshape(scales_l.shape)
                code_mis = int((codes_r != codes_l).sum())
                scale_mis = int((scales_r != scales_l).sum())
                # the reference's dequantized values: fp4lab's decode of the reference's own
                # codes and scales (equal codes and scales give equal values; this counts what
                # a code or scale difference does to the values)
                qpath = os.path.join(args.out, f"q_{tag}.safetensors")
                qt, meta = read_safetensors(qpath)
                qt["x.codes"], qt["x.scales"] = codes_r, scales_r
                rpath = os.path.join(args.out, f"ref_{tag}_{backend}.safetensors")
                write_quantized_like(qpath, rpath, qt)
                dpath = os.path.join(args.out, f"refdq_{tag}_{backend}.safetensors")
                subprocess.run([args.fp4lab, "dequantize", rpath, "--dtype", "f32", "--out", dpath, "--quiet"], check=True)
                dq_r = read_safetensors(dpath)[0]["x"].float()
                dq_mis = int((dq_r.view(torch.int32) != dq_l.view(torch.int32)).sum())
                rows_out.append([spec, backend, name, "ok", code_mis, scale_mis, dq_mis])
                if args.explain and (code_mis or scale_mis or dq_mis):
                    explain(f"{spec} {backend} {name}", x.cpu().float(), codes_l, codes_r, scales_l, scales_r,
                            dq_l, dq_r, args.explain)
                if amax_r != amax_l and not spec.startswith("mx"):  # MX has no tensor scale: Triton reports 1.0
                    rows_out[-1][3] = f"amax differs: {amax_r} vs {amax_l}"
    w = csv.writer(sys.stdout)
    w.writerow(["recipe", "backend", "input", "status", "code_mismatches", "scale_mismatches", "dequant_mismatches"])
    w.writerows(rows_out)
    with open(os.path.join(args.out, "summary.csv"), "w", newline="") as f:
        csv.writer(f).writerows([["recipe", "backend", "input", "status", "codes", "scales", "dequant"]] + rows_out)


def explain(what, x, codes_l, codes_r, scales_l, scales_r, dq_l, dq_r, limit):
    """Prints up to `limit` blocks where fp4lab and the reference differ: the block's inputs,
    both scale bytes, both code rows and both dequantized rows (fp4lab's decode of each side)."""
    rows, cols = x.shape
    bs = cols // scales_l.shape[1]
    per_byte = 2 if codes_l.shape[-1] * 2 == cols else 1  # IF4/FP4: two codes per byte
    bad = set()
    for r, c in (scales_l != scales_r).nonzero().tolist():
        bad.add((r, c))
    for r, k in (codes_l.reshape(rows, -1) != codes_r.reshape(rows, -1)).nonzero().tolist():
        bad.add((r, (k * per_byte) // bs))
    for r, c in (dq_l.view(torch.int32) != dq_r.view(torch.int32)).nonzero().tolist():
        bad.add((r, c // bs))
    print(f"explain {what}: {len(bad)} blocks differ (block size {bs})", file=sys.stderr)
    for r, b in sorted(bad)[:limit]:
        lo, hi = b * bs, (b + 1) * bs
        cl = codes_l.reshape(rows, -1)[r, lo // per_byte:hi // per_byte].tolist()
        cr = codes_r.reshape(rows, -1)[r, lo // per_byte:hi // per_byte].tolist()
        print(f"  row {r} block {b}: scale fp4lab 0x{int(scales_l[r, b]):02x} ref 0x{int(scales_r[r, b]):02x}",
              file=sys.stderr)
        print(f"    x      {[float(v) for v in x[r, lo:hi]]}", file=sys.stderr)
        print(f"    codes  fp4lab {[hex(v) for v in cl]}\n           ref    {[hex(v) for v in cr]}", file=sys.stderr)
        print(f"    values fp4lab {[float(v) for v in dq_l[r, lo:hi]]}\n           ref    {[float(v) for v in dq_r[r, lo:hi]]}",
              file=sys.stderr)


def write_quantized_like(src, dst, tensors):
    """Copies fp4lab's quantized file `src` with its arrays replaced by `tensors` (same sizes)."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        raw = tensors[name].contiguous().view(torch.uint8).reshape(-1).numpy().tobytes()
        assert len(raw) == b - a, name
        data[8 + n + a:8 + n + b] = raw
    with open(dst, "wb") as f:
        f.write(bytes(data))


if __name__ == "__main__":
    main()
