// Another library's quantization for `diff --external`: packed codes, 8-bit block scales and a
// tensor scale read from a .safetensors file (an fp4lab quantized file through read_quantized)
// or a folder of .npy files, copied out as raw arrays for diff to check and decode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace fp4lab::exp {

/// One array read from another library's output, copied out of its file.
struct ExternalArray {
  std::string where;                ///< "file:name" or the .npy path, for messages
  std::string dtype;                ///< safetensors spelling: U8, F32, F8_E4M3, ...
  std::vector<std::int64_t> shape;  ///< as in the file
  std::vector<std::uint8_t> bytes;  ///< the array's bytes, little-endian
  /// Number of elements.
  std::int64_t numel() const { return core::shape_numel(shape); }
  /// "where (dtype shape)", for messages.
  std::string describe() const {
    return where + " (" + dtype + " " + core::shape_string(shape) + ")";
  }
};

/// What an external quantization provides.
struct ExternalFiles {
  ExternalArray codes;                        ///< packed 4-bit codes
  ExternalArray scales;                       ///< 8-bit block scales
  std::optional<ExternalArray> tensor_scale;  ///< the FP32 decode scale, when given
  std::string layout_hint;  ///< "NAME.scale_layout" metadata of an fp4lab file, else empty
};

/// Reads `path`: a .safetensors file (tensors PREFIX.codes, PREFIX.scales, PREFIX.tensor_scale),
/// a folder of PREFIX.codes.npy, ... or one of those .npy files. Throws std::invalid_argument
/// naming what is missing and what is there, core::IoError or core::FormatError.
ExternalFiles read_external(const std::string& path, const std::string& prefix);

}  // namespace fp4lab::exp
