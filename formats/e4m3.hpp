// FP8 E4M3 "fn" (s1 e4 m3, bias 7): max 448, min normal 2^-6, min subnormal 2^-9,
// S.1111.111 is NaN, no Inf. UE4M3 is the same code with sign 0 (the NVFP4 block scale).
// Encoding matches CUDA 13 `__nv_cvt_float_to_fp8(.., __NV_E4M3)` (FORMATS.md §1).
#pragma once

#include "formats/element_base.hpp"

namespace fp4lab::formats {

/// FP8 E4M3: codes 0x00-0x7E are +{0, 2^-9 .. 448}, 0x80-0xFE the negatives, 0x7F/0xFF NaN.
/// Layout s1 e4 m3, bias 7, all-ones magnitude NaN: kMax 448, kMinNormal 2^-6, kMinSubnormal 2^-9.
struct fp8_e4m3 : minifloat_base<fp8_e4m3, MinifloatLayout{4, 3, 7, true, SpecialCodes::kNanAllOnes}> {
  // from(x, sat, rounding, random_bits, nan) is the layout's generic encoder (minifloat_base).

  /// Exact value; NaN codes give a positive NaN (0x7FFFFFFF). Device code for sm_89+ decodes
  /// through the hardware (detail::e4m3_decode_hw); its scalar twin is decode_small_float.
  FP4LAB_HD constexpr float to_float() const;
};

namespace detail {

/// Round-to-nearest-even, satfinite E4M3 code of a float: the hardware instruction
/// cvt.rn.satfinite.e4m3x2.f32 in device code for sm_89+, fp8_e4m3::from elsewhere. The two are
/// compared on all 2^32 floats by `fp4lab verify` (kernels/hw_conversions.cu).
FP4LAB_HD constexpr std::uint8_t e4m3_rn_satfinite(float x) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
  if (!__builtin_is_constant_evaluated()) {
    unsigned short pair = 0;
    asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(pair) : "f"(0.0f), "f"(x));
    return static_cast<std::uint8_t>(pair & 0xFFu);
  }
#endif
  return fp8_e4m3::from(x).bits;
}

/// Exact value of an E4M3 code: cvt.rn.f16x2.e4m3x2 (exact: every E4M3 value is an fp16) and
/// cvt.f32.f16 in device code for sm_89+, NaN codes replaced by the canonical NaN; the
/// software decoder elsewhere. `fp4lab verify` compares the two on all 256 codes.
FP4LAB_HD constexpr float e4m3_decode(std::uint8_t code) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
  if (!__builtin_is_constant_evaluated()) {
    unsigned pair = 0;
    unsigned short half = 0;
    float f = 0.0f;
    asm("cvt.rn.f16x2.e4m3x2 %0, %1;" : "=r"(pair) : "h"(static_cast<unsigned short>(code)));
    half = static_cast<unsigned short>(pair & 0xFFFFu);
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(half));
    return (code & 0x7Fu) == 0x7Fu ? canonical_nan() : f;
  }
#endif
  return decode_small_float(code, fp8_e4m3::traits());
}

}  // namespace detail

FP4LAB_HD constexpr float fp8_e4m3::to_float() const { return detail::e4m3_decode(bits); }

/// Unsigned E4M3 block scale: codes 0x00-0x7E are {0, 2^-9 .. 448}, 0x7F is NaN.
/// Encoding drops the input's sign (scales are magnitudes) and otherwise equals fp8_e4m3.
/// Layout e4 m3, bias 7, no sign, all-ones NaN: the limits of fp8_e4m3.
struct ue4m3 : minifloat_base<ue4m3, MinifloatLayout{4, 3, 7, false, SpecialCodes::kNanAllOnes}> {
  using element_base<ue4m3>::from;  // fp16 and bf16 inputs

  /// Encodes |x| as E4M3 (saturating by default, as every NVFP4 recipe does).
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr ue4m3 from(T x, Saturation sat = Saturation::kSatFinite,
                                        Rounding rounding = Rounding::kNearestEven) {
    if constexpr (sizeof(T) == 4) {  // float: |x| by clearing the sign bit (NaN stays NaN: 0x7F)
      if (sat == Saturation::kSatFinite && rounding == Rounding::kNearestEven) {
        return ue4m3{static_cast<std::uint8_t>(
            detail::e4m3_rn_satfinite(bit_cast<float>(bit_cast<std::uint32_t>(x) & 0x7FFFFFFFu)) & 0x7Fu)};
      }
    }
    return ue4m3{static_cast<std::uint8_t>(fp8_e4m3::from(x < T(0) ? -x : x, sat, rounding).bits & 0x7Fu)};
  }
  /// Exact value (the sign bit is ignored).
  FP4LAB_HD constexpr float to_float() const { return fp8_e4m3{static_cast<std::uint8_t>(bits & 0x7Fu)}.to_float(); }
};

/// Round-to-nearest-even, saturating E4M3 of a float, returned as its value (the `e4m3()` of FORMATS.md §2).
FP4LAB_HD constexpr float e4m3_round(float x) { return fp8_e4m3::from(x).to_float(); }

}  // namespace fp4lab::formats
