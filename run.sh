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

packages=(cmake ninja-build g++ git pkg-config libfmt-dev doctest-dev libeigen3-dev libcli11-dev
  nlohmann-json3-dev libimgui-dev libglfw3-dev libstb-dev libgl-dev libgl1-mesa-dri xvfb xauth
  python3-venv python3-dev)
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

build=build
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
if [ "${FP4LAB_SANITIZE:-0}" = 1 ]; then
  build=build-asan
  cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFP4LAB_SANITIZE=ON -DFP4LAB_CUDA=OFF)
  export FP4LAB_EXHAUSTIVE_STRIDE=${FP4LAB_EXHAUSTIVE_STRIDE:-61}
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
jobs=${FP4LAB_JOBS:-$(nproc)}
# The Python module (release tests only): a venv with nanobind, numpy, ml_dtypes and pytest;
# the module target joins this build and links the libraries it already compiled.
if [ "$mode" = test ] && [ "${FP4LAB_SANITIZE:-0}" != 1 ]; then
  venv=$build/venv
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import nanobind, numpy, ml_dtypes, pytest" 2>/dev/null; then
    python3 -m venv "$venv"
    pip_from=()
    [ -n "${FP4LAB_WHEELS:-}" ] && pip_from=(--no-index --find-links "$FP4LAB_WHEELS")
    "$venv/bin/python" -m pip install -q "${pip_from[@]}" nanobind numpy ml_dtypes pytest
  fi
  cmake_args+=(-DFP4LAB_PYTHON=ON -DPython_EXECUTABLE="$PWD/$venv/bin/python")
  grep -q "^FP4LAB_PYTHON:BOOL=ON" "$build/CMakeCache.txt" 2>/dev/null || rm -f "$build/build.ninja"
fi
[ -f "$build/build.ninja" ] || cmake -S . -B "$build" "${cmake_args[@]}"
if [ "$mode" = main ]; then
  cmake --build "$build" --target fp4lab -j "$jobs"
  "$build/experiments/fp4lab" formats --codebooks false
  "$build/experiments/fp4lab" demo --out "${FP4LAB_DEMO_OUT:-fp4lab-demo}"
else
  cmake --build "$build" -j "$jobs"
  ctest --test-dir "$build" --output-on-failure -j 2
fi
