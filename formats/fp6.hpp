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
/// from(x, rounding, random_bits, nan) and to_float() are the layout's generic ones
/// (minifloat_base): CUDA offers kNearestEven and kTowardZero; the other roundings follow the
/// same rounding core. Always saturating: there is no Inf or NaN code.
struct fp6_e2m3 : minifloat_base<fp6_e2m3, MinifloatLayout{2, 3, 1, true, SpecialCodes::kNone}> {};

/// FP6 E3M2 code in the low six bits. Codes 0x00-0x1F are +{0, 0.0625, 0.125, 0.1875
/// (subnormals, steps of 1/16), 0.25, 0.3125 .. 0.4375, 0.5 .. 0.875, 1 .. 1.75, 2 .. 3.5,
/// 4 .. 7, 8 .. 14, 16, 20, 24, 28}, 0x20-0x3F the negatives.
/// Layout s1 e3 m2, bias 3, every code finite: kMax 28, kMinNormal 0.25, kMinSubnormal 0.0625.
/// from and to_float are the layout's generic ones, as for fp6_e2m3.
struct fp6_e3m2 : minifloat_base<fp6_e3m2, MinifloatLayout{3, 2, 3, true, SpecialCodes::kNone}> {};

}  // namespace fp4lab::formats
