// SIMD block quantizers (see simd.hpp), compiled once per Highway target and dispatched at run
// time. Lane j owns block j of a group: element i of every block is one gather (or one vector
// of the transposed group), so each block's max, error sums and codes follow the scalar order
// of formats/ (FORMATS.md §2-4); blocks that fill whole vectors are encoded vector by vector.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/simd/block_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "core/simd/simd.hpp"
#include "core/simd/tables.hpp"
#include "core/simd/vector_ops-inl.hpp"
#include "core/simd/four_six-inl.hpp"
#include "core/simd/intfloat-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace {

using formats::BlockRecord;
using formats::FourSixRule;
using formats::NvRecipe;
using formats::Recipe;
using formats::TensorScale;


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


/// The recipe families, each with its element encode and decode (kNvInt: NVINT4, te's scales
/// with INT4 elements in -7..7). IF4 runs its own group (run_if4_group, intfloat-inl.hpp).
enum class Kind { kTe, kModelopt, kTorchao, kFourSix, kMx, kNvInt };

/// formats::round_half_even_clamped(v, -7, 7) of every lane, as a float: clamped first (NaN
/// passes), then rounded to an integer, ties to even, by adding and subtracting 1.5 * 2^23 (exact
/// for |v| <= 7; a value that rounds to 0 gives +0), NaN gives 0.
HWY_INLINE VF int7_round(VF v) {
  const DF df;
  const VF hi = hn::Set(df, 7.0f), lo = hn::Set(df, -7.0f), magic = hn::Set(df, 12582912.0f);
  const VF c = hn::IfThenElse(hn::Gt(v, hi), hi, hn::IfThenElse(hn::Lt(v, lo), lo, v));
  return hn::IfThenZeroElse(hn::IsNaN(v), hn::Sub(hn::Add(c, magic), magic));
}

/// The value of every lane's INT4 code (two's complement nibble).
HWY_INLINE VF int4_value(VU c) {
  const DI di;
  return hn::ConvertTo(DF(), hn::Sub(hn::Xor(as_i(c), hn::Set(di, 8)), hn::Set(di, 8)));
}

/// One block's (broadcast) or every lane's block parameters: te a = multiplier, b = s_b;
/// modelopt a = denominator; torchao a = multiplier, b = s_b * S_dec; MX a = 2^-e, b = 2^e;
/// 4/6 a = multiplier and the decode table.
struct Params {
  VF a, b;
  VF table[8];
  VF q2, q3;  // 4/6: Candidate's, and where its quick holds (a mask as bits)
  VU quick;
};

template <Kind K>
HWY_INLINE VU encode(VF x, const Params& p) {
  if constexpr (K == Kind::kModelopt) {
    const VF v = hn::Div(x, p.a);
    const VU c = e2m1_code(v);  // sign from (v < 0): -0 gives 0x0
    return hn::IfThenElse(hn::RebindMask(DU(), hn::Lt(v, hn::Zero(DF()))), c, hn::And(c, hn::Set(DU(), 7u)));
  } else if constexpr (K == Kind::kNvInt) {  // int4::from(x * mul, kSymmetric): the nibble of -7..7
    return hn::And(hn::BitCast(DU(), hn::ConvertTo(DI(), int7_round(hn::Mul(x, p.a)))), hn::Set(DU(), 0xFu));
  } else if constexpr (K == Kind::kTorchao) {  // clamp_propagate to [-6, 6]: NaN passes
    const VF v = hn::Mul(x, p.a), lo = hn::Set(DF(), -6.0f), hi = hn::Set(DF(), 6.0f);
    return e2m1_code(hn::IfThenElse(hn::Lt(v, lo), lo, hn::IfThenElse(hn::Gt(v, hi), hi, v)));
  } else {
    return e2m1_code(hn::Mul(x, p.a));
  }
}

/// decode<K>(encode<K>(x)) without the code (e2m1_round: the same value, bit for bit) for every
/// family but 4/6 (its decode is a table).
template <Kind K>
HWY_INLINE VF fake_value(VF x, const Params& p, VF s_dec) {
  if constexpr (K == Kind::kModelopt) {  // the sign from (v < 0): -0 and NaN give none
    const VF v = hn::Div(x, p.a);
    const VU sign = hn::IfThenElseZero(hn::RebindMask(DU(), hn::Lt(v, hn::Zero(DF()))), hn::Set(DU(), 0x80000000u));
    const VF g = as_f(hn::Or(as_u(e2m1_grid(as_f(hn::And(as_u(v), hn::Set(DU(), 0x7FFFFFFFu))))), sign));
    return hn::Mul(g, p.a);
  } else if constexpr (K == Kind::kTe) {
    return hn::Mul(hn::Mul(e2m1_round(hn::Mul(x, p.a)), p.b), s_dec);
  } else if constexpr (K == Kind::kNvInt) {
    return hn::Mul(hn::Mul(int7_round(hn::Mul(x, p.a)), p.b), s_dec);
  } else {  // torchao's clamp to [-6, 6] changes no grid value (the grid saturates at 6); MX
    return hn::Mul(e2m1_round(hn::Mul(x, p.a)), p.b);
  }
}

template <Kind K>
HWY_INLINE VF decode(VU c, const Params& p, VF s_dec) {
  if constexpr (K == Kind::kTe) return hn::Mul(hn::Mul(e2m1_value(c), p.b), s_dec);
  if constexpr (K == Kind::kNvInt) return hn::Mul(hn::Mul(int4_value(c), p.b), s_dec);
  if constexpr (K == Kind::kModelopt) return hn::Mul(e2m1_value(c), p.a);
  if constexpr (K == Kind::kTorchao || K == Kind::kMx) return hn::Mul(e2m1_value(c), p.b);
  if constexpr (K == Kind::kFourSix) return signed_entry(p.table, c);
}

/// block_amax on blocks stored whole in vectors (bs a multiple of the lane count): the max of
/// each block's vectors, then across lanes (a max: any order gives the same bits).
HWY_INLINE void contiguous_amax(const Group& g, int lanes, VF* bmax, VI* bad) {
  const DF df;
  HWY_ALIGN float m[kMaxLanes];
  HWY_ALIGN std::int32_t n[kMaxLanes];
  for (int j = 0; j < lanes; ++j) {
    VF acc = hn::Zero(df);
    std::size_t nonfinite = 0;
    for (int v = 0; v < g.bs; v += lanes) {
      const VU a = hn::And(as_u(hn::LoadU(df, g.x + j * g.bs + v)), hn::Set(DU(), 0x7FFFFFFFu));
      nonfinite += hn::CountTrue(DU(), at_least(a, 0x7F800000));
      acc = hn::IfThenElse(hn::Gt(as_f(a), acc), as_f(a), acc);
    }
    m[j] = hn::GetLane(hn::MaxOfLanes(df, acc));
    n[j] = static_cast<std::int32_t>(nonfinite);
  }
  *bmax = hn::Load(df, m);
  *bad = hn::Load(DI(), n);
}

/// contiguous_amax the fast way where no block holds NaN/Inf: each block's |x| bits maxed as
/// integers (the order of the values), then all blocks at once by pairing vectors (lane j of
/// the result is block j). False (nothing written) when one of the first `count` blocks holds
/// NaN/Inf, or on a one-lane target: the caller then takes contiguous_amax.
HWY_INLINE bool tree_amax(const Group& g, int lanes, int count, VF* bmax, VI* bad) {
#if HWY_TARGET == HWY_SCALAR
  (void)g, (void)lanes, (void)count, (void)bmax, (void)bad;
  return false;
#else
  const DI di;
  VI v[kMaxLanes];
  for (int j = 0; j < lanes; ++j) {
    VI acc = hn::Zero(di);
    for (int e = 0; e < g.bs; e += lanes) {
      acc = hn::Max(acc, hn::And(hn::BitCast(di, hn::LoadU(DF(), g.x + j * g.bs + e)), hn::Set(di, 0x7FFFFFFF)));
    }
    v[j] = acc;
  }
  for (int n = lanes; n > 1; n /= 2) {
    for (int k = 0; k < n / 2; ++k) v[k] = hn::Max(hn::ConcatEven(di, v[2 * k + 1], v[2 * k]), hn::ConcatOdd(di, v[2 * k + 1], v[2 * k]));
  }
  const hn::Mask<DI> finite = hn::Lt(v[0], hn::Set(di, 0x7F800000));
  if (!hn::AllTrue(di, hn::Or(finite, hn::Not(hn::FirstN(di, static_cast<std::size_t>(count)))))) return false;
  *bmax = hn::BitCast(DF(), v[0]);
  *bad = hn::Zero(di);
  return true;
#endif
}

/// Codes and values of every element, lane j walking block j (gathers and scatters).
template <Kind K>
HWY_INLINE void write_lanes(const Group& g, const Params& p, VF s_dec) {
  const DF df;
  const DU du;
  VU word = hn::Zero(du);
  for (int i = 0; i < g.bs; ++i) {
    const VU code = encode<K>(hn::GatherIndex(df, g.x + i, g.index), p);
    word = hn::Or(word, hn::ShiftLeftSame(code, 4 * (i % 8)));
    if (i % 8 == 7 && g.packed) {
      hn::ScatterIndex(word, du, g.packed + i / 8, g.word_index);
      word = hn::Zero(du);
    }
    if (g.dequant) hn::ScatterIndex(decode<K>(code, p, s_dec), df, g.dequant + i, g.index);
  }
}

/// Codes and values of every element, block by block over contiguous vectors, each block's
/// parameters broadcast (bs a multiple of the lane count).
template <Kind K>
HWY_INLINE void write_contiguous(const Group& g, int lanes, int count, const Params& p, VF s_dec) {
  const DF df;
  HWY_ALIGN float a[kMaxLanes], b[kMaxLanes], table[8][kMaxLanes], q2[kMaxLanes], q3[kMaxLanes];
  HWY_ALIGN std::uint32_t quick[kMaxLanes];
  hn::Store(p.a, df, a);
  hn::Store(p.b, df, b);
  if constexpr (K == Kind::kFourSix) {
    for (int k = 0; k < 8; ++k) hn::Store(p.table[k], df, table[k]);
    hn::Store(p.q2, df, q2);
    hn::Store(p.q3, df, q3);
    hn::Store(p.quick, DU(), quick);
  }
  const hn::Rebind<std::uint8_t, DI> d8;
  HWY_ALIGN std::uint8_t codes[kMaxLanes * formats::kMaxBlockSize];
  for (int j = 0; j < count; ++j) {
    Params pj;
    pj.a = hn::Set(df, a[j]);
    pj.b = hn::Set(df, b[j]);
    if constexpr (K == Kind::kFourSix) {
      if (quick[j] && !g.packed) {  // values only, the table's power-of-two form: no code, no table
        const VF bq2 = hn::Set(df, q2[j]), bq3 = hn::Set(df, q3[j]);
        for (int v = 0; v < g.bs; v += lanes) {
          const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(j) * g.bs + v;
          hn::StoreU(quick_value(hn::Mul(hn::LoadU(df, g.x + at), pj.a), bq2, bq3), df, g.dequant + at);
        }
        continue;
      }
      for (int k = 0; k < 8; ++k) pj.table[k] = hn::Set(df, table[k][j]);
    }
    if (K != Kind::kFourSix && !g.packed) {  // values only: no codes
      for (int v = 0; v < g.bs; v += lanes) {
        const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(j) * g.bs + v;
        hn::StoreU(fake_value<K>(hn::LoadU(df, g.x + at), pj, s_dec), df, g.dequant + at);
      }
      continue;
    }
    for (int v = 0; v < g.bs; v += lanes) {
      const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(j) * g.bs + v;
      const VU code = encode<K>(hn::LoadU(df, g.x + at), pj);
      if (g.dequant) hn::StoreU(decode<K>(code, pj, s_dec), df, g.dequant + at);
      if (g.packed) hn::StoreU(hn::DemoteTo(d8, as_i(code)), d8, codes + at);
    }
  }
  if (!g.packed) return;  // values only (fake-quantize)
  // two codes a byte (pack_pair's order: the even element in the low nibble)
  auto* bytes = reinterpret_cast<std::uint8_t*>(g.packed);
  for (int e = 0; e < count * g.bs / 2; ++e) {
    bytes[e] = static_cast<std::uint8_t>(codes[2 * e] | (codes[2 * e + 1] << 4));
  }
}

/// Every lane's block parameters and scale code, and the 4/6 candidates' record fields.
template <Kind K>
HWY_INLINE void block_params(const Recipe& r, const TensorScale& t, const Group& g, VF bmax, Params* p, VU* scale,
                             int count, BlockRecord* rec) {
  const DF df;
  const float* dec = ue4m3_values();
  if constexpr (K == Kind::kTe || K == Kind::kNvInt) {  // stretch is 1 (nearest even)
    *scale = ue4m3_code(hn::Mul(bmax, hn::Set(df, t.encode * (K == Kind::kTe ? 1.0f / 6.0f : 1.0f / 7.0f))));
    p->b = ue4m3_value(*scale, dec);
    p->a = guarded_reciprocal(hn::Mul(p->b, hn::Set(df, t.decode)));
  } else if constexpr (K == Kind::kModelopt) {
    VF ratio = hn::Div(bmax, hn::Set(df, 6.0f * t.decode));
    ratio = hn::IfThenElse(hn::Eq(ratio, hn::Zero(df)), hn::Set(df, 1.0f), ratio);
    const VF lo = hn::Set(df, 0.001953125f);
    ratio = hn::IfThenElse(hn::Lt(ratio, lo), lo, ratio);  // a NaN ratio compares false: kept
    *scale = ue4m3_code(ratio);
    p->a = hn::Mul(ue4m3_value(*scale, dec), hn::Set(df, t.decode));
    p->b = p->a;
  } else if constexpr (K == Kind::kTorchao) {
    const VF h = hn::Div(hn::Div(bmax, hn::Set(df, 6.0f)), hn::Set(df, t.decode));
    const VF lo = hn::Set(df, 0.015625f), hi = hn::Set(df, 448.0f);
    *scale = ue4m3_code(hn::IfThenElse(hn::Lt(h, lo), lo, hn::IfThenElse(hn::Gt(h, hi), hi, h)));
    const VF s_b = ue4m3_value(*scale, dec);
    p->a = hn::Div(hn::Set(df, 1.0f / t.decode), s_b);
    p->b = hn::Mul(s_b, hn::Set(df, t.decode));
  } else if constexpr (K == Kind::kFourSix) {
    const bool adaptive = r.rule != FourSixRule::kStatic6 && r.rule != FourSixRule::kStatic4;
    const float m = r.rule == FourSixRule::kStatic4 ? 4.0f : 6.0f;
    const VF hp = hn::Mul(hn::Div(bmax, hn::Set(df, m)), hn::Set(df, t.encode));  // stretch is 1
    Candidate c6 = candidate(t, hp), c4;
    if (adaptive) c4 = candidate(t, hn::Mul(hp, hn::Set(df, 1.5f)));
    candidate_errors(r, g, count, &c6, &c4, adaptive);
    const MF four = adaptive ? hn::Lt(c4.err, c6.err) : hn::Lt(c6.err, c6.err);  // strict: ties keep 6
    p->a = hn::IfThenElse(four, c4.mul, c6.mul);
    p->b = p->a;
    for (int k = 0; k < 8; ++k) p->table[k] = hn::IfThenElse(four, c4.table[k], c6.table[k]);
    p->q2 = hn::IfThenElse(four, c4.q2, c6.q2);
    p->q3 = hn::IfThenElse(four, c4.q3, c6.q3);
    const MF quick = adaptive ? hn::Or(hn::And(four, c4.quick), hn::AndNot(four, c6.quick)) : c6.quick;
    p->quick = hn::VecFromMask(DU(), hn::RebindMask(DU(), quick));
    *scale = hn::IfThenElse(hn::RebindMask(DU(), four), c4.code, c6.code);
    HWY_ALIGN float e6[kMaxLanes], e4[kMaxLanes];
    HWY_ALIGN std::uint32_t s6[kMaxLanes], s4[kMaxLanes], f[kMaxLanes];
    hn::Store(c6.err, df, e6);
    hn::Store(c6.code, DU(), s6);
    hn::Store(adaptive ? c4.err : c6.err, df, e4);
    hn::Store(adaptive ? c4.code : c6.code, DU(), s4);
    hn::Store(hn::VecFromMask(DU(), hn::RebindMask(DU(), four)), DU(), f);
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
}

/// The MX parameters: the mode's scale (NaN for a block holding NaN/Inf), 2^-e and 2^e.
HWY_INLINE void mx_params(const Recipe& r, VF bmax, VI bad, Params* p, VU* scale) {
  const DF df;
  const DU du;
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
  *scale = hn::IfThenElse(nan_block, hn::Set(du, formats::ue8m0::kNanCode), code);
  const VI e = hn::IfThenZeroElse(hn::RebindMask(DI(), nan_block), hn::Sub(as_i(*scale), hn::Set(DI(), 127)));
  p->a = exp2_lanes(hn::Sub(hn::Zero(DI()), e));
  p->b = hn::IfThenElse(hn::RebindMask(df, nan_block), hn::Set(df, formats::canonical_nan()), exp2_lanes(e));
}

/// Every lane's block max and NaN/Inf count, the fastest way the layout allows.
HWY_INLINE void group_amax(const Group& g, int lanes, int count, VF* bmax, VI* bad) {
  if (g.bs % lanes == 0) {
    if (!tree_amax(g, lanes, count, bmax, bad)) contiguous_amax(g, lanes, bmax, bad);
  } else {
    block_amax(g, bmax, bad);
  }
}

template <Kind K>
void run_group(const Recipe& r, const TensorScale& t, const Group& g, int lanes, int count, BlockRecord* rec) {
  const bool contiguous = g.bs % lanes == 0;
  VF bmax;
  VI bad;
  group_amax(g, lanes, count, &bmax, &bad);
  Params p;
  VU scale;
  if constexpr (K == Kind::kMx) {
    mx_params(r, bmax, bad, &p, &scale);
  } else {
    block_params<K>(r, t, g, bmax, &p, &scale, count, rec);
  }
  const VF s_dec = hn::Set(DF(), t.decode);
  if (contiguous) {
    write_contiguous<K>(g, lanes, count, p, s_dec);
  } else {
    write_lanes<K>(g, p, s_dec);
  }
  HWY_ALIGN float m[kMaxLanes];
  HWY_ALIGN std::int32_t n[kMaxLanes];
  HWY_ALIGN std::uint32_t s[kMaxLanes];
  hn::Store(bmax, DF(), m);
  hn::Store(bad, DI(), n);
  hn::Store(scale, DU(), s);
  for (int j = 0; j < count; ++j) {
    rec[j].bmax = m[j];
    rec[j].nonfinite = n[j];
    rec[j].scale.code = static_cast<std::uint8_t>(s[j]);
  }
  if constexpr (K == Kind::kMx) {  // a NaN/Inf block stores kMxNanBlockCode in every element (mxfp4.hpp)
    if (!g.packed) return;
    constexpr std::uint32_t kNanWord = 0x11111111u * formats::kMxNanBlockCode;
    for (int j = 0; j < count; ++j) {
      if (s[j] != formats::ue8m0::kNanCode) continue;
      std::uint32_t* w = g.packed + static_cast<std::ptrdiff_t>(j) * g.bs / 8;
      for (int k = 0; k < g.bs / 8; ++k) w[k] = kNanWord;
    }
  }
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
  for (int j = 0; j < count; ++j) rec[j] = BlockRecord{};  // one fill for the call, not one per group
  for (int j0 = 0; j0 < count; j0 += lanes) {
    const int n = count - j0 < lanes ? count - j0 : lanes;
    g.x = x + static_cast<std::ptrdiff_t>(j0) * bs;
    g.packed = packed ? packed + static_cast<std::ptrdiff_t>(j0) * bs / 8 : nullptr;
    g.dequant = dequant ? dequant + static_cast<std::ptrdiff_t>(j0) * bs : nullptr;
    if (r.format == formats::BlockFormat::kMXFP4) {
      run_group<Kind::kMx>(r, t, g, lanes, n, rec + j0);
    } else if (r.format == formats::BlockFormat::kNVINT4) {
      run_group<Kind::kNvInt>(r, t, g, lanes, n, rec + j0);
    } else if (r.format == formats::BlockFormat::kIF4) {
      VF bmax;
      VI bad;
      group_amax(g, lanes, n, &bmax, &bad);
      run_if4_group(r, t, g, n, bmax, bad, rec + j0);
    } else if (r.nv == NvRecipe::kFourOverSix) {
      run_group<Kind::kFourSix>(r, t, g, lanes, n, rec + j0);
    } else if (r.nv == NvRecipe::kModelopt) {
      run_group<Kind::kModelopt>(r, t, g, lanes, n, rec + j0);
    } else if (r.nv == NvRecipe::kTorchao) {
      run_group<Kind::kTorchao>(r, t, g, lanes, n, rec + j0);
    } else {
      run_group<Kind::kTe>(r, t, g, lanes, n, rec + j0);
    }
  }
}

void E2m1RoundImpl(const float* v, std::int64_t n, float* out) {
  const DF df;
  const std::int64_t lanes = static_cast<std::int64_t>(hn::Lanes(df));
  HWY_ALIGN float tail[kMaxLanes] = {};
  for (std::int64_t i = 0; i < n; i += lanes) {
    const std::int64_t k = n - i < lanes ? n - i : lanes;
    for (std::int64_t j = 0; j < k; ++j) tail[j] = v[i + j];
    hn::Store(e2m1_round(hn::Load(df, tail)), df, tail);
    for (std::int64_t j = 0; j < k; ++j) out[i + j] = tail[j];
  }
}

}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fp4lab::core::simd {

HWY_EXPORT(QuantizeBlocksImpl);
HWY_EXPORT(E2m1RoundImpl);

void e2m1_round_values(const float* v, std::int64_t n, float* out) { HWY_DYNAMIC_DISPATCH(E2m1RoundImpl)(v, n, out); }

void quantize_blocks(const formats::Recipe& r, const formats::TensorScale& t, const float* x, int count,
                     formats::BlockRecord* records, std::uint32_t* packed, float* dequant) {
  HWY_DYNAMIC_DISPATCH(QuantizeBlocksImpl)(r, t, x, count, records, packed, dequant);
}

}  // namespace fp4lab::core::simd
#endif  // HWY_ONCE
