// FP6 E2M3 (s1 e2 m3, bias 1, max 7.5) and E3M2 (s1 e3 m2, bias 3, max 28), OCP MX v1.0: every
// code finite, no Inf, no NaN. Encoding matches CUDA 13 `__nv_cvt_float_to_fp6` (FORMATS.md §9):
// always saturating, +-Inf -> +-max, NaN -> +max (NanPolicy::kCuda), -0 and negatives that round
// to zero keep the sign. Codes in the low six bits, sign in bit 5.
#pragma once

#include "formats/element_base.hpp"

namespace fp4lab::formats {

/// FP6 E2M3 code in the low six bits. Codes 0x00-0x1F are +{0, 0.125, 0.25, .. 0.875 (subnormals,
/// steps of 1/8), 1, 1.125 .. 1.875, 2, 2.25 .. 3.75, 4, 4.5 .. 7.5}, 0x20-0x3F the negatives.
/// Layout s1 e2 m3, bias 1, every code finite: kMax 7.5, kMinNormal 1, kMinSubnormal 0.125.
struct fp6_e2m3 : minifloat_base<fp6_e2m3, MinifloatLayout{2, 3, 1, true, SpecialCodes::kNone}> {
  using element_base<fp6_e2m3>::from;  // fp16 and bf16 inputs

  /// Encodes a float or double under the given rounding (CUDA offers kNearestEven and
  /// kTowardZero; kUp, kNearestTiesAway, kNearestTiesToZero and kStochastic with random_bits
  /// follow the same rounding core). Always saturates: there is no Inf or NaN code.
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr fp6_e2m3 from(T x, Rounding rounding = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0, NanPolicy nan = NanPolicy::kCuda) {
    return fp6_e2m3{detail::encode_small_float(x, traits(), Saturation::kSatFinite, rounding, random_bits, nan)};
  }
  /// The exact value of the code (bits above the low six are ignored).
  FP4LAB_HD constexpr float to_float() const {
    return detail::decode_small_float(static_cast<std::uint8_t>(bits & 0x3Fu), traits());
  }
};

/// FP6 E3M2 code in the low six bits. Codes 0x00-0x1F are +{0, 0.0625, 0.125, 0.1875
/// (subnormals, steps of 1/16), 0.25, 0.3125 .. 0.4375, 0.5 .. 0.875, 1 .. 1.75, 2 .. 3.5,
/// 4 .. 7, 8 .. 14, 16, 20, 24, 28}, 0x20-0x3F the negatives.
/// Layout s1 e3 m2, bias 3, every code finite: kMax 28, kMinNormal 0.25, kMinSubnormal 0.0625.
struct fp6_e3m2 : minifloat_base<fp6_e3m2, MinifloatLayout{3, 2, 3, true, SpecialCodes::kNone}> {
  using element_base<fp6_e3m2>::from;  // fp16 and bf16 inputs

  /// Encodes a float or double under the given rounding (CUDA offers kNearestEven and
  /// kTowardZero; the other modes follow the same rounding core). Always saturates.
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr fp6_e3m2 from(T x, Rounding rounding = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0, NanPolicy nan = NanPolicy::kCuda) {
    return fp6_e3m2{detail::encode_small_float(x, traits(), Saturation::kSatFinite, rounding, random_bits, nan)};
  }
  /// The exact value of the code (bits above the low six are ignored).
  FP4LAB_HD constexpr float to_float() const {
    return detail::decode_small_float(static_cast<std::uint8_t>(bits & 0x3Fu), traits());
  }
};

}  // namespace fp4lab::formats
