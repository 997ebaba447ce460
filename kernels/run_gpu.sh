#!/usr/bin/env bash
# One call on a lent GPU machine: the GPU tests, compute-sanitizer (memcheck, racecheck),
# `fp4lab verify`, `fp4lab bench` and the PyTorch peer (kernels/peer_torch.py), with a summary
# table last. Usage: bash kernels/run_gpu.sh [BUILD_DIR] [LOG_DIR]
#   BUILD_DIR holding experiments/fp4lab and tests/test_kernels (built elsewhere and carried),
#   or absent: configured and built here for sm_90 only. LOG_DIR (default $OUT or /tmp/fp4lab-gpu)
#   receives every log.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-gpu}
logs=${2:-${OUT:-/tmp/fp4lab-gpu}}
mkdir -p "$logs"
if [ ! -x "$build/experiments/fp4lab" ] || [ ! -x "$build/tests/test_kernels" ]; then
  echo "run_gpu: building in $build (sm_90)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP4LAB_GUI=OFF -DCMAKE_CUDA_ARCHITECTURES=90 \
    > "$logs/configure.log" 2>&1 && cmake --build "$build" --target fp4lab test_kernels -j "$(nproc)" \
    > "$logs/build.log" 2>&1 || { tail -30 "$logs/build.log"; exit 1; }
fi
fp4lab=$build/experiments/fp4lab
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv,noheader | tee "$logs/gpu.txt"

step() {  # step NAME COMMAND...: runs, logs, records the exit status
  local name=$1
  shift
  local t0=$SECONDS
  "$@" > "$logs/$name.log" 2>&1
  local rc=$?
  printf '%-12s rc=%d  %4d s\n' "$name" "$rc" "$((SECONDS - t0))" | tee -a "$logs/steps.txt"
}
step tests "$build/tests/test_kernels"
step memcheck compute-sanitizer --tool memcheck --error-exitcode 9 "$build/tests/test_kernels" -tce="*every float*"
step racecheck compute-sanitizer --tool racecheck --error-exitcode 9 "$build/tests/test_kernels" -tce="*every float*"
step verify "$fp4lab" verify ${FP4LAB_VERIFY_SEED:+--seed $FP4LAB_VERIFY_SEED}
# compare --device cuda against --device cpu on one 8192 x 8192 BF16 tensor: same table, times
for d in cpu cuda; do
  step "compare_$d" bash -c "time $fp4lab compare --device $d --rows 8192 --cols 8192 --quiet --out $logs/compare_$d"
done
mkdir -p /tmp/fp4lab-dump
step bench "$fp4lab" bench --csv "$logs/bench.csv" --dump-dir /tmp/fp4lab-dump
PYTHONUNBUFFERED=1 step peer timeout 300 python3 kernels/peer_torch.py --dump-dir /tmp/fp4lab-dump \
  --bench-csv "$logs/bench.csv" --sizes-mib 16,256,1024

echo
echo "==================== summary ===================="
cat "$logs/steps.txt"
grep -E "test cases|assertions" "$logs/tests.log" | tail -2
grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$logs/memcheck.log" "$logs/racecheck.log"
sed -n '/^summary on/,$p' "$logs/verify.log"
for d in cpu cuda; do echo "compare --device $d:"; cat "$logs/compare_$d.log"; done
cmp -s "$logs/compare_cpu/table_metrics.csv" "$logs/compare_cuda/table_metrics.csv" &&
  echo "compare tables: identical on cpu and cuda" || echo "compare tables: DIFFER"
sed -n '/^summary on/,$p' "$logs/bench.log"
sed -n '/^bit equality/,$p' "$logs/peer.log"
