#!/usr/bin/env bash
# The Python module on the GPU machine (offline, Python 3.12, torch preinstalled): builds the
# module with the CUDA kernels for sm_90, then checks that CUDA torch tensors quantize bit-equal
# to the CPU path (python/tests/test_torch.py, CUDA cases included) and prints a CUDA bench line.
# The GPU image already holds nanobind, numpy, ml-dtypes, pytest and scikit-build-core (KINDS.md);
# wheels carried in .whl/ (device README) are installed first when present.
# On the GPU machine:  bash python/gpu_check.sh [LOG_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
logs=${1:-${OUT:-/tmp/fp4lab-py-gpu}}
mkdir -p "$logs"
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
fi
build=${FP4LAB_GPU_BUILD:-build-gpu}  # the same folder as kernels/run_gpu.sh: a warm machine reuses its kernels
t0=$SECONDS
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP4LAB_GUI=OFF -DFP4LAB_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DFP4LAB_PYTHON=ON -DPython_EXECUTABLE="$(command -v python3)" > "$logs/build.log" 2>&1 &&
  cmake --build "$build" --target _fp4lab fp4lab -j "$(nproc)" >> "$logs/build.log" 2>&1 ||
  { tail -40 "$logs/build.log"; exit 1; }
echo "build: $((SECONDS - t0)) s"
export PYTHONPATH=$PWD/$build/python:/tmp/site FP4LAB_CLI=$PWD/$build/experiments/fp4lab
python3 - <<'PY' 2>&1 | tee "$logs/check.log"
import time, numpy as np, torch, fp4lab
assert fp4lab.cuda_available(), "module built without CUDA"
x = torch.randn(4096, 8192, device="cuda", dtype=torch.bfloat16)
for spec in ["nvfp4:te", "nvfp4:4over6:mse", "mxfp4:rceil", "nvint4", "int4:g128:asym"]:
    g, c = fp4lab.quantize(x, spec), fp4lab.quantize(x.cpu(), spec)
    same = (np.array_equal(g.codes.cpu().numpy(), c.codes) and np.array_equal(g.scales.cpu().numpy().ravel(), c.scales.ravel())
            and g.group_scales.cpu().numpy().tobytes() == c.group_scales.tobytes() and g.tensor_scale == c.tensor_scale)
    f = fp4lab.fake_quantize(x, spec)
    same_fq = torch.equal(f.cpu(), fp4lab.fake_quantize(x.cpu(), spec))
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(20): fp4lab.fake_quantize(x, spec)
    torch.cuda.synchronize(); dt = (time.perf_counter() - t) / 20
    print(f"{spec:<18} cuda==cpu codes/scales: {same}  fake_quantize: {same_fq}  "
          f"{x.numel() / dt / 1e9:.1f} Gelem/s ({dt * 1e3:.2f} ms, 64 MiB bf16)")
PY
python3 -m pytest -q -p no:cacheprovider python/tests/test_torch.py python/tests/test_roundtrip.py 2>&1 | tee "$logs/pytest.log" | tail -5
