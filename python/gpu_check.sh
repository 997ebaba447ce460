#!/usr/bin/env bash
# The Python module on the GPU machine (offline, Python 3.12, torch and nanobind preinstalled, none
# of the project's Debian packages): builds only the module (python/CMakeLists.txt standalone) over
# static libraries built on the CPU machine for sm_90, then checks that CUDA torch tensors quantize
# bit-equal to the CPU path (the whole pytest suite, test_torch.py's CUDA cases included) and
# prints a CUDA throughput line per recipe.
#   bash python/gpu_check.sh PREBUILT [LOG_DIR]
# PREBUILT: a folder holding core/, experiments/, kernels/ (their lib*.a), include/nlohmann/ and
# optionally wheels/*.whl (installed to /tmp/site: gguf for transformers); the shared libraries
# they need come from .devlib/libs.tar.xz (kernels/NOTES.md says how both are made).
# The module must be compiled by the GCC major that built the libraries (Debian 12: g++ 12): C++20
# has no stable ABI across GCC majors, and a g++ 13 module over g++ 12 libraries crashed in run().
set -uo pipefail
cd "$(dirname "$0")/.."
prebuilt=$(realpath "${1:?usage: gpu_check.sh PREBUILT [LOG_DIR]}")
logs=${2:-${OUT:-/tmp/fp4lab-py-gpu}}
mkdir -p "$logs" /tmp/libs /tmp/site
[ -f .devlib/libs.tar.xz ] && tar xJf .devlib/libs.tar.xz -C /tmp/libs
export LD_LIBRARY_PATH=/tmp/libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if compgen -G "$prebuilt/wheels/*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site "$prebuilt"/wheels/*.whl || exit 1
fi
t0=$SECONDS
cxx=${FP4LAB_PY_CXX:-$(command -v g++-12 || command -v g++)}
cmake -S python -B build-py -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP4LAB_PREBUILT="$prebuilt" -DCMAKE_CXX_COMPILER="$cxx" \
  -DFP4LAB_PREBUILT_LIBS=/tmp/libs -DFP4LAB_PREBUILT_INCLUDE="$prebuilt/include" \
  -DPython_EXECUTABLE="$(command -v python3)" > "$logs/build.log" 2>&1 &&
  cmake --build build-py --target _fp4lab -j "$(nproc)" >> "$logs/build.log" 2>&1 ||
  { tail -40 "$logs/build.log"; exit 1; }
echo "module build: $((SECONDS - t0)) s"
export PYTHONPATH=$PWD/build-py:/tmp/site
python3 - <<'PY' 2>&1 | tee "$logs/check.log"
import time, numpy as np, torch, fp4lab
print("fp4lab", fp4lab.__version__, "torch", torch.__version__, torch.cuda.get_device_name())
assert fp4lab.cuda_available(), "module built without CUDA"
x = torch.randn(4096, 8192, device="cuda", dtype=torch.bfloat16)
for spec in ["nvfp4:te", "nvfp4:4over6:mse", "mxfp4:rceil", "nvint4", "int4:g128:asym", "if4"]:
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
python3 -m pytest -q -p no:cacheprovider -rs python/tests 2>&1 | tee "$logs/pytest.log" | tail -15
