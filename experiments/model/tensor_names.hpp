// What a checkpoint tensor's name says about it: its layer type (q, k, v, o, gate, up, down,
// embedding, lm_head, other) and block index, from Hugging Face names
// (model.layers.N.self_attn.q_proj.weight) and GGUF names (blk.N.attn_q.weight, llama.cpp's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fp4lab::exp::model {

/// The kind of matrix a tensor is in a transformer, as its name says.
enum class LayerType { kQ, kK, kV, kO, kGate, kUp, kDown, kEmbedding, kLmHead, kOther };

/// Every layer type in report order (q, k, v, o, gate, up, down, embedding, lm_head, other).
const std::vector<LayerType>& layer_types();

/// The short name of a layer type: "q", "k", "v", "o", "gate", "up", "down", "embedding",
/// "lm_head", "other".
std::string_view layer_type_name(LayerType t);

/// The layer type of a tensor name: HF (`q_proj`, `k_proj`, `v_proj`, `o_proj`, `gate_proj`,
/// `up_proj`, `down_proj`, `embed_tokens`, `lm_head`) or GGUF (`attn_q`, `attn_k`, `attn_v`,
/// `attn_output`, `ffn_gate`, `ffn_up`, `ffn_down`, `token_embd`, a top-level `output`);
/// kOther for anything else.
LayerType layer_type_of(std::string_view name);

/// The transformer block index of a tensor name (the number after `blk.`, `layers.` or `h.`),
/// or -1 for tensors outside the blocks (embeddings, the final norm, lm_head).
int layer_index_of(std::string_view name);

}  // namespace fp4lab::exp::model
