// UE8M0 (E8M0, bias 127): value 2^(code-127) for codes 0x00-0xFE (2^-127 .. 2^127), 0xFF NaN;
// no sign, no zero, no Inf. The MX block scale. Encoding matches CUDA 13
// `__nv_cvt_float_to_e8m0` (FORMATS.md §1): |x| is used, 0 and |x| <= 2^-127 give 0x00.
#pragma once

#include "formats/element_base.hpp"

namespace fp4lab::formats {

/// The roundings E8M0 has. With no mantissa there is no even code to prefer and no fraction
/// to round stochastically, so Rounding::kNearestEven and kStochastic are refused (the
/// overload taking a Rounding is deleted) instead of silently meaning something else.
enum class E8m0Rounding : std::uint8_t {
  kTowardZero,       ///< 2^floor(log2|x|) (CUDA cudaRoundZero; the default, as CUDA's MX scales)
  kUp,               ///< 2^ceil(log2|x|) (CUDA cudaRoundPosInf)
  kNearestTiesAway,  ///< the nearer power of two, 1.5 * 2^k going up (ml_dtypes float8_e8m0fnu)
};

/// E8M0 power-of-two scale: 0x00 = 2^-127 (a float subnormal), 0x7F = 1, 0xFE = 2^127, 0xFF = NaN.
/// Layout e8 m0, bias 127, no sign, all-ones NaN, exponent only: kMaxCode 0xFE, kNanCode 0xFF.
struct ue8m0 : minifloat_base<ue8m0, MinifloatLayout{8, 0, 127, false, SpecialCodes::kNanAllOnes, true}> {
  using element_base<ue8m0>::from;  // fp16 and bf16 inputs

  /// Encodes |x| with rounding kTowardZero (the default) or kUp (CUDA's modes) or
  /// kNearestTiesAway (ml_dtypes: 1.5*2^k goes up). Overflow gives 0xFE (kSatFinite) or 0xFF
  /// (kNoSat); NaN 0xFF.
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr ue8m0 from(T x, Saturation sat = Saturation::kSatFinite,
                                        E8m0Rounding rounding = E8m0Rounding::kTowardZero) {
    if (x != x) return ue8m0{kNanCode};
    const T a = x < T(0) ? -x : x;
    const std::uint8_t overflow = sat == Saturation::kSatFinite ? kMaxCode : kNanCode;
    if (a == T(0)) return ue8m0{0};
    if (a * T(0.5) == a) return ue8m0{overflow};  // Inf
    const detail::Magnitude m = detail::decompose(a);
    int e = m.floor_log2;
    const bool exact_power = (m.sig & (m.sig - 1)) == 0;
    if (rounding == E8m0Rounding::kUp && !exact_power) {
      ++e;
    } else if (rounding == E8m0Rounding::kNearestTiesAway) {
      // the bit just below the leading one decides: mantissa >= 1/2 rounds up
      const int lead = detail::bit_width64(m.sig) - 1;
      if (lead > 0 && ((m.sig >> (lead - 1)) & 1u)) ++e;
    }
    if (e < -127) return ue8m0{0};
    if (e > 127) return ue8m0{overflow};
    return ue8m0{static_cast<std::uint8_t>(e + 127)};
  }
  /// Refused at compile time: E8M0 takes an E8m0Rounding (it has no nearest-even or
  /// stochastic rounding; kTowardZero, kUp and kNearestTiesAway are spelled E8m0Rounding::...).
  template <class T>
  static ue8m0 from(T x, Saturation sat, Rounding rounding) = delete;
  /// 2^(code-127) exactly; 0xFF gives a positive NaN.
  FP4LAB_HD constexpr float to_float() const {
    if (bits == kNanCode) return canonical_nan();
    return exp2i(static_cast<int>(bits) - 127);
  }
  /// The unbiased exponent (code - 127); meaningless for NaN.
  FP4LAB_HD constexpr int exponent() const { return static_cast<int>(bits) - 127; }
};

}  // namespace fp4lab::formats
