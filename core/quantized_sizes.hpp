// The sizes of one quantized tensor (FORMATS.md §7): padded columns, scale columns, code and
// scale bytes. Computed here once for the CPU quantizer (core/quantize.cpp) and the GPU's.
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
};

/// The sizes of quantizing a rows x cols tensor with `recipe`, scales in `layout`.
QuantizedSizes quantized_sizes(const formats::Recipe& recipe, formats::ScaleLayout layout,
                               std::int64_t rows, std::int64_t cols);

}  // namespace fp4lab::core
