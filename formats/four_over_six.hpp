// Four Over Six (4/6) adaptive block scaling as the fouroversix reference computes it
// (FORMATS.md §3): each block is quantized with its max mapped to 6 and to 4, and the
// candidate with the smaller FP32 error in the original domain is kept (ties keep 6).
#pragma once

#include "formats/block_types.hpp"
#include "formats/e4m3.hpp"

namespace fp4lab::formats {

/// Tensor scale for 4/6: encode = 1536/amax for the adaptive rules, 2688/amax for static_6,
/// 1792/amax for static_4; decode = 1/encode. Zero amax gives encode = decode = 1, and an
/// infinite amax gives alpha = 1 (encode = decode = 1, amax/divisor = 1): guards of ours.
FP4LAB_HD constexpr TensorScale four_over_six_tensor_scale(FourSixRule rule, float amax) {
  TensorScale t;
  t.amax = amax;
  t.divisor = rule == FourSixRule::kStatic6 ? 2688.0f : (rule == FourSixRule::kStatic4 ? 1792.0f : 1536.0f);
  float enc = t.divisor / amax;
  if (enc > detail::kFloatMax) enc = detail::kFloatMax;
  if (amax == 0.0f || enc == 0.0f) enc = 1.0f;
  t.encode = enc;
  t.decode = 1.0f / enc;
  if (!is_finite(amax)) t.amax = t.divisor;  // Inf in the tensor: alpha = 1, as te's guard, so
                                             // finite blocks still decode to finite values
  return t;
}

/// A tensor scale that is the identity (alpha = 1): the paper's worked examples (Table 2).
FP4LAB_HD constexpr TensorScale unit_tensor_scale() {
  TensorScale t;
  t.amax = 1.0f;
  t.encode = 1.0f;
  t.decode = 1.0f;
  t.divisor = 1.0f;
  return t;
}

namespace detail {

/// FP4 rounding of a scaled value to a value on the E2M1 grid (or past 6 when unclamped).
FP4LAB_HD constexpr float fp4_round_value(float v, Rounding rounding, std::uint32_t bits, Fp4Overflow overflow) {
  if (overflow == Fp4Overflow::kReferenceUnclamped && rounding == Rounding::kNearestEven) {
    return e2m1_round_unclamped(v);
  }
  return fp4_e2m1::from(v, rounding, bits).to_float();
}

/// One candidate of 4/6: its scale code, reciprocal multiplier and error under the rule.
struct Candidate {
  std::uint8_t scale_code;
  float scale;
  float mul;
  float err;
};

/// The eight magnitudes a candidate decodes to, ((e2m1(k) * scale) * amax) / divisor for
/// k = 0..7. e2m1(k) * scale is exact, so an element's decode is one of these, signed: the
/// per-element division becomes a selection, bit for bit (negation commutes with rounding).
struct DecodeTable {
  float v[8];
};

FP4LAB_HD constexpr DecodeTable decode_table(float scale, const TensorScale& t) {
  DecodeTable d{};
  FP4LAB_UNROLL
  for (int k = 0; k < 8; ++k) {
    d.v[k] = ((fp4_e2m1{static_cast<std::uint8_t>(k)}.to_float() * scale) * t.amax) / t.divisor;
  }
  return d;
}

/// The decode of E2M1 code c from its table, selected without a run-time index (so device
/// code keeps the table in registers).
FP4LAB_HD constexpr float decode_from_table(const DecodeTable& d, std::uint8_t c) {
  const unsigned k = c & 0x7u;
#if !defined(__CUDA_ARCH__)
  if (!__builtin_is_constant_evaluated()) return (c & 0x8u) ? -d.v[k] : d.v[k];  // a load on the CPU
#endif
  const float lo = (k & 2u) ? ((k & 1u) ? d.v[3] : d.v[2]) : ((k & 1u) ? d.v[1] : d.v[0]);
  const float hi = (k & 2u) ? ((k & 1u) ? d.v[7] : d.v[6]) : ((k & 1u) ? d.v[5] : d.v[4]);
  const float m = (k & 4u) ? hi : lo;
  return (c & 0x8u) ? -m : m;
}

/// Whether the candidates decode through a DecodeTable: every rounding except the unclamped
/// reference cast, whose values (8, 10, ...) are not E2M1 codes.
FP4LAB_HD constexpr bool decodes_by_table(const Recipe& r) {
  return !(r.overflow == Fp4Overflow::kReferenceUnclamped && r.rounding == ElementRounding::kNearestEven);
}

FP4LAB_HD constexpr Candidate four_over_six_candidate(const Recipe& r, const TensorScale& t, const BlockIO& io,
                                                       float hp) {
  Candidate c{};
  c.scale_code = ue4m3::from(hp).bits;
  c.scale = ue4m3{c.scale_code}.to_float();
  c.mul = guarded_reciprocal(t.decode * c.scale);
  const Rounding rounding = element_rounding(r.rounding);
  const bool by_table = decodes_by_table(r);
  const DecodeTable table = by_table ? decode_table(c.scale, t) : DecodeTable{};
  float err = 0.0f;
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const float v = io.x[i] * c.mul;
    float dq;
    if (by_table) {
      dq = decode_from_table(table, fp4_e2m1::from(v, rounding, element_bits(io, i)).bits);
    } else {
      const float q = fp4_round_value(v, rounding, element_bits(io, i), r.overflow);
      dq = ((q * c.scale) * t.amax) / t.divisor;
    }
    const float d = dq - io.x[i];
    const float ad = abs_bits(d);
    if (r.rule == FourSixRule::kMae) {
      err += ad;
    } else if (r.rule == FourSixRule::kAbsMax) {
      err = (ad > err || ad != ad) ? ad : err;
    } else {
      err += d * d;
    }
  }
  c.err = err;
  return c;
}

}  // namespace detail

/// Quantizes one block under 4/6 (rule in r.rule). Errors are recorded for both candidates
/// (for static rules only the used one). Codes are E2M1; with Fp4Overflow::kReferenceUnclamped
/// `dequant` may hold 8*scale and the codes then saturate (they cannot hold 8).
FP4LAB_HD constexpr BlockRecord four_over_six_quantize_block(const Recipe& r, const TensorScale& t,
                                                             const BlockIO& io) {
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  const float stretch = detail::unbiased_stretch(r.rounding);
  detail::Candidate chosen{};
  if (r.rule == FourSixRule::kStatic6 || r.rule == FourSixRule::kStatic4) {
    const float m = r.rule == FourSixRule::kStatic6 ? 6.0f : 4.0f;
    chosen = detail::four_over_six_candidate(r, t, io, (rec.bmax / m) * t.encode * stretch);
    rec.chosen_max = static_cast<std::uint8_t>(m);
    (r.rule == FourSixRule::kStatic6 ? rec.scale_code_6 : rec.scale_code_4) = chosen.scale_code;
    (r.rule == FourSixRule::kStatic6 ? rec.err6 : rec.err4) = chosen.err;
  } else {
    const float hp6 = (rec.bmax / 6.0f) * t.encode * stretch;
    const float hp4 = hp6 * 1.5f;  // 1.5x the unrounded M=6 scale
    const detail::Candidate c6 = detail::four_over_six_candidate(r, t, io, hp6);
    const detail::Candidate c4 = detail::four_over_six_candidate(r, t, io, hp4);
    rec.scale_code_6 = c6.scale_code;
    rec.scale_code_4 = c4.scale_code;
    rec.err6 = c6.err;
    rec.err4 = c4.err;
    const bool four = c4.err < c6.err;  // strict: ties (and NaN errors) keep 6
    chosen = four ? c4 : c6;
    rec.chosen_max = four ? 4 : 6;
  }
  rec.scale.code = chosen.scale_code;
  const Rounding rounding = detail::element_rounding(r.rounding);
  const bool by_table = detail::decodes_by_table(r);
  const detail::DecodeTable table =
      io.dequant && by_table ? detail::decode_table(chosen.scale, t) : detail::DecodeTable{};
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const float v = io.x[i] * chosen.mul;
    const std::uint32_t bits = detail::element_bits(io, i);
    const std::uint8_t code = fp4_e2m1::from(v, rounding, bits).bits;
    if (io.codes) io.codes[i] = code;
    if (io.dequant) {
      if (by_table) {
        io.dequant[i] = detail::decode_from_table(table, code);
      } else {
        const float q = detail::fp4_round_value(v, rounding, bits, r.overflow);
        io.dequant[i] = ((q * chosen.scale) * t.amax) / t.divisor;
      }
    }
  }
  return rec;
}

/// Dequantizes one 4/6 code: ((v * s) * amax) / divisor, uniform for both candidates.
FP4LAB_HD constexpr float four_over_six_dequantize(const TensorScale& t, std::uint8_t scale_code, std::uint8_t code) {
  return ((e2m1_value(code) * ue4m3{scale_code}.to_float()) * t.amax) / t.divisor;
}

}  // namespace fp4lab::formats
