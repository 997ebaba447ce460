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

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
