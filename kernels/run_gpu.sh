#!/usr/bin/env bash
# One call on a lent GPU machine: the GPU tests, compute-sanitizer (memcheck, racecheck),
# `fp4lab verify`, `compare --device cuda` against `--device cpu`, `fp4lab bench` and the
# PyTorch peer (kernels/peer_torch.py), with a summary table last.
# Usage: bash kernels/run_gpu.sh [BUILD_DIR] [LOG_DIR]
#   BUILD_DIR holding experiments/fp4lab and tests/test_kernels (built elsewhere and carried),
#   or absent: configured and built here for sm_90 only. LOG_DIR (default $OUT or /tmp/fp4lab-gpu)
#   receives eight files: summary.txt, tests.log, sanitize.log, verify.log, compare.log,
#   bench.log, bench.csv, peer.log (and peer_fouroversix.log when .peers/fouroversix is present).
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-gpu}
logs=${2:-${OUT:-/tmp/fp4lab-gpu}}
work=$(mktemp -d)
mkdir -p "$logs"
if [ ! -x "$build/experiments/fp4lab" ] || [ ! -x "$build/tests/test_kernels" ]; then
  echo "run_gpu: building in $build (sm_90)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP4LAB_GUI=OFF -DCMAKE_CUDA_ARCHITECTURES=90 \
    > "$work/configure.log" 2>&1 && cmake --build "$build" --target fp4lab test_kernels -j "$(nproc)" \
    > "$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
fi
fp4lab=$build/experiments/fp4lab
summary=$logs/summary.txt
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv,noheader > "$summary"

step() {  # step LOG NAME COMMAND...: runs, appends to LOG, records the exit status and time
  local log=$1 name=$2
  shift 2
  local t0=$SECONDS
  echo "===== $name" >> "$log"
  "$@" >> "$log" 2>&1
  local rc=$?
  printf '%-14s rc=%d  %4d s\n' "$name" "$rc" "$((SECONDS - t0))" | tee -a "$work/steps.txt"
}
step "$logs/tests.log" tests "$build/tests/test_kernels"
step "$logs/sanitize.log" memcheck compute-sanitizer --tool memcheck --error-exitcode 9 "$build/tests/test_kernels" \
  -tce="*every float*"
step "$logs/sanitize.log" racecheck compute-sanitizer --tool racecheck --error-exitcode 9 "$build/tests/test_kernels" \
  -tce="*every float*"
step "$logs/verify.log" verify "$fp4lab" verify ${FP4LAB_VERIFY_SEED:+--seed $FP4LAB_VERIFY_SEED}
for d in cpu cuda; do  # one 8192 x 8192 BF16 tensor, 8 recipes: the same table either way
  step "$logs/compare.log" "compare_$d" bash -c "time $fp4lab compare --device $d --rows 8192 --cols 8192 --quiet \
    --out $work/compare_$d"
done
mkdir -p "$work/dump"
step "$logs/bench.log" bench "$fp4lab" bench --csv "$logs/bench.csv" --dump-dir "$work/dump"
PYTHONUNBUFFERED=1 step "$logs/peer.log" peer timeout 300 python3 kernels/peer_torch.py --dump-dir "$work/dump" \
  --bench-csv "$logs/bench.csv" --sizes-mib 16,256,1024
if [ -d .peers/fouroversix ]; then  # FORMATS.md §9 against fouroversix 1.1 (../shared/peers, carried as .peers/)
  PYTHONUNBUFFERED=1 step "$logs/peer_fouroversix.log" peer_4over6 timeout 900 env PYTHONPATH=.peers/fouroversix \
    python3 kernels/peer_fouroversix.py --fp4lab "$fp4lab" --out "$work/peer_fouroversix"
fi

{
  echo
  echo "==================== summary ===================="
  cat "$work/steps.txt"
  grep -E "test cases|assertions" "$logs/tests.log" | tail -2
  grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$logs/sanitize.log"
  sed -n '/^summary on/,$p' "$logs/verify.log"
  grep -E "^real" "$logs/compare.log" | paste -sd ' ' | sed 's/^/compare 8192x8192, 8 recipes, cpu then cuda: /'
  same=0 differ=0
  for f in "$work"/compare_cpu/*.csv; do
    if cmp -s "$f" "$work/compare_cuda/$(basename "$f")"; then same=$((same + 1)); else differ=$((differ + 1)); fi
  done
  echo "compare CSV files (metrics table, histograms): $same identical on cpu and cuda, $differ differ"
  sed -n '/^summary on/,$p' "$logs/bench.log"
  sed -n '/^bit equality/,$p' "$logs/peer.log"
  [ -f "$logs/peer_fouroversix.log" ] && grep -E "^(recipe|nv|mx|if)" "$logs/peer_fouroversix.log"
} | tee -a "$summary"
rm -rf "$work"
