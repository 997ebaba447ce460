// The IF4 block quantizer of the SIMD paths (block_kernels.cpp), lane for lane formats/'s
// intfloat.hpp (FORMATS.md §9): one static_6 scale per block, an FP (E2M1) and an INT4
// candidate from the same scaled value, each error from its codes' magnitudes through its table
// of eight magnitudes (if4_block_by_magnitudes' form), summed in element order, INT kept only if
// strictly smaller. Lanes whose block holds NaN/Inf (or whose multiplier is not finite) are
// quantized again by formats/ itself. Included once per Highway target after four_six-inl.hpp
// (no include guard, by Highway's convention).
#include <hwy/highway.h>

#include <algorithm>

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace {

/// Every lane's IF4 block: its scale code, multiplier, FP and INT tables, and whether the lane
/// takes the vector form.
struct If4Lanes {
  VU code;
  VF mul;
  VF tf[8], ti[8];
  MF ok;
};

/// detail::int_decode_table of every lane's scale: four divisions where the 2^j scaling is
/// exact, eight elsewhere.
HWY_INLINE void int_table_lanes(const TensorScale& t, VF s, VF* table) {
  const DF df;
  const VF amax = hn::Set(df, t.amax), div = hn::Set(df, t.divisor), f = hn::Set(df, formats::kIf4Factor);
  auto entry = [&](float k) { return hn::Div(hn::Mul(hn::Mul(hn::Mul(hn::Set(df, k), s), amax), f), div); };
  const VF a1 = hn::Mul(s, amax), a7 = hn::Mul(hn::Mul(hn::Set(df, 7.0f), s), amax);
  const VF y1 = hn::Mul(a1, f), y7 = hn::Mul(a7, f);
  const VF q1 = hn::Div(y1, div), q7 = hn::Div(y7, div), q3 = entry(3.0f), q5 = entry(5.0f);
  const VF lo = hn::Set(df, formats::detail::kTableLo), hi = hn::Set(df, formats::detail::kTableHi);
  const MF fast = hn::And(hn::And(hn::And(hn::Ge(a1, lo), hn::Ge(y1, lo)), hn::Ge(q1, lo)),
                          hn::And(hn::And(hn::Lt(a7, hi), hn::Lt(y7, hi)), hn::Lt(q7, hi)));
  table[0] = hn::Zero(df);
  table[1] = q1;
  table[2] = hn::Mul(q1, hn::Set(df, 2.0f));
  table[3] = q3;
  table[4] = hn::Mul(q1, hn::Set(df, 4.0f));
  table[5] = q5;
  table[6] = hn::Mul(q3, hn::Set(df, 2.0f));
  table[7] = q7;
  if (!hn::AllTrue(df, fast)) {
    for (int k = 0; k < 8; ++k) table[k] = hn::IfThenElse(fast, table[k], entry(static_cast<float>(k)));
  }
}

/// detail::family_nv_scale (Mq = 6) and both tables of every lane; `ok` where the lane's block
/// is finite (bad == 0), its multiplier finite and amax finite: the conditions under which the
/// magnitude form equals the general one (a zero scale included: every code 0, tables of zeros).
HWY_INLINE If4Lanes if4_lanes(const TensorScale& t, VF bmax, VI bad) {
  const DF df;
  If4Lanes l;
  VF hp = hn::Mul(hn::Div(bmax, hn::Set(df, 6.0f)), hn::Set(df, t.encode));
  hp = hn::IfThenZeroElse(hn::IsNaN(hp), hp);
  l.code = ue4m3_code(hp);
  const VF s = ue4m3_value(l.code, ue4m3_values());
  const MF zero = hn::Eq(s, hn::Zero(df));
  l.mul = hn::IfThenZeroElse(zero, hn::Div(hn::Set(df, 1.0f), hn::Mul(hn::Set(df, t.decode), s)));
  VF q2, q3;
  MF fast;
  decode_table_lanes(t, s, l.tf, &q2, &q3, &fast);
  int_table_lanes(t, s, l.ti);
  l.ok = formats::is_finite(t.amax) ? hn::And(hn::RebindMask(df, hn::Eq(bad, hn::Zero(DI()))), hn::IsFinite(l.mul))
                                    : hn::FirstN(df, 0);  // no lane
  return l;
}

/// int4::rn_magnitude_symmetric of every lane (a >= 0, not NaN): min(a, 7) rounded to an
/// integer, ties to even, by adding 1.5 * 2^23; the low three bits.
HWY_INLINE VU int7_magnitude(VF a) {
  const DF df;
  return hn::And(as_u(hn::Add(hn::Min(a, hn::Set(df, 7.0f)), hn::Set(df, 12582912.0f))), hn::Set(DU(), 7u));
}

/// Both candidates' error sums of every lane under rule R, element 0 first.
template <FourSixRule R>
HWY_INLINE void if4_errors_of(const Group& g, const float* xt, const If4Lanes& l, VF* err_fp, VF* err_int) {
  const DF df;
  const std::size_t lanes = hn::Lanes(df);
  const VU abs_mask = hn::Set(DU(), 0x7FFFFFFFu), seven = hn::Set(DU(), 7u);
  const VF rcp = hn::Set(df, formats::kIf4Rcp);
  VF ef = hn::Zero(df), ei = hn::Zero(df);
  for (int i = 0; i < g.bs; ++i) {
    const VF x = xt ? hn::Load(df, xt + static_cast<std::size_t>(i) * lanes) : hn::GatherIndex(df, g.x + i, g.index);
    const VF ax = as_f(hn::And(as_u(x), abs_mask));
    const VF v = hn::Mul(ax, l.mul);  // |x * mul|
    // dq - x = +-(|dq| - |x|) exactly (the code's sign is v < 0, a zero magnitude decodes to +-0)
    const VF df_ = hn::Sub(select8(l.tf, hn::And(e2m1_code(v), seven)), ax);
    const VF di_ = hn::Sub(select8(l.ti, int7_magnitude(hn::Mul(v, rcp))), ax);
    ef = add_error(R, ef, df_, as_f(hn::And(as_u(df_), abs_mask)));
    ei = add_error(R, ei, di_, as_f(hn::And(as_u(di_), abs_mask)));
  }
  *err_fp = ef;
  *err_int = ei;
}

/// The IF4 group: records, packed codes and values of every block; the lanes that are not `ok`
/// redone block by block by formats::quantize_block.
HWY_INLINE void run_if4_group(const Recipe& r, const TensorScale& t, const Group& g, int count, VF bmax, VI bad,
                              formats::BlockRecord* rec) {
  const DF df;
  const DU du;
  const std::size_t lanes = hn::Lanes(df);
  const If4Lanes l = if4_lanes(t, bmax, bad);
  HWY_ALIGN float xt[kMaxLanes * formats::kMaxBlockSize], tmp[kMaxLanes * formats::kMaxBlockSize];
  const float* x_t = transpose_group(g, xt, tmp) ? xt : nullptr;  // else gathers
  VF ef, ei;
  if (r.rule == FourSixRule::kMae) {
    if4_errors_of<FourSixRule::kMae>(g, x_t, l, &ef, &ei);
  } else if (r.rule == FourSixRule::kAbsMax) {
    if4_errors_of<FourSixRule::kAbsMax>(g, x_t, l, &ef, &ei);
  } else {
    if4_errors_of<FourSixRule::kMse>(g, x_t, l, &ef, &ei);
  }
  const MF use_int = hn::Lt(ei, ef);  // strict: ties keep FP
  const hn::Mask<DU> int_u = hn::RebindMask(du, use_int);
  const VU abs_mask = hn::Set(du, 0x7FFFFFFFu), seven = hn::Set(du, 7u);
  const VF rcp = hn::Set(df, formats::kIf4Rcp);
  VF table[8];
  for (int k = 0; k < 8; ++k) table[k] = hn::IfThenElse(use_int, l.ti[k], l.tf[k]);
  VU word = hn::Zero(du);
  for (int i = 0; i < g.bs; ++i) {
    const VF x = x_t ? hn::Load(df, x_t + static_cast<std::size_t>(i) * lanes) : hn::GatherIndex(df, g.x + i, g.index);
    const VF v = hn::Mul(x, l.mul);
    const VF av = as_f(hn::And(as_u(v), abs_mask));
    const hn::Mask<DU> neg = hn::RebindMask(du, hn::Lt(v, hn::Zero(df)));  // encode_code's sign: v < 0
    const VU mf = hn::And(e2m1_code(av), seven), mi = int7_magnitude(hn::Mul(av, rcp));
    const VU m = hn::IfThenElse(int_u, mi, mf);
    // FP: bit 3 for v < 0; INT: two's complement of a negative nonzero magnitude
    const hn::Mask<DU> negative_code = hn::AndNot(hn::And(int_u, hn::Eq(mi, hn::Zero(du))), neg);
    const VU code_int = hn::And(hn::Sub(hn::Set(du, 16u), m), hn::Set(du, 0xFu));
    const VU code = hn::IfThenElse(negative_code, hn::IfThenElse(int_u, code_int, hn::Or(m, hn::Set(du, 8u))), m);
    word = hn::Or(word, hn::ShiftLeftSame(code, 4 * (i % 8)));
    if (i % 8 == 7 && g.packed) {
      hn::ScatterIndex(word, du, g.packed + i / 8, g.word_index);
      word = hn::Zero(du);
    }
    if (g.dequant) {
      const VF e = select8(table, m);
      hn::ScatterIndex(hn::IfThenElse(hn::RebindMask(df, negative_code), hn::Neg(e), e), df, g.dequant + i, g.index);
    }
  }
  HWY_ALIGN float m[kMaxLanes], e_fp[kMaxLanes], e_int[kMaxLanes];
  HWY_ALIGN std::int32_t n[kMaxLanes];
  HWY_ALIGN std::uint32_t s[kMaxLanes], chose[kMaxLanes], ok[kMaxLanes];
  hn::Store(bmax, df, m);
  hn::Store(bad, DI(), n);
  hn::Store(hn::Add(l.code, hn::IfThenElseZero(int_u, hn::Set(du, 128u))), du, s);
  hn::Store(ef, df, e_fp);
  hn::Store(ei, df, e_int);
  hn::Store(hn::VecFromMask(du, int_u), du, chose);
  hn::Store(hn::VecFromMask(du, hn::RebindMask(du, l.ok)), du, ok);
  for (int j = 0; j < count; ++j) {
    if (!ok[j]) {  // NaN/Inf in the block, or a multiplier past FLT_MAX: formats/ itself
      std::uint32_t* words = g.packed ? g.packed + static_cast<std::ptrdiff_t>(j) * g.bs / 8 : nullptr;
      if (words) std::fill(words, words + g.bs / 8, 0u);  // store_code adds into zeroed words
      formats::BlockIO io{g.x + static_cast<std::ptrdiff_t>(j) * g.bs, g.bs, nullptr, nullptr,
                          g.dequant ? g.dequant + static_cast<std::ptrdiff_t>(j) * g.bs : nullptr, words};
      rec[j] = formats::quantize_block(r, t, io);
      continue;
    }
    rec[j].bmax = m[j];
    rec[j].nonfinite = n[j];
    rec[j].scale.code = static_cast<std::uint8_t>(s[j]);
    rec[j].err_fp = e_fp[j];
    rec[j].err_int = e_int[j];
    rec[j].chose_int = chose[j] ? 1 : 0;
  }
}

}  // namespace
}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
