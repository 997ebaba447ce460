#!/usr/bin/env bash
# Builds the libFuzzer targets (Debian's clang 14) for the file readers (safetensors, npy, the
# quantized file, GGUF) and the recipe-spec parser and runs each for a short fixed time from the seed
# corpus in tests/fuzz/corpus/.
# Usage: bash tests/fuzz/run_fuzzers.sh [SECONDS_EACH]   (installs clang if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
if ! command -v clang++-14 >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev
fi
out=build-fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I.)
# The recipe-spec parser, then core/io's sources and what they use of core (quantized_file.cpp
# parses recipe specs and sizes tensors with core/quantized_sizes.cpp). Written out, as in CMake.
spec_sources=(core/recipe_spec.cpp core/recipe_spec_parse.cpp)
io_sources=(core/io/atomic_write.cpp core/io/temp_registry.cpp core/io/mapped_file.cpp core/io/npy.cpp core/io/quantized_file.cpp core/io/quantized_passthrough.cpp
  core/io/safetensors.cpp core/io/safetensors_writer.cpp core/io/gguf.cpp core/tensor.cpp core/quantized_sizes.cpp core/block_axis.cpp
  "${spec_sources[@]}")
# Each source compiled once (two at a time), then linked into every target that needs it.
objects() {
  local src
  for src in "$@"; do echo "$out/obj/${src//\//_}.o"; done
}
mkdir -p "$out/obj"
for src in "${io_sources[@]}" tests/fuzz/{safetensors,npy,quantized_file,gguf,recipe_spec}_fuzz.cpp; do
  clang++-14 "${flags[@]}" -c "$src" -o "$(objects "$src")" &
  [ "$(jobs -r | wc -l)" -ge "$(nproc)" ] && wait -n
done
while [ "$(jobs -r | wc -l)" -gt 0 ]; do wait -n; done
mapfile -t io_objects < <(objects "${io_sources[@]}")
mapfile -t spec_objects < <(objects "${spec_sources[@]}")
for target in safetensors npy quantized_file gguf; do
  clang++-14 "${flags[@]}" "$(objects tests/fuzz/${target}_fuzz.cpp)" "${io_objects[@]}" -o "$out/${target}_fuzz"
done
clang++-14 "${flags[@]}" "$(objects tests/fuzz/recipe_spec_fuzz.cpp)" "${spec_objects[@]}" -o "$out/recipe_spec_fuzz"
for target in safetensors npy quantized_file gguf recipe_spec; do
  work="$out/corpus_$target"
  mkdir -p "$work"
  cp -n tests/fuzz/corpus/"$target"/* "$work"/ 2>/dev/null || true
  echo "fuzz: $target for ${seconds}s"
  if ! "$out/${target}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/$target-" \
    "$work" >"$out/$target.log" 2>&1; then
    echo "fuzz: $target FAILED"
    tail -n 40 "$out/$target.log"
    exit 1
  fi
  grep -E "stat::number_of_executed_units" "$out/$target.log" || true
done
echo "fuzz: all targets clean"
