// Layer types and block indices from checkpoint tensor names (see tensor_names.hpp).
#include "experiments/model/tensor_names.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace fp4lab::exp::model {
namespace {

/// The '.'-separated components of a name.
std::vector<std::string_view> components(std::string_view name) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    out.push_back(
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

/// Component names of each layer type, HF's and GGUF's.
constexpr std::array<std::pair<std::string_view, LayerType>, 18> kComponents = {{
    {"q_proj", LayerType::kQ},
    {"attn_q", LayerType::kQ},
    {"k_proj", LayerType::kK},
    {"attn_k", LayerType::kK},
    {"v_proj", LayerType::kV},
    {"attn_v", LayerType::kV},
    {"o_proj", LayerType::kO},
    {"attn_output", LayerType::kO},
    {"gate_proj", LayerType::kGate},
    {"ffn_gate", LayerType::kGate},
    {"up_proj", LayerType::kUp},
    {"ffn_up", LayerType::kUp},
    {"down_proj", LayerType::kDown},
    {"ffn_down", LayerType::kDown},
    {"embed_tokens", LayerType::kEmbedding},
    {"token_embd", LayerType::kEmbedding},
    {"lm_head", LayerType::kLmHead},
    {"wte", LayerType::kEmbedding},
}};

}  // namespace

const std::vector<LayerType>& layer_types() {
  static const std::vector<LayerType> kAll = {
      LayerType::kQ,      LayerType::kK,    LayerType::kV,    LayerType::kO,
      LayerType::kGate,   LayerType::kUp,   LayerType::kDown, LayerType::kEmbedding,
      LayerType::kLmHead, LayerType::kOther};
  return kAll;
}

std::string_view layer_type_name(LayerType t) {
  switch (t) {
    case LayerType::kQ:
      return "q";
    case LayerType::kK:
      return "k";
    case LayerType::kV:
      return "v";
    case LayerType::kO:
      return "o";
    case LayerType::kGate:
      return "gate";
    case LayerType::kUp:
      return "up";
    case LayerType::kDown:
      return "down";
    case LayerType::kEmbedding:
      return "embedding";
    case LayerType::kLmHead:
      return "lm_head";
    case LayerType::kOther:
      return "other";
  }
  return "other";
}

LayerType layer_type_of(std::string_view name) {
  const std::vector<std::string_view> parts = components(name);
  // GGUF's lm_head is the top-level "output.weight" (blk.N.attn_output is o)
  if (parts.size() == 2 && parts[0] == "output") return LayerType::kLmHead;
  for (const std::string_view part : parts) {
    for (const auto& [component, type] : kComponents) {
      if (part == component) return type;
    }
  }
  return LayerType::kOther;
}

int layer_index_of(std::string_view name) {
  const std::vector<std::string_view> parts = components(name);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] != "blk" && parts[i] != "layers" && parts[i] != "h") continue;
    const std::string_view n = parts[i + 1];
    int v = -1;
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
    if (ec == std::errc() && end == n.data() + n.size() && v >= 0) return v;
  }
  return -1;
}

}  // namespace fp4lab::exp::model
