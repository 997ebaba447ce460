#!/usr/bin/env bash
# The model path end to end on the real SmolLM2-135M and Pride and Prejudice (fetched and cached by
# data/fetch_model_data.py):
#   perplexity  one window of 512 tokens: fp4lab's baseline perplexity against the value the
#               independent numpy + gguf + tokenizers reference (tests/model/llama_reference.py)
#               computed, 16.243000; then NVFP4 W4A4 must be worse than the baseline.
#   tokenizer   fp4lab tokenize on the whole novel against HF `tokenizers` configured from the same
#               vocabulary and merges, token for token (needs a Python with tokenizers, gguf, numpy:
#               $FP4LAB_PYTHON; exit 77 = skipped when it has none).
# Usage: model_test.sh perplexity|tokenizer FP4LAB_BINARY
set -euo pipefail
mode=$1
fp4lab=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
"${FP4LAB_PYTHON:-python3}" "$root/data/fetch_model_data.py" > /dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$mode" in
  perplexity)
    "$fp4lab" perplexity --windows 1 --context 512 --recipes nvfp4:te --modes w4a4 --quiet --json > "$work/r.json"
    python3 - "$work/r.json" <<'PY'
import json, math, sys
s = json.load(open(sys.argv[1]))["scalars"]
base, te = s["perplexity:baseline"], s["perplexity:w4a4:nvfp4:te:bs=16"]
ref = 16.243000  # tests/model/llama_reference.py, window 0 of 512 tokens after BOS
# FP32 sums in a different order (Eigen GEMM blocking vs numpy/BLAS): agree to 1e-4 relative.
print(f"baseline perplexity {base:.6f} (reference {ref:.6f}); nvfp4:te W4A4 {te:.6f}")
if not math.isfinite(base) or abs(base - ref) > 1e-4 * ref:
    sys.exit("baseline perplexity differs from the independent reference")
if not te > base:
    sys.exit("W4A4 NVFP4 is not worse than the unquantized baseline")
PY
    ;;
  tokenizer)
    py=${FP4LAB_PYTHON:-python3}
    if ! "$py" -c "import tokenizers, gguf, numpy" 2> /dev/null; then
      echo "skipped: $py lacks tokenizers/gguf/numpy (run.sh test installs them in its virtual environment)"
      exit 77
    fi
    cache=${FP4LAB_CACHE:-$root/data/cache}
    for novel in prideprejudice persuasion; do
      "$fp4lab" tokenize --text "$novel" --out "$work/$novel.ids"
      "$py" "$root/tests/model/llama_reference.py" "$cache/SmolLM2-135M-Instruct.Q4_1.gguf" \
        "$cache/janeausten/$novel.txt" --windows 0 --ids "$work/$novel.ids"
    done
    ;;
  *)
    echo "usage: model_test.sh perplexity|tokenizer FP4LAB_BINARY" >&2
    exit 2
    ;;
esac
