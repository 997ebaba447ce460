// A checkpoint of any kind fp4lab reads, behind one interface: one .safetensors file, a sharded
// one (`*.safetensors.index.json` and its shards, as Hugging Face writes them), a GGUF file
// (tensors dequantized to FP32), or one .npy array. Tensors are loaded one at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace fp4lab::core {

class SafetensorsFile;
class GgufFile;

/// What a checkpoint says about one tensor before it is loaded.
struct CheckpointEntry {
  std::string name;
  std::string dtype;                ///< as stored: "BF16", "F32", "Q4_1", "I64", ...
  std::vector<std::int64_t> shape;  ///< row-major
  bool is_float = false;            ///< loadable as a float tensor (F32/F16/BF16, or a GGUF type fp4lab dequantizes)
  bool scalar = false;              ///< stored with shape [] (`shape` then says [1])
};

/// An opened checkpoint (move-only; keeps its files mapped).
class Checkpoint {
 public:
  /// Opens `path` by its name: *.safetensors.index.json, *.safetensors, *.gguf or *.npy.
  /// Throws IoError, FormatError (naming the file and the problem) or std::invalid_argument for
  /// another extension.
  static Checkpoint open(const std::string& path);
  Checkpoint(Checkpoint&&) noexcept;
  Checkpoint& operator=(Checkpoint&&) noexcept;
  ~Checkpoint();

  /// The path given to open().
  const std::string& source() const { return source_; }
  /// Every tensor, sorted by name.
  const std::vector<CheckpointEntry>& entries() const { return entries_; }
  /// The entry named `name`; throws FormatError naming the checkpoint when absent.
  const CheckpointEntry& entry(std::string_view name) const;
  /// Tensor `name` as floats: a copy in its own dtype for F32/F16/BF16, FP32 for a dequantized
  /// GGUF type. Throws FormatError for a tensor that is not float data.
  Tensor load(std::string_view name) const;
  /// Tensor `name`'s stored bytes, viewing the mapped file: any dtype of a safetensors or npy
  /// checkpoint, GGUF types F32, F16 and BF16 (row-major). Throws FormatError for another GGUF
  /// type (named) or an unknown name.
  std::span<const std::uint8_t> raw(std::string_view name) const;

 private:
  Checkpoint();
  struct Impl;
  std::string source_;
  std::vector<CheckpointEntry> entries_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fp4lab::core
