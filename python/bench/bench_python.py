"""Python-call throughput of fp4lab.fake_quantize against the C++ bench (fp4lab-bench-cpu) on
the same recipes and size (BF16 -> BF16, best of N runs, 1 core and all cores), and the per-call
overhead on small tensors in microseconds. Prints figures; not a test.

    python python/bench/bench_python.py --bench build/experiments/fp4lab-bench-cpu [--rows 4096 --cols 8192]
"""

import argparse
import re
import subprocess
import time

import ml_dtypes
import numpy as np

import fp4lab

RECIPES = ["nvfp4:te", "nvfp4:4over6:mse", "mxfp4:floor"]


def best_of(reps, fn):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cpp_figures(bench, rows, cols, reps):
    """{recipe: (1-core Melem/s, all-core Melem/s)} from the C++ bench's table."""
    out = subprocess.run([bench, "--rows", str(rows), "--cols", str(cols), "--reps", str(reps)],
                         capture_output=True, text=True, check=True).stdout
    figures = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+x$", line.strip())
        if m and m.group(1) in RECIPES:
            figures[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return figures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default="build/experiments/fp4lab-bench-cpu")
    ap.add_argument("--rows", type=int, default=4096)
    ap.add_argument("--cols", type=int, default=8192)  # 4096 x 8192 BF16 = 64 MiB
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()

    x = np.random.default_rng(1234).standard_normal((a.rows, a.cols), dtype=np.float32).astype(ml_dtypes.bfloat16)
    n = x.size
    cpp = cpp_figures(a.bench, a.rows, a.cols, a.reps)
    print(f"fake_quantize {a.rows}x{a.cols} BF16 -> BF16 ({x.nbytes / 2**20:.0f} MiB), best of {a.reps}")
    print(f"{'recipe':<18} {'threads':>7} {'C++ Melem/s':>12} {'Python Melem/s':>15} {'Python/C++':>11}")
    for spec in RECIPES:
        for threads, col in ((1, 0), (0, 1)):
            t = best_of(a.reps, lambda: fp4lab.fake_quantize(x, spec, threads=threads))
            py = n / t / 1e6
            ref = cpp.get(spec, (float("nan"),) * 2)[col]
            print(f"{spec:<18} {('1' if threads == 1 else 'all'):>7} {ref:>12.1f} {py:>15.1f} {py / ref:>10.3f}x")

    print("\nper-call time on small tensors (fake_quantize nvfp4:te, 1 thread; quantize; median of 2000 calls)")
    for shape in ((16,), (1, 64), (16, 16), (64, 64), (256, 256)):
        s = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
        for name, fn in (("fake_quantize", lambda: fp4lab.fake_quantize(s, "nvfp4:te", threads=1)),
                         ("quantize", lambda: fp4lab.quantize(s, "nvfp4:te", threads=1))):
            times = []
            for _ in range(2000):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            print(f"  {name:<14} {str(shape):<12} {np.median(times) * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
