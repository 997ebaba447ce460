// A Llama-architecture language model on the CPU (FP32, Eigen GEMMs), read from a GGUF file,
// with fake quantization of the weights (once) and of every linear layer's input (per call), the
// pseudo-quantization of the 4/6 paper's model experiments.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/recipe.hpp"

namespace fp4lab::core {
class GgufFile;
}

namespace fp4lab::exp::model {

/// The seven linear layers of a Llama block.
enum class Linear : std::uint8_t { kQ, kK, kV, kO, kGate, kUp, kDown };
/// Every linear kind, in block order.
inline constexpr std::array<Linear, 7> kLinears = {Linear::kQ,    Linear::kK,  Linear::kV,   Linear::kO,
                                                   Linear::kGate, Linear::kUp, Linear::kDown};
/// "q", "k", "v", "o", "gate", "up", "down".
const char* linear_name(Linear l);
/// The linear kind named `name`, if any.
std::optional<Linear> linear_named(std::string_view name);

/// A set of linear kinds (which ones a recipe applies to).
using LinearSet = std::array<bool, 7>;
/// All seven.
inline constexpr LinearSet kAllLinears = {true, true, true, true, true, true, true};

/// Hyper-parameters, from the GGUF's llama.* metadata.
struct LlamaConfig {
  int layers = 0, dim = 0, ffn_dim = 0, heads = 0, kv_heads = 0, head_dim = 0, vocab = 0;
  float rope_base = 10000.0f, rms_eps = 1e-5f;
  int bos = 1;
};

/// One FP32 matrix [rows, cols] row-major (out features x in features), shared between a model
/// and its fake-quantized variants when not quantized.
using Matrix = std::shared_ptr<const std::vector<float>>;

/// The weights of one block.
struct LlamaLayer {
  std::vector<float> attn_norm, ffn_norm;
  std::array<Matrix, 7> w;  ///< indexed by Linear
};

/// A whole model: embeddings (tied with the output head), blocks, final norm.
struct LlamaModel {
  LlamaConfig config;
  Matrix embed;  ///< [vocab, dim]
  std::vector<float> output_norm;
  std::vector<LlamaLayer> layers;
  std::string source;  ///< the file it came from
  /// Rows and columns of linear `l`.
  std::pair<std::int64_t, std::int64_t> shape(Linear l) const;
};

/// Reads a Llama GGUF (general.architecture "llama"), every tensor dequantized to FP32 as the
/// gguf package does. Throws FormatError naming what is missing or wrong.
LlamaModel load_llama(const core::GgufFile& gguf);

/// Replaces tensors of `m` (loaded from `gguf`) by those of the safetensors file `path` of the
/// same GGUF name (token_embd.weight, output_norm.weight, blk.N.*): e.g. `fp4lab dequantize`'s
/// output. Each tensor is converted to FP32 (F32, F16 or BF16 data); every name must be a tensor
/// the model uses and every shape must match the GGUF's, else std::invalid_argument naming it.
/// Returns how many tensors were replaced.
std::size_t replace_weights(LlamaModel& m, const core::GgufFile& gguf, const std::string& path);

/// A copy of `base` whose linears in `which` are fake-quantized with `recipe` (blocks along
/// the input features); embeddings, norms and the output head stay as they are.
LlamaModel quantize_weights(const LlamaModel& base, const formats::Recipe& recipe, const LinearSet& which,
                            int threads);

/// Activation fake quantization: the input of every linear in `which` is fake-quantized with
/// `recipe` per call, its tensor scale from that call's whole input.
struct ActivationQuant {
  std::optional<formats::Recipe> recipe;
  LinearSet which = kAllLinears;
};

/// Logits [positions, vocab] for the first `positions` positions of `tokens` (each predicting
/// the next token), causal attention over the whole sequence, no KV cache.
std::vector<float> forward_logits(const LlamaModel& m, std::span<const std::int32_t> tokens, std::int64_t positions,
                                  const ActivationQuant& act, int threads);

}  // namespace fp4lab::exp::model
