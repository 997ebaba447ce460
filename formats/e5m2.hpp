// FP8 E5M2 (s1 e5 m2, bias 15): max 57344, min normal 2^-14, min subnormal 2^-16, IEEE-like
// Inf (0x7C/0xFC) and NaN (0x7D-0x7F, 0xFD-0xFF). Matches CUDA 13 `__nv_cvt_float_to_fp8(.., __NV_E5M2)`.
#pragma once

#include "formats/small_float.hpp"

namespace fp4lab::formats {

/// FP8 E5M2: codes 0x00-0x7B are +{0, 2^-16 .. 57344}, 0x7C +Inf, 0x7D-0x7F NaN; 0x80.. negatives.
struct fp8_e5m2 {
  std::uint8_t bits;

  static constexpr float kMax = 57344.0f;                   ///< largest finite magnitude
  static constexpr float kMinNormal = 6.103515625e-05f;     ///< 2^-14
  static constexpr float kMinSubnormal = 1.52587890625e-05f;  ///< 2^-16
  FP4LAB_HD static constexpr detail::SmallFloatTraits traits() { return {2, -14, 0x7Bu, 0x7Fu, 0x7Cu, 0x80u}; }

  /// Encodes a float or double; NoSat overflow gives +-Inf.
  template <class T>
  FP4LAB_HD static constexpr fp8_e5m2 from(T x, Saturation sat = Saturation::kSatFinite,
                                           Rounding rounding = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0, NanPolicy nan = NanPolicy::kCuda) {
    return fp8_e5m2{detail::encode_small_float(x, traits(), sat, rounding, random_bits, nan)};
  }
  /// Encodes an fp16 (exactly widened to float first).
  FP4LAB_HD static constexpr fp8_e5m2 from(fp16 x, Saturation sat = Saturation::kSatFinite,
                                           Rounding r = Rounding::kNearestEven, std::uint32_t rb = 0,
                                           NanPolicy nan = NanPolicy::kCuda) {
    return from(formats::to_float(x), sat, r, rb, nan);
  }
  /// Encodes a bf16 (exactly widened to float first).
  FP4LAB_HD static constexpr fp8_e5m2 from(bf16 x, Saturation sat = Saturation::kSatFinite,
                                           Rounding r = Rounding::kNearestEven, std::uint32_t rb = 0,
                                           NanPolicy nan = NanPolicy::kCuda) {
    return from(formats::to_float(x), sat, r, rb, nan);
  }
  /// Exact value; Inf codes give +-Inf, NaN codes a positive NaN.
  FP4LAB_HD constexpr float to_float() const { return detail::decode_small_float(bits, traits()); }
};

}  // namespace fp4lab::formats
