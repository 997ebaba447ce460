// FP8 E5M2 (s1 e5 m2, bias 15): max 57344, min normal 2^-14, min subnormal 2^-16, IEEE-like
// Inf (0x7C/0xFC) and NaN (0x7D-0x7F, 0xFD-0xFF). Matches CUDA 13 `__nv_cvt_float_to_fp8(.., __NV_E5M2)`.
#pragma once

#include "formats/element_base.hpp"

namespace fp4lab::formats {

/// FP8 E5M2: codes 0x00-0x7B are +{0, 2^-16 .. 57344}, 0x7C +Inf, 0x7D-0x7F NaN; 0x80.. negatives.
/// Layout s1 e5 m2, bias 15, IEEE specials: kMax 57344, kMinNormal 2^-14, kMinSubnormal 2^-16.
/// from(x, sat, rounding, random_bits, nan) and to_float() are the layout's generic ones
/// (minifloat_base): kNoSat overflow gives +-Inf; Inf codes decode to +-Inf, NaN codes to a
/// positive NaN.
struct fp8_e5m2 : minifloat_base<fp8_e5m2, MinifloatLayout{5, 2, 15, true, SpecialCodes::kIeee}> {};

}  // namespace fp4lab::formats
