// Adaptive IF block formats (IF4, IF3, IF6 E2M3/E3M2) as fouroversix 1.1's select_intfloat
// computes them (FORMATS.md §9; quantize/pytorch/reference.py:328-425 and Triton
// intfloat_block_scaled_quantization_kernel, kernels/triton/quantize.py:346-512): one static_6
// scale, an FP and an INT candidate, the smaller error wins (ties to FP), INT flagged by +128.
#pragma once

#include "formats/family_quantize.hpp"
#include "formats/four_over_six.hpp"
#include "formats/int4.hpp"
#include "formats/ordered_sum.hpp"

namespace fp4lab::formats {

namespace detail {

/// Adds one element's error d = dq - x to a block error under the rule (add_rule_error with
/// the rule known at run time), as reference.py:390-398, in the sequential order (element 0
/// first; `sum=pairs|tree` go through ordered_sum with the same terms).
FP4LAB_HD constexpr void accumulate_rule_error(FourSixRule rule, float& err, float d) {
  with_rule(rule, [&](auto rc) { add_rule_error<decltype(rc)::value>(err, d); });
}

/// The INT candidate's dequantized value: (((q * s) * amax) * FACTOR) / D (reference.py:381-388).
FP4LAB_HD constexpr float intfloat_int_dequant(float q, float s, float factor, const TensorScale& t) {
  return (((q * s) * t.amax) * factor) / t.divisor;
}

/// The eight magnitudes the INT candidate decodes to, (((k * s) * amax) * FACTOR) / D for
/// k = 0..7, one division each: the scalar twin of int_decode_table.
FP4LAB_HD constexpr DecodeTable int_decode_table_by_division(float s, float factor, const TensorScale& t) {
  DecodeTable d{};
  FP4LAB_UNROLL
  for (int k = 0; k < 8; ++k) d.v[k] = intfloat_int_dequant(static_cast<float>(k), s, factor, t);
  return d;
}

/// The same table with four divisions. k * s is exact (s a UE4M3 value, k < 8), so entries 2,
/// 4 and 6 are entries 1, 1 and 3 times 2, 4 and 2, bit for bit, while every intermediate of
/// k = 1 and k = 7 (s * amax, its product with FACTOR, the quotient) is normal and finite with two
/// binades to spare (kTableLo, kTableHi): scaling by a power of two commutes with each rounding
/// there. Anything else (a zero scale, extreme amax, a NaN) takes the eight divisions.
FP4LAB_HD constexpr DecodeTable int_decode_table(float s, float factor, const TensorScale& t) {
  const float a1 = s * t.amax, a7 = (7.0f * s) * t.amax;
  const float y1 = a1 * factor, y7 = a7 * factor;
  const float q1 = y1 / t.divisor, q7 = y7 / t.divisor;
  if (!(a1 >= kTableLo && y1 >= kTableLo && q1 >= kTableLo && a7 < kTableHi && y7 < kTableHi && q7 < kTableHi)) {
    return int_decode_table_by_division(s, factor, t);
  }
  const float q3 = (((3.0f * s) * t.amax) * factor) / t.divisor;
  const float q5 = (((5.0f * s) * t.amax) * factor) / t.divisor;
  // entry 0, ((0 * amax) * FACTOR) / D, is +0: amax, FACTOR and D are finite and positive here
  return DecodeTable{{0.0f, q1, q1 * 2.0f, q3, q1 * 4.0f, q5, q3 * 2.0f, q7}};
}

/// v positive and finite (false for NaN): the multiplier and amax if4_block_by_magnitudes needs.
FP4LAB_HD constexpr bool finite_positive(float v) { return v > 0.0f && is_finite(v); }

/// IF4's usual block: the bits of intfloat_block_general (its scalar twin, compared block by
/// block in tests/formats/block_family_test.cpp) with fewer instructions. Preconditions: IF4,
/// every x finite, s.mul positive and finite, amax finite, left-to-right sums (or abs_max), at
/// most kKeptCodes values. A candidate's error needs only its codes' magnitudes
/// (fp4_e2m1::rn_magnitude of v = x * mul; int4::rn_magnitude_symmetric of v * RCP), decoded by
/// its table of eight magnitudes (`tables`, entry k of candidate 0 = FP, 1 = INT): a code is
/// negative only where v < 0, i.e. x < 0, and a zero magnitude decodes to +-0, so |dq| - |x|
/// is +-(dq - x) exactly and its square and absolute value are the same bits. The chosen
/// candidate's codes then get their signs once, from v < 0 as encode_code writes them (E2M1:
/// bit 3, also on a zero magnitude; INT4: two's complement, a zero staying 0).
template <class Tables>
FP4LAB_HD constexpr void if4_block_by_magnitudes(const Recipe& r, const TensorScale& t, const BlockIO& io,
                                                 const NvScale& s, const Tables& tables, BlockRecord& rec) {
  const DecodeTable tf = decode_table(s.value, t);
  const DecodeTable ti = int_decode_table(s.value, kIf4Factor, t);
  tables.stage(0, tf);
  tables.stage(1, ti);
  std::uint32_t fp[kKeptCodes / 8] = {}, in[kKeptCodes / 8] = {};
  float err_fp = 0.0f, err_int = 0.0f;
  with_rule(r.rule, [&](auto rc) {  // one loop per rule: no per-element switch
    FP4LAB_UNROLL
    for (int i = 0; i < io.n; ++i) {
      const float v = io.x[i] * s.mul;
      const std::uint8_t mf = fp4_e2m1::rn_magnitude(v);
      const std::uint8_t mi = int4::rn_magnitude_symmetric(v * kIf4Rcp);
      fp[i / 8] = add_nibble(fp[i / 8], mf, i % 8);
      in[i / 8] = add_nibble(in[i / 8], mi, i % 8);
      const float ax = abs_fast(io.x[i]);
      add_rule_error<decltype(rc)::value>(err_fp, tables(tf, 0, mf) - ax);
      add_rule_error<decltype(rc)::value>(err_int, tables(ti, 1, mi) - ax);
    }
  });
  const bool use_int = err_int < err_fp;  // strict: ties keep FP
  rec.err_fp = err_fp;
  rec.err_int = err_int;
  rec.chose_int = use_int ? 1 : 0;
  rec.scale.code = static_cast<std::uint8_t>(s.code + (use_int ? 128u : 0u));
  constexpr int kWords = kKeptCodes / 8;
  FP4LAB_UNROLL
  for (int w = 0; w < kWords && 8 * w < io.n; ++w) {
    // bit 3 of each nibble: v < 0 (the sign encode_code writes)
    std::uint32_t neg = 0;
    FP4LAB_UNROLL
    for (int k = 0; k < 8 && 8 * w + k < io.n; ++k) {
      neg |= (io.x[8 * w + k] * s.mul < 0.0f ? 8u : 0u) << (4 * k);
    }
    std::uint32_t word = 0;
    if (use_int) {
      // two's complement of the negative nonzero nibbles: (m ^ 0xF) + 1 = 16 - m, no carry out
      // for m in 1..7; m + 7 sets bit 3 exactly where m is nonzero
      const std::uint32_t m = in[w];
      const std::uint32_t flip = neg & ((m + 0x77777777u) & 0x88888888u);
      word = (m ^ ((flip >> 3) * 0xFu)) + (flip >> 3);
    } else {
      word = fp[w] | neg;
    }
    if (io.packed) io.packed[w] |= word;
    FP4LAB_UNROLL
    for (int k = 0; k < 8 && 8 * w + k < io.n; ++k) {
      const std::uint32_t c = (word >> (4 * k)) & 0xFu;
      if (io.codes) io.codes[8 * w + k] = static_cast<std::uint8_t>(c);
      if (io.dequant) {
        // the magnitude's entry, negative for a sign bit (FP) or a negative integer (INT)
        const std::uint32_t mag = use_int ? (((in[w] >> (4 * k)) & 0xFu)) : (c & 0x7u);
        const float e = tables(use_int ? ti : tf, use_int ? 1 : 0, mag);
        io.dequant[8 * w + k] = (c & 0x8u) ? -e : e;
      }
    }
  }
}

/// One IF block of any IF type, any case: the general path (per element, the codes through
/// encode_code, values by table for IF4 with a finite scale and amax, by division otherwise).
FP4LAB_HD constexpr BlockRecord intfloat_block_general(const Recipe& r, const TensorScale& t, const BlockIO& io,
                                                       const NvScale& s, BlockRecord rec) {
  const FamilyTraits ft = family_traits(r.format);
  const bool nibble = nibble_codes(r.format);
  // IF4 decodes through two tables of eight magnitudes, ((e2m1(k) * s) * amax) / D and
  // (((k * s) * amax) * FACTOR) / D for k = 0..7: each element's value is one entry, negated for
  // a negative code (negation commutes with every rounding step), so the per-element divisions
  // become lookups, bit for bit. Only where s and amax are finite: a NaN's sign would not survive
  // the negation. Other IF types (and those blocks) divide per element.
  const bool tables = r.format == BlockFormat::kIF4 && is_finite(s.value) && is_finite(t.amax);
  DecodeTable tf{}, ti{};
  if (tables) {
    tf = decode_table(s.value, t);
    ti = int_decode_table(s.value, ft.factor, t);
  }
  // ref_unclamped (IF4 only): the FP candidate as reference.py's fake_quantize_to_e2m1 computes
  // it (reference.py:30-51, no clamp: 7.35 -> 8), in the error and in the fake-quantized value;
  // codes saturate (no E2M1 code holds 8: core refuses to store them, as for 4/6)
  const bool unclamped = r.format == BlockFormat::kIF4 && r.overflow == Fp4Overflow::kReferenceUnclamped;
  auto fp_unclamped = [&](int i) {
    return family_nv_dequant(e2m1_round_unclamped(family_scaled(io.x[i], s.mul)), s.value, t);
  };
  auto fp_value = [&](std::uint8_t c) {
    if (tables) return (c & 0x8u) ? -tf.v[c & 0x7u] : tf.v[c & 0x7u];
    return family_nv_dequant(decode_code(ft.fp, c), s.value, t);
  };
  auto int_value = [&](std::uint8_t c) {
    if (tables) {  // two's complement nibble: -7..7
      const int q = (c & 0x8u) ? static_cast<int>(c & 0xFu) - 16 : static_cast<int>(c & 0xFu);
      return q < 0 ? -ti.v[-q] : ti.v[q];
    }
    return intfloat_int_dequant(decode_code(ft.alt, c), s.value, ft.factor, t);
  };
  auto fp_code = [&](int i) { return encode_code(ft.fp, family_scaled(io.x[i], s.mul)); };
  auto int_code = [&](int i) { return encode_code(ft.alt, family_scaled(io.x[i], s.mul) * ft.rcp); };
  // the two candidates' element errors dq - x (reference.py:377-388)
  auto d_fp = [&](int i) { return (unclamped ? fp_unclamped(i) : fp_value(fp_code(i))) - io.x[i]; };
  auto d_int = [&](int i) { return int_value(int_code(i)) - io.x[i]; };
  float err_fp = 0.0f, err_int = 0.0f;
  // blocks up to kKeptCodes values keep both candidates' codes from the error pass (not encoded again)
  bool kept = false;  // set where the error pass below kept them
  std::uint8_t kept_fp[kKeptCodes] = {}, kept_int[kKeptCodes] = {};
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
  } else if (io.n <= kKeptCodes && !unclamped) {
    kept = true;
    FP4LAB_UNROLL
    for (int i = 0; i < io.n; ++i) {
      kept_fp[i] = fp_code(i);
      kept_int[i] = int_code(i);
      accumulate_rule_error(r.rule, err_fp, fp_value(kept_fp[i]) - io.x[i]);
      accumulate_rule_error(r.rule, err_int, int_value(kept_int[i]) - io.x[i]);
    }
  } else {
    FP4LAB_UNROLL
    for (int i = 0; i < io.n; ++i) {
      accumulate_rule_error(r.rule, err_fp, d_fp(i));
      accumulate_rule_error(r.rule, err_int, d_int(i));
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

}  // namespace detail

/// Quantizes one IF block. Both candidates start from the same scaled value v = x * mul:
/// FP code = the FP element of v (reference.py:343-375), INT code = round(clamp(v * RCP, ±INTMAX))
/// (reference.py:349-375); errors in the original domain (reference.py:377-398); INT kept only
/// if its error is strictly smaller (reference.py:400); its scale byte gets +128
/// (reference.py:417-423). The record holds both errors and the choice. IF4's usual blocks take
/// detail::if4_block_by_magnitudes, everything else detail::intfloat_block_general (the same
/// bits). Inlinable: the IF4 fast path of kernels/quantize.cuh compiles it into its kernel, with
/// its tables in shared memory; other callers take intfloat_quantize_block below.
template <class Tables = detail::TablesInCandidates>
FP4LAB_HD constexpr BlockRecord intfloat_quantize_block_inline(const Recipe& r, const TensorScale& t,
                                                             const BlockIO& io, const Tables& tables = Tables{}) {
  const FamilyTraits ft = family_traits(r.format);
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  const detail::NvScale s = detail::family_nv_scale(ft.mq, t, rec.bmax);
  const bool by_magnitudes = r.format == BlockFormat::kIF4 && detail::finite_positive(s.mul) &&
                             detail::finite_positive(t.amax) && detail::all_finite(io.x, io.n) &&
                             r.overflow != Fp4Overflow::kReferenceUnclamped &&
                             (r.sum == SumOrder::kSeq || r.rule == FourSixRule::kAbsMax) &&
                             io.n <= detail::kKeptCodes;
  if (!by_magnitudes) return detail::intfloat_block_general(r, t, io, s, rec);
  detail::if4_block_by_magnitudes(r, t, io, s, tables, rec);
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
