// Storage layouts of FORMATS.md §7: two 4-bit codes per byte (low nibble = even element) and
// the two block-scale layouts, row-major and the cuBLAS/CUTLASS 128x4 swizzle.
#pragma once

#include <cstddef>

#include "formats/common.hpp"

namespace fp4lab::formats {

/// Where block scales are stored.
enum class ScaleLayout : std::uint8_t {
  kRowMajor,    ///< (rows, scale_cols)
  kSwizzled128x4,  ///< Blackwell GEMM layout; rows padded to 128, scale columns to 4
};

/// Byte j of a packed row holds code[2j] in bits 0-3 and code[2j+1] in bits 4-7.
FP4LAB_HD constexpr std::uint8_t pack_pair(std::uint8_t even, std::uint8_t odd) {
  return static_cast<std::uint8_t>(((odd & 0xFu) << 4) | (even & 0xFu));
}

/// Code of element i from a packed array.
FP4LAB_HD constexpr std::uint8_t unpack_code(const std::uint8_t* packed, std::size_t i) {
  return static_cast<std::uint8_t>((packed[i >> 1] >> ((i & 1u) * 4u)) & 0xFu);
}

/// Number of scale rows and columns after padding for a layout.
FP4LAB_HD constexpr std::size_t padded_scale_rows(std::size_t rows, ScaleLayout l) {
  return l == ScaleLayout::kRowMajor ? rows : (rows + 127) / 128 * 128;
}
/// Padded scale columns (to 4 for the swizzle).
FP4LAB_HD constexpr std::size_t padded_scale_cols(std::size_t cols, ScaleLayout l) {
  return l == ScaleLayout::kRowMajor ? cols : (cols + 3) / 4 * 4;
}

/// Offset of scale (r, c) in a scale array of `scale_cols` (unpadded) columns.
FP4LAB_HD constexpr std::size_t scale_offset(std::size_t r, std::size_t c, std::size_t scale_cols, ScaleLayout l) {
  if (l == ScaleLayout::kRowMajor) return r * scale_cols + c;
  const std::size_t padded_cols = padded_scale_cols(scale_cols, l);
  const std::size_t rt = r / 128, ct = c / 4;
  return (rt * (padded_cols / 4) + ct) * 512 + (r % 32) * 16 + ((r % 128) / 32) * 4 + (c % 4);
}

}  // namespace fp4lab::formats
