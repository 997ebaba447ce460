// IEEE-style 16-bit storage types used as tensor inputs and outputs: FP16 (binary16) and
// BF16. Conversions to float are exact; from float they round to nearest even (NaN kept quiet).
#pragma once

#include "formats/common.hpp"

namespace fp4lab::formats {

/// IEEE binary16 storage: s1 e5 m10, bias 15, max 65504, min subnormal 2^-24, Inf and NaN.
struct fp16 {
  std::uint16_t bits;
};

/// bfloat16 storage: s1 e8 m7 (the top half of a float), max ~3.39e38, Inf and NaN.
struct bf16 {
  std::uint16_t bits;
};

/// Exact widening of a bf16 to float.
FP4LAB_HD constexpr float to_float(bf16 x) { return bit_cast<float>(static_cast<std::uint32_t>(x.bits) << 16); }

/// Exact widening of an fp16 to float.
FP4LAB_HD constexpr float to_float(fp16 x) {
  const std::uint32_t sign = static_cast<std::uint32_t>(x.bits & 0x8000u) << 16;
  const std::uint32_t exp = (x.bits >> 10) & 0x1Fu;
  std::uint32_t man = x.bits & 0x3FFu;
  if (exp == 0x1F) return bit_cast<float>(sign | 0x7F800000u | (man << 13) | (man ? 0x400000u : 0u));
  if (exp != 0) return bit_cast<float>(sign | ((exp + 112u) << 23) | (man << 13));
  if (man == 0) return bit_cast<float>(sign);
  int e = 113;  // normalise the subnormal
  while ((man & 0x400u) == 0) {
    man <<= 1;
    --e;
  }
  return bit_cast<float>(sign | (static_cast<std::uint32_t>(e) << 23) | ((man & 0x3FFu) << 13));
}

/// float -> bf16, round to nearest even; NaN stays a quiet NaN with its sign.
FP4LAB_HD constexpr bf16 bf16_from_float(float x) {
  const std::uint32_t u = bit_cast<std::uint32_t>(x);
  if (is_nan(x)) return bf16{static_cast<std::uint16_t>((u >> 16) | 0x40u)};
  const std::uint32_t lsb = (u >> 16) & 1u;
  return bf16{static_cast<std::uint16_t>((u + 0x7FFFu + lsb) >> 16)};
}

/// The one NaN that dequantized and fake-quantized outputs hold: 0x7FFFFFFF, the quiet NaN
/// CUDA's float arithmetic produces (x86 produces 0xFFC00000 for 0 * Inf), so CPU and GPU
/// outputs agree bit for bit (FORMATS.md §1: every NaN decodes to a positive NaN).
FP4LAB_HD constexpr float canonical_nan(float x) {
  return is_nan(x) ? bit_cast<float>(0x7FFFFFFFu) : x;
}

/// float -> fp16, round to nearest even, overflow to Inf; NaN stays a quiet NaN with its sign.
FP4LAB_HD constexpr fp16 fp16_from_float(float x) {
  const std::uint32_t u = bit_cast<std::uint32_t>(x);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return fp16{static_cast<std::uint16_t>(sign | 0x7E00u | ((a >> 13) & 0x3FFu))};
  if (a >= 0x477FF000u) return fp16{static_cast<std::uint16_t>(sign | 0x7C00u)};  // >= 65520: Inf
  const int e = static_cast<int>(a >> 23) - 127;
  if (e >= -14) {  // normal result: drop 13 bits with RNE (carry may bump the exponent)
    const std::uint32_t lsb = (a >> 13) & 1u;
    const std::uint32_t r = (a + 0xFFFu + lsb) >> 13;
    return fp16{static_cast<std::uint16_t>(sign | (r - (112u << 10)))};
  }
  if (e < -25) return fp16{sign};  // below half the smallest subnormal (2^-25 itself handled below)
  const std::uint32_t sig = (a & 0x7FFFFFu) | 0x800000u;
  const int shift = -e - 14 + 13;  // units of 2^-24
  const std::uint32_t q = sig >> shift;
  const std::uint32_t rem = sig & ((1u << shift) - 1u);
  const std::uint32_t half = 1u << (shift - 1);
  const std::uint32_t r = q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
  return fp16{static_cast<std::uint16_t>(sign | r)};
}

}  // namespace fp4lab::formats
