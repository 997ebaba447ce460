#!/usr/bin/env bash
# The fp4lab CLI end to end: exit codes, files written, bad inputs rejected with a message
# and no partial output. Usage: cli_test.sh FP4LAB_BINARY DATA_DIR
set -u
bin=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=expect.sh
source "$(dirname "$0")/expect.sh"

expect "help" 0 "fp4lab list" -- "$bin" --help
expect "list names every experiment" 0 "compare" -- "$bin" list
expect "version" 0 "fp4lab" -- "$bin" --version
expect "no arguments is a usage error" 2 "usage" -- "$bin"
expect "unknown command" 1 "unknown command 'frobnicate'" -- "$bin" frobnicate
expect "experiment help lists parameters" 0 "--recipes" -- "$bin" compare --help
expect "walkthrough table 2" 0 "68.25" -- "$bin" walkthrough --values 15,30,120,180 --quiet
expect "bad recipe names the token" 1 "token 2 'tee'" -- "$bin" compare --recipes nvfp4:tee --rows 16 --cols 16 --quiet
expect "unknown option" 1 "unknown option '--rowz'" -- "$bin" compare --rowz 3 --quiet
expect "non-numeric value" 1 "takes a number" -- "$bin" compare --rows abc --quiet
expect "absurd size" 1 "rows" -- "$bin" compare --rows 0 --quiet
expect "missing value" 1 "needs a value" -- "$bin" compare --rows
expect "unknown tensor lists the names" 1 "weight.f32" -- "$bin" compare --input "$data/golden/golden.safetensors" --tensor nope --quiet
expect "file input" 0 "nvfp4:te" -- "$bin" compare --input "$data/golden/golden_f32.npy" --recipes nvfp4:te --quiet
expect "missing file" 1 "" -- "$bin" compare --input "$tmp/none.safetensors" --quiet

printf 'garbage' >"$tmp/bad.safetensors"
expect "truncated safetensors" 1 "bad.safetensors" -- "$bin" compare --input "$tmp/bad.safetensors" --quiet

# --threads N everywhere (experiments without a thread count accept it and run on one)
expect "threads" 0 "nvfp4:te" -- "$bin" compare --rows 64 --cols 64 --recipes nvfp4:te --threads 1 --quiet
expect "threads on a one-thread experiment" 0 "" -- "$bin" walkthrough --values 1,2 --threads 2 --quiet
expect "bad threads" 1 "--threads takes an integer" -- "$bin" compare --rows 64 --cols 64 --threads -1 --quiet
expect "absurd threads" 1 "--threads takes an integer" -- "$bin" demo --threads 5000 --quiet
# the progress bar goes to stderr, and --quiet silences it
"$bin" compare --rows 64 --cols 64 --recipes nvfp4:te >"$tmp/p.out" 2>"$tmp/p.err"
if grep -q '100%' "$tmp/p.err" && ! grep -q '100%' "$tmp/p.out"; then pass "progress bar on stderr"; else fail "progress bar: $(head -c 200 "$tmp/p.err")"; fi
"$bin" compare --rows 64 --cols 64 --recipes nvfp4:te --quiet >"$tmp/p.out" 2>"$tmp/p.err"
if [ ! -s "$tmp/p.err" ] && [ -s "$tmp/p.out" ]; then pass "--quiet: nothing on stderr"; else fail "--quiet left: $(head -c 200 "$tmp/p.err")"; fi

# --out writes a report folder
"$bin" compare --rows 64 --cols 64 --recipes nvfp4:te,mxfp4 --out "$tmp/report" --quiet >/dev/null 2>&1
for f in result.json index.html table_metrics.csv hist_error.svg hist_error.csv; do
  if [ -s "$tmp/report/$f" ]; then pass "report has $f"; else fail "report lacks $f"; fi
done
if ls "$tmp/report" | grep -q '\.tmp'; then fail "report left temporary files"; else pass "no temporary files"; fi

# a batch config, validated before anything runs
cat >"$tmp/batch.json" <<JSON
{"runs": [{"experiment": "walkthrough", "params": {"values": "1,2,3"}, "out": "$tmp/b1"},
          {"experiment": "error-profile", "params": {"points": 101}, "out": "$tmp/b2"}]}
JSON
expect "batch runs" 0 "" -- "$bin" run "$tmp/batch.json" --quiet
if [ -s "$tmp/b1/result.json" ] && [ -s "$tmp/b2/result.json" ]; then pass "batch wrote both"; else fail "batch outputs"; fi
cat >"$tmp/badbatch.json" <<JSON
{"runs": [{"experiment": "walkthrough", "params": {"values": "1"}, "out": "$tmp/c1"},
          {"experiment": "compare", "params": {"rowz": 3}, "out": "$tmp/c2"}]}
JSON
expect "bad batch rejected before running" 1 "unknown parameter 'rowz'" -- "$bin" run "$tmp/badbatch.json" --quiet
if [ -e "$tmp/c1" ]; then fail "bad batch ran its first step"; else pass "bad batch wrote nothing"; fi
printf '{not json' >"$tmp/broken.json"
expect "broken batch JSON" 1 "not valid JSON" -- "$bin" run "$tmp/broken.json"

# the demo, small
expect "demo" 0 "demo report" -- "$bin" demo --out "$tmp/demo" --rows 64 --cols 64 --format svg,png,pdf --quiet
if [ -s "$tmp/demo/index.html" ] && [ -s "$tmp/demo/04_compare/index.html" ]; then pass "demo index"; else fail "demo index"; fi
for f in 04_compare/hist_error.svg 04_compare/hist_error.png 04_compare/hist_error.pdf 05_select/map_decision_map.pdf 07_ablate/bars_bars.png; do
  if [ -s "$tmp/demo/$f" ]; then pass "demo wrote $f"; else fail "demo lacks $f"; fi
done
if grep -q "Adaptive types: NVFP4, 4/6, IF4" "$tmp/demo/index.html" && grep -q "<td>if4:mse:bs=16</td>" "$tmp/demo/index.html" &&
  [ -s "$tmp/demo/10_adaptive_outliers/index.html" ]; then
  pass "demo index has the adaptive-types view"; else fail "demo adaptive-types view"; fi
if grep -q "Headline" "$tmp/demo/index.html" && grep -q "<img src=\"04_compare/hist_error.svg\"" "$tmp/demo/index.html"; then
  pass "demo index leads with the headline and key figures"; else fail "demo index headline"; fi
# every PDF the demo wrote renders through pdftoppm, each page
npdf=0; nbad=0
while IFS= read -r pdf; do
  npdf=$((npdf + 1))
  pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  rm -f "$tmp/page"*.png
  if [ -n "$pages" ] && pdftoppm -r 10 -png "$pdf" "$tmp/page" 2>/dev/null && [ "$(ls "$tmp/page"*.png 2>/dev/null | wc -l)" = "$pages" ]; then :; else nbad=$((nbad + 1)); fi
done < <(find "$tmp/demo" -name '*.pdf')
if [ "$npdf" -gt 5 ] && [ "$nbad" = 0 ]; then pass "pdftoppm rendered every page of $npdf PDFs"; else fail "PDFs: $nbad of $npdf did not render"; fi
expect "bad format" 1 "unknown figure format 'gif'" -- "$bin" demo --out "$tmp/demo2" --format svg,gif --quiet
expect "bad format on an experiment" 1 "unknown figure format 'jpg'" -- "$bin" walkthrough --values 1,2 --format jpg --quiet

# quantize / dequantize a whole file
golden=$data/golden/golden.safetensors
expect "quantize help" 0 "--recipe SPEC" -- "$bin" quantize --help
expect "dequantize help" 0 "--dtype" -- "$bin" dequantize --help
expect "usage lists quantize" 0 "fp4lab quantize" -- "$bin" --help
for spec in nvfp4:te mxfp4:rceil nvfp4:4over6:mse int4:g32:asym; do
  for sw in "" --swizzle; do
    name=$(tr ':' '_' <<<"$spec")${sw:+_sw}
    expect "quantize $spec $sw" 0 "wrote" -- "$bin" quantize "$golden" --recipe "$spec" $sw --out "$tmp/$name.q.safetensors"
    if [ -s "$tmp/$name.q.safetensors" ]; then pass "quantize $spec $sw wrote its file"; else fail "quantize $spec $sw: no file"; fi
    expect "dequantize $spec $sw" 0 "wrote" -- "$bin" dequantize "$tmp/$name.q.safetensors" --dtype bf16 --out "$tmp/$name.dq.safetensors"
    if [ -s "$tmp/$name.dq.safetensors" ]; then pass "dequantize $spec $sw wrote its file"; else fail "dequantize $spec $sw: no file"; fi
    # the dequantized file is a plain safetensors input: it lists the original tensors
    expect "dequantized $spec $sw reads back" 0 "weight.f32" -- "$bin" compare --input "$tmp/$name.dq.safetensors" --tensor weight.f32 --recipes nvfp4:te --quiet
  done
done
expect "quantize a .npy" 0 "" -- "$bin" quantize "$data/golden/golden_f32.npy" --recipe nvint4 --out "$tmp/npy.q.safetensors" --quiet
if [ -s "$tmp/npy.q.safetensors" ]; then pass "quantize .npy wrote its file"; else fail "quantize .npy: no file"; fi
expect "quantize a glob" 0 "weight.f32" -- "$bin" quantize "$golden" --recipe nvfp4:te --tensors 'weight.*' --out "$tmp/glob.q.safetensors"
expect "dequantize f32 of a glob" 0 "" -- "$bin" dequantize "$tmp/glob.q.safetensors" --out "$tmp/glob.dq.safetensors" --quiet
# the quantized file, fed back to diff as an external library's output: no difference
expect "diff external round trip" 0 "codes differ: 0 of 6" -- "$bin" diff --input "$golden" --tensor weight.f32 --recipe-a nvfp4:te --external "$tmp/nvfp4_te_sw.q.safetensors" --prefix weight.f32 --quiet
expect "diff external other recipe" 0 "tensor scale" -- "$bin" diff --input "$golden" --tensor weight.f32 --recipe-a nvfp4:4over6:mse --external "$tmp/nvfp4_te.q.safetensors" --prefix weight.f32 --quiet

# bad quantize / dequantize inputs: a message naming the problem, non-zero exit, no output left
qfail() {  # qfail NAME RC PATTERN OUTFILE -- command...
  local name=$1 out=$4
  expect "$1" "$2" "$3" -- "${@:6}"
  if ls "$(dirname "$out")" | grep -q "^$(basename "$out")"; then fail "$name left $(ls "$(dirname "$out")" | grep "^$(basename "$out")")"; else pass "$name left no output"; fi
}
mkdir -p "$tmp/bad"
qfail "quantize bad recipe names the token" 1 "token 2 'tee'" "$tmp/bad/r.safetensors" -- "$bin" quantize "$golden" --recipe nvfp4:tee --out "$tmp/bad/r.safetensors"
qfail "quantize bad option token" 1 "bs=7" "$tmp/bad/r.safetensors" -- "$bin" quantize "$golden" --recipe nvfp4:te:bs=7 --out "$tmp/bad/r.safetensors"
qfail "quantize unknown tensor glob lists names" 1 "weight.f32" "$tmp/bad/g.safetensors" -- "$bin" quantize "$golden" --recipe nvfp4:te --tensors 'layers.*' --out "$tmp/bad/g.safetensors"
head -c 200 "$golden" >"$tmp/trunc.safetensors"
qfail "quantize truncated input" 1 "trunc.safetensors" "$tmp/bad/t.safetensors" -- "$bin" quantize "$tmp/trunc.safetensors" --recipe nvfp4:te --out "$tmp/bad/t.safetensors"
qfail "quantize garbage input" 1 "bad.safetensors" "$tmp/bad/b.safetensors" -- "$bin" quantize "$tmp/bad.safetensors" --recipe nvfp4:te --out "$tmp/bad/b.safetensors"
qfail "quantize missing input" 1 "none.safetensors" "$tmp/bad/m.safetensors" -- "$bin" quantize "$tmp/none.safetensors" --recipe nvfp4:te --out "$tmp/bad/m.safetensors"
qfail "quantize without --recipe" 2 "--recipe SPEC is required" "$tmp/bad/n.safetensors" -- "$bin" quantize "$golden" --out "$tmp/bad/n.safetensors"
qfail "quantize unknown option" 2 "unknown option '--swizle'" "$tmp/bad/o.safetensors" -- "$bin" quantize "$golden" --recipe nvfp4:te --swizle --out "$tmp/bad/o.safetensors"
qfail "quantize absurd threads" 2 "--threads takes an integer" "$tmp/bad/th.safetensors" -- "$bin" quantize "$golden" --recipe nvfp4:te --threads -3 --out "$tmp/bad/th.safetensors"
qfail "quantize into a missing folder" 1 "" "$tmp/bad/nodir" -- "$bin" quantize "$golden" --recipe nvfp4:te --out "$tmp/bad/nodir/q.safetensors"
head -c 300 "$tmp/nvfp4_te.q.safetensors" >"$tmp/qtrunc.safetensors"
qfail "dequantize truncated file" 1 "qtrunc.safetensors" "$tmp/bad/d.safetensors" -- "$bin" dequantize "$tmp/qtrunc.safetensors" --out "$tmp/bad/d.safetensors"
qfail "dequantize a plain file" 1 "fp4lab.format" "$tmp/bad/p.safetensors" -- "$bin" dequantize "$golden" --out "$tmp/bad/p.safetensors"
qfail "dequantize bad dtype" 2 "--dtype takes f32, bf16 or f16" "$tmp/bad/dt.safetensors" -- "$bin" dequantize "$tmp/nvfp4_te.q.safetensors" --dtype f8 --out "$tmp/bad/dt.safetensors"
# mknpy FILE SHAPE DATA: a float32 .npy (version 1.0) with SHAPE like "(4,)" and DATA as printf escapes
mknpy() {
  local h="{'descr': '<f4', 'fortran_order': False, 'shape': $2, }"
  local total=$(((10 + ${#h} + 1 + 63) / 64 * 64))
  local hl=$((total - 10))
  {
    printf '\x93NUMPY\x01\x00'
    printf "\\x$(printf %02x $((hl & 255)))\\x$(printf %02x $((hl >> 8)))"
    printf '%s%*s\n' "$h" $((hl - ${#h} - 1)) ""
    printf "$3"
  } >"$1"
}
# [1, NaN, 2, Inf]: counted and reported; quantize refuses unless --allow-nonfinite
mknpy "$tmp/nonfinite.npy" "(4,)" '\x00\x00\x80\x3f\x00\x00\xc0\x7f\x00\x00\x00\x40\x00\x00\x80\x7f'
expect "compare counts NaN/Inf" 0 "2 nonfinite" -- "$bin" compare --input "$tmp/nonfinite.npy" --recipes nvfp4:te --quiet
qfail "quantize refuses NaN/Inf" 1 "nonfinite: 2; nothing was written" "$tmp/bad/nf.safetensors" -- "$bin" quantize "$tmp/nonfinite.npy" --recipe nvfp4:te --out "$tmp/bad/nf.safetensors"
expect "quantize --allow-nonfinite warns" 0 "warning: NaN/Inf inputs" -- "$bin" quantize "$tmp/nonfinite.npy" --recipe nvfp4:te --allow-nonfinite --out "$tmp/nonfinite.q.safetensors"
# bits/value counts padding (README "Bits per value"): [4, 40, 3] pads rows of 3 to 16, --block-axis 1 avoids it
mknpy "$tmp/axis.npy" "(4, 40, 3)" "$(printf '\\x00\\x00\\x80\\x3f%.0s' $(seq 480))"
expect "quantize reports padded bits/value" 0 "24.133 bits/value" -- "$bin" quantize "$tmp/axis.npy" --recipe nvfp4:te --out "$tmp/axis_last.q.safetensors"
expect "quantize --block-axis 1" 0 "along axis 1, 5.533 bits/value" -- "$bin" quantize "$tmp/axis.npy" --recipe nvfp4:te --block-axis 1 --out "$tmp/axis1.q.safetensors"
expect "dequantize restores the layout of --block-axis 1" 0 "\[4, 40, 3\]" -- "$bin" dequantize "$tmp/axis1.q.safetensors" --out "$tmp/axis1.dq.safetensors"
qfail "quantize --block-axis 3 of a rank-3 tensor" 2 "block axis 3 does not exist in a tensor of rank 3: use -3..2" "$tmp/bad/axis3.safetensors" -- "$bin" quantize "$tmp/axis.npy" --recipe nvfp4:te --block-axis 3 --out "$tmp/bad/axis3.safetensors"
expect "compare --block-axis -2" 0 "blocked along axis 1" -- "$bin" compare --input "$tmp/axis.npy" --recipes nvfp4:te --block-axis -2 --quiet
mknpy "$tmp/empty.npy" "(0,)" ''
qfail "quantize an empty tensor" 1 "empty array" "$tmp/bad/e.safetensors" -- "$bin" quantize "$tmp/empty.npy" --recipe nvfp4:te --out "$tmp/bad/e.safetensors"
expect "compare an empty tensor" 1 "empty tensor" -- "$bin" compare --input "$tmp/empty.npy" --quiet
if [ -z "$(ls -A "$tmp/bad")" ]; then pass "failed commands left nothing"; else fail "failed commands left: $(ls -A "$tmp/bad")"; fi

# ---- output safety (issue 14): nothing overwritten or left behind silently ----
# 1, 5: an existing output file is refused unless --force; the writer follows the extension
cp "$tmp/nvfp4_te.q.safetensors" "$tmp/keep.q"
expect "quantize refuses an existing --out" 1 "nvfp4_te.q.safetensors exists; pass --force to overwrite it" -- "$bin" quantize "$golden" --recipe mxfp4 --out "$tmp/nvfp4_te.q.safetensors" --quiet
if cmp -s "$tmp/keep.q" "$tmp/nvfp4_te.q.safetensors"; then pass "the refused file is untouched"; else fail "the refused file changed"; fi
expect "quantize --force overwrites" 0 "" -- "$bin" quantize "$golden" --recipe mxfp4 --out "$tmp/nvfp4_te.q.safetensors" --force --quiet
if cmp -s "$tmp/keep.q" "$tmp/nvfp4_te.q.safetensors"; then fail "--force did not overwrite"; else pass "--force overwrote"; fi
expect "dequantize refuses an existing --out" 1 "glob.dq.safetensors exists; pass --force" -- "$bin" dequantize "$tmp/glob.q.safetensors" --out "$tmp/glob.dq.safetensors" --quiet
expect "dequantize --force overwrites" 0 "" -- "$bin" dequantize "$tmp/glob.q.safetensors" --out "$tmp/glob.dq.safetensors" --force --quiet
qfail "quantize --out .npy is refused" 1 "writes a .safetensors file" "$tmp/bad/q.npy" -- "$bin" quantize "$golden" --recipe nvfp4:te --out "$tmp/bad/q.npy"
qfail "dequantize --out .npy is refused" 1 "writes a .safetensors file" "$tmp/bad/d.npy" -- "$bin" dequantize "$tmp/glob.q.safetensors" --out "$tmp/bad/d.npy"
# 2: a non-empty --out folder is refused; each run writes a manifest; --force deletes only its files
if grep -q '"result.json"' "$tmp/report/fp4lab-manifest.json" 2>/dev/null; then pass "report manifest lists result.json"; else fail "report manifest"; fi
expect "a non-empty --out folder is refused" 1 "is not empty" -- "$bin" walkthrough --values 1,2 --out "$tmp/report" --quiet
echo mine >"$tmp/report/notes.txt"
expect "--force keeps files no manifest lists" 0 "kept 1 file no fp4lab manifest lists: notes.txt" -- "$bin" walkthrough --values 1,2 --out "$tmp/report" --force
if [ -s "$tmp/report/notes.txt" ] && [ ! -e "$tmp/report/hist_error.svg" ] && [ -s "$tmp/report/result.json" ]; then pass "--force removed the stale files of the previous run only"; else fail "--force: $(ls "$tmp/report")"; fi
if grep -q notes.txt "$tmp/report/fp4lab-manifest.json"; then fail "manifest lists a file the run did not write"; else pass "manifest lists only this run's files"; fi
expect "demo into a used folder is refused" 1 "is not empty" -- "$bin" demo --out "$tmp/demo" --rows 64 --cols 64 --quiet
expect "demo --force" 0 "demo report" -- "$bin" demo --out "$tmp/demo" --rows 64 --cols 64 --quiet --force
if [ -s "$tmp/demo/04_compare/index.html" ] && grep -q '"04_compare/index.html"' "$tmp/demo/fp4lab-manifest.json"; then pass "demo manifest lists its sub-folders' files"; else fail "demo manifest"; fi
expect "a batch into used folders is refused before running" 1 "b1 is not empty" -- "$bin" run "$tmp/batch.json" --quiet
expect "a batch with --force" 0 "" -- "$bin" run "$tmp/batch.json" --quiet --force
cat >"$tmp/samebatch.json" <<JSON
{"runs": [{"experiment": "walkthrough", "params": {"values": "1"}, "out": "$tmp/s1"},
          {"experiment": "walkthrough", "params": {"values": "2"}, "out": "$tmp/s1/"}]}
JSON
expect "two batch runs into one folder are refused" 1 "config runs 1 and 2 both write" -- "$bin" run "$tmp/samebatch.json" --quiet
if [ -e "$tmp/s1" ]; then fail "the refused batch wrote"; else pass "the refused batch wrote nothing"; fi
# 4: an unwritable --out is reported before the computation (no summary printed)
touch "$tmp/afile"
out=$("$bin" compare --rows 1024 --cols 1024 --recipes nvfp4:te --out "$tmp/afile/report" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && grep -q "is not a folder" <<<"$out" && ! grep -q "nvfp4:te" <<<"$out"; then pass "unwritable --out folder refused before computing"; else fail "unwritable --out: rc $rc: ${out:0:300}"; fi
expect "quantize into a file's sub-path" 1 "is not a folder" -- "$bin" quantize "$golden" --recipe nvfp4:te --out "$tmp/afile/q.safetensors"
# 3: SIGTERM during quantize removes the OUT.tmp.XXXXXX temporary and dies by the signal
mkdir -p "$tmp/sig"
mknpy "$tmp/sig/big.npy" "(4096, 8192)" ''
head -c $((4096 * 8192 * 4)) /dev/zero >>"$tmp/sig/big.npy"
"$bin" quantize "$tmp/sig/big.npy" --recipe nvfp4:4over6:mse --threads 1 --out "$tmp/sig/q.safetensors" --quiet &
qpid=$!
for _ in $(seq 200); do
  ls "$tmp/sig" | grep -q 'q.safetensors.tmp' && break
  sleep 0.05
done
seen=$(ls "$tmp/sig" | grep -c 'q.safetensors.tmp')
kill -TERM "$qpid" 2>/dev/null
wait "$qpid"
qrc=$?
left=$(ls "$tmp/sig" | grep -v big.npy)
if [ "$seen" -eq 1 ] && [ "$qrc" -eq 143 ] && [ -z "$left" ]; then pass "SIGTERM removed the temporary (exit 143)"; else fail "SIGTERM: seen $seen, exit $qrc, left: $left"; fi
rm -rf "$tmp/sig"
# 10: a recipe listed twice is refused, also under another spelling
expect "a duplicate recipe is refused" 1 "entry 3 'nvfp4' is the same recipe as 'nvfp4:te' (entry 1, nvfp4:te" -- "$bin" compare --rows 16 --cols 16 --recipes nvfp4:te,mxfp4,nvfp4 --quiet
# 11: a CPU gemm above 1e12 multiply-adds needs --yes
expect "a huge CPU gemm needs --yes" 1 "multiply-adds on the CPU (m x n x k = 16384 x 16384 x 16384, 7 GEMMs" -- "$bin" gemm --m 16384 --n 16384 --k 16384 --quiet
# 12: bytes that no tensor owns are refused, as the reference reader does
cat "$golden" >"$tmp/tail.safetensors"
printf 'xxxx' >>"$tmp/tail.safetensors"
expect "safetensors with trailing bytes" 1 "the reference reader rejects bytes that no tensor owns" -- "$bin" compare --input "$tmp/tail.safetensors" --quiet
if [ -z "$(ls -A "$tmp/bad")" ]; then pass "refused outputs left nothing"; else fail "refused outputs left: $(ls -A "$tmp/bad")"; fi
# FORMATS.md §9: the issue's compare line, quantize/dequantize of 6-bit and IF codes, select for IF
expect "compare the §9 family" 0 "nvint6:bs=16" -- "$bin" compare --recipes if4:mse,nvfp4:4over6:mse,nvfp6:e2m3,mxfp6:e3m2,mxfp8:e4m3,nvfp3,nvint6 --rows 64 --cols 64 --quiet
expect "quantize if6:e3m2" 0 "" -- "$bin" quantize "$data/golden/golden.safetensors" --recipe if6:e3m2 --out "$tmp/if6.q.safetensors" --quiet
expect "dequantize if6:e3m2" 0 "" -- "$bin" dequantize "$tmp/if6.q.safetensors" --out "$tmp/if6.dq.safetensors" --quiet
expect "select reports IF4's INT blocks" 0 "INT blocks" -- "$bin" select --family if4 --rows 32 --cols 64 --quiet
expect "a bare family token names its variants" 1 "nvfp6:e2m3, nvfp6:e3m2" -- "$bin" compare --recipes nvfp6 --rows 16 --cols 16 --quiet

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
