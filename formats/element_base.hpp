// The one base of every element type (the ml_dtypes model): the fp16/bf16 `from` overloads
// (widen exactly, then the type's float encoder) and, for the minifloats, the special codes,
// limits and generic encoder/decoder derived from the bit layout (FORMATS.md §1) instead of
// per-type copies.
#pragma once

#include <type_traits>

#include "formats/ieee.hpp"
#include "formats/small_float.hpp"

namespace fp4lab::formats {

/// Which magnitude codes of a minifloat are not finite numbers.
enum class SpecialCodes : std::uint8_t {
  kNone,        ///< every code is finite (E2M1)
  kNanAllOnes,  ///< only the all-ones magnitude is NaN, no Inf (E4M3 "fn", UE4M3, E8M0)
  kIeee,        ///< exponent field all ones: Inf (mantissa 0) and NaN (the rest) (E5M2)
};

/// The bit layout of a minifloat: exponent and mantissa widths, bias, sign, specials.
/// `exponent_only` marks E8M0: no subnormals and no zero, code c is 2^(c - bias).
struct MinifloatLayout {
  int ebits;
  int mbits;
  int bias;
  bool is_signed;
  SpecialCodes specials;
  bool exponent_only = false;
};

/// True for the real inputs every encoder takes natively (float, double).
template <class T>
inline constexpr bool is_real_input = std::is_same_v<T, float> || std::is_same_v<T, double>;

/// CRTP base of every element type. It stores the code (`bits`, so `Derived{code}` wraps a
/// raw code by aggregate initialization); Derived::from(float, policies...) is the encoder, and
/// this adds from(fp16, policies...) and from(bf16, policies...), which widen exactly (as CUDA
/// does) and take the same policies with the same defaults. Derived writes `using
/// element_base<Derived>::from;` next to its own float encoder.
template <class Derived>
struct element_base {
  std::uint8_t bits;  ///< the code, in the low bits (a nibble for the 4-bit types)

  /// Encodes an fp16 (exactly widened to float first).
  template <class... Policies>
  FP4LAB_HD static constexpr Derived from(fp16 x, Policies... policies) {
    return Derived::from(formats::to_float(x), policies...);
  }
  /// Encodes a bf16 (exactly widened to float first).
  template <class... Policies>
  FP4LAB_HD static constexpr Derived from(bf16 x, Policies... policies) {
    return Derived::from(formats::to_float(x), policies...);
  }
};

namespace detail {

/// All-ones magnitude of a layout (the largest code without the sign bit).
FP4LAB_HD constexpr std::uint32_t all_ones_magnitude(MinifloatLayout l) { return (1u << (l.ebits + l.mbits)) - 1u; }

/// The encoder parameters of a sign-magnitude minifloat, derived from its layout.
FP4LAB_HD constexpr SmallFloatTraits small_float_traits(MinifloatLayout l) {
  const std::uint32_t ones = all_ones_magnitude(l);
  const std::uint32_t inf = l.specials == SpecialCodes::kIeee ? ones & ~((1u << l.mbits) - 1u) : 0u;
  const std::uint32_t nan = l.specials == SpecialCodes::kNone ? 0u : ones;
  const std::uint32_t max = l.specials == SpecialCodes::kNone ? ones : (inf ? inf - 1u : ones - 1u);
  return SmallFloatTraits{l.mbits, 1 - l.bias, max, nan, inf, l.is_signed ? ones + 1u : 0u};
}

}  // namespace detail

/// CRTP base of the minifloats: element_base's overloads plus the codes and limits of the
/// layout `L`: kSignBit, kMaxCode, kNanCode, kInfCode (0 where absent), kMax, kMinNormal,
/// kMinSubnormal, traits(), and the generic encoder and decoder of the layout (encode(),
/// from(), to_float()). A type with a faster or different encoder or decoder declares its own
/// from or to_float, which hides the generic one (keeping `using element_base<Derived>::from;`).
template <class Derived, MinifloatLayout L>
struct minifloat_base : element_base<Derived> {
  using element_base<Derived>::from;  // fp16 and bf16 inputs
  static constexpr MinifloatLayout kLayout = L;                          ///< the bit layout
  static constexpr std::uint8_t kSignBit =
      static_cast<std::uint8_t>(detail::small_float_traits(L).sign_bit);  ///< 0 when unsigned
  static constexpr std::uint8_t kMaxCode =
      static_cast<std::uint8_t>(detail::small_float_traits(L).max_code);  ///< largest finite magnitude code
  static constexpr std::uint8_t kNanCode =
      static_cast<std::uint8_t>(detail::small_float_traits(L).nan_code);  ///< canonical NaN code (0: none)
  static constexpr std::uint8_t kInfCode =
      static_cast<std::uint8_t>(detail::small_float_traits(L).inf_code);  ///< +Inf code (0: none)
  /// Largest finite magnitude.
  static constexpr float kMax = detail::decode_magnitude(kMaxCode, L.mbits, 1 - L.bias);
  /// Smallest normal magnitude (for exponent-only layouts the smallest value, 2^-bias).
  static constexpr float kMinNormal = L.exponent_only ? exp2i(-L.bias) : exp2i(1 - L.bias);
  /// Smallest nonzero magnitude (for exponent-only layouts the smallest value, 2^-bias).
  static constexpr float kMinSubnormal = L.exponent_only ? exp2i(-L.bias) : exp2i(1 - L.bias - L.mbits);
  /// The parameters of the generic sign-magnitude encoder and decoder (small_float.hpp).
  FP4LAB_HD static constexpr detail::SmallFloatTraits traits() { return detail::small_float_traits(L); }
  /// The code bits: sign and magnitude (the low three for FP3, six for FP6, all eight for FP8).
  static constexpr std::uint8_t kCodeMask =
      static_cast<std::uint8_t>((detail::all_ones_magnitude(L) << (L.is_signed ? 1 : 0)) | 1u);

  /// The generic encoder of the layout (detail::encode_small_float): the code of a float or
  /// double under the given overflow, rounding (random_bits feed kStochastic) and NaN policies.
  template <class T>
  FP4LAB_HD static constexpr std::uint8_t encode(T x, Saturation sat, Rounding rounding,
                                                 std::uint32_t random_bits, NanPolicy nan) {
    return detail::encode_small_float(x, traits(), sat, rounding, random_bits, nan);
  }
  /// Encodes a float or double, for layouts whose every code is finite (FP4, FP3, FP6): there is
  /// no Inf or NaN code to overflow to, so it always saturates (+-Inf -> +-kMax); NaN follows
  /// `nan` (kCuda: +kMax, kKeepSign: +-kMax, kToZero: 0), and negatives rounding to 0 keep the
  /// sign. Round to nearest even unless told otherwise; random_bits feed kStochastic.
  template <class T>
    requires(is_real_input<T> && L.specials == SpecialCodes::kNone)
  FP4LAB_HD static constexpr Derived from(T x, Rounding rounding = Rounding::kNearestEven,
                                          std::uint32_t random_bits = 0,
                                          NanPolicy nan = NanPolicy::kCuda) {
    return Derived{encode(x, Saturation::kSatFinite, rounding, random_bits, nan)};
  }
  /// Encodes a float or double, for layouts with a NaN (and maybe an Inf) code (FP8): overflow
  /// saturates to +-kMax (kSatFinite, the default) or gives NaN or +-Inf (kNoSat). Round to
  /// nearest even unless told otherwise; random_bits feed kStochastic.
  template <class T>
    requires(is_real_input<T> && L.specials != SpecialCodes::kNone)
  FP4LAB_HD static constexpr Derived from(T x, Saturation sat = Saturation::kSatFinite,
                                          Rounding rounding = Rounding::kNearestEven,
                                          std::uint32_t random_bits = 0,
                                          NanPolicy nan = NanPolicy::kCuda) {
    return Derived{encode(x, sat, rounding, random_bits, nan)};
  }
  /// The exact value of the code (bits above kCodeMask are ignored); Inf codes give +-Inf, NaN
  /// codes a positive NaN.
  FP4LAB_HD constexpr float to_float() const {
    return detail::decode_small_float(static_cast<std::uint8_t>(this->bits & kCodeMask), traits());
  }
};

}  // namespace fp4lab::formats
