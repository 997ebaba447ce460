// SIMD tensor reads and writes (see simd.hpp): BF16 widening, the NaN-ignoring max |x|, and
// the canonical-NaN FP32/BF16 stores, lane for lane formats/ieee.hpp's conversions.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/simd/convert_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "core/simd/simd.hpp"
#include "formats/ieee.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {
using DF = hn::ScalableTag<float>;
using DU = hn::RebindToUnsigned<DF>;
using DI = hn::RebindToSigned<DF>;
using DH = hn::Rebind<std::uint16_t, DU>;  // half-width: one BF16 per float lane

HWY_INLINE hn::Vec<DU> widen_bf16(const std::uint16_t* p) {
  return hn::ShiftLeft<16>(hn::PromoteTo(DU(), hn::LoadU(DH(), p)));
}

/// The running max of |v| (bits), NaN ignored (a NaN never compares greater).
HWY_INLINE hn::Vec<DF> max_abs(hn::Vec<DF> m, hn::Vec<DU> u) {
  const hn::Vec<DF> a = hn::BitCast(DF(), hn::And(u, hn::Set(DU(), 0x7FFFFFFFu)));
  return hn::IfThenElse(hn::Gt(a, m), a, m);
}

/// canonical_nan of every lane, as bits.
HWY_INLINE hn::Vec<DU> canonical(hn::Vec<DF> v) {
  return hn::BitCast(DU(), hn::IfThenElse(hn::IsNaN(v), hn::Set(DF(), formats::canonical_nan()), v));
}
}  // namespace

float AmaxF32Impl(const float* x, std::int64_t n) {
  const DF df;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(df));
  hn::Vec<DF> m = hn::Zero(df);
  std::int64_t i = 0;
  for (; i + L <= n; i += L) m = max_abs(m, hn::BitCast(DU(), hn::LoadU(df, x + i)));
  float r = hn::GetLane(hn::MaxOfLanes(df, m));
  for (; i < n; ++i) r = formats::fmax_nan_ignoring(r, formats::abs_bits(x[i]));
  return r;
}

float AmaxBf16Impl(const std::uint16_t* x, std::int64_t n) {
  // on the 16-bit codes: |x| bits order like the values, a NaN (above 0x7F80) counts as 0
  const hn::ScalableTag<std::uint16_t> d16;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(d16));
  const hn::Vec<decltype(d16)> abs_mask = hn::Set(d16, 0x7FFF), inf = hn::Set(d16, 0x7F80);
  hn::Vec<decltype(d16)> m = hn::Zero(d16);
  std::int64_t i = 0;
  for (; i + L <= n; i += L) {
    const auto a = hn::And(hn::LoadU(d16, x + i), abs_mask);
    m = hn::Max(m, hn::IfThenZeroElse(hn::Gt(a, inf), a));
  }
  HWY_ALIGN std::uint16_t lanes[64];
  hn::Store(m, d16, lanes);
  std::uint16_t top = 0;
  for (std::int64_t k = 0; k < L; ++k) top = lanes[k] > top ? lanes[k] : top;
  float r = formats::to_float(formats::bf16{top});
  for (; i < n; ++i) r = formats::fmax_nan_ignoring(r, formats::abs_bits(formats::to_float(formats::bf16{x[i]})));
  return r;
}

void Bf16ToF32Impl(const std::uint16_t* x, std::int64_t n, float* out) {
  const DF df;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(df));
  std::int64_t i = 0;
  for (; i + L <= n; i += L) hn::StoreU(hn::BitCast(df, widen_bf16(x + i)), df, out + i);
  for (; i < n; ++i) out[i] = formats::to_float(formats::bf16{x[i]});
}

void F32StoreCanonicalImpl(const float* v, std::int64_t n, float* out) {
  const DF df;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(df));
  std::int64_t i = 0;
  for (; i + L <= n; i += L) hn::StoreU(hn::BitCast(df, canonical(hn::LoadU(df, v + i))), df, out + i);
  for (; i < n; ++i) out[i] = formats::canonical_nan(v[i]);
}

void Bf16StoreCanonicalImpl(const float* v, std::int64_t n, std::uint16_t* out) {
  const DF df;
  const DU du;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(df));
  std::int64_t i = 0;
  for (; i + L <= n; i += L) {
    const hn::Vec<DU> u = canonical(hn::LoadU(df, v + i));
    // bf16_from_float: round to nearest even; the canonical NaN keeps its top half | 0x40
    const hn::Vec<DU> rounded =
        hn::ShiftRight<16>(hn::Add(hn::Add(u, hn::Set(du, 0x7FFFu)), hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1u))));
    const hn::Vec<DU> nan = hn::Set(du, (0x7FFFFFFFu >> 16) | 0x40u);
    const hn::Vec<DU> b = hn::IfThenElse(hn::RebindMask(du, hn::Eq(u, hn::Set(du, 0x7FFFFFFFu))), nan, rounded);
    hn::StoreU(hn::DemoteTo(DH(), hn::BitCast(DI(), b)), DH(), out + i);
  }
  for (; i < n; ++i) out[i] = formats::bf16_from_float(formats::canonical_nan(v[i])).bits;
}

}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fp4lab::core::simd {

HWY_EXPORT(AmaxF32Impl);
HWY_EXPORT(AmaxBf16Impl);
HWY_EXPORT(Bf16ToF32Impl);
HWY_EXPORT(F32StoreCanonicalImpl);
HWY_EXPORT(Bf16StoreCanonicalImpl);

float amax_f32(const float* x, std::int64_t n) { return HWY_DYNAMIC_DISPATCH(AmaxF32Impl)(x, n); }
float amax_bf16(const std::uint16_t* x, std::int64_t n) { return HWY_DYNAMIC_DISPATCH(AmaxBf16Impl)(x, n); }
void bf16_to_f32(const std::uint16_t* x, std::int64_t n, float* out) { HWY_DYNAMIC_DISPATCH(Bf16ToF32Impl)(x, n, out); }
void f32_store_canonical(const float* v, std::int64_t n, float* out) {
  HWY_DYNAMIC_DISPATCH(F32StoreCanonicalImpl)(v, n, out);
}
void bf16_store_canonical(const float* v, std::int64_t n, std::uint16_t* out) {
  HWY_DYNAMIC_DISPATCH(Bf16StoreCanonicalImpl)(v, n, out);
}

}  // namespace fp4lab::core::simd
#endif  // HWY_ONCE
