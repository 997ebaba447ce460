// A tiny Hugging Face style checkpoint for the model-report tests: two transformer blocks
// (q_proj, k_proj, down_proj), embed_tokens, lm_head, a norm (1-D) and an integer tensor,
// written with the project's safetensors writer.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/io/safetensors.hpp"
#include "core/synthetic.hpp"

namespace fp4lab::exp::testing {

/// One tensor of the tiny checkpoint: a synthetic matrix (1% outliers, rows scaled apart).
inline core::Tensor tiny_matrix(std::vector<std::int64_t> shape, core::DType dtype,
                                std::uint64_t seed) {
  core::SyntheticSpec s;
  s.shape = std::move(shape);
  s.dtype = dtype;
  s.seed = seed;
  s.outlier_fraction = 0.01;
  s.row_scale_spread = 0.5;
  return core::make_synthetic(s, 1);
}

/// Names and tensors of the tiny checkpoint, in write order.
struct TinyCheckpoint {
  std::vector<std::string> names = {"model.embed_tokens.weight",
                                    "model.layers.0.self_attn.q_proj.weight",
                                    "model.layers.0.mlp.down_proj.weight",
                                    "model.layers.1.self_attn.q_proj.weight",
                                    "model.layers.1.self_attn.k_proj.weight",
                                    "lm_head.weight",
                                    "model.layers.0.input_layernorm.weight"};
  std::vector<core::Tensor> tensors = {
      tiny_matrix({48, 32}, core::DType::kBF16, 1), tiny_matrix({32, 32}, core::DType::kBF16, 2),
      tiny_matrix({32, 80}, core::DType::kF32, 3),  tiny_matrix({32, 32}, core::DType::kF16, 4),
      tiny_matrix({16, 32}, core::DType::kBF16, 5), tiny_matrix({48, 32}, core::DType::kBF16, 6),
      tiny_matrix({32}, core::DType::kF32, 7)};
  std::vector<std::int64_t> ids{1, 2, 3, 4};
  /// Writes the checkpoint (plus an I64 tensor) to `path`.
  void write(const std::filesystem::path& path) const {
    std::vector<core::SafetensorsEntry> entries;
    for (std::size_t i = 0; i < names.size(); ++i)
      entries.push_back(core::safetensors_entry(names[i], tensors[i].view()));
    entries.push_back(
        {"position_ids", "I64", {4}, {reinterpret_cast<const std::uint8_t*>(ids.data()), 32}});
    core::write_safetensors(path.string(), entries);
  }
};

/// A fresh directory under the system temp directory, removed on destruction.
struct ScratchDir {
  std::filesystem::path path;
  /// Creates `fp4lab_<name>_<pid>` (emptied first).
  explicit ScratchDir(const std::string& name) {
    path = std::filesystem::temp_directory_path() /
           ("fp4lab_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace fp4lab::exp::testing
