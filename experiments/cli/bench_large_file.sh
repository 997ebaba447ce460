#!/usr/bin/env bash
# Benchmark of issue 3's memory figure: a ~4 GiB BF16 .safetensors file quantized tensor by
# tensor (and one of its tensors compared) must stay under 2 GB of resident memory.
# Usage: bench_large_file.sh [BUILD_DIR] [GIB] [RECIPE]; TMPDIR picks the scratch folder
# (it needs about 1.3 x GIB of free disk). Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
build=${1:-build}
gib=${2:-4}
recipe=${3:-nvfp4:te}
bin=$build/experiments/fp4lab
gen=$build/experiments/fp4lab-make-large-file
limit_kb=$((2 * 1000 * 1000))  # the 2 GB target, in the kB GNU time reports
for b in "$bin" "$gen"; do
  [ -x "$b" ] || { echo "bench_large_file: $b not built" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench_large_file: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fp4lab_large.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
need_kb=$(awk -v g="$gib" 'BEGIN { printf "%d", g * 1.3 * 1024 * 1024 }')
free_kb=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt "$need_kb" ]; then
  echo "bench_large_file: $tmp has $((free_kb / 1024)) MiB free, needs $((need_kb / 1024)) MiB" >&2
  exit 2
fi

fails=0
# measure NAME -- command...: wall time and max RSS, against the target
measure() {
  local name=$1
  shift 2
  if ! /usr/bin/time -v -o "$tmp/time.txt" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
    echo "bench_large_file: '$name' failed:" >&2
    cat "$tmp/err.txt" "$tmp/time.txt" >&2
    exit 1
  fi
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$tmp/time.txt")
  local verdict=ok
  if [ "$rss" -gt "$limit_kb" ]; then verdict=OVER; fails=$((fails + 1)); fi
  printf '%-52s wall %9s  max RSS %7.1f MiB (%5.2f GB)  target 2 GB: %s\n' "$name" "$wall" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rss" 'BEGIN { print k * 1024 / 1e9 }')" "$verdict"
}

in=$tmp/large.safetensors
echo "generating $gib GiB of BF16 in $tmp ..."
"$gen" "$in" --gib "$gib"
ls -l "$in" | awk '{ printf "input: %s bytes (%.2f GiB)\n", $5, $5 / 2^30 }'

echo "cores: $(nproc); recipe: $recipe"
measure "quantize (every tensor, $recipe)" -- "$bin" quantize "$in" --recipe "$recipe" --out "$tmp/q.safetensors"
grep -c '^\[' "$tmp/err.txt" | awk '{ print "  tensors quantized: " $1 }'
ls -l "$tmp/q.safetensors" | awk '{ printf "  output: %.2f GiB\n", $5 / 2^30 }'
measure "quantize --swizzle (nvfp4:4over6:mse)" -- "$bin" quantize "$in" --recipe nvfp4:4over6:mse --swizzle --quiet --out "$tmp/q2.safetensors"
rm -f "$tmp/q2.safetensors"
measure "dequantize to bf16" -- "$bin" dequantize "$tmp/q.safetensors" --dtype bf16 --quiet --out "$tmp/dq.safetensors"
rm -f "$tmp/dq.safetensors"
measure "compare --tensor model.layers.0.mlp.up_proj.weight" -- "$bin" compare --input "$in" --tensor model.layers.0.mlp.up_proj.weight --quiet
sed -n '1,12p' "$tmp/out.txt" | sed 's/^/  /'
echo "$fails measurement(s) over 2 GB"
[ "$fails" -eq 0 ]
