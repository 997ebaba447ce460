// Llama forward pass (llama.hpp), as llama.cpp computes it for a GGUF checkpoint: RMSNorm,
// rotary embeddings on adjacent pairs (the GGUF converter permutes Q and K rows for this),
// grouped-query causal attention, SwiGLU feed-forward, tied output head.
#include "experiments/model/llama.hpp"

#include <cmath>
#include <stdexcept>

#include "core/io/gguf.hpp"
#include "core/io/safetensors.hpp"
#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/tensor.hpp"
#include "experiments/linalg.hpp"

namespace fp4lab::exp::model {
namespace {

constexpr const char* kTensorNames[7] = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up",
                                         "ffn_down"};

int meta_int(const core::GgufFile& g, const std::string& key) {
  const double v = g.number_value(key);
  if (!(v >= 1 && v <= 1e7) || v != std::floor(v)) {
    throw core::FormatError(g.source() + ": metadata '" + key + "' is not a positive integer");
  }
  return static_cast<int>(v);
}

std::vector<float> load_vector(const core::GgufFile& g, const std::string& name, std::int64_t n) {
  const core::GgufTensorInfo& t = g.tensor(name);
  if (t.numel() != n) {
    throw core::FormatError(g.source() + ": tensor '" + name + "' has " + std::to_string(t.numel()) +
                            " values, expected " + std::to_string(n));
  }
  return g.dequantize(t);
}

Matrix load_matrix(const core::GgufFile& g, const std::string& name, std::int64_t rows, std::int64_t cols) {
  const core::GgufTensorInfo& t = g.tensor(name);
  if (t.shape.size() != 2 || t.shape[0] != rows || t.shape[1] != cols) {
    throw core::FormatError(g.source() + ": tensor '" + name + "' is not [" + std::to_string(rows) + ", " +
                            std::to_string(cols) + "]");
  }
  return std::make_shared<const std::vector<float>>(g.dequantize(t));
}

// y = x / sqrt(mean(x^2) + eps) * w, per row of x [rows, dim] (the sum in double).
void rms_norm(std::span<const float> x, std::span<const float> w, std::span<float> y, std::int64_t rows,
              float eps) {
  const std::size_t dim = w.size();
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x.data() + r * dim;
    double ss = 0;
    for (std::size_t i = 0; i < dim; ++i) ss += double(xr[i]) * xr[i];
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / double(dim) + double(eps)));
    for (std::size_t i = 0; i < dim; ++i) y[r * dim + i] = (xr[i] * scale) * w[i];
  }
}

// Y = X W^T with X's values fake-quantized first when `recipe` is set.
void linear(const std::vector<float>& x, const Matrix& w, std::vector<float>& y, std::int64_t rows,
            std::int64_t in, std::int64_t out, const std::optional<formats::Recipe>& recipe, int threads) {
  y.resize(static_cast<std::size_t>(rows * out));
  if (recipe) {
    const core::TensorView view(x.data(), core::DType::kF32, {rows, in});
    const core::Tensor xq = core::fake_quantize(view, *recipe, core::DType::kF32, threads);
    gemm_abt(std::span<const float>(reinterpret_cast<const float*>(xq.data()), static_cast<std::size_t>(rows * in)),
             *w, y, rows, out, in, threads);
  } else {
    gemm_abt(x, *w, y, rows, out, in, threads);
  }
}

void rope(std::vector<float>& x, std::int64_t rows, int heads, int head_dim, float base) {
  for (std::int64_t pos = 0; pos < rows; ++pos) {
    for (int i = 0; i < head_dim / 2; ++i) {
      const double theta = double(pos) * std::pow(double(base), -2.0 * i / head_dim);
      const float c = static_cast<float>(std::cos(theta)), s = static_cast<float>(std::sin(theta));
      for (int h = 0; h < heads; ++h) {
        float* p = x.data() + (pos * heads + h) * head_dim + 2 * i;
        const float a = p[0], b = p[1];
        p[0] = a * c - b * s;
        p[1] = a * s + b * c;
      }
    }
  }
}

}  // namespace

const char* linear_name(Linear l) {
  constexpr const char* kNames[7] = {"q", "k", "v", "o", "gate", "up", "down"};
  return kNames[static_cast<int>(l)];
}

std::optional<Linear> linear_named(std::string_view name) {
  for (const Linear l : kLinears) {
    if (name == linear_name(l)) return l;
  }
  return std::nullopt;
}

std::pair<std::int64_t, std::int64_t> LlamaModel::shape(Linear l) const {
  const std::int64_t dim = config.dim, kv = std::int64_t{config.kv_heads} * config.head_dim, ffn = config.ffn_dim;
  switch (l) {
    case Linear::kQ: return {dim, dim};
    case Linear::kK:
    case Linear::kV: return {kv, dim};
    case Linear::kO: return {dim, dim};
    case Linear::kGate:
    case Linear::kUp: return {ffn, dim};
    case Linear::kDown: return {dim, ffn};
  }
  return {0, 0};
}

LlamaModel load_llama(const core::GgufFile& g) {
  const std::string arch = g.string_value("general.architecture");
  if (arch != "llama") {
    throw core::FormatError(g.source() + ": general.architecture is '" + arch + "'; fp4lab runs 'llama' models");
  }
  LlamaModel m;
  m.source = g.source();
  LlamaConfig& c = m.config;
  c.layers = meta_int(g, "llama.block_count");
  c.dim = meta_int(g, "llama.embedding_length");
  c.ffn_dim = meta_int(g, "llama.feed_forward_length");
  c.heads = meta_int(g, "llama.attention.head_count");
  c.kv_heads = meta_int(g, "llama.attention.head_count_kv");
  c.rope_base = static_cast<float>(g.number_value("llama.rope.freq_base"));
  c.rms_eps = static_cast<float>(g.number_value("llama.attention.layer_norm_rms_epsilon"));
  if (c.dim % c.heads != 0 || c.heads % c.kv_heads != 0 || (c.dim / c.heads) % 2 != 0) {
    throw core::FormatError(g.source() + ": head counts do not divide the width");
  }
  c.head_dim = c.dim / c.heads;
  const auto& embd = g.tensor("token_embd.weight");
  if (embd.shape.size() != 2 || embd.shape[1] != c.dim) {
    throw core::FormatError(g.source() + ": token_embd.weight is not [vocab, " + std::to_string(c.dim) + "]");
  }
  c.vocab = static_cast<int>(embd.shape[0]);
  if (g.metadata().contains("tokenizer.ggml.bos_token_id")) c.bos = meta_int(g, "tokenizer.ggml.bos_token_id");
  if (g.has("output.weight")) {
    throw core::FormatError(g.source() + ": has an untied output.weight; fp4lab runs tied-embedding models only");
  }
  m.embed = load_matrix(g, "token_embd.weight", c.vocab, c.dim);
  m.output_norm = load_vector(g, "output_norm.weight", c.dim);
  m.layers.resize(static_cast<std::size_t>(c.layers));
  for (int i = 0; i < c.layers; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LlamaLayer& L = m.layers[static_cast<std::size_t>(i)];
    L.attn_norm = load_vector(g, p + "attn_norm.weight", c.dim);
    L.ffn_norm = load_vector(g, p + "ffn_norm.weight", c.dim);
    for (const Linear l : kLinears) {
      const auto [rows, cols] = m.shape(l);
      L.w[static_cast<int>(l)] = load_matrix(g, p + kTensorNames[static_cast<int>(l)] + ".weight", rows, cols);
    }
  }
  return m;
}

std::size_t replace_weights(LlamaModel& m, const core::GgufFile& gguf, const std::string& path) {
  const core::SafetensorsFile f = core::open_safetensors(path);
  const std::string where = "weights " + path + ": ";
  std::size_t replaced = 0;
  for (const std::string& name : f.names()) {
    std::vector<float>* vec = nullptr;  // a norm
    Matrix* mat = nullptr;              // the embeddings or a linear
    if (name == "token_embd.weight") mat = &m.embed;
    if (name == "output_norm.weight") vec = &m.output_norm;
    for (std::size_t i = 0; i < m.layers.size() && !vec && !mat; ++i) {
      const std::string p = "blk." + std::to_string(i) + ".";
      if (name == p + "attn_norm.weight") vec = &m.layers[i].attn_norm;
      if (name == p + "ffn_norm.weight") vec = &m.layers[i].ffn_norm;
      for (const Linear l : kLinears) {
        if (name == p + kTensorNames[static_cast<int>(l)] + ".weight") mat = &m.layers[i].w[static_cast<int>(l)];
      }
    }
    if (!vec && !mat) {
      throw std::invalid_argument(where + "tensor '" + name + "' is not a tensor of the model " + gguf.source());
    }
    const core::SafetensorsInfo& info = f.info(name);
    if (info.dtype != "F32" && info.dtype != "F16" && info.dtype != "BF16") {
      throw std::invalid_argument(where + "tensor '" + name + "' is " + info.dtype + "; F32, F16 or BF16 expected");
    }
    const std::vector<std::int64_t>& want = gguf.tensor(name).shape;
    if (info.shape != want) {
      throw std::invalid_argument(where + "tensor '" + name + "' is " + core::shape_string(info.shape) +
                                  ", the model's is " + core::shape_string(want));
    }
    std::vector<float> v(static_cast<std::size_t>(info.numel()));
    f.view(name).to_float(0, v);
    if (vec) *vec = std::move(v);
    if (mat) *mat = std::make_shared<const std::vector<float>>(std::move(v));
    ++replaced;
  }
  return replaced;
}

LlamaModel quantize_weights(const LlamaModel& base, const formats::Recipe& recipe, const LinearSet& which,
                            int threads) {
  LlamaModel m = base;
  for (LlamaLayer& L : m.layers) {
    for (const Linear l : kLinears) {
      if (!which[static_cast<int>(l)]) continue;
      const auto [rows, cols] = m.shape(l);
      Matrix& w = L.w[static_cast<int>(l)];
      const core::TensorView view(w->data(), core::DType::kF32, {rows, cols});
      w = std::make_shared<const std::vector<float>>(
          core::fake_quantize(view, recipe, core::DType::kF32, threads).to_floats());
    }
  }
  return m;
}

std::vector<float> forward_logits(const LlamaModel& m, std::span<const std::int32_t> tokens, std::int64_t positions,
                                  const ActivationQuant& act, int threads) {
  const LlamaConfig& c = m.config;
  const auto T = static_cast<std::int64_t>(tokens.size());
  if (T == 0 || positions < 1 || positions > T) throw std::invalid_argument("forward_logits: bad token count");
  const std::int64_t dim = c.dim, kv_dim = std::int64_t{c.kv_heads} * c.head_dim, hd = c.head_dim;
  std::vector<float> x(static_cast<std::size_t>(T * dim));
  for (std::int64_t t = 0; t < T; ++t) {
    const std::int32_t id = tokens[static_cast<std::size_t>(t)];
    if (id < 0 || id >= c.vocab) throw std::invalid_argument("forward_logits: token id out of the vocabulary");
    std::copy_n(m.embed->data() + std::int64_t{id} * dim, dim, x.data() + t * dim);
  }
  auto recipe_for = [&](Linear l) -> std::optional<formats::Recipe> {
    return act.which[static_cast<int>(l)] ? act.recipe : std::nullopt;
  };
  std::vector<float> h(x.size()), q, k, v, att(static_cast<std::size_t>(T * dim)), o, gate, up, down;
  const float inv_sqrt = 1.0f / std::sqrt(static_cast<float>(hd));
  const int group = c.heads / c.kv_heads;
  for (const LlamaLayer& L : m.layers) {
    rms_norm(x, L.attn_norm, h, T, c.rms_eps);
    linear(h, L.w[0], q, T, dim, dim, recipe_for(Linear::kQ), threads);
    linear(h, L.w[1], k, T, dim, kv_dim, recipe_for(Linear::kK), threads);
    linear(h, L.w[2], v, T, dim, kv_dim, recipe_for(Linear::kV), threads);
    rope(q, T, c.heads, c.head_dim, c.rope_base);
    rope(k, T, c.kv_heads, c.head_dim, c.rope_base);
    core::parallel_for(std::int64_t{c.heads} * T, threads, [&](std::int64_t b, std::int64_t e) {
      std::vector<float> p(static_cast<std::size_t>(T));
      for (std::int64_t item = b; item < e; ++item) {
        const std::int64_t head = item / T, t = item % T, kvh = head / group;
        const float* qi = q.data() + (t * c.heads + head) * hd;
        float mx = -INFINITY;
        for (std::int64_t s = 0; s <= t; ++s) {
          const float* ks = k.data() + (s * c.kv_heads + kvh) * hd;
          float dot = 0;
          for (std::int64_t d = 0; d < hd; ++d) dot += qi[d] * ks[d];
          p[s] = dot * inv_sqrt;
          mx = std::max(mx, p[s]);
        }
        double sum = 0;
        for (std::int64_t s = 0; s <= t; ++s) {
          p[s] = std::exp(p[s] - mx);
          sum += p[s];
        }
        float* out = att.data() + (t * c.heads + head) * hd;
        std::fill_n(out, hd, 0.0f);
        const float inv = static_cast<float>(1.0 / sum);
        for (std::int64_t s = 0; s <= t; ++s) {
          const float w = p[s] * inv;
          const float* vs = v.data() + (s * c.kv_heads + kvh) * hd;
          for (std::int64_t d = 0; d < hd; ++d) out[d] += w * vs[d];
        }
      }
    });
    linear(att, L.w[3], o, T, dim, dim, recipe_for(Linear::kO), threads);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += o[i];
    rms_norm(x, L.ffn_norm, h, T, c.rms_eps);
    linear(h, L.w[4], gate, T, dim, c.ffn_dim, recipe_for(Linear::kGate), threads);
    linear(h, L.w[5], up, T, dim, c.ffn_dim, recipe_for(Linear::kUp), threads);
    for (std::size_t i = 0; i < gate.size(); ++i) {
      const float g = gate[i];
      gate[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
    linear(gate, L.w[6], down, T, c.ffn_dim, dim, recipe_for(Linear::kDown), threads);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += down[i];
  }
  std::vector<float> hf(static_cast<std::size_t>(positions * dim));
  rms_norm(std::span<const float>(x).first(hf.size()), m.output_norm, hf, positions, c.rms_eps);
  std::vector<float> logits(static_cast<std::size_t>(positions * c.vocab));
  gemm_abt(hf, *m.embed, logits, positions, c.vocab, dim, threads);
  return logits;
}

}  // namespace fp4lab::exp::model
