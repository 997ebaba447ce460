// FP4 E2M1 (s1 e2 m1, bias 1): values +-{0, 0.5, 1, 1.5, 2, 3, 4, 6}; no Inf, no NaN.
// Encoding follows CUDA 13 `__nv_cvt_float_to_fp4` (FORMATS.md §1): always saturating,
// +-Inf -> +-6, NaN -> +6 (NanPolicy::kCuda), negative values rounding to zero keep the sign.
#pragma once

#include "formats/small_float.hpp"

namespace fp4lab::formats {

/// FP4 E2M1 code in the low nibble. Codes 0x0-0x7 are +{0,.5,1,1.5,2,3,4,6}, 0x8-0xF the negatives.
struct fp4_e2m1 {
  std::uint8_t bits;

  static constexpr float kMax = 6.0f;             ///< largest magnitude
  static constexpr float kMinSubnormal = 0.5f;    ///< smallest nonzero magnitude (the only subnormal)
  static constexpr float kMinNormal = 1.0f;       ///< smallest normal magnitude
  FP4LAB_HD static constexpr detail::SmallFloatTraits traits() { return {1, 0, 0x7u, 0u, 0u, 0x8u}; }

  /// Encodes a float (or double) under the given rounding; random_bits feed kStochastic.
  template <class T>
  FP4LAB_HD static constexpr fp4_e2m1 from(T x, Rounding rounding = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0,
                                           NanPolicy nan = NanPolicy::kCuda) {
    return fp4_e2m1{detail::encode_small_float(x, traits(), Saturation::kSatFinite, rounding, random_bits, nan)};
  }
  /// Encodes an fp16 (exactly widened to float first, as CUDA does).
  FP4LAB_HD static constexpr fp4_e2m1 from(fp16 x, Rounding r = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0, NanPolicy nan = NanPolicy::kCuda) {
    return from(formats::to_float(x), r, random_bits, nan);
  }
  /// Encodes a bf16 (exactly widened to float first).
  FP4LAB_HD static constexpr fp4_e2m1 from(bf16 x, Rounding r = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0, NanPolicy nan = NanPolicy::kCuda) {
    return from(formats::to_float(x), r, random_bits, nan);
  }
  /// The exact value of the code.
  FP4LAB_HD constexpr float to_float() const {
    return detail::decode_small_float(static_cast<std::uint8_t>(bits & 0xFu), traits());
  }
};

/// Value of an E2M1 code (low nibble), exact.
FP4LAB_HD constexpr float e2m1_value(std::uint8_t code) { return fp4_e2m1{code}.to_float(); }

/// Rounds a float onto the E2M1 grid extended past 6 by steps of 2, without clamping:
/// the fouroversix PyTorch reference's unclamped cast (it can give 8). Returns a value, not a code.
FP4LAB_HD constexpr float e2m1_round_unclamped(float x) {
  const float a = abs_bits(x);
  if (!(a > 6.0f)) return fp4_e2m1::from(x).to_float();
  float r = a;  // a >= 2^24 is already a multiple of 2 (and Inf stays Inf)
  // a/2 in (3, 2^23): round to the nearest integer, ties to even
  const float h = a * 0.5f;
  if (h < 8388608.0f) {
    const float t = static_cast<float>(static_cast<std::uint64_t>(h));
    const float frac = h - t;
    std::uint64_t n = static_cast<std::uint64_t>(t);
    if (frac > 0.5f || (frac == 0.5f && (n & 1u))) ++n;
    r = 2.0f * static_cast<float>(n);
  }
  return x < 0.0f ? -r : r;
}

}  // namespace fp4lab::formats
