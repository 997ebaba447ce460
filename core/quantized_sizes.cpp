// The sizes of one quantized tensor (see quantized_sizes.hpp).
#include "core/quantized_sizes.hpp"

namespace fp4lab::core {

QuantizedSizes quantized_sizes(const formats::Recipe& recipe, formats::ScaleLayout layout,
                               std::int64_t rows, std::int64_t cols) {
  QuantizedSizes s;
  s.rows = rows;
  s.cols = cols;
  const std::int64_t bs = recipe.block_size > 0 ? recipe.block_size : 1;
  s.padded_cols = (cols + bs - 1) / bs * bs;
  s.scale_cols = s.padded_cols / bs;
  s.code_bytes = static_cast<std::size_t>(rows * s.padded_cols / formats::format_traits(recipe.format).codes_per_byte);
  if (!formats::stores_scale_codes(recipe.format)) {
    s.group_count = static_cast<std::size_t>(rows * s.scale_cols);
    s.group_scale_bytes = s.group_count * 4;  // stored as F32 (core/io/quantized_file.hpp)
    s.zero_point_bytes = s.group_count;       // one U8 each, for both schemes
  } else {
    s.scale_bytes = formats::padded_scale_rows(static_cast<std::size_t>(rows), layout) *
                    formats::padded_scale_cols(static_cast<std::size_t>(s.scale_cols), layout);
  }
  s.tensor_scale_bytes = 8;  // NAME.tensor_scale and NAME.amax, one F32 each, for every recipe
  return s;
}

double bits_per_value(const formats::Recipe& recipe, formats::ScaleLayout layout, std::int64_t rows,
                      std::int64_t cols) {
  return quantized_sizes(recipe, layout, rows, cols).bits_per_value();
}

}  // namespace fp4lab::core
