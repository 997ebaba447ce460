// The per-lane 4/6 candidates of the SIMD block quantizers (block_kernels.cpp): scales, decode
// tables and error sums in element order, lane for lane formats/'s four_over_six (FORMATS.md
// §4). Included once per Highway target after vector_ops-inl.hpp (no include guard, by
// Highway's convention).
#include <hwy/highway.h>

#include "core/simd/tables.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace {

using formats::FourSixRule;
using formats::Recipe;
using formats::TensorScale;

constexpr int kMaxLanes = 16;  // 512-bit vectors of float

/// One group of Lanes(DF) blocks: the inputs, the outputs and the per-lane offsets.
struct Group {
  const float* x;       // block-major, bs floats per block
  int bs;
  VI index;             // j * bs
  VI word_index;        // j * bs / 8
  std::uint32_t* packed;
  float* dequant;
};

/// One 4/6 candidate of every lane: scale code, scale, multiplier, decode table, error.
struct Candidate {
  VU code;
  VF scale, mul, err;
  VF table[8];
  VF q2, q3;  // table[2] and table[3]
  MF quick;   // table[k] is q2 or q3 times a power of two and mul > 0: quick_magnitude holds
};

/// |table[code]| from the E2M1 magnitude g = e2m1_grid(|x * mul|) in the lanes where
/// Candidate::quick holds: g = 2^j (q2 * 2^j) or 1.5 * 2^j (q3 * 2^(j-1)), the multiplier the
/// power of two g's mantissa bit cleared, the same products as the table (0 gives q2 * 0 = +0).
HWY_INLINE VF quick_magnitude(VF g, VF q2, VF q3) {
  const DU du;
  const MF half = hn::RebindMask(DF(), hn::TestBit(as_u(g), hn::Set(du, 0x400000u)));
  return hn::Mul(hn::IfThenElse(half, q3, q2), as_f(hn::And(as_u(g), hn::Set(du, 0xFF800000u))));
}

HWY_INLINE VF select8(const VF* t, VU k) {
  const DF df;
  const MF b0 = hn::RebindMask(df, hn::TestBit(k, hn::Set(DU(), 1u)));
  const MF b1 = hn::RebindMask(df, hn::TestBit(k, hn::Set(DU(), 2u)));
  const MF b2 = hn::RebindMask(df, hn::TestBit(k, hn::Set(DU(), 4u)));
  const VF lo = hn::IfThenElse(b1, hn::IfThenElse(b0, t[3], t[2]), hn::IfThenElse(b0, t[1], t[0]));
  const VF hi = hn::IfThenElse(b1, hn::IfThenElse(b0, t[7], t[6]), hn::IfThenElse(b0, t[5], t[4]));
  return hn::IfThenElse(b2, hi, lo);
}

/// decode_from_table: the magnitude entry, negated for a negative code.
HWY_INLINE VF signed_entry(const VF* t, VU code) {
  const VF m = select8(t, code);
  return as_f(hn::Xor(as_u(m), hn::ShiftLeft<28>(hn::And(code, hn::Set(DU(), 8u)))));
}

/// detail::decode_table of every lane's scale: two divisions where the 2^j scaling is exact,
/// eight elsewhere; q2, q3 (entries 2 and 3) and where the scaled form holds (`fast`) too.
HWY_INLINE void decode_table_lanes(const TensorScale& t, VF scale, VF* table, VF* q2_out, VF* q3_out, MF* fast_out) {
  const DF df;
  const VF amax = hn::Set(df, t.amax), div = hn::Set(df, t.divisor);
  const VF y2 = hn::Mul(scale, amax), y3 = hn::Mul(hn::Mul(hn::Set(df, 1.5f), scale), amax);
  const VF q2 = hn::Div(y2, div), q3 = hn::Div(y3, div);
  const VF lo = hn::Set(df, formats::detail::kTableLo), hi = hn::Set(df, formats::detail::kTableHi);
  const MF fast = hn::And(hn::And(hn::Ge(y2, lo), hn::Ge(q2, lo)), hn::And(hn::Lt(y3, hi), hn::Lt(q3, hi)));
  table[0] = hn::Set(df, (0.0f * t.amax) / t.divisor);
  table[1] = hn::Mul(q2, hn::Set(df, 0.5f));
  table[2] = q2;
  table[3] = q3;
  table[4] = hn::Mul(q2, hn::Set(df, 2.0f));
  table[5] = hn::Mul(q3, hn::Set(df, 2.0f));
  table[6] = hn::Mul(q2, hn::Set(df, 4.0f));
  table[7] = hn::Mul(q3, hn::Set(df, 4.0f));
  if (!hn::AllTrue(df, fast)) {
    for (int k = 0; k < 8; ++k) {
      const VF v = hn::Div(hn::Mul(hn::Mul(hn::Set(df, formats::e2m1_value(static_cast<std::uint8_t>(k))), scale), amax), div);
      table[k] = hn::IfThenElse(fast, table[k], v);
    }
  }
  *q2_out = q2;
  *q3_out = q3;
  *fast_out = fast;
}

/// detail::four_over_six_candidate for every lane (table decodes only, nearest even).
HWY_INLINE Candidate candidate(const TensorScale& t, VF hp) {
  const DF df;
  Candidate c;
  c.code = ue4m3_code(hp);
  c.scale = ue4m3_value(c.code, ue4m3_values());
  c.mul = guarded_reciprocal(hn::Mul(hn::Set(df, t.decode), c.scale));
  MF fast;
  decode_table_lanes(t, c.scale, c.table, &c.q2, &c.q3, &fast);
  c.quick = hn::And(fast, hn::Gt(c.mul, hn::Zero(df)));
  return c;
}

/// signed_entry(table, e2m1_code(v)) in the lanes where Candidate::quick holds: the quick
/// magnitude with v's sign (none for NaN, as e2m1_code gives a NaN none).
HWY_INLINE VF quick_value(VF v, VF q2, VF q3) {
  const DU du;
  const VU u = as_u(v);
  const VU sign = hn::IfThenZeroElse(hn::RebindMask(du, hn::IsNaN(v)), hn::And(u, hn::Set(du, 0x80000000u)));
  const VF m = quick_magnitude(e2m1_grid(as_f(hn::And(u, hn::Set(du, 0x7FFFFFFFu)))), q2, q3);
  return as_f(hn::Or(as_u(m), sign));  // m >= +0: or is signed_entry's xor
}

/// Adds one element's error d (|d| = ad) to the sum under the rule.
HWY_INLINE VF add_error(FourSixRule rule, VF err, VF d, VF ad) {
  if (rule == FourSixRule::kMae) return hn::Add(err, ad);
  if (rule == FourSixRule::kAbsMax) return hn::IfThenElse(hn::Or(hn::Gt(ad, err), hn::IsNaN(ad)), ad, err);
  return hn::Add(err, hn::Mul(d, d));
}

/// The group with element i of every lane's block in vector i (the gathers' layout), by
/// log2(bs) rounds that split the whole sequence into its even and odd elements (each a
/// rotation of the index bits; bs of them turn block * bs + i into i * lanes + block). Needs
/// a power-of-two bs; false (nothing written) otherwise and on one-lane targets.
HWY_INLINE bool transpose_group(const Group& g, float* xt, float* tmp) {
#if HWY_TARGET == HWY_SCALAR
  (void)g, (void)xt, (void)tmp;
  return false;
#else
  const DF df;
  const int lanes = static_cast<int>(hn::Lanes(df));
  if ((g.bs & (g.bs - 1)) != 0) return false;
  const float* src = g.x;
  int rounds = 0;
  for (int b = g.bs; b > 1; b /= 2) ++rounds;
  // ping-pong so that the last round writes xt
  float* dst = rounds % 2 == 1 ? xt : tmp;
  const int half = g.bs / 2;  // vectors in each half
  for (int round = 0; round < rounds; ++round) {
    for (int k = 0; k < half; ++k) {
      const VF lo = hn::LoadU(df, src + 2 * k * lanes), hi = hn::LoadU(df, src + (2 * k + 1) * lanes);
      hn::Store(hn::ConcatEven(df, hi, lo), df, dst + k * lanes);
      hn::Store(hn::ConcatOdd(df, hi, lo), df, dst + (half + k) * lanes);
    }
    src = dst;
    dst = dst == xt ? tmp : xt;
  }
  return true;
#endif
}

/// quick_errors for one rule and candidate count, the sums kept in registers.
template <FourSixRule R, bool kTwo>
HWY_INLINE void quick_errors_of(const Group& g, const float* xt, Candidate* a, Candidate* b) {
  const DF df;
  const std::size_t lanes = hn::Lanes(df);
  VF e0 = hn::Zero(df), e1 = hn::Zero(df);
  const VU abs_mask = hn::Set(DU(), 0x7FFFFFFFu);
  const VF mul0 = a->mul, q20 = a->q2, q30 = a->q3;
  const VF mul1 = kTwo ? b->mul : a->mul, q21 = kTwo ? b->q2 : a->q2, q31 = kTwo ? b->q3 : a->q3;
  for (int i = 0; i < g.bs; ++i) {
    const VF x = xt ? hn::Load(df, xt + static_cast<std::size_t>(i) * lanes) : hn::GatherIndex(df, g.x + i, g.index);
    const VF ax = as_f(hn::And(as_u(x), abs_mask));
    // mul > 0: |x * mul| = |x| * mul, and dq - x = +-(|dq| - |x|) exactly
    const VF d0 = hn::Sub(quick_magnitude(e2m1_grid(hn::Mul(ax, mul0)), q20, q30), ax);
    e0 = add_error(R, e0, d0, as_f(hn::And(as_u(d0), abs_mask)));
    if constexpr (kTwo) {
      const VF d1 = hn::Sub(quick_magnitude(e2m1_grid(hn::Mul(ax, mul1)), q21, q31), ax);
      e1 = add_error(R, e1, d1, as_f(hn::And(as_u(d1), abs_mask)));
    }
  }
  a->err = e0;
  if constexpr (kTwo) b->err = e1;
}

/// candidate_errors where every one of the first `count` lanes is quick for both candidates:
/// |dq| = quick_magnitude, no code. False (nothing written) otherwise.
HWY_INLINE bool quick_errors(const Recipe& r, const Group& g, int count, Candidate* a, Candidate* b, bool two) {
  const DF df;
  const MF used = hn::FirstN(df, static_cast<std::size_t>(count));
  if (!hn::AllTrue(df, hn::Or(hn::And(a->quick, two ? b->quick : a->quick), hn::Not(used)))) return false;
  HWY_ALIGN float xt[kMaxLanes * formats::kMaxBlockSize], tmp[kMaxLanes * formats::kMaxBlockSize];
  const float* t = transpose_group(g, xt, tmp) ? xt : nullptr;  // else gathers
  if (r.rule == FourSixRule::kMae) {
    two ? quick_errors_of<FourSixRule::kMae, true>(g, t, a, b) : quick_errors_of<FourSixRule::kMae, false>(g, t, a, b);
  } else if (r.rule == FourSixRule::kAbsMax) {
    two ? quick_errors_of<FourSixRule::kAbsMax, true>(g, t, a, b)
        : quick_errors_of<FourSixRule::kAbsMax, false>(g, t, a, b);
  } else {
    two ? quick_errors_of<FourSixRule::kMse, true>(g, t, a, b) : quick_errors_of<FourSixRule::kMse, false>(g, t, a, b);
  }
  return true;
}

/// The error sums of candidates a (and b when `two`) under the rule, in element order.
HWY_INLINE void candidate_errors(const Recipe& r, const Group& g, int count, Candidate* a, Candidate* b, bool two) {
  if (quick_errors(r, g, count, a, b, two)) return;
  const DF df;
  Candidate* cs[2] = {a, b};
  VF err[2] = {hn::Zero(df), hn::Zero(df)};
  MF pos[2] = {hn::Gt(a->mul, hn::Zero(df)), hn::Gt(two ? b->mul : a->mul, hn::Zero(df))};
  const VU abs_mask = hn::Set(DU(), 0x7FFFFFFFu);
  for (int i = 0; i < g.bs; ++i) {
    const VF x = hn::GatherIndex(df, g.x + i, g.index);
    const VF ax = as_f(hn::And(as_u(x), abs_mask));
    for (int k = 0; k < (two ? 2 : 1); ++k) {
      const VU code = e2m1_code(hn::Mul(x, cs[k]->mul));
      // mul > 0: dq - x = +-(|dq| - |x|) exactly; otherwise the signed decode
      const VF m = select8(cs[k]->table, code);
      const VF slow = hn::Sub(signed_entry(cs[k]->table, code), x);
      const VF d = hn::IfThenElse(pos[k], hn::Sub(m, ax), slow);
      err[k] = add_error(r.rule, err[k], d, as_f(hn::And(as_u(d), abs_mask)));
    }
  }
  a->err = err[0];
  if (two) b->err = err[1];
}

}  // namespace
}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
