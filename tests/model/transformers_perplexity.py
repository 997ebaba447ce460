"""Perplexity of SmolLM2 by a second, independent path: Hugging Face transformers loads the GGUF
(its own GGUF reader and Llama forward pass, on the GPU through cuBLAS), fp4lab.torch.quantize_model
fake-quantizes weights and linear inputs through fp4lab's CUDA kernels, and the result is
compared with fp4lab's own perplexity experiment (CPU, Eigen) on the same tokens, windows and
recipes. Also checks transformers' tokenizer against fp4lab.tokenize on the whole novel.

Needs torch, transformers and the `gguf` package (the GPU machine has the first two; carry gguf).
  PYTHONPATH=<build>/python python3 tests/model/transformers_perplexity.py --out result.json [--device cuda]
Exit status 1 when a row is outside its tolerance, relative to fp4lab's figure: --rtol (1e-5) for
the baseline and W4A16, where both paths quantize the same weights bit for bit and only FP32
summation orders differ (cuBLAS vs Eigen); --rtol-w4a4 (0.03) for W4A4, where those last-bit
differences in the activations move some elements across an FP4 rounding boundary (one element
moves by a whole FP4 step) and 30 layers carry it on: the figures then agree in the statistical
sense only (the window-to-window standard error is about 8% of the perplexity).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch

import fp4lab
import fp4lab.torch as fpt

RECIPES = "nvfp4:te,nvfp4:4over6:mse,mxfp4,nvint4,if4"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="smollm2", help="GGUF file, or 'smollm2' (the cached SmolLM2)")
    p.add_argument("--text", default="prideprejudice", help="novel name or UTF-8 file, as perplexity --text")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--windows", type=int, default=4)
    p.add_argument("--context", type=int, default=512)
    p.add_argument("--recipes", default=RECIPES)
    p.add_argument("--modes", default="w4a4,w4a16")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0, help="fp4lab's CPU threads for its own run (0: all)")
    p.add_argument("--reference", default="", help="a saved fp4lab perplexity Result (JSON) instead of running it")
    p.add_argument("--rtol", type=float, default=1e-5,
                   help="largest |ppl_hf / ppl_fp4lab - 1| accepted for the baseline and W4A16")
    p.add_argument("--rtol-w4a4", type=float, default=0.03, help="the same for W4A4 (activations quantized)")
    p.add_argument("--out", default="", help="write the comparison as JSON here")
    a = p.parse_args(argv)
    if a.windows < 1 or a.context < 2 or a.offset < 0 or not 0 < a.rtol < 1 or not 0 < a.rtol_w4a4 < 1:
        p.error("need --windows >= 1, --context >= 2, --offset >= 0 and tolerances in (0, 1)")
    return a


def load_hf(path, device):
    """The GGUF through transformers (dequantized by `gguf`), FP32, eager attention, no TF32."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    folder, name = os.path.split(os.path.abspath(path))
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32,
                                                 attn_implementation="eager")
    return tok, model.to(device).eval()


@torch.no_grad()
def window_logp(model, seq, device):
    """log-softmax (float64) of the logits at every position of [BOS] + window but the last."""
    x = torch.tensor(seq, dtype=torch.long, device=device)[None]
    logits = model(input_ids=x).logits[0, :-1].double()
    return torch.log_softmax(logits, dim=-1)


def score(model, windows, device, base=None):
    """Perplexity, its standard error over windows, KL and top-1 agreement against `base`."""
    nll_w, kl, top1, n, logps = [], 0.0, 0, 0, []
    for i, seq in enumerate(windows):
        lp = window_logp(model, seq, device)
        tgt = torch.tensor(seq[1:], device=lp.device)
        nll_w.append(-lp.gather(1, tgt[:, None]).mean().item())
        n += len(seq) - 1
        if base is None:
            logps.append(lp)
        else:
            b = base[i]
            kl += (b.exp() * (b - lp)).sum().item()
            top1 += int((b.argmax(1) == lp.argmax(1)).sum().item())
    ppl = math.exp(sum(nll_w) / len(nll_w))
    se = float("nan")
    if len(nll_w) > 1:  # the delta method over window means, as fp4lab reports it
        se = ppl * float(np.std(nll_w, ddof=1)) / math.sqrt(len(nll_w))
    return {"perplexity": ppl, "se": se, "kl": kl / n if base is not None else 0.0,
            "top1": top1 / n if base is not None else 1.0, "tokens": n}, logps


def fp4lab_reference(a, recipes, modes):
    if a.reference:
        with open(a.reference) as f:
            return json.load(f)
    t = time.perf_counter()
    r = fp4lab.run("perplexity", model=fp4lab.model_path(a.model), text=a.text, offset=a.offset, windows=a.windows,
                   context=a.context, recipes=",".join(recipes), modes=",".join(modes), threads=a.threads)
    print(f"fp4lab perplexity (CPU): {time.perf_counter() - t:.1f} s", flush=True)
    return r


def main(argv=None):
    a = parse_args(argv)
    recipes = [s for s in a.recipes.split(",") if s]
    modes = [m for m in a.modes.split(",") if m]
    if any(m not in ("w4a4", "w4a16") for m in modes):
        sys.exit("transformers_perplexity: modes are w4a4 and w4a16")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    path = fp4lab.model_path(a.model)
    text = fp4lab.load_text(a.text)
    ids = fp4lab.tokenize(text, a.model)
    need = a.offset + a.windows * a.context
    if need > len(ids):
        sys.exit(f"transformers_perplexity: {a.windows} windows of {a.context} from {a.offset} need {need} tokens; "
                 f"the text has {len(ids)}")

    t0 = time.perf_counter()
    tok, base_model = load_hf(path, a.device)
    print(f"transformers loaded the GGUF in {time.perf_counter() - t0:.1f} s (device {a.device})", flush=True)
    hf_ids = np.asarray(tok(text, add_special_tokens=False)["input_ids"], dtype=np.int64)
    same_len = len(hf_ids) == len(ids)
    first_diff = None
    if not same_len or not np.array_equal(hf_ids, ids):
        m = min(len(hf_ids), len(ids))
        d = np.nonzero(hf_ids[:m] != ids[:m])[0]
        first_diff = int(d[0]) if len(d) else m
    bos = tok.bos_token_id
    print(f"tokenizer: fp4lab {len(ids)} ids, transformers {len(hf_ids)}; "
          f"{'identical' if first_diff is None else f'first difference at {first_diff}'}; BOS {bos}", flush=True)

    windows = [[bos] + ids[a.offset + w * a.context: a.offset + (w + 1) * a.context].tolist() for w in range(a.windows)]
    ref = fp4lab_reference(a, recipes, modes)
    ref_s = ref["scalars"]

    rows = []
    t = time.perf_counter()
    b, base_logp = score(base_model, windows, a.device)
    rows.append({"recipe": "baseline", "mode": "-", **b, "fp4lab": ref_s["perplexity:baseline"]})
    for spec in recipes:
        canon = fp4lab.parse_recipe(spec).spec
        for mode in modes:
            m = copy.deepcopy(base_model)
            fpt.quantize_model(m, weights=canon, activations=canon if mode == "w4a4" else None)
            s, _ = score(m, windows, a.device, base_logp)
            rows.append({"recipe": canon, "mode": mode, **s, "fp4lab": ref_s[f"perplexity:{mode}:{canon}"],
                         "fp4lab_kl": ref_s[f"kl:{mode}:{canon}"], "fp4lab_top1": ref_s[f"top1:{mode}:{canon}"]})
            del m
    gpu_s = time.perf_counter() - t

    worst, worst_w4a4 = 0.0, 0.0
    print(f"\n{'recipe':<22} {'mode':>6} {'transformers':>13} {'fp4lab':>11} {'rel diff':>10} {'KL hf':>9} "
          f"{'KL fp4lab':>9} {'top1 hf':>8} {'top1 fp4':>8}")
    for r in rows:
        r["rel_diff"] = r["perplexity"] / r["fp4lab"] - 1.0
        if r["mode"] == "w4a4":
            worst_w4a4 = max(worst_w4a4, abs(r["rel_diff"]))
        else:
            worst = max(worst, abs(r["rel_diff"]))
        print(f"{r['recipe']:<22} {r['mode']:>6} {r['perplexity']:>13.4f} {r['fp4lab']:>11.4f} {r['rel_diff']:>+10.2e} "
              f"{r['kl']:>9.5f} {r.get('fp4lab_kl', 0.0):>9.5f} {r['top1']:>8.4f} {r.get('fp4lab_top1', 1.0):>8.4f}")
    ok = worst <= a.rtol and worst_w4a4 <= a.rtol_w4a4 and first_diff is None
    print(f"\nworst |relative difference|: baseline and W4A16 {worst:.2e} (tolerance {a.rtol}), W4A4 "
          f"{worst_w4a4:.2e} (tolerance {a.rtol_w4a4}); tokenizer "
          f"{'identical' if first_diff is None else 'DIFFERS'}; transformers scoring {gpu_s:.1f} s -> "
          f"{'AGREE' if ok else 'DISAGREE'}")
    if a.out:
        out = {"rows": rows, "tokenizer_identical": first_diff is None, "tokens": int(len(ids)),
               "hf_tokens": int(len(hf_ids)), "worst_rel_diff": worst, "rtol": a.rtol,
               "worst_rel_diff_w4a4": worst_w4a4, "rtol_w4a4": a.rtol_w4a4, "device": a.device,
               "torch": torch.__version__, "fp4lab_provenance": ref.get("provenance"),
               "windows": a.windows, "context": a.context, "offset": a.offset, "text": a.text}
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=1)
        os.replace(tmp, a.out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
