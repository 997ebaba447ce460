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

/// Blocks up to this many values keep each candidate's codes, so the chosen candidate is not
/// encoded a second time (larger 2-D tiles encode it again: the same codes).
inline constexpr int kKeptCodes = 32;

/// The eight magnitudes a candidate decodes to, ((e2m1(k) * scale) * amax) / divisor for
/// k = 0..7. e2m1(k) * scale is exact, so an element's decode is one of these, signed: the
/// per-element division becomes a selection, bit for bit (negation commutes with rounding).
struct DecodeTable {
  float v[8];
};

/// The table with one division per entry: the scalar twin of decode_table.
FP4LAB_HD constexpr DecodeTable decode_table_by_division(float scale, const TensorScale& t) {
  DecodeTable d{};
  FP4LAB_UNROLL
  for (int k = 0; k < 8; ++k) {
    d.v[k] = ((fp4_e2m1{static_cast<std::uint8_t>(k)}.to_float() * scale) * t.amax) / t.divisor;
  }
  return d;
}

/// The bounds within which a table's entries may be scaled by powers of two up to 4 with every
/// rounding step unchanged: normal (2^-124) and finite (2^124) with two binades to spare.
inline constexpr float kTableLo = 4.70197740328915e-38f;  // 2^-124
inline constexpr float kTableHi = 2.12676479325587e+37f;  // 2^124

/// The table with two divisions: e2m1(k) is 0, 2^j or 1.5 * 2^j, and while the products and
/// quotients of k = 2 (scale * amax) and k = 3 ((1.5 * scale) * amax) stay normal with two
/// binades to spare, scaling by 2^j commutes with every rounding, so entries 1, 4, 6 are
/// entry 2 times 1/2, 2, 4 and entries 5, 7 are entry 3 times 2, 4, exactly. Anything else
/// (a zero or NaN scale, extreme amax or divisor) takes the eight divisions.
FP4LAB_HD constexpr DecodeTable decode_table(float scale, const TensorScale& t) {
  const float y2 = scale * t.amax, y3 = (1.5f * scale) * t.amax;
  const float q2 = y2 / t.divisor, q3 = y3 / t.divisor;
  if (!(y2 >= kTableLo && q2 >= kTableLo && y3 < kTableHi && q3 < kTableHi)) return decode_table_by_division(scale, t);
  // entry 0, (0 * amax) / divisor, is +0 here: the guard leaves amax finite and positive (y2 > 0,
  // y3 finite) and the divisor positive (q2 > 0)
  return DecodeTable{{0.0f, q2 * 0.5f, q2, q3, q2 * 2.0f, q3 * 2.0f, q2 * 4.0f, q3 * 4.0f}};
}

/// One candidate of 4/6: its scale code, reciprocal multiplier, decode table, error under the
/// rule, and (blocks up to kKeptCodes values) its codes: with `signless`, their magnitudes only
/// (or_code_signs adds the signs to the chosen candidate's).
struct Candidate {
  std::uint8_t scale_code;
  float scale;
  float mul;
  float err;
  DecodeTable table;
  std::uint32_t packed[kKeptCodes / 8];
  bool signless;
};

/// ORs the sign bits of a block's E2M1 codes into `packed` (bit 3 of each nibble, pack_pair's
/// order) as rn_satfinite gives them for x * mul, mul > 0: the sign of x, except for NaN,
/// which encodes as +6. Only a block that all_finite rejects tests each element for NaN.
FP4LAB_HD constexpr void or_code_signs(const float* x, int n, std::uint32_t* packed) {
  if (all_finite(x, n)) {  // no NaN: every sign bit as it is (two loops, so this one has no test)
    FP4LAB_UNROLL
    for (int i = 0; i < n; ++i) packed[i / 8] |= (bit_cast<std::uint32_t>(x[i]) >> 31) << (4 * (i % 8) + 3);
  } else {
    FP4LAB_UNROLL
    for (int i = 0; i < n; ++i) {
      if (!is_nan(x[i])) packed[i / 8] |= (bit_cast<std::uint32_t>(x[i]) >> 31) << (4 * (i % 8) + 3);
    }
  }
}

/// packed + (code << 4 * slot) for a code below 16 (the nibble is empty): one IMAD in device code.
FP4LAB_HD constexpr std::uint32_t add_nibble(std::uint32_t packed, std::uint32_t code, int slot) {
#if defined(__CUDA_ARCH__)
  if (!__builtin_is_constant_evaluated()) {
    std::uint32_t out = 0;
    asm("mad.lo.u32 %0, %1, %2, %3;" : "=r"(out) : "r"(code), "r"(1u << (4 * slot)), "r"(packed));
    return out;
  }
#endif
  return packed + (code << (4 * slot));
}

/// The magnitude entry k (0..7) of a decode table, selected without a run-time index in
/// device code (so the table stays in registers), read by index on the CPU.
FP4LAB_HD constexpr float table_magnitude(const DecodeTable& d, unsigned k) {
#if !defined(__CUDA_ARCH__)
  if (!__builtin_is_constant_evaluated()) return d.v[k & 0x7u];
#endif
  const float lo = (k & 2u) ? ((k & 1u) ? d.v[3] : d.v[2]) : ((k & 1u) ? d.v[1] : d.v[0]);
  const float hi = (k & 2u) ? ((k & 1u) ? d.v[7] : d.v[6]) : ((k & 1u) ? d.v[5] : d.v[4]);
  return (k & 4u) ? hi : lo;
}

/// The decode of E2M1 code c from its table: the magnitude entry, negated for a negative code.
FP4LAB_HD constexpr float decode_from_table(const DecodeTable& d, std::uint8_t c) {
  const float m = table_magnitude(d, c & 0x7u);
  return (c & 0x8u) ? -m : m;
}

/// Whether the candidates decode through a DecodeTable: every rounding except the unclamped
/// reference cast, whose values (8, 10, ...) are not E2M1 codes.
FP4LAB_HD constexpr bool decodes_by_table(const Recipe& r) {
  return !(r.overflow == Fp4Overflow::kReferenceUnclamped && r.rounding == ElementRounding::kNearestEven);
}

/// Where the candidates read their decode tables during the error sums: this default keeps
/// each table in its Candidate. A kernel may pass its own (e.g. a per-thread column of shared
/// memory, kernels/quantize.cuh) with the same two members; every choice reads the same
/// entries, so the bits do not depend on it.
struct TablesInCandidates {
  /// Called once per candidate (0: M=6 or the static candidate, 1: M=4) with its table.
  FP4LAB_HD constexpr void stage(int, const DecodeTable&) const {}
  /// Entry k of candidate `cand`'s table (`table` is that table).
  FP4LAB_HD constexpr float operator()(const DecodeTable& table, int, unsigned k) const {
    return table_magnitude(table, k);
  }
};

/// One 4/6 candidate: scale, multiplier, table, codes, and the error under the rule. With a
/// positive multiplier (always, for the tensor scales of four_over_six_tensor_scale) the sign
/// of every code is the sign of its input, so dq - x = +-(|dq| - |x|) exactly: the error is
/// summed from the table's magnitude and |x|, the same bits as from the signed decode.
template <class Tables = TablesInCandidates>
FP4LAB_HD constexpr Candidate four_over_six_candidate(const Recipe& r, const TensorScale& t, const BlockIO& io,
                                                       float hp, int cand = 0, const Tables& tables = Tables{}) {
  Candidate c{};
  c.scale_code = ue4m3::from(hp).bits;
  c.scale = ue4m3{c.scale_code}.to_float();
  c.mul = guarded_reciprocal(t.decode * c.scale);
  const Rounding rounding = element_rounding(r.rounding);
  const bool by_table = decodes_by_table(r);
  if (by_table) {
    c.table = decode_table(c.scale, t);
    tables.stage(cand, c.table);
  }
  const bool keep = io.n <= kKeptCodes;
  float err = 0.0f;
  if (r.sum != SumOrder::kSeq && r.rule != FourSixRule::kAbsMax) {
    // another summation order (a max needs none): the same terms, added in that order
    const bool squares = r.rule != FourSixRule::kMae;
    c.err = ordered_sum(io.n, r.sum, [&](int i) {
      const float v = io.x[i] * c.mul;
      float d;
      if (by_table) {
        const std::uint8_t code = fp4_e2m1::from(v, rounding, element_bits(io, i)).bits;
        if (keep) c.packed[i / 8] += static_cast<std::uint32_t>(code) << (4 * (i % 8));
        d = c.mul > 0.0f ? tables(c.table, cand, code & 0x7u) - abs_fast(io.x[i]) : decode_from_table(c.table, code) - io.x[i];
      } else {
        d = ((fp4_round_value(v, rounding, element_bits(io, i), r.overflow) * c.scale) * t.amax) / t.divisor - io.x[i];
      }
      return squares ? d * d : abs_bits(d);
    });
    return c;
  }
  if (by_table && c.mul > 0.0f && rounding == Rounding::kNearestEven) {
    // the usual case: one loop with no per-element branch; the error needs only each code's
    // magnitude (rn_magnitude: code & 7), and the codes' signs are the inputs' (or_code_signs)
    c.signless = true;
    with_rule(r.rule, [&](auto rc) {  // one loop per rule: no per-element switch
      FP4LAB_UNROLL
      for (int i = 0; i < io.n; ++i) {
        const std::uint8_t mag = fp4_e2m1::rn_magnitude(io.x[i] * c.mul);
        if (keep) c.packed[i / 8] = add_nibble(c.packed[i / 8], mag, i % 8);  // nibble written once
        add_rule_error<decltype(rc)::value>(err, tables(c.table, cand, mag) - abs_fast(io.x[i]));
      }
    });
  } else if (by_table && c.mul > 0.0f) {  // stochastic rounding: the codes with their signs
    with_rule(r.rule, [&](auto rc) {
      FP4LAB_UNROLL
      for (int i = 0; i < io.n; ++i) {
        const std::uint8_t code = fp4_e2m1::from(io.x[i] * c.mul, rounding, element_bits(io, i)).bits;
        if (keep) c.packed[i / 8] += static_cast<std::uint32_t>(code) << (4 * (i % 8));  // nibble written once
        add_rule_error<decltype(rc)::value>(err, tables(c.table, cand, code & 0x7u) - abs_fast(io.x[i]));
      }
    });
  } else {
    with_rule(r.rule, [&](auto rc) {
      FP4LAB_UNROLL
      for (int i = 0; i < io.n; ++i) {
        const float v = io.x[i] * c.mul;
        float dq;
        if (by_table) {
          const std::uint8_t code = fp4_e2m1::from(v, rounding, element_bits(io, i)).bits;
          if (keep) c.packed[i / 8] += static_cast<std::uint32_t>(code) << (4 * (i % 8));
          dq = decode_from_table(c.table, code);
        } else {
          dq = ((fp4_round_value(v, rounding, element_bits(io, i), r.overflow) * c.scale) * t.amax) / t.divisor;
        }
        add_rule_error<decltype(rc)::value>(err, dq - io.x[i]);
      }
    });
  }
  c.err = err;
  return c;
}

}  // namespace detail

/// Quantizes one block under 4/6 (rule in r.rule). Errors are recorded for both candidates
/// (for static rules only the used one). Codes are E2M1; with Fp4Overflow::kReferenceUnclamped
/// `dequant` may hold 8*scale and the codes then saturate (they cannot hold 8).
template <class Tables = detail::TablesInCandidates>
FP4LAB_HD constexpr BlockRecord four_over_six_quantize_block(const Recipe& r, const TensorScale& t,
                                                             const BlockIO& io, const Tables& tables = Tables{}) {
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  const float stretch = detail::unbiased_stretch(r.rounding);
  detail::Candidate chosen{};
  if (r.rule == FourSixRule::kStatic6 || r.rule == FourSixRule::kStatic4) {
    const float m = r.rule == FourSixRule::kStatic6 ? 6.0f : 4.0f;
    chosen = detail::four_over_six_candidate(r, t, io, (rec.bmax / m) * t.encode * stretch, 0, tables);
    rec.chosen_max = static_cast<std::uint8_t>(m);
    (r.rule == FourSixRule::kStatic6 ? rec.scale_code_6 : rec.scale_code_4) = chosen.scale_code;
    (r.rule == FourSixRule::kStatic6 ? rec.err6 : rec.err4) = chosen.err;
  } else {
    const float hp6 = (rec.bmax / 6.0f) * t.encode * stretch;
    const float hp4 = hp6 * 1.5f;  // 1.5x the unrounded M=6 scale
    const detail::Candidate c6 = detail::four_over_six_candidate(r, t, io, hp6, 0, tables);
    const detail::Candidate c4 = detail::four_over_six_candidate(r, t, io, hp4, 1, tables);
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
  // the candidates kept their codes: the chosen one's are final (the same as encoding again);
  // a packed-only output takes them as whole words
  const bool kept = by_table && io.n <= detail::kKeptCodes;
  if (kept && chosen.signless) detail::or_code_signs(io.x, io.n, chosen.packed);
  const bool words_only = kept && io.packed && !io.codes;
  if (words_only) {
    FP4LAB_UNROLL
    for (int w = 0; w < (io.n + 7) / 8; ++w) io.packed[w] |= chosen.packed[w];
    if (!io.dequant) return rec;
  }
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    std::uint8_t code = 0;
    if (kept) {
      code = static_cast<std::uint8_t>((chosen.packed[i / 8] >> (4 * (i % 8))) & 0xFu);
    } else {
      code = fp4_e2m1::from(io.x[i] * chosen.mul, rounding, detail::element_bits(io, i)).bits;
    }
    if (!words_only) store_code(io, i, code);
    if (io.dequant) {
      if (by_table) {
        io.dequant[i] = detail::decode_from_table(chosen.table, code);
      } else {
        const float v = io.x[i] * chosen.mul;
        const float q = detail::fp4_round_value(v, rounding, detail::element_bits(io, i), r.overflow);
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
