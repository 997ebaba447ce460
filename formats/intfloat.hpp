// Adaptive IF block formats (IF4, IF3, IF6 E2M3/E3M2) as fouroversix 1.1's select_intfloat
// computes them (FORMATS.md §9; quantize/pytorch/reference.py:328-425 and Triton
// intfloat_block_scaled_quantization_kernel, kernels/triton/quantize.py:346-512): one static_6
// scale, an FP and an INT candidate, the smaller error wins (ties to FP), INT flagged by +128.
#pragma once

#include "formats/family_quantize.hpp"
#include "formats/ordered_sum.hpp"

namespace fp4lab::formats {

namespace detail {

/// Adds one element's error d = dq - x to a block error under the rule: mse sums d*d, mae sums
/// |d|, abs_max keeps the largest |d| (NaN sticks), as reference.py:390-398, in the sequential
/// order (element 0 first; `sum=pairs|tree` go through ordered_sum with the same terms).
FP4LAB_HD constexpr void accumulate_rule_error(FourSixRule rule, float& err, float d) {
  const float ad = abs_bits(d);
  if (rule == FourSixRule::kMae) {
    err += ad;
  } else if (rule == FourSixRule::kAbsMax) {
    if (err == err && (ad > err || ad != ad)) err = ad;
  } else {
    err += d * d;
  }
}

/// The INT candidate's dequantized value: (((q * s) * amax) * FACTOR) / D (reference.py:381-388).
FP4LAB_HD constexpr float intfloat_int_dequant(float q, float s, float factor, const TensorScale& t) {
  return (((q * s) * t.amax) * factor) / t.divisor;
}

}  // namespace detail

/// Quantizes one IF block. Both candidates start from the same scaled value v = x * mul:
/// FP code = the FP element of v (reference.py:343-375), INT code = round(clamp(v * RCP, ±INTMAX))
/// (reference.py:349-375); errors in the original domain (reference.py:377-398); INT kept only
/// if its error is strictly smaller (reference.py:400); its scale byte gets +128
/// (reference.py:417-423). The record holds both errors and the choice. Inlinable: the IF4 fast
/// path of kernels/quantize.cuh compiles it into its kernel; other callers take
/// intfloat_quantize_block below.
FP4LAB_HD constexpr BlockRecord intfloat_quantize_block_inline(const Recipe& r, const TensorScale& t,
                                                             const BlockIO& io) {
  const FamilyTraits ft = family_traits(r.format);
  const bool nibble = nibble_codes(r.format);
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  const detail::NvScale s = detail::family_nv_scale(ft.mq, t, rec.bmax);
  // IF4 decodes through two tables of eight magnitudes, ((e2m1(k) * s) * amax) / D and
  // (((k * s) * amax) * FACTOR) / D for k = 0..7: each element's value is one entry, negated for
  // a negative code (negation commutes with every rounding step), so the per-element divisions
  // become lookups, bit for bit. Only where s and amax are finite: a NaN's sign would not survive
  // the negation. Other IF types (and those blocks) divide per element.
  auto finite = [](float v) { return v - v == 0.0f; };  // false for Inf and NaN
  const bool tables = r.format == BlockFormat::kIF4 && finite(s.value) && finite(t.amax);
  // (plain arrays: on the H200 a code-indexed array, in local memory and L1, measured 0.085 of a
  // copy against 0.074 through 4/6's seven-select DecodeTable chain; kernels/NOTES.md run 15)
  float tf[8] = {}, ti[8] = {};
  if (tables) {
    FP4LAB_UNROLL
    for (int k = 0; k < 8; ++k) {
      tf[k] = detail::family_nv_dequant(e2m1_value(static_cast<std::uint8_t>(k)), s.value, t);
      ti[k] = detail::intfloat_int_dequant(static_cast<float>(k), s.value, ft.factor, t);
    }
  }
  // ref_unclamped (IF4 only): the FP candidate as reference.py's fake_quantize_to_e2m1 computes
  // it (reference.py:30-51, no clamp: 7.35 -> 8), in the error and in the fake-quantized value;
  // codes saturate (no E2M1 code holds 8: core refuses to store them, as for 4/6)
  const bool unclamped = r.format == BlockFormat::kIF4 && r.overflow == Fp4Overflow::kReferenceUnclamped;
  auto fp_unclamped = [&](int i) {
    return detail::family_nv_dequant(e2m1_round_unclamped(detail::family_scaled(io.x[i], s.mul)), s.value, t);
  };
  auto fp_value = [&](std::uint8_t c) {
    if (tables) return (c & 0x8u) ? -tf[c & 0x7u] : tf[c & 0x7u];
    return detail::family_nv_dequant(decode_code(ft.fp, c), s.value, t);
  };
  auto int_value = [&](std::uint8_t c) {
    if (tables) {  // two's complement nibble: -7..7
      const int q = (c & 0x8u) ? static_cast<int>(c & 0xFu) - 16 : static_cast<int>(c & 0xFu);
      return q < 0 ? -ti[-q] : ti[q];
    }
    return detail::intfloat_int_dequant(decode_code(ft.alt, c), s.value, ft.factor, t);
  };
  auto fp_code = [&](int i) { return encode_code(ft.fp, detail::family_scaled(io.x[i], s.mul)); };
  auto int_code = [&](int i) { return encode_code(ft.alt, detail::family_scaled(io.x[i], s.mul) * ft.rcp); };
  // the two candidates' element errors dq - x (reference.py:377-388)
  auto d_fp = [&](int i) { return (unclamped ? fp_unclamped(i) : fp_value(fp_code(i))) - io.x[i]; };
  auto d_int = [&](int i) { return int_value(int_code(i)) - io.x[i]; };
  float err_fp = 0.0f, err_int = 0.0f;
  // blocks up to 32 values keep both candidates' codes from the error pass (not encoded again)
  constexpr int kKept = 32;
  bool kept = false;  // set where the error pass below kept them
  std::uint8_t kept_fp[kKept] = {}, kept_int[kKept] = {};
  if (r.sum != SumOrder::kSeq && r.rule != FourSixRule::kAbsMax) {
    // another summation order (a max needs none): the same terms, added in that order
    const bool squares = r.rule != FourSixRule::kMae;
    err_fp = ordered_sum(io.n, r.sum, [&](int i) {
      const float d = d_fp(i);
      return squares ? d * d : abs_bits(d);
    });
    err_int = ordered_sum(io.n, r.sum, [&](int i) {
      const float d = d_int(i);
      return squares ? d * d : abs_bits(d);
    });
  } else if (io.n <= kKept && !unclamped) {
    kept = true;
    FP4LAB_UNROLL
    for (int i = 0; i < io.n; ++i) {
      kept_fp[i] = fp_code(i);
      kept_int[i] = int_code(i);
      detail::accumulate_rule_error(r.rule, err_fp, fp_value(kept_fp[i]) - io.x[i]);
      detail::accumulate_rule_error(r.rule, err_int, int_value(kept_int[i]) - io.x[i]);
    }
  } else {
    FP4LAB_UNROLL
    for (int i = 0; i < io.n; ++i) {
      detail::accumulate_rule_error(r.rule, err_fp, d_fp(i));
      detail::accumulate_rule_error(r.rule, err_int, d_int(i));
    }
  }
  const bool use_int = err_int < err_fp;  // strict: ties (and NaN errors) keep FP
  rec.err_fp = err_fp;
  rec.err_int = err_int;
  rec.chose_int = use_int ? 1 : 0;
  rec.scale.code = static_cast<std::uint8_t>(s.code + (use_int ? 128u : 0u));
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const std::uint8_t c = use_int ? (kept ? kept_int[i] : int_code(i)) : (kept ? kept_fp[i] : fp_code(i));
    store_family_code(io, i, c, nibble);
    if (io.dequant) io.dequant[i] = use_int ? int_value(c) : (unclamped ? fp_unclamped(i) : fp_value(c));
  }
  return rec;
}

/// intfloat_quantize_block_inline, out of line on the device (compiled once for the generic
/// kernels rather than inlined into each).
FP4LAB_HD FP4LAB_DEVICE_NOINLINE constexpr BlockRecord intfloat_quantize_block(const Recipe& r, const TensorScale& t,
                                                                               const BlockIO& io) {
  return intfloat_quantize_block_inline(r, t, io);
}

/// Dequantizes one IF code: the scale byte's bit 7 says INT (reference.py:417-423, Triton
/// if4.py:182-186); its low 7 bits are the UE4M3 scale.
FP4LAB_HD constexpr float intfloat_dequantize(BlockFormat f, const TensorScale& t, std::uint8_t scale_code,
                                              std::uint8_t code) {
  const FamilyTraits ft = family_traits(f);
  const float s = ue4m3{static_cast<std::uint8_t>(scale_code & 0x7Fu)}.to_float();
  if (scale_code & 0x80u) return detail::intfloat_int_dequant(decode_code(ft.alt, code), s, ft.factor, t);
  return detail::family_nv_dequant(decode_code(ft.fp, code), s, t);
}

}  // namespace fp4lab::formats
