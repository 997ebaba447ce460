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
struct fp3_e2m0 : minifloat_base<fp3_e2m0, MinifloatLayout{2, 0, 1, true, SpecialCodes::kNone}> {
  using element_base<fp3_e2m0>::from;  // fp16 and bf16 inputs

  /// Encodes a float or double under the given rounding; random_bits feed kStochastic.
  /// Always saturates (+-Inf -> +-4); NaN follows `nan` (kCuda: +4, kKeepSign: +-4, kToZero: 0).
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr fp3_e2m0 from(T x, Rounding rounding = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0, NanPolicy nan = NanPolicy::kCuda) {
    return fp3_e2m0{detail::encode_small_float(x, traits(), Saturation::kSatFinite, rounding, random_bits, nan)};
  }
  /// The exact value of the code (bits above the low three are ignored).
  FP4LAB_HD constexpr float to_float() const {
    return detail::decode_small_float(static_cast<std::uint8_t>(bits & 0x7u), traits());
  }
};

}  // namespace fp4lab::formats
