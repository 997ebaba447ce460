// FP8 E5M2 (s1 e5 m2, bias 15): max 57344, min normal 2^-14, min subnormal 2^-16, IEEE-like
// Inf (0x7C/0xFC) and NaN (0x7D-0x7F, 0xFD-0xFF). Matches CUDA 13 `__nv_cvt_float_to_fp8(.., __NV_E5M2)`.
#pragma once

#include "formats/element_base.hpp"

namespace fp4lab::formats {

/// FP8 E5M2: codes 0x00-0x7B are +{0, 2^-16 .. 57344}, 0x7C +Inf, 0x7D-0x7F NaN; 0x80.. negatives.
/// Layout s1 e5 m2, bias 15, IEEE specials: kMax 57344, kMinNormal 2^-14, kMinSubnormal 2^-16.
struct fp8_e5m2 : minifloat_base<fp8_e5m2, MinifloatLayout{5, 2, 15, true, SpecialCodes::kIeee}> {
  using element_base<fp8_e5m2>::from;  // fp16 and bf16 inputs

  /// Encodes a float or double; NoSat overflow gives +-Inf.
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr fp8_e5m2 from(T x, Saturation sat = Saturation::kSatFinite,
                                           Rounding rounding = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0, NanPolicy nan = NanPolicy::kCuda) {
    return fp8_e5m2{detail::encode_small_float(x, traits(), sat, rounding, random_bits, nan)};
  }
  /// Exact value; Inf codes give +-Inf, NaN codes a positive NaN.
  FP4LAB_HD constexpr float to_float() const { return detail::decode_small_float(bits, traits()); }
};

}  // namespace fp4lab::formats
