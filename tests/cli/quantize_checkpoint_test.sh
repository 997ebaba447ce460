#!/usr/bin/env bash
# `fp4lab quantize` on whole checkpoints (issue 12):
#   cli    (fast) default exclusions, pass-through byte for byte through dequantize, per-tensor
#          recipe maps, and bad inputs (bad JSON, unknown recipe or key, --include matching
#          nothing, a GGUF tensor type fp4lab does not read): a message, non-zero exit, no file.
#   model  the real SmolLM2-135M GGUF (data/fetch_model_data.py): quantize (nvfp4:te on the
#          linear weights, the defaults) -> dequantize -> perplexity --weights gives exactly, bit
#          for bit, the perplexity of in-memory W4A16 fake quantization (one window of 64 tokens).
# Usage: quantize_checkpoint_test.sh cli|model FP4LAB_BINARY DATA_DIR
set -u
mode=$1
bin=$2
data=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=expect.sh
source "$(dirname "$0")/expect.sh"
# refused NAME PATTERN -- command...: exit 1, PATTERN in the output, nothing left in $tmp/bad
refused() {
  local name=$1 pattern=$2
  shift 3
  mkdir -p "$tmp/bad"
  expect "$name" 1 "$pattern" -- "$@"
  if [ -z "$(ls -A "$tmp/bad")" ]; then pass "$name: nothing written"; else fail "$name: left $(ls -A "$tmp/bad")"; fi
}
# safetensors_tensors FILE: "name dtype shape sha256" per tensor, sorted (Python standard library)
safetensors_tensors() {
  python3 - "$1" <<'PY'
import hashlib, json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
for k in sorted(h):
    if k != "__metadata__":
        v = h[k]
        lo, hi = v["data_offsets"]
        print(k, v["dtype"], v["shape"], hashlib.sha256(b[8 + n + lo:8 + n + hi]).hexdigest())
PY
}

case "$mode" in
  cli)
    golden=$data/golden/golden.safetensors
    # weight.f32 [2,3] and act.bf16 [2,2] are quantized; scale.f16 [4] (rank 1) and codes.u8 pass through
    expect "quantize a checkpoint" 0 "2 tensors quantized.*2 passed through" -- "$bin" quantize "$golden" --recipe nvfp4:te --out "$tmp/g.q.safetensors"
    expect "a non-float tensor passes through" 0 "codes.u8 \[3\] -> pass-through (not float data; stored as U8)" -- "$bin" quantize "$golden" --recipe nvfp4:te --out "$tmp/g2.q.safetensors"
    expect "dequantize keeps every tensor" 0 "4 tensors, 2 of them passed through" -- "$bin" dequantize "$tmp/g.q.safetensors" --out "$tmp/g.dq.safetensors"
    safetensors_tensors "$golden" | grep -E '^(codes.u8|scale.f16) ' > "$tmp/in.txt"
    safetensors_tensors "$tmp/g.dq.safetensors" | grep -E '^(codes.u8|scale.f16) ' > "$tmp/out.txt"
    if [ -s "$tmp/in.txt" ] && cmp -s "$tmp/in.txt" "$tmp/out.txt"; then pass "pass-through tensors come back byte for byte"; else fail "pass-through tensors differ: $(cat "$tmp/out.txt")"; fi
    names=$(safetensors_tensors "$tmp/g.dq.safetensors" | awk '{print $1}' | tr '\n' ' ')
    if [ "$names" = "act.bf16 codes.u8 scale.f16 weight.f32 " ]; then pass "dequantize keeps every name"; else fail "dequantized names: $names"; fi
    expect "--include overrides a default exclusion" 0 "scale.f16 \[4\] F16 -> nvfp4:te" -- "$bin" quantize "$golden" --recipe nvfp4:te --include 'scale.*' --out "$tmp/inc.q.safetensors"
    expect "an explicit --exclude wins over --include" 0 "scale.f16 \[4\] -> pass-through (--exclude scale\*" -- "$bin" quantize "$golden" --recipe nvfp4:te --include 'scale.*' --exclude 'scale*' --out "$tmp/exc.q.safetensors"
    expect "--exclude that matches nothing is a note" 0 "note: --exclude 'zzz\*' matches no tensor" -- "$bin" quantize "$golden" --recipe nvfp4:te --exclude 'zzz*' --out "$tmp/exc2.q.safetensors"
    printf '{"default": "mxfp4", "rules": [{"match": "act.*", "recipe": "skip"}, {"match": "weight.*", "recipe": "nvfp4:4over6:mse"}]}' > "$tmp/map.json"
    expect "a recipe map: per-tensor recipes" 0 "weight.f32 \[2, 3\] F32 -> nvfp4:4over6:mse" -- "$bin" quantize "$golden" --recipe-map "$tmp/map.json" --out "$tmp/map.q.safetensors"
    expect "a recipe map: skip passes through" 0 "act.bf16 \[2, 2\] -> pass-through (recipe map: skip (act.\*); stored as BF16)" -- "$bin" quantize "$golden" --recipe-map "$tmp/map.json" --out "$tmp/map2.q.safetensors"
    expect "the map's file dequantizes" 0 "4 tensors, 3 of them passed through" -- "$bin" dequantize "$tmp/map.q.safetensors" --out "$tmp/map.dq.safetensors"
    # a sharded checkpoint (index + two shards cut out of golden.safetensors)
    python3 - "$golden" "$tmp/shards" <<'PY'
import json, os, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
os.makedirs(sys.argv[2])
names = sorted(k for k in h if k != "__metadata__")
weight_map = {}
for i, part in enumerate([names[:2], names[2:]]):
    hdr, data = {}, b""
    for k in part:
        lo, hi = h[k]["data_offsets"]
        hdr[k] = {"dtype": h[k]["dtype"], "shape": h[k]["shape"], "data_offsets": [len(data), len(data) + hi - lo]}
        data += b[8 + n + lo:8 + n + hi]
        weight_map[k] = f"model-0000{i + 1}-of-00002.safetensors"
    j = json.dumps(hdr).encode()
    j += b" " * (-len(j) % 8)
    open(os.path.join(sys.argv[2], weight_map[part[0]]), "wb").write(struct.pack("<Q", len(j)) + j + data)
json.dump({"metadata": {}, "weight_map": weight_map}, open(os.path.join(sys.argv[2], "model.safetensors.index.json"), "w"))
PY
    expect "quantize a sharded checkpoint" 0 "2 tensors quantized.*2 passed through" -- "$bin" quantize "$tmp/shards/model.safetensors.index.json" --recipe nvfp4:te --out "$tmp/sh.q.safetensors"
    expect "dequantize the sharded checkpoint's file" 0 "" -- "$bin" dequantize "$tmp/sh.q.safetensors" --out "$tmp/sh.dq.safetensors" --quiet
    if cmp -s <(safetensors_tensors "$tmp/g.dq.safetensors") <(safetensors_tensors "$tmp/sh.dq.safetensors"); then pass "sharded and single-file inputs give the same checkpoint"; else fail "sharded and single-file outputs differ"; fi
    # a GGUF with a tensor of a type fp4lab does not read (types.gguf holds a Q6_K): refused by name
    refused "a GGUF tensor type fp4lab does not read is named" "tensor 'q6_k' has GGUF type Q6_K, which fp4lab does not read" -- "$bin" quantize "$data/golden/gguf/types.gguf" --recipe nvfp4:te --out "$tmp/bad/gguf.safetensors"
    printf '{"default": "nvfp4:te", "rules": [' > "$tmp/badjson.json"
    refused "bad recipe map JSON" "recipe map $tmp/badjson.json: not valid JSON" -- "$bin" quantize "$golden" --recipe-map "$tmp/badjson.json" --out "$tmp/bad/j.safetensors"
    printf '{"default": "nvfp4:te", "rules": [{"match": "w*", "recipe": "nvfp5:te"}]}' > "$tmp/badrecipe.json"
    refused "unknown recipe in the map" "rules\[0\].recipe 'nvfp5:te' is not a recipe" -- "$bin" quantize "$golden" --recipe-map "$tmp/badrecipe.json" --out "$tmp/bad/r.safetensors"
    printf '{"default": "nvfp4:te", "rulez": []}' > "$tmp/badkey.json"
    refused "unknown key in the map" "unknown key 'rulez' (accepted: default, rules)" -- "$bin" quantize "$golden" --recipe-map "$tmp/badkey.json" --out "$tmp/bad/k.safetensors"
    refused "missing recipe map" "recipe map $tmp/none.json: cannot be read" -- "$bin" quantize "$golden" --recipe-map "$tmp/none.json" --out "$tmp/bad/m.safetensors"
    refused "--include that matches nothing" "no tensor matches --include 'layers.\*'; the file holds 4" -- "$bin" quantize "$golden" --recipe nvfp4:te --include 'layers.*' --out "$tmp/bad/i.safetensors"
    refused "nothing left to quantize" "no tensor to quantize, nothing was written" -- "$bin" quantize "$golden" --recipe nvfp4:te --exclude '*' --out "$tmp/bad/n.safetensors"
    expect "--recipe and a map default both" 2 "both name the default recipe" -- "$bin" quantize "$golden" --recipe nvfp4:te --recipe-map "$tmp/map.json" --out "$tmp/bad/b.safetensors"
    expect "help names the default exclusions" 0 "token_embd.weight, output.weight" -- "$bin" quantize --help
    ;;
  model)
    python3 "$root/data/fetch_model_data.py" > /dev/null || { echo "fetch_model_data.py failed"; exit 1; }
    gguf=${FP4LAB_CACHE:-$data/cache}/SmolLM2-135M-Instruct.Q4_1.gguf
    [ -s "$gguf" ] || gguf=$root/data/cache/SmolLM2-135M-Instruct.Q4_1.gguf
    expect "quantize the GGUF (defaults: the 210 linear weights)" 0 "210 tensors quantized, 4.5[0-9]* bits/value; 62 passed through" -- "$bin" quantize "$gguf" --recipe nvfp4:te --out "$tmp/q.safetensors"
    expect "dequantize it" 0 "272 tensors, 62 of them passed through" -- "$bin" dequantize "$tmp/q.safetensors" --out "$tmp/dq.safetensors"
    rm -f "$tmp/q.safetensors"
    run=(--windows 1 --context 64 --threads 2 --quiet --json)
    "$bin" perplexity --model "$gguf" --weights "$tmp/dq.safetensors" --recipes '' --modes w4a16 "${run[@]}" > "$tmp/file.json" || fail "perplexity --weights"
    "$bin" perplexity --model "$gguf" --recipes nvfp4:te --modes w4a16 "${run[@]}" > "$tmp/mem.json" || fail "perplexity in memory"
    python3 - "$tmp/file.json" "$tmp/mem.json" <<'PY' && pass "dequantized checkpoint = in-memory W4A16 fake quantization, bit for bit" || fail "perplexities differ"
import json, sys
f = json.load(open(sys.argv[1]))["scalars"]["perplexity:baseline"]
m = json.load(open(sys.argv[2]))["scalars"]
q, b = m["perplexity:w4a16:nvfp4:te:bs=16"], m["perplexity:baseline"]
print(f"--weights dq.safetensors baseline {f!r}; in-memory nvfp4:te W4A16 {q!r}; unquantized {b!r}")
sys.exit(0 if f == q and f != b else 1)
PY
    printf '{"default": "nvfp4:te"}' > "$tmp/m.json"
    "$bin" quantize "$data/golden/golden.safetensors" --recipe-map "$tmp/m.json" --out "$tmp/small.q.safetensors" --quiet
    "$bin" dequantize "$tmp/small.q.safetensors" --out "$tmp/small.dq.safetensors" --quiet
    python3 - "$tmp/shape.safetensors" <<'PY'
import json, struct, sys
h = json.dumps({"output_norm.weight": {"dtype": "F32", "shape": [575], "data_offsets": [0, 2300]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + bytes(2300))
PY
    expect "--weights with a wrong shape" 1 "tensor 'output_norm.weight' is \[575\], the model's is \[576\]" -- "$bin" perplexity --model "$gguf" --weights "$tmp/shape.safetensors" --recipes '' "${run[@]}"
    expect "--weights with a name the model lacks" 1 "tensor 'act.bf16' is not a tensor of the model" -- "$bin" perplexity --model "$gguf" --weights "$tmp/small.dq.safetensors" --recipes '' "${run[@]}"
    ;;
  *)
    echo "usage: quantize_checkpoint_test.sh cli|model FP4LAB_BINARY DATA_DIR" >&2
    exit 2
    ;;
esac
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
