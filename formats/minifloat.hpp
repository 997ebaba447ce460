// The rounding core shared by every small float format: splits a float or double into
// (significand, ulp exponent), rounds it onto a target grid with m mantissa bits and minimum
// normal exponent emin under a named Rounding, and returns the target magnitude code.
#pragma once

#include "formats/common.hpp"

namespace fp4lab::formats::detail {

/// A finite, nonzero magnitude as sig * 2^ulp_exp, with floor(log2(value)) precomputed.
struct Magnitude {
  std::uint64_t sig;
  int ulp_exp;
  int floor_log2;
};

FP4LAB_HD constexpr int bit_width64(std::uint64_t v) {
  int w = 0;
  while (v) {
    v >>= 1;
    ++w;
  }
  return w;
}

/// Decomposes |x| of a finite nonzero float.
FP4LAB_HD constexpr Magnitude decompose(float x) {
  const std::uint32_t u = bit_cast<std::uint32_t>(x) & 0x7FFFFFFFu;
  const int e = static_cast<int>(u >> 23);
  const std::uint64_t m = u & 0x7FFFFFu;
  if (e != 0) return Magnitude{m | 0x800000u, e - 150, e - 127};
  return Magnitude{m, -149, bit_width64(m) - 1 - 149};
}

/// Decomposes |x| of a finite nonzero double.
FP4LAB_HD constexpr Magnitude decompose(double x) {
  const std::uint64_t u = bit_cast<std::uint64_t>(x) & 0x7FFFFFFFFFFFFFFFull;
  const int e = static_cast<int>(u >> 52);
  const std::uint64_t m = u & 0xFFFFFFFFFFFFFull;
  if (e != 0) return Magnitude{m | (1ull << 52), e - 1075, e - 1023};
  return Magnitude{m, -1074, bit_width64(m) - 1 - 1074};
}

/// Decides whether to add one unit to the truncated quotient `q`, given the dropped
/// remainder `rem` out of 2^shift (shift >= 1), the policy, and 32 caller-supplied random bits.
FP4LAB_HD constexpr bool round_increment(std::uint64_t q, std::uint64_t rem, int shift,
                                          Rounding rounding, std::uint32_t random_bits) {
  if (rem == 0) return false;
  switch (rounding) {
    case Rounding::kTowardZero:
      return false;
    case Rounding::kUp:
      return true;
    case Rounding::kNearestEven:
    case Rounding::kNearestTiesAway:
    case Rounding::kNearestTiesToZero: {
      if (shift > 63) return false;  // rem < 2^53 <= half
      const std::uint64_t half = 1ull << (shift - 1);
      if (rem != half) return rem > half;
      if (rounding == Rounding::kNearestTiesToZero) return false;
      return rounding == Rounding::kNearestTiesAway || (q & 1u) != 0;
    }
    case Rounding::kStochastic: {
      // Up iff u < frac * 2^32 with frac = rem / 2^shift, decided exactly in integers.
      if (shift <= 32) {
        return (static_cast<std::uint64_t>(random_bits) << shift) < (rem << 32);
      }
      // shift > 32: the threshold is ceil(rem / 2^(shift-32)), at least 1 since rem > 0.
      if (shift >= 96) return random_bits == 0u;  // rem < 2^64 <= 2^(shift-32): threshold 1
      const int drop = shift - 32;                  // 1..63
      const std::uint64_t threshold =
          (rem >> drop) + (((rem & ((1ull << drop) - 1)) != 0) ? 1u : 0u);
      return random_bits < threshold;
    }
  }
  return false;
}

/// Rounds a finite nonzero magnitude onto the grid of a format with `mbits` mantissa bits and
/// minimum normal exponent `emin`. Returns the unsigned magnitude code
/// ((max(floor_log2, emin) - emin) << mbits) + rounded significand, which may exceed the
/// format's largest code (the caller handles overflow). Ties to even go to the even code: the
/// significand's parity where there are mantissa bits, the exponent field's where mbits is 0
/// (E2M0: 1.5 -> 2, 3 -> 2).
FP4LAB_HD constexpr std::uint32_t round_to_code(Magnitude v, int mbits, int emin, Rounding rounding,
                                                std::uint32_t random_bits) {
  const int binade = v.floor_log2 > emin ? v.floor_log2 : emin;
  const int quantum_exp = binade - mbits;
  const int shift = quantum_exp - v.ulp_exp;
  std::uint64_t q = 0;
  if (shift <= 0) {
    q = v.sig << (-shift);  // exact: value has no bits below the target quantum
  } else {
    std::uint64_t rem = v.sig;
    if (shift < 64) {
      q = v.sig >> shift;
      rem = v.sig & ((1ull << shift) - 1);
    }
    // the code's lowest bit decides ties to even; without mantissa bits it is the exponent's
    const std::uint64_t parity = mbits == 0 ? q + static_cast<std::uint64_t>(binade - emin) : q;
    if (round_increment(parity, rem, shift, rounding, random_bits)) ++q;
  }
  const std::uint64_t code = (static_cast<std::uint64_t>(binade - emin) << mbits) + q;
  return code > 0xFFFFu ? 0xFFFFu : static_cast<std::uint32_t>(code);
}

/// Rounds a float or double to an integer in [lo, hi] (lo <= 0 <= hi) under `rounding`, without
/// first narrowing a double to float: NaN gives 0, +-Inf and values past the range give hi or
/// lo. The integer grid of INT4 (-8..7, -7..7) and of the symmetric integers (int_symmetric.hpp).
template <class T>
FP4LAB_HD constexpr int round_to_int_clamped(T x, int lo, int hi, Rounding rounding,
                                             std::uint32_t random_bits) {
  if (x != x) return 0;
  if (x >= static_cast<T>(hi)) return hi;
  if (x <= static_cast<T>(lo)) return lo;
  const T a = x < T(0) ? -x : x;
  if (a == T(0)) return 0;
  const Magnitude m = decompose(a);
  const int shift = -m.ulp_exp;  // the quantum is 2^0
  std::uint64_t q = 0;
  if (shift <= 0) {
    q = m.sig << (-shift);
  } else {
    std::uint64_t rem = m.sig;
    if (shift < 64) {
      q = m.sig >> shift;
      rem = m.sig & ((1ull << shift) - 1);
    }
    if (round_increment(q, rem, shift, rounding, random_bits)) ++q;
  }
  const int v = static_cast<int>(q);  // lo < x < hi, so |v| fits
  return x < T(0) ? -v : v;
}

/// Decodes an unsigned magnitude code of a (mbits, emin) grid to a float (exact).
FP4LAB_HD constexpr float decode_magnitude(std::uint32_t code, int mbits, int emin) {
  const std::uint32_t exp_field = code >> mbits;
  const std::uint32_t man = code & ((1u << mbits) - 1u);
  if (exp_field == 0) return static_cast<float>(man) * exp2i(emin - mbits);
  return static_cast<float>(man + (1u << mbits)) * exp2i(emin - mbits + static_cast<int>(exp_field) - 1);
}

}  // namespace fp4lab::formats::detail
