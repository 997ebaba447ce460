// FP3 E2M0 (s1 e2 m0, bias 1): values +-{0, 1, 2, 4}, every code finite, no Inf, no NaN; the
// element of nvfp3/mxfp3 (FORMATS.md §9; fouroversix 1.1 kernels/triton/fp3.py stores
// (sign << 2) | code, code 0..3 -> 0, 1, 2, 4). Saturating; NaN -> +4 as CUDA does for FP4/FP6.
#pragma once

#include "formats/element_base.hpp"

namespace fp4lab::formats {

/// FP3 E2M0 code in the low three bits. Codes 0x0-0x3 are +{0, 1, 2, 4}, 0x4-0x7 the negatives
/// (0x4 is -0). Layout s1 e2 m0, bias 1, no subnormals but zero: kMax 4, kMinNormal 1,
/// kMinSubnormal 1 (the smallest nonzero magnitude).
/// Round to nearest even sends ties to the even code: 0.5 -> 0, 1.5 -> 2, 3 -> 2. The
/// fouroversix FP3 kernel (convert_to_e2m0: |x| <= 0.5 -> 0, <= 1.5 -> 1, <= 3 -> 2, else 4)
/// rounds every tie toward zero: Rounding::kNearestTiesToZero. It writes an exact -0 as 0x0,
/// where this encoder (as every signed minifloat here) keeps the sign: 0x4.
/// from(x, rounding, random_bits, nan) and to_float() are the layout's generic ones
/// (minifloat_base): always saturating (+-Inf -> +-4), NaN as `nan` says (kCuda: +4).
struct fp3_e2m0 : minifloat_base<fp3_e2m0, MinifloatLayout{2, 0, 1, true, SpecialCodes::kNone}> {};

}  // namespace fp4lab::formats
