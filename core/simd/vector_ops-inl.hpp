// Per-target vector forms of the element and scale arithmetic of formats/ (E2M1 encode and
// decode, UE4M3 encode, E8M0 scale modes), lane for lane the same bits as their scalar twins
// (e2m1.hpp e2m1_rne_int and to_float, e4m3.hpp, mxfp4.hpp mx_scale_code). Included once per
// Highway target from block_kernels.cpp (no include guard, by Highway's convention).
#include <hwy/highway.h>

#include "formats/block.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DU = hn::RebindToUnsigned<DF>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using VU = hn::Vec<DU>;
using VI = hn::Vec<DI>;
using MF = hn::Mask<DF>;

/// Bits as a float vector and back.
HWY_INLINE VF as_f(VU v) { return hn::BitCast(DF(), v); }
HWY_INLINE VU as_u(VF v) { return hn::BitCast(DU(), v); }
HWY_INLINE VI as_i(VU v) { return hn::BitCast(DI(), v); }
/// Lanes where the (sign-cleared) bits a exceed `k`, as a mask of the unsigned vector (a < 2^31).
HWY_INLINE hn::Mask<DU> above(VU a, std::int32_t k) { return hn::RebindMask(DU(), hn::Gt(as_i(a), hn::Set(DI(), k))); }
HWY_INLINE hn::Mask<DU> at_least(VU a, std::int32_t k) {
  return hn::RebindMask(DU(), hn::Gt(as_i(a), hn::Set(DI(), k - 1)));  // no integer >= in Highway 1.0
}

/// fp4_e2m1::e2m1_rne_int of every lane: the round-to-nearest-even, saturating E2M1 code.
HWY_INLINE VU e2m1_code(VF x) {
  const DU du;
  const VU u = as_u(x);
  const VU a = hn::And(u, hn::Set(du, 0x7FFFFFFFu));
  const VU r = hn::Add(hn::Add(a, hn::Set(du, 0x1FFFFFu)), hn::And(hn::ShiftRight<22>(a), hn::Set(du, 1u)));
  // hi_raw >= 2 wherever it is selected (|x| >= 1), so a signed min equals the unsigned one
  const VI hi_raw = as_i(hn::Sub(hn::ShiftRight<22>(r), hn::Set(du, 252u)));
  const VU hi = hn::BitCast(du, hn::Min(hi_raw, hn::Set(DI(), 7)));
  const VF twice = hn::Mul(as_f(a), hn::Set(DF(), 2.0f));
  const VU lo = hn::And(as_u(hn::Add(twice, hn::Set(DF(), 12582912.0f))), hn::Set(du, 3u));
  const VU mag = hn::IfThenElse(at_least(a, 0x3F800000), hi, lo);
  const VU sign = hn::IfThenZeroElse(above(a, 0x7F800000), hn::And(hn::ShiftRight<28>(u), hn::Set(du, 8u)));
  return hn::Or(sign, mag);
}

/// e2m1_value of every lane's code (0-15): the exact E2M1 value.
HWY_INLINE VF e2m1_value(VU c) {
  const DU du;
  const VU m = hn::And(c, hn::Set(du, 7u));
  const VU big = hn::Or(hn::ShiftLeft<23>(hn::Add(hn::ShiftRight<1>(m), hn::Set(du, 126u))),
                        hn::ShiftLeft<22>(hn::And(m, hn::Set(du, 1u))));
  const VU one = hn::IfThenElseZero(hn::RebindMask(du, hn::Eq(m, hn::Set(du, 1u))), hn::Set(du, 0x3F000000u));
  const VU mag = hn::IfThenElse(at_least(m, 2), big, one);
  return as_f(hn::Or(mag, hn::ShiftLeft<28>(hn::And(c, hn::Set(du, 8u)))));
}

/// e2m1_value(e2m1_code(a)) of every lane for a = |v| or NaN, computed without the code: a
/// rounded to nearest even on the E2M1 grid (steps of 0.5 below 2, 1 below 4, 2 above, by
/// adding and subtracting 1.5 * 2^23 at that step, all exact), saturating at 6 (NaN gives 6).
HWY_INLINE VF e2m1_grid(VF a) {
  const DF df;
  const MF small = hn::Lt(a, hn::Set(df, 2.0f)), mid = hn::Lt(a, hn::Set(df, 4.0f));
  const VF k = hn::IfThenElse(small, hn::Set(df, 2.0f), hn::IfThenElse(mid, hn::Set(df, 1.0f), hn::Set(df, 0.5f)));
  const VF inv = hn::IfThenElse(small, hn::Set(df, 0.5f), hn::IfThenElse(mid, hn::Set(df, 1.0f), hn::Set(df, 2.0f)));
  const VF magic = hn::Set(df, 12582912.0f);
  const VF g = hn::Mul(hn::Sub(hn::Add(hn::Mul(a, k), magic), magic), inv);
  return hn::IfThenElse(hn::Lt(a, hn::Set(df, 6.0f)), g, hn::Set(df, 6.0f));  // NaN compares false
}

/// e2m1_value(e2m1_code(v)) of every lane: the grid value of |v| with v's sign (none for NaN,
/// as e2m1_code gives a NaN no sign).
HWY_INLINE VF e2m1_round(VF v) {
  const DU du;
  const VU u = as_u(v);
  const VU sign = hn::IfThenZeroElse(hn::RebindMask(du, hn::IsNaN(v)), hn::And(u, hn::Set(du, 0x80000000u)));
  return as_f(hn::Or(as_u(e2m1_grid(as_f(hn::And(u, hn::Set(du, 0x7FFFFFFFu))))), sign));
}

/// ue4m3::from(x).bits of every lane (|x| rounded to nearest even, saturating; NaN -> 0x7F).
HWY_INLINE VU ue4m3_code(VF x) {
  const DU du;
  const VU a = hn::And(as_u(x), hn::Set(du, 0x7FFFFFFFu));
  const VU normal = hn::Sub(
      hn::ShiftRight<20>(hn::Add(hn::Add(a, hn::Set(du, 0x7FFFFu)), hn::And(hn::ShiftRight<20>(a), hn::Set(du, 1u)))),
      hn::Set(du, 960u));  // (127 - 7) << 3: the exponent rebiased, the mantissa kept at 3 bits
  // below 2^-6: the multiple of 2^-9, rounded by adding 2^23 to |x| * 2^9 (exact)
  const VF scaled = hn::Add(hn::Mul(as_f(a), hn::Set(DF(), 512.0f)), hn::Set(DF(), 8388608.0f));
  const VU sub = hn::Sub(as_u(scaled), hn::Set(du, 0x4B000000u));
  VU code = hn::IfThenElse(at_least(a, 0x3C800000), normal, sub);
  code = hn::IfThenElse(above(a, 0x43E00000), hn::Set(du, 0x7Eu), code);  // past 448 (and Inf): satfinite
  return hn::IfThenElse(above(a, 0x7F800000), hn::Set(du, 0x7Fu), code);
}

/// ue4m3{code}.to_float() of every lane (code 0-127), from `table` (the 128 scalar decodes).
HWY_INLINE VF ue4m3_value(VU code, const float* table) { return hn::GatherIndex(DF(), table, as_i(code)); }

/// min(1/d, FLT_MAX) of every lane (detail::guarded_reciprocal).
HWY_INLINE VF guarded_reciprocal(VF d) {
  const VF r = hn::Div(hn::Set(DF(), 1.0f), d);
  const VF mx = hn::Set(DF(), formats::detail::kFloatMax);
  return hn::IfThenElse(hn::Gt(r, mx), mx, r);
}

/// exp2i(e) of every lane for e in [-127, 127] (2^-127 is the one subnormal).
HWY_INLINE VF exp2_lanes(VI e) {
  const DI di;
  const VI normal = hn::ShiftLeft<23>(hn::Add(e, hn::Set(di, 127)));
  return hn::BitCast(DF(), hn::IfThenElse(hn::Eq(e, hn::Set(di, -127)), hn::Set(di, 0x00400000), normal));
}

/// mx_scale_code of every lane for a finite block max; lanes the vector form does not cover
/// (a subnormal bmax / 6 under rceil) are flagged in *scalar for the caller to redo.
HWY_INLINE VU mx_scale_code(formats::MxScaleMode mode, VF bmax, hn::Mask<DU>* scalar) {
  const DU du;
  const DI di;
  const VU u = as_u(bmax);
  if (mode == formats::MxScaleMode::kRceil) {
    const VU a = as_u(hn::Mul(bmax, hn::Set(DF(), 1.0f / 6.0f)));
    const VU exp = hn::ShiftRight<23>(a), man = hn::And(a, hn::Set(du, 0x7FFFFFu));
    *scalar = hn::AndNot(hn::RebindMask(du, hn::Eq(a, hn::Zero(du))), hn::RebindMask(du, hn::Eq(exp, hn::Zero(du))));
    // 2^(exp - 127), one binade up unless an exact power; 2^128 saturates to 0xFE
    const VI code = hn::Add(as_i(exp), as_i(hn::IfThenElseZero(hn::RebindMask(du, hn::Ne(man, hn::Zero(du))),
                                                                 hn::Set(du, 1u))));
    const VI sat = hn::Min(code, hn::Set(di, 0xFE));
    return hn::BitCast(du, hn::IfThenElseZero(hn::RebindMask(di, hn::Ne(u, hn::Zero(du))), sat));
  }
  *scalar = hn::RebindMask(du, hn::Ne(u, u));  // none: subnormal and zero maxima give code 0
  const VU exp = hn::ShiftRight<23>(u), man = hn::And(u, hn::Set(du, 0x7FFFFFu));
  VI inc = hn::Zero(di);
  if (mode == formats::MxScaleMode::kCeil) {
    inc = as_i(hn::IfThenElseZero(hn::RebindMask(du, hn::Ne(man, hn::Zero(du))), hn::Set(du, 1u)));
  } else if (mode == formats::MxScaleMode::kEven) {
    // the significand 1.m rounded to two bits, ties to even; 1.1b rounding up is the next binade
    const VU rem = hn::And(man, hn::Set(du, 0x3FFFFFu));
    const hn::Mask<DU> odd = hn::RebindMask(du, hn::Ne(hn::And(man, hn::Set(du, 0x400000u)), hn::Zero(du)));
    const hn::Mask<DU> up = hn::Or(above(rem, 0x200000), hn::And(hn::RebindMask(du, hn::Eq(rem, hn::Set(du, 0x200000u))), odd));
    inc = as_i(hn::IfThenElseZero(hn::And(up, odd), hn::Set(du, 1u)));
  }
  // floor(log2 bmax) - 2 + 127 = exp - 2 (+1), at least 0 (the clamp at 2^-127 and subnormals)
  const VI code = hn::Max(hn::Sub(hn::Add(as_i(exp), inc), hn::Set(di, 2)), hn::Zero(di));
  return hn::BitCast(du, code);
}

}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
