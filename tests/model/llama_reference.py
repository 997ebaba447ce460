#!/usr/bin/env python3
"""An independent reference for fp4lab's model path: numpy + the PyPI `gguf` and `tokenizers`
packages, no fp4lab code. Prints the baseline perplexity of the fixed protocol (BOS + `context`
tokens per window, every window token scored) and, with --ids, checks fp4lab's tokenization of the
whole text token for token.

Independent where it matters: the tokenizer is HF `tokenizers` configured from the GGUF's
vocabulary and merges (Digits(individual) + ByteLevel pre-tokenizers, as SmolLM2's tokenizer.json);
the weights are dequantized by gguf.quants.dequantize; Q and K rows are un-permuted back to the
Hugging Face layout and rotated with rotate_half, as transformers does, instead of llama.cpp's
adjacent-pair rotation that fp4lab uses on the GGUF layout.
Usage: llama_reference.py GGUF TEXT [--windows N (0: tokenizer only)] [--context C] [--ids fp4lab_ids.txt]
"""
import argparse
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize


def field(r, key):
    f = r.fields[key]
    return f.contents()


def build_tokenizer(r):
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokens = field(r, "tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ", 1)) for m in field(r, "tokenizer.ggml.merges")]
    vocab = {}
    for i, t in enumerate(tokens):
        vocab.setdefault(t, i)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    )
    return tok


def tensors(r):
    out = {}
    for t in r.tensors:
        a = dequantize(t.data, t.tensor_type)
        out[t.name] = np.asarray(a, dtype=np.float32).reshape([int(d) for d in reversed(t.shape)])
    return out


def unpermute(w, n_head):  # inverse of convert_hf_to_gguf's permute for Q and K
    out, inp = w.shape
    return w.reshape(n_head, out // n_head // 2, 2, inp).swapaxes(1, 2).reshape(out, inp)


def rms(x, w, eps):
    return (x / np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=-1, keepdims=True) + eps)).astype(np.float32) * w


def forward(W, cfg, ids):
    T = len(ids)
    L, H, KV, hd, eps, base = cfg
    x = W["token_embd.weight"][ids]
    inv = base ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
    ang = np.outer(np.arange(T), inv)
    cos = np.concatenate([np.cos(ang)] * 2, axis=-1).astype(np.float32)
    sin = np.concatenate([np.sin(ang)] * 2, axis=-1).astype(np.float32)

    def rot(v):  # v [heads, T, hd], rotate_half
        h1, h2 = v[..., : hd // 2], v[..., hd // 2 :]
        return v * cos + np.concatenate([-h2, h1], axis=-1) * sin

    mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), 1)
    for i in range(L):
        p = f"blk.{i}."
        h = rms(x, W[p + "attn_norm.weight"], eps)
        q = h @ unpermute(W[p + "attn_q.weight"], H).T
        k = h @ unpermute(W[p + "attn_k.weight"], KV).T
        v = h @ W[p + "attn_v.weight"].T
        q = rot(q.reshape(T, H, hd).transpose(1, 0, 2))
        k = rot(k.reshape(T, KV, hd).transpose(1, 0, 2))
        v = v.reshape(T, KV, hd).transpose(1, 0, 2)
        k = np.repeat(k, H // KV, axis=0)
        v = np.repeat(v, H // KV, axis=0)
        s = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(hd)) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        x = x + a.transpose(1, 0, 2).reshape(T, H * hd) @ W[p + "attn_output.weight"].T
        h = rms(x, W[p + "ffn_norm.weight"], eps)
        g = h @ W[p + "ffn_gate.weight"].T
        u = h @ W[p + "ffn_up.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * u) @ W[p + "ffn_down.weight"].T
    return rms(x, W["output_norm.weight"], eps) @ W["token_embd.weight"].T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gguf")
    ap.add_argument("text")
    ap.add_argument("--windows", type=int, default=1)
    ap.add_argument("--context", type=int, default=512)
    ap.add_argument("--ids", help="fp4lab's token ids of the whole text (fp4lab tokenize: one id per line)")
    a = ap.parse_args()
    r = GGUFReader(a.gguf)
    tok = build_tokenizer(r)
    with open(a.text, encoding="utf-8", newline="") as f:
        text = f.read()
    ids = np.array(tok.encode(text, add_special_tokens=False).ids, dtype=np.int32)
    print(f"tokens: {len(ids)}")
    if a.ids:
        mine = np.loadtxt(a.ids, dtype=np.int64)
        n = min(len(mine), len(ids))
        diff = np.nonzero(mine[:n] != ids[:n])[0]
        if len(mine) != len(ids) or len(diff):
            first = int(diff[0]) if len(diff) else n
            sys.exit(f"tokenizer MISMATCH: fp4lab {len(mine)} tokens, tokenizers {len(ids)}; first difference at {first}")
        print(f"tokenizer: identical, {len(ids)} tokens")
    if a.windows == 0:
        return
    cfg = (
        int(field(r, "llama.block_count")),
        int(field(r, "llama.attention.head_count")),
        int(field(r, "llama.attention.head_count_kv")),
        int(field(r, "llama.embedding_length")) // int(field(r, "llama.attention.head_count")),
        float(field(r, "llama.attention.layer_norm_rms_epsilon")),
        float(field(r, "llama.rope.freq_base")),
    )
    W = tensors(r)
    nll = []
    for w in range(a.windows):
        seq = np.concatenate([[1], ids[w * a.context : (w + 1) * a.context]])
        logits = forward(W, cfg, seq)[: a.context].astype(np.float64)
        lse = logits.max(-1) + np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1))
        nll.append(float(np.mean(lse - logits[np.arange(a.context), seq[1:]])))
        print(f"window {w}: perplexity {np.exp(nll[-1]):.6f}")
    print(f"baseline perplexity: {np.exp(np.mean(nll)):.6f}")


if __name__ == "__main__":
    main()
