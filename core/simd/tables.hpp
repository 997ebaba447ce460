// Lookup tables shared by every Highway target of the SIMD quantizers, filled from the scalar
// decoders of formats/ (so a table read is the scalar decode, bit for bit).
#pragma once

#include <array>

#include "formats/e4m3.hpp"

namespace fp4lab::core::simd {

/// ue4m3{c}.to_float() for c = 0..127 (0x7F is the canonical NaN).
inline const float* ue4m3_values() {
  static const std::array<float, 128> table = [] {
    std::array<float, 128> t{};
    for (int c = 0; c < 128; ++c) t[static_cast<std::size_t>(c)] = formats::ue4m3{static_cast<std::uint8_t>(c)}.to_float();
    return t;
  }();
  return table.data();
}

}  // namespace fp4lab::core::simd
