// FP4 E2M1 (s1 e2 m1, bias 1): values +-{0, 0.5, 1, 1.5, 2, 3, 4, 6}; no Inf, no NaN.
// Encoding follows CUDA 13 `__nv_cvt_float_to_fp4` (FORMATS.md §1): always saturating,
// +-Inf -> +-6, NaN -> +6 (NanPolicy::kCuda), negative values rounding to zero keep the sign.
#pragma once

#include "formats/element_base.hpp"

namespace fp4lab::formats {

/// FP4 E2M1 code in the low nibble. Codes 0x0-0x7 are +{0,.5,1,1.5,2,3,4,6}, 0x8-0xF the negatives.
/// Layout s1 e2 m1, bias 1, every code finite: kMax 6, kMinNormal 1, kMinSubnormal 0.5.
struct fp4_e2m1 : minifloat_base<fp4_e2m1, MinifloatLayout{2, 1, 1, true, SpecialCodes::kNone}> {
  using element_base<fp4_e2m1>::from;  // fp16 and bf16 inputs

  /// Encodes a float (or double) under the given rounding; random_bits feed kStochastic.
  /// Float inputs rounded to nearest even take rn_satfinite (e2m1_rne_arith, or the hardware),
  /// whose scalar twin is the generic encoder; the two are compared on all 2^32 floats.
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr fp4_e2m1 from(T x, Rounding rounding = Rounding::kNearestEven,
                                           std::uint32_t random_bits = 0,
                                           NanPolicy nan = NanPolicy::kCuda) {
    if constexpr (sizeof(T) == 4) {
      if (rounding == Rounding::kNearestEven && nan == NanPolicy::kCuda) return fp4_e2m1{rn_satfinite(x)};
    }
    return fp4_e2m1{encode_generic(x, rounding, random_bits, nan)};
  }
  /// The generic (rounding-core) encoder: the scalar reference for every fast path.
  template <class T>
  FP4LAB_HD static constexpr std::uint8_t encode_generic(T x, Rounding rounding, std::uint32_t random_bits,
                                                         NanPolicy nan) {
    return encode(x, Saturation::kSatFinite, rounding, random_bits, nan);
  }
  /// Round-to-nearest-even E2M1 code of a float: the hardware instruction
  /// cvt.rn.satfinite.e2m1x2.f32 in device code for sm_100a/103a/120a, the ladder elsewhere
  /// (compared on all 2^32 floats by `fp4lab verify` where the chip has it).
  FP4LAB_HD static constexpr std::uint8_t rn_satfinite(float x) {
#if defined(__CUDA_ARCH_FEAT_SM100_ALL) || defined(__CUDA_ARCH_FEAT_SM103_ALL) || defined(__CUDA_ARCH_FEAT_SM120_ALL)
    if (!__builtin_is_constant_evaluated()) {
      unsigned short b = 0;
      asm("{\n .reg .b8 t;\n cvt.rn.satfinite.e2m1x2.f32 t, %1, %2;\n cvt.u16.u8 %0, t;\n}"
          : "=h"(b)
          : "f"(0.0f), "f"(x));
      return static_cast<std::uint8_t>(b & 0xFu);
    }
#endif
    return e2m1_rne_arith(x);
  }
  /// Round-to-nearest-even E2M1 code of a float without branches or comparisons per
  /// midpoint, with CUDA's NaN rule (+6) and sign rule (negatives rounding to 0 give 0x8):
  /// e2m1_rne_fma in device code (fewer instructions there), e2m1_rne_int on the CPU (the
  /// compiler vectorizes its integer form; the FMA form measured 25 % slower on the CPU).
  /// Both are compared with the generic encoder on all 2^32 floats (tests/formats), and the
  /// device's on the GPU too (`fp4lab verify`).
  FP4LAB_HD static constexpr std::uint8_t e2m1_rne_arith(float x) {
#if defined(__CUDA_ARCH__)
    return e2m1_rne_fma(x);
#else
    return e2m1_rne_int(x);
#endif
  }
  /// The integer form: |x| >= 1 rounds its mantissa to one bit in the integer domain (the
  /// exponent carries into the code: 1 -> 2, 1.5 -> 3, 2 -> 4, ... 6 -> 7; larger, Inf and NaN
  /// clamp to 7); |x| < 1 rounds 2|x| to an integer by adding 1.5 * 2^23 (codes 0, 1, 2).
  FP4LAB_HD static constexpr std::uint8_t e2m1_rne_int(float x) {
    const std::uint32_t u = bit_cast<std::uint32_t>(x);
    const std::uint32_t a = u & 0x7FFFFFFFu;
    const std::uint32_t r = a + 0x1FFFFFu + ((a >> 22) & 1u);  // <= 0x801FFFFF: no wrap
    const std::uint32_t hi_raw = (r >> 22) - 252u;
    const std::uint32_t hi = hi_raw < 7u ? hi_raw : 7u;
    const std::uint32_t lo = bit_cast<std::uint32_t>(bit_cast<float>(a) * 2.0f + 12582912.0f) & 3u;
    const std::uint32_t mag = a >= 0x3F800000u ? hi : lo;
    const std::uint32_t sign = a > 0x7F800000u ? 0u : (u >> 28) & 0x8u;
    return static_cast<std::uint8_t>(sign | mag);
  }
  /// The FMA form, about ten device instructions: clamp x to [-6, 6] (NaN -> +6, Inf -> +-6);
  /// a = |x|; P = 2^floor(log2(max(a, 1))) is 1, 2 or 4, so the E2M1 grid spacing near a is
  /// P/2; s = a + (1.5 * 2^22 + 1) * P rounds a once, to nearest even, onto that spacing (the
  /// product is exact, so FFMA and a separate add agree), and the low mantissa bits of s hold
  /// k + 2, k = a / (P/2) rounded; the code is k + 2 * log2(P) (spacing 0.5: codes 0-4,
  /// 1: 4-6, 2: 6-7), i.e. the low three bits of bits(s) + bits(P) / 2^22 (bits(P) / 2^22 is
  /// 2 * log2(P) + 254). Ties to even k are ties to the even code. The sign is bit 3 of
  /// bits(x) >> 28.
  FP4LAB_HD static constexpr std::uint8_t e2m1_rne_fma(float x) {
    float c = 0.0f, a = 0.0f, s = 0.0f;
    std::uint32_t p = 0;
#if defined(__CUDA_ARCH__)
    if (!__builtin_is_constant_evaluated()) {  // FMNMX ignores NaN: fminf(NaN, 6) = 6
      c = fmaxf(fminf(x, 6.0f), -6.0f);
      a = fabsf(c);
      p = bit_cast<std::uint32_t>(fmaxf(a, 1.0f)) & 0x7F800000u;
      s = __fmaf_rn(bit_cast<float>(p), 6291457.0f, a);
    } else
#endif
    {
      c = is_nan(x) ? 6.0f : (x > 6.0f ? 6.0f : (x < -6.0f ? -6.0f : x));
      a = abs_bits(c);
      p = bit_cast<std::uint32_t>(a > 1.0f ? a : 1.0f) & 0x7F800000u;
      s = bit_cast<float>(p) * 6291457.0f + a;
    }
    const std::uint32_t mag = bit_cast<std::uint32_t>(s) + (p >> 22);
    const std::uint32_t sign = bit_cast<std::uint32_t>(c) >> 28;  // sign in bit 3, bits 0-2 dropped
#if defined(__CUDA_ARCH__)
    if (!__builtin_is_constant_evaluated()) {  // one LOP3: bits 0-2 of mag, bit 3 of sign
      std::uint32_t code = 0;
      asm("lop3.b32 %0, %1, 7, %2, 0xE2;" : "=r"(code) : "r"(mag), "r"(sign));
      __builtin_assume(code < 16u);  // sign < 16: lets callers pack without masking
      return static_cast<std::uint8_t>(code);
    }
#endif
    return static_cast<std::uint8_t>((mag & 0x7u) | (sign & ~0x7u));
  }
  /// The magnitude (code & 7) of rn_satfinite(x): all that 4/6's error sums need, the sign
  /// being the input's (four_over_six.hpp). In device code without the FP4 instruction,
  /// e2m1_magnitude_fma; elsewhere rn_satfinite(x) & 7.
  FP4LAB_HD static constexpr std::uint8_t rn_magnitude(float x) {
#if defined(__CUDA_ARCH__) && \
    !(defined(__CUDA_ARCH_FEAT_SM100_ALL) || defined(__CUDA_ARCH_FEAT_SM103_ALL) || defined(__CUDA_ARCH_FEAT_SM120_ALL))
    if (!__builtin_is_constant_evaluated()) return e2m1_magnitude_fma(x);
#endif
    return static_cast<std::uint8_t>(rn_satfinite(x) & 0x7u);
  }
  /// e2m1_rne_fma without the clamp and the sign, three device instructions fewer:
  /// a = min(|x|, 6) is |clamp(x, -6, 6)| (NaN -> 6 as there, FMNMX ignoring NaN), and the code's
  /// low three bits are those of bits(s) + bits(P) / 2^22 as in e2m1_rne_fma. Compared with
  /// CUDA's code & 7 on all 2^32 floats (tests/formats) and on the device (`fp4lab verify`).
  FP4LAB_HD static constexpr std::uint8_t e2m1_magnitude_fma(float x) {
    float a = 0.0f, s = 0.0f;
    std::uint32_t p = 0;
#if defined(__CUDA_ARCH__)
    if (!__builtin_is_constant_evaluated()) {
      a = fminf(fabsf(x), 6.0f);
      p = bit_cast<std::uint32_t>(fmaxf(a, 1.0f)) & 0x7F800000u;
      s = __fmaf_rn(bit_cast<float>(p), 6291457.0f, a);
    } else
#endif
    {
      const float ax = abs_bits(x);
      a = is_nan(x) ? 6.0f : (ax > 6.0f ? 6.0f : ax);
      p = bit_cast<std::uint32_t>(a > 1.0f ? a : 1.0f) & 0x7F800000u;
      s = bit_cast<float>(p) * 6291457.0f + a;
    }
    return static_cast<std::uint8_t>((bit_cast<std::uint32_t>(s) + (p >> 22)) & 0x7u);
  }
  /// The exact value of the code.
  /// Built from bits, not read from a table, so that device code keeps it in registers:
  /// magnitude m >= 2 is 2^((m >> 1) - 1) * (1 + (m & 1) / 2), m = 1 is 0.5, m = 0 is 0.
  FP4LAB_HD constexpr float to_float() const {
    const std::uint32_t m = bits & 0x7u;
    const std::uint32_t mag = m >= 2 ? (((m >> 1) + 126u) << 23) | ((m & 1u) << 22) : (m == 1 ? 0x3F000000u : 0u);
    return bit_cast<float>(mag | ((bits & 0x8u) << 28));
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
