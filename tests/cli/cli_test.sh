#!/usr/bin/env bash
# The fp4lab CLI end to end: exit codes, files written, bad inputs rejected with a message
# and no partial output. Usage: cli_test.sh FP4LAB_BINARY DATA_DIR
set -u
bin=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "ok   $1"; }
fail() {
  echo "FAIL $1"
  fails=$((fails + 1))
}
# expect_rc NAME RC PATTERN -- command...: exit code RC and stderr+stdout containing PATTERN
expect() {
  local name=$1 rc=$2 pattern=$3
  shift 4
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -ne "$rc" ]; then
    fail "$name: exit $got, expected $rc; output: ${out:0:400}"
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" <<<"$out"; then
    fail "$name: output lacks '$pattern': ${out:0:400}"
  else
    pass "$name"
  fi
}

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
expect "demo" 0 "demo report" -- "$bin" demo --out "$tmp/demo" --rows 64 --cols 64 --quiet
if [ -s "$tmp/demo/index.html" ] && [ -s "$tmp/demo/04_compare/index.html" ]; then pass "demo index"; else fail "demo index"; fi

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
mknpy "$tmp/empty.npy" "(0,)" ''
qfail "quantize an empty tensor" 1 "empty array" "$tmp/bad/e.safetensors" -- "$bin" quantize "$tmp/empty.npy" --recipe nvfp4:te --out "$tmp/bad/e.safetensors"
expect "compare an empty tensor" 1 "empty tensor" -- "$bin" compare --input "$tmp/empty.npy" --quiet
if [ -z "$(ls -A "$tmp/bad")" ]; then pass "failed commands left nothing"; else fail "failed commands left: $(ls -A "$tmp/bad")"; fi

# FORMATS.md §9: the issue's compare line, quantize/dequantize of 6-bit and IF codes, select for IF
expect "compare the §9 family" 0 "nvint6:bs=16" -- "$bin" compare --recipes if4:mse,nvfp4:4over6:mse,nvfp6:e2m3,mxfp6:e3m2,mxfp8:e4m3,nvfp3,nvint6 --rows 64 --cols 64 --quiet
expect "quantize if6:e3m2" 0 "" -- "$bin" quantize "$data/golden/golden.safetensors" --recipe if6:e3m2 --out "$tmp/if6.q.safetensors" --quiet
expect "dequantize if6:e3m2" 0 "" -- "$bin" dequantize "$tmp/if6.q.safetensors" --out "$tmp/if6.dq.safetensors" --quiet
expect "select reports IF4's INT blocks" 0 "INT blocks" -- "$bin" select --format if4 --rows 32 --cols 64 --quiet
expect "a bare family token names its variants" 1 "nvfp6:e2m3, nvfp6:e3m2" -- "$bin" compare --recipes nvfp6 --rows 16 --cols 16 --quiet

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
