// Generic encoder for the sign-magnitude minifloats (E2M1, E4M3, E5M2): NaN, Inf, zero, sign
// and overflow handling around the rounding core, with CUDA 13's rules (FORMATS.md §1).
#pragma once

#include "formats/ieee.hpp"
#include "formats/minifloat.hpp"

namespace fp4lab::formats::detail {

/// Describes one sign-magnitude minifloat. `inf_code` is 0 when the format has no Inf.
struct SmallFloatTraits {
  int mbits;
  int emin;
  std::uint32_t max_code;  ///< largest finite magnitude code
  std::uint32_t nan_code;  ///< canonical NaN magnitude code (0 when the format has none)
  std::uint32_t inf_code;  ///< Inf magnitude code (0 when the format has none)
  std::uint32_t sign_bit;
};

/// The sign bit of a float or double (true for -0 and negative NaNs).
template <class T>
FP4LAB_HD constexpr bool sign_bit_of(T x) {
  if constexpr (sizeof(T) == 4) {
    return (bit_cast<std::uint32_t>(x) >> 31) != 0;
  } else {
    return (bit_cast<std::uint64_t>(x) >> 63) != 0;
  }
}

/// Encodes a float or double. Formats without NaN (E2M1) always saturate.
template <class T>
FP4LAB_HD constexpr std::uint8_t encode_small_float(T x, SmallFloatTraits t, Saturation sat,
                                                    Rounding rounding, std::uint32_t random_bits,
                                                    NanPolicy nan) {
  const bool negative = sign_bit_of(x);
  const std::uint32_t sign = negative ? t.sign_bit : 0u;
  const bool has_nan = t.nan_code != 0;
  if (x != x) {  // NaN
    switch (nan) {
      case NanPolicy::kCuda:
        return static_cast<std::uint8_t>(has_nan ? t.nan_code : t.max_code);
      case NanPolicy::kKeepSign:
        return static_cast<std::uint8_t>(sign | (has_nan ? t.nan_code : t.max_code));
      case NanPolicy::kToZero:
        return static_cast<std::uint8_t>(sign);  // the NaN's sign on a zero, as ml_dtypes
    }
  }
  const bool saturate = sat == Saturation::kSatFinite || !has_nan;
  const std::uint32_t overflow_code = saturate ? t.max_code : (t.inf_code ? t.inf_code : t.nan_code);
  const T a = x < T(0) ? -x : x;
  if (a == T(0)) return static_cast<std::uint8_t>(sign);
  if (a * T(0.5) == a) return static_cast<std::uint8_t>(sign | overflow_code);  // only Inf is its own half
  const std::uint32_t code = round_to_code(decompose(a), t.mbits, t.emin, rounding, random_bits);
  if (code > t.max_code) return static_cast<std::uint8_t>(sign | overflow_code);
  return static_cast<std::uint8_t>(sign | code);
}

/// Decodes a sign-magnitude minifloat code; NaN codes give the canonical positive NaN.
FP4LAB_HD constexpr float decode_small_float(std::uint8_t code, SmallFloatTraits t) {
  const std::uint32_t mag = code & (t.sign_bit - 1u);
  if (t.nan_code != 0) {
    if (t.inf_code != 0 && mag > t.inf_code) return canonical_nan();
    if (t.inf_code == 0 && mag == t.nan_code) return canonical_nan();
  }
  float v = (t.inf_code != 0 && mag == t.inf_code) ? bit_cast<float>(0x7F800000u)
                                                   : decode_magnitude(mag, t.mbits, t.emin);
  return (code & t.sign_bit) ? -v : v;
}

}  // namespace fp4lab::formats::detail
