// SIMD block quantizers (see simd.hpp), compiled once per Highway target and dispatched at run
// time. Lane j owns block j of a group: element i of every block is one gather, so each
// block's max, error sums and codes follow the scalar order of formats/ (FORMATS.md §2-4).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/simd/block_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "core/simd/simd.hpp"
#include "core/simd/tables.hpp"
#include "core/simd/vector_ops-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace {

using formats::BlockRecord;
using formats::FourSixRule;
using formats::NvRecipe;
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

/// The max |x| (NaN ignored) and the count of NaN/Inf of every lane's block.
HWY_INLINE void block_amax(const Group& g, VF* bmax, VI* bad) {
  const DF df;
  const DU du;
  VF m = hn::Zero(df);
  VI n = hn::Zero(DI());
  for (int i = 0; i < g.bs; ++i) {
    const VU u = as_u(hn::GatherIndex(df, g.x + i, g.index));
    const VU a = hn::And(u, hn::Set(du, 0x7FFFFFFFu));
    n = hn::Sub(n, hn::VecFromMask(DI(), hn::RebindMask(DI(), at_least(a, 0x7F800000))));  // mask is -1
    const VF af = as_f(a);
    m = hn::IfThenElse(hn::Gt(af, m), af, m);  // fmax_nan_ignoring: a NaN never wins
  }
  *bmax = m;
  *bad = n;
}

/// Runs the element loop: per element the code from `encode(x)` and the value from
/// `decode(code, x)`, packed and scattered to the group's outputs.
template <class Encode, class Decode>
HWY_INLINE void write_elements(const Group& g, const Encode& encode, const Decode& decode) {
  const DF df;
  const DU du;
  VU word = hn::Zero(du);
  for (int i = 0; i < g.bs; ++i) {
    const VF x = hn::GatherIndex(df, g.x + i, g.index);
    const VU code = encode(x);
    word = hn::Or(word, hn::ShiftLeftSame(code, 4 * (i % 8)));
    if (i % 8 == 7) {
      hn::ScatterIndex(word, du, g.packed + i / 8, g.word_index);
      word = hn::Zero(du);
    }
    if (g.dequant) hn::ScatterIndex(decode(code, x), df, g.dequant + i, g.index);
  }
}

/// One 4/6 candidate of every lane: scale code, scale, multiplier, decode table, error.
struct Candidate {
  VU code;
  VF scale, mul, err;
  VF table[8];
};

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

/// detail::four_over_six_candidate for every lane (table decodes only, nearest even).
HWY_INLINE Candidate candidate(const TensorScale& t, VF hp) {
  const DF df;
  Candidate c;
  c.code = ue4m3_code(hp);
  c.scale = ue4m3_value(c.code, ue4m3_values());
  c.mul = guarded_reciprocal(hn::Mul(hn::Set(df, t.decode), c.scale));
  // decode_table: two divisions where the 2^j scaling is exact, eight elsewhere
  const VF amax = hn::Set(df, t.amax), div = hn::Set(df, t.divisor);
  const VF y2 = hn::Mul(c.scale, amax), y3 = hn::Mul(hn::Mul(hn::Set(df, 1.5f), c.scale), amax);
  const VF q2 = hn::Div(y2, div), q3 = hn::Div(y3, div);
  const VF lo = hn::Set(df, 4.70197740328915e-38f), hi = hn::Set(df, 2.12676479325587e+37f);
  const MF fast = hn::And(hn::And(hn::Ge(y2, lo), hn::Ge(q2, lo)), hn::And(hn::Lt(y3, hi), hn::Lt(q3, hi)));
  c.table[0] = hn::Set(df, (0.0f * t.amax) / t.divisor);
  c.table[1] = hn::Mul(q2, hn::Set(df, 0.5f));
  c.table[2] = q2;
  c.table[3] = q3;
  c.table[4] = hn::Mul(q2, hn::Set(df, 2.0f));
  c.table[5] = hn::Mul(q3, hn::Set(df, 2.0f));
  c.table[6] = hn::Mul(q2, hn::Set(df, 4.0f));
  c.table[7] = hn::Mul(q3, hn::Set(df, 4.0f));
  if (!hn::AllTrue(df, fast)) {
    for (int k = 0; k < 8; ++k) {
      const VF v = hn::Div(hn::Mul(hn::Mul(hn::Set(df, formats::e2m1_value(static_cast<std::uint8_t>(k))), c.scale), amax), div);
      c.table[k] = hn::IfThenElse(fast, c.table[k], v);
    }
  }
  return c;
}

/// The error sums of candidates a (and b when `two`) under the rule, in element order.
HWY_INLINE void candidate_errors(const Recipe& r, const Group& g, Candidate* a, Candidate* b, bool two) {
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
      const VF ad = as_f(hn::And(as_u(d), abs_mask));
      if (r.rule == FourSixRule::kMae) {
        err[k] = hn::Add(err[k], ad);
      } else if (r.rule == FourSixRule::kAbsMax) {
        err[k] = hn::IfThenElse(hn::Or(hn::Gt(ad, err[k]), hn::IsNaN(ad)), ad, err[k]);
      } else {
        err[k] = hn::Add(err[k], hn::Mul(d, d));
      }
    }
  }
  a->err = err[0];
  if (two) b->err = err[1];
}

/// The records of the group's `count` lanes.
HWY_INLINE void write_records(VF bmax, VI bad, VU scale_code, int count, BlockRecord* rec) {
  HWY_ALIGN float m[kMaxLanes];
  HWY_ALIGN std::int32_t n[kMaxLanes];
  HWY_ALIGN std::uint32_t s[kMaxLanes];
  hn::Store(bmax, DF(), m);
  hn::Store(bad, DI(), n);
  hn::Store(scale_code, DU(), s);
  for (int j = 0; j < count; ++j) {
    rec[j] = BlockRecord{};
    rec[j].bmax = m[j];
    rec[j].nonfinite = n[j];
    rec[j].scale.code = static_cast<std::uint8_t>(s[j]);
  }
}

void four_over_six_group(const Recipe& r, const TensorScale& t, const Group& g, int count, BlockRecord* rec) {
  const DF df;
  VF bmax;
  VI bad;
  block_amax(g, &bmax, &bad);
  const bool adaptive = r.rule != FourSixRule::kStatic6 && r.rule != FourSixRule::kStatic4;
  const float m = r.rule == FourSixRule::kStatic4 ? 4.0f : 6.0f;
  const VF hp = hn::Mul(hn::Div(bmax, hn::Set(df, m)), hn::Set(df, t.encode));  // stretch is 1 (nearest even)
  Candidate c6 = candidate(t, hp), c4;
  if (adaptive) c4 = candidate(t, hn::Mul(hp, hn::Set(df, 1.5f)));
  candidate_errors(r, g, &c6, &c4, adaptive);
  MF four = hn::Lt(c6.err, c6.err);  // none
  if (adaptive) four = hn::Lt(c4.err, c6.err);  // strict: ties (and NaN errors) keep 6
  const VF mul = adaptive ? hn::IfThenElse(four, c4.mul, c6.mul) : c6.mul;
  VF table[8];
  for (int k = 0; k < 8; ++k) table[k] = adaptive ? hn::IfThenElse(four, c4.table[k], c6.table[k]) : c6.table[k];
  const VU code = adaptive ? hn::IfThenElse(hn::RebindMask(DU(), four), c4.code, c6.code) : c6.code;
  write_elements(g, [&](VF x) { return e2m1_code(hn::Mul(x, mul)); },
                 [&](VU c, VF) { return signed_entry(table, c); });
  write_records(bmax, bad, code, count, rec);
  HWY_ALIGN float e6[kMaxLanes], e4[kMaxLanes];
  HWY_ALIGN std::uint32_t s6[kMaxLanes], s4[kMaxLanes], f[kMaxLanes];
  hn::Store(c6.err, df, e6);
  hn::Store(c6.code, DU(), s6);
  if (adaptive) {
    hn::Store(c4.err, df, e4);
    hn::Store(c4.code, DU(), s4);
    hn::Store(hn::VecFromMask(DU(), hn::RebindMask(DU(), four)), DU(), f);
  }
  for (int j = 0; j < count; ++j) {
    if (!adaptive) {
      rec[j].chosen_max = static_cast<std::uint8_t>(m);
      (m == 6.0f ? rec[j].scale_code_6 : rec[j].scale_code_4) = static_cast<std::uint8_t>(s6[j]);
      (m == 6.0f ? rec[j].err6 : rec[j].err4) = e6[j];
      continue;
    }
    rec[j].scale_code_6 = static_cast<std::uint8_t>(s6[j]);
    rec[j].scale_code_4 = static_cast<std::uint8_t>(s4[j]);
    rec[j].err6 = e6[j];
    rec[j].err4 = e4[j];
    rec[j].chosen_max = f[j] ? 4 : 6;
  }
}

void nvfp4_group(const Recipe& r, const TensorScale& t, const Group& g, int count, BlockRecord* rec) {
  const DF df;
  VF bmax;
  VI bad;
  block_amax(g, &bmax, &bad);
  const float* dec = ue4m3_values();
  if (r.nv == NvRecipe::kModelopt) {
    VF ratio = hn::Div(bmax, hn::Set(df, 6.0f * t.decode));
    ratio = hn::IfThenElse(hn::Eq(ratio, hn::Zero(df)), hn::Set(df, 1.0f), ratio);
    const VF lo = hn::Set(df, 0.001953125f);
    ratio = hn::IfThenElse(hn::Lt(ratio, lo), lo, ratio);  // a NaN ratio compares false: kept
    const VU code = ue4m3_code(ratio);
    const VF denom = hn::Mul(ue4m3_value(code, dec), hn::Set(df, t.decode));
    write_elements(
        g,
        [&](VF x) {
          const VF v = hn::Div(x, denom);
          const VU c = e2m1_code(v);  // sign from (v < 0): -0 gives 0x0
          return hn::IfThenElse(hn::RebindMask(DU(), hn::Lt(v, hn::Zero(df))), c, hn::And(c, hn::Set(DU(), 7u)));
        },
        [&](VU c, VF) { return hn::Mul(e2m1_value(c), denom); });
    write_records(bmax, bad, code, count, rec);
    return;
  }
  if (r.nv == NvRecipe::kTorchao) {
    const auto clamp = [](VF v, float lo, float hi) {  // clamp_propagate: NaN passes
      const VF l = hn::Set(DF(), lo), h = hn::Set(DF(), hi);
      return hn::IfThenElse(hn::Lt(v, l), l, hn::IfThenElse(hn::Gt(v, h), h, v));
    };
    const VF h = hn::Div(hn::Div(bmax, hn::Set(df, 6.0f)), hn::Set(df, t.decode));
    const VU code = ue4m3_code(clamp(h, 0.015625f, 448.0f));
    const VF s_b = ue4m3_value(code, dec);
    const VF mul = hn::Div(hn::Set(df, 1.0f / t.decode), s_b);
    const VF dscale = hn::Mul(s_b, hn::Set(df, t.decode));
    write_elements(g, [&](VF x) { return e2m1_code(clamp(hn::Mul(x, mul), -6.0f, 6.0f)); },
                   [&](VU c, VF) { return hn::Mul(e2m1_value(c), dscale); });
    write_records(bmax, bad, code, count, rec);
    return;
  }
  // te
  const VU code = ue4m3_code(hn::Mul(bmax, hn::Set(df, t.encode * (1.0f / 6.0f))));
  const VF s_b = ue4m3_value(code, dec);
  const VF mul = guarded_reciprocal(hn::Mul(s_b, hn::Set(df, t.decode)));
  const VF decode = hn::Set(df, t.decode);
  write_elements(g, [&](VF x) { return e2m1_code(hn::Mul(x, mul)); },
                 [&](VU c, VF) { return hn::Mul(hn::Mul(e2m1_value(c), s_b), decode); });
  write_records(bmax, bad, code, count, rec);
}

void mxfp4_group(const Recipe& r, const Group& g, int count, BlockRecord* rec) {
  const DF df;
  const DU du;
  VF bmax;
  VI bad;
  block_amax(g, &bmax, &bad);
  hn::Mask<DU> redo;
  VU code = mx_scale_code(r.mx, bmax, &redo);
  if (!hn::AllFalse(du, redo)) {  // rare lanes: the scalar mode
    HWY_ALIGN float m[kMaxLanes];
    HWY_ALIGN std::uint32_t c[kMaxLanes];
    hn::Store(bmax, df, m);
    hn::Store(code, du, c);
    for (size_t j = 0; j < hn::Lanes(df); ++j) c[j] = formats::mx_scale_code(r.mx, m[j]);
    code = hn::Load(du, c);
  }
  const hn::Mask<DU> nan_block = hn::RebindMask(du, hn::Gt(bad, hn::Zero(DI())));
  code = hn::IfThenElse(nan_block, hn::Set(du, formats::ue8m0::kNanCode), code);
  const VI e = hn::IfThenZeroElse(hn::RebindMask(DI(), nan_block), hn::Sub(as_i(code), hn::Set(DI(), 127)));
  const VF inv = exp2_lanes(hn::Sub(hn::Zero(DI()), e));
  const VF scale = hn::IfThenElse(hn::RebindMask(df, nan_block), hn::Set(df, formats::canonical_nan()), exp2_lanes(e));
  write_elements(g, [&](VF x) { return e2m1_code(hn::Mul(x, inv)); },
                 [&](VU c, VF) { return hn::Mul(e2m1_value(c), scale); });
  write_records(bmax, bad, code, count, rec);
}

}  // namespace

void QuantizeBlocksImpl(const Recipe& r, const TensorScale& t, const float* x, int count, BlockRecord* rec,
                        std::uint32_t* packed, float* dequant) {
  const DF df;
  const DI di;
  const int lanes = static_cast<int>(hn::Lanes(df));
  const int bs = r.block_size;
  Group g{x, bs, hn::Mul(hn::Iota(di, 0), hn::Set(di, bs)), hn::Mul(hn::Iota(di, 0), hn::Set(di, bs / 8)), packed,
          dequant};
  for (int j0 = 0; j0 < count; j0 += lanes) {
    const int n = count - j0 < lanes ? count - j0 : lanes;
    g.x = x + static_cast<std::ptrdiff_t>(j0) * bs;
    g.packed = packed + static_cast<std::ptrdiff_t>(j0) * bs / 8;
    g.dequant = dequant ? dequant + static_cast<std::ptrdiff_t>(j0) * bs : nullptr;
    if (r.format == formats::BlockFormat::kMXFP4) {
      mxfp4_group(r, g, n, rec + j0);
    } else if (r.nv == NvRecipe::kFourOverSix) {
      four_over_six_group(r, t, g, n, rec + j0);
    } else {
      nvfp4_group(r, t, g, n, rec + j0);
    }
  }
}

}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fp4lab::core::simd {

HWY_EXPORT(QuantizeBlocksImpl);

void quantize_blocks(const formats::Recipe& r, const formats::TensorScale& t, const float* x, int count,
                     formats::BlockRecord* records, std::uint32_t* packed, float* dequant) {
  HWY_DYNAMIC_DISPATCH(QuantizeBlocksImpl)(r, t, x, count, records, packed, dequant);
}

}  // namespace fp4lab::core::simd
#endif  // HWY_ONCE
