// GGUF reader (the llama.cpp / ggml checkpoint format, version 2 and 3): header, metadata,
// tensor directory, and bit-exact dequantization of F32, F16, BF16, Q8_0, Q4_0 and Q4_1 as
// PyPI's `gguf` package computes it (gguf.quants.dequantize, FP32 arithmetic, no FMA).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/mapped_file.hpp"

namespace fp4lab::core {

/// A ggml tensor type id as GGUF stores it (the ids of ggml.h's `enum ggml_type`).
enum class GgmlType : std::uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ8_0 = 8,
  kBF16 = 30,
};

/// The ggml name of a type id ("Q4_1", "Q6_K", ...; "type 77" for ids ggml does not define).
std::string ggml_type_name(std::uint32_t type);
/// True for the types fp4lab dequantizes: F32, F16, BF16, Q8_0, Q4_0, Q4_1.
bool ggml_type_supported(std::uint32_t type);

/// One entry of the tensor directory.
struct GgufTensorInfo {
  std::string name;
  std::vector<std::int64_t> shape;  ///< Row-major (slowest first): GGUF's ne[] reversed.
  std::uint32_t type = 0;           ///< A ggml type id (may be one fp4lab does not read).
  std::uint64_t offset = 0;         ///< Byte offset from the start of the data section.
  std::uint64_t bytes = 0;          ///< Size in bytes (0 when the type is unsupported).
  std::int64_t numel() const;
};

/// A parsed GGUF file: metadata (as JSON: numbers, bools, strings, arrays) and tensors.
class GgufFile {
 public:
  /// GGUF version (2 or 3).
  std::uint32_t version() const { return version_; }
  /// Every metadata key and value; arrays of strings (the vocabulary) become JSON arrays.
  const nlohmann::json& metadata() const { return metadata_; }
  /// The tensors in file order.
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  /// The tensor named `name`; throws FormatError naming the file when absent.
  const GgufTensorInfo& tensor(std::string_view name) const;
  /// True when a tensor is named `name`.
  bool has(std::string_view name) const;
  /// A tensor's raw bytes; throws FormatError for an unsupported type (named).
  std::span<const std::uint8_t> raw(const GgufTensorInfo& t) const;
  /// A tensor dequantized to FP32, row-major, bit for bit as gguf.quants.dequantize.
  std::vector<float> dequantize(const GgufTensorInfo& t) const;
  /// The file (or "<memory>") the bytes came from.
  const std::string& source() const { return source_; }
  /// A metadata string; throws FormatError naming the key when absent or not a string.
  std::string string_value(const std::string& key) const;
  /// A metadata number; throws FormatError naming the key when absent or not a number.
  double number_value(const std::string& key) const;

 private:
  friend GgufFile parse_gguf(std::span<const std::uint8_t>, std::string);
  friend GgufFile open_gguf(const std::string&);

  std::string source_ = "<memory>";
  MappedFile file_;
  std::span<const std::uint8_t> data_;  ///< The data section.
  std::uint32_t version_ = 0;
  nlohmann::json metadata_ = nlohmann::json::object();
  std::vector<GgufTensorInfo> tensors_;
};

/// Parses GGUF bytes held by the caller (they must outlive the result); `source` names them in
/// messages. Throws FormatError, and nothing else, for any input.
GgufFile parse_gguf(std::span<const std::uint8_t> bytes, std::string source = "<memory>");
/// Memory-maps and parses `path`; throws IoError or FormatError.
GgufFile open_gguf(const std::string& path);

/// Dequantizes `bytes` of ggml type `type` holding `numel` values into `out` (FP32); throws
/// FormatError for an unsupported type or a size that does not match.
void dequantize_ggml(std::uint32_t type, std::span<const std::uint8_t> bytes, std::span<float> out);

}  // namespace fp4lab::core
