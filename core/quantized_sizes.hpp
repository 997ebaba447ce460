// The sizes of one quantized tensor (FORMATS.md §7): padded columns, scale columns, code and
// scale bytes, and the bits per value every report prints (README "Bits per value"). Computed
// here once for the CPU quantizer (core/quantize.cpp), the GPU's and the quantized file.
// Plain types only (no JSON, no fmt), so the CUDA sources can include it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "formats/block.hpp"
#include "formats/layout.hpp"

namespace fp4lab::core {

/// Sizes of a quantized rows x cols tensor (the fields of core::QuantizedTensor, as counts).
struct QuantizedSizes {
  std::int64_t rows = 0, cols = 0;
  std::int64_t padded_cols = 0;  ///< cols rounded up to the block size
  std::int64_t scale_cols = 0;   ///< padded_cols / block_size
  std::size_t code_bytes = 0;    ///< rows * padded_cols / codes_per_byte (2 for 4-bit codes, 1 for 3/6/8-bit)
  std::size_t scale_bytes = 0;   ///< 8-bit scales in the layout, padding included (0 for INT4)
  std::size_t group_count = 0;   ///< grouped INT4: rows * scale_cols FP32 scales and zero points
  std::size_t group_scale_bytes = 0;  ///< grouped INT4 scales as stored (FP32: 4 bytes each)
  std::size_t zero_point_bytes = 0;   ///< grouped INT4 zero points as stored (1 byte each)
  std::size_t tensor_scale_bytes = 0; ///< the FP32 tensor (decode) scale and FP32 amax: 8
  /// Every byte above: what one tensor costs in a quantized file (core/io/quantized_file.hpp).
  std::size_t total_bytes() const {
    return code_bytes + scale_bytes + group_scale_bytes + zero_point_bytes + tensor_scale_bytes;
  }
  /// total_bytes() * 8 / (rows * cols): bits per element of the original tensor, padding,
  /// swizzle padding and tensor scale included (0 for an empty tensor).
  double bits_per_value() const {
    const double n = static_cast<double>(rows) * static_cast<double>(cols);
    return n > 0 ? static_cast<double>(total_bytes()) * 8.0 / n : 0.0;
  }
};

/// The sizes of quantizing a rows x cols tensor with `recipe`, scales in `layout`.
QuantizedSizes quantized_sizes(const formats::Recipe& recipe, formats::ScaleLayout layout,
                               std::int64_t rows, std::int64_t cols);

/// The bits per value of a rows x cols tensor (blocks along cols) under `recipe` and `layout`:
/// quantized_sizes(...).bits_per_value(), the one definition every report uses.
double bits_per_value(const formats::Recipe& recipe, formats::ScaleLayout layout, std::int64_t rows,
                      std::int64_t cols);

}  // namespace fp4lab::core
