// INT4, two's complement in a nibble: -8..7. Symmetric schemes restrict to -7..7
// (FORMATS.md §1, §5). Rounding from float is to nearest even, with clamping.
#pragma once

#include "formats/element_base.hpp"
#include "formats/minifloat.hpp"

namespace fp4lab::formats {

/// Which integer range an INT4 encoding clamps to.
enum class Int4Range : std::uint8_t {
  kFull,       ///< -8..7
  kSymmetric,  ///< -7..7 (symmetric absmax schemes, NVINT4)
};

/// Rounds a float to the nearest integer, ties to even (or under `rounding`; NaN gives 0),
/// clamped to [lo, hi]: the one integer rounding of detail::round_to_int_clamped (minifloat.hpp).
FP4LAB_HD constexpr int round_half_even_clamped(float x, int lo, int hi, Rounding rounding = Rounding::kNearestEven,
                                                 std::uint32_t random_bits = 0) {
  return detail::round_to_int_clamped(x, lo, hi, rounding, random_bits);
}

/// A signed 4-bit integer stored in the low nibble of `bits` (two's complement).
/// Values -8..7 (kMin, kMax); symmetric schemes use -7..7.
struct int4 : element_base<int4> {
  static constexpr float kMin = -8.0f;  ///< smallest value
  static constexpr float kMax = 7.0f;   ///< largest value

  using element_base<int4>::from;  // fp16 and bf16 inputs

  /// Encodes a float (a double is narrowed to float first): round to nearest even (or as
  /// told), clamp to the range.
  FP4LAB_HD static constexpr int4 from(float x, Int4Range range = Int4Range::kFull,
                                       Rounding rounding = Rounding::kNearestEven, std::uint32_t random_bits = 0) {
    const int lo = range == Int4Range::kFull ? -8 : -7;
    const int v = round_half_even_clamped(x, lo, 7, rounding, random_bits);
    return int4{static_cast<std::uint8_t>(v & 0xF)};
  }
  /// |value()| of from(x, Int4Range::kSymmetric) for a non-NaN x: min(|x|, 7) rounded to an
  /// integer, ties to even, by adding 1.5 * 2^23 (where the sum's ulp is 1, so the add itself
  /// rounds that way) and keeping the low three bits. Three device instructions (FMNMX with
  /// |x| as its operand modifier, FADD, LOP) instead of the generic rounding core. x must not be
  /// NaN (the device's FMNMX would give 7, from() gives 0): IF4 takes a block holding one through
  /// its general path. Compared with from() on the CPU (tests/formats/int4_test.cpp) and on
  /// every non-NaN float on the device (`fp4lab verify`).
  FP4LAB_HD static constexpr std::uint8_t rn_magnitude_symmetric(float x) {
    float a = 0.0f;
#if defined(__CUDA_ARCH__)
    if (!__builtin_is_constant_evaluated()) {
      a = fminf(fabsf(x), 7.0f);
    } else
#endif
    {
      const float ax = bit_cast<float>(bit_cast<std::uint32_t>(x) & 0x7FFFFFFFu);
      a = ax > 7.0f ? 7.0f : ax;
    }
    return static_cast<std::uint8_t>(bit_cast<std::uint32_t>(a + 12582912.0f) & 0x7u);
  }
  /// The integer value, -8..7.
  FP4LAB_HD constexpr int value() const { return (bits & 0x8u) ? static_cast<int>(bits & 0xFu) - 16 : static_cast<int>(bits & 0x7u); }
  /// The value as a float.
  FP4LAB_HD constexpr float to_float() const { return static_cast<float>(value()); }
};

}  // namespace fp4lab::formats
