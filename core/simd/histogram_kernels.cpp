// SIMD per-element bins of the `compare` histograms (see simd.hpp): error_bin, relative_bin and
// scaled_bin of core/error_stats.hpp in double lanes, the same operations in the same order, so every
// bin (an integer) is the scalar one and the counts do not depend on the target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/simd/histogram_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "core/error_stats.hpp"
#include "core/simd/simd.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void HistogramBinsImpl(const float* x, const float* q, std::int64_t n, double inv_rms, int bins, std::int32_t* eb,
                       std::int32_t* rb) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const hn::Rebind<std::int32_t, decltype(dd)> di;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(dd));
  const auto zero = hn::Zero(dd), half = hn::Set(dd, 0.5), nb = hn::Set(dd, static_cast<double>(bins));
  const auto one = hn::Set(dd, 1.0), none = hn::Set(dd, -1.0), last = hn::Set(dd, static_cast<double>(bins - 1));
  std::int64_t i = 0;
  for (; i + L <= n; i += L) {
    const auto xv = hn::PromoteTo(dd, hn::LoadU(df, x + i)), qv = hn::PromoteTo(dd, hn::LoadU(df, q + i));
    const auto diff = hn::Sub(qv, xv);
    // error_bin: ((q - x) * inv_rms + 0.5) * bins in [0, bins), truncated; -1.0 truncates to -1
    const auto e = hn::Mul(hn::Add(hn::Mul(diff, hn::Set(dd, inv_rms)), half), nb);
    const auto e_ok = hn::And(hn::Ge(e, zero), hn::Lt(e, nb));
    hn::StoreU(hn::DemoteTo(di, hn::IfThenElse(e_ok, e, none)), di, eb + i);
    // relative_bin: |q - x| / |x|, x = 0 and NaN ratios give none, 1 and above the last bin
    const auto r = hn::Div(hn::Abs(diff), hn::Abs(xv));
    const auto r_ok = hn::AndNot(hn::Eq(xv, zero), hn::Ge(r, zero));
    const auto r_val = hn::IfThenElse(hn::Lt(r, one), hn::Mul(r, nb), last);
    hn::StoreU(hn::DemoteTo(di, hn::IfThenElse(r_ok, r_val, none)), di, rb + i);
  }
  for (; i < n; ++i) {
    eb[i] = error_bin(x[i], q[i], inv_rms, bins);
    rb[i] = relative_bin(x[i], q[i], bins);
  }
}

void ScaledBinsImpl(const float* x, const double* factor, std::int64_t n, int bins, std::int32_t* sb) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const hn::Rebind<std::int32_t, decltype(dd)> di;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(dd));
  const auto zero = hn::Zero(dd), nb = hn::Set(dd, static_cast<double>(bins)), none = hn::Set(dd, -1.0);
  std::int64_t i = 0;
  for (; i + L <= n; i += L) {
    // scaled_bin: |x| * factor in [0, bins), truncated; no bin where the factor is not positive
    const auto f = hn::LoadU(dd, factor + i);
    const auto v = hn::Mul(hn::Abs(hn::PromoteTo(dd, hn::LoadU(df, x + i))), f);
    const auto ok = hn::And(hn::Gt(f, zero), hn::Lt(v, nb));
    hn::StoreU(hn::DemoteTo(di, hn::IfThenElse(ok, v, none)), di, sb + i);
  }
  for (; i < n; ++i) sb[i] = scaled_bin(x[i], factor[i], bins);
}

void HistogramSlotsImpl(const float* x, std::int64_t n, int bins, int hist, std::int32_t* b) {
  const hn::ScalableTag<std::int32_t> di;
  const hn::Rebind<float, decltype(di)> df;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(di));  // a multiple of kHistogramWays
  // histogram_slot: (i % ways) * 3 * (bins + 1) + hist * (bins + 1) + (bin, or the sink bins)
  const auto way = hn::Mul(hn::And(hn::Iota(di, 0), hn::Set(di, kHistogramWays - 1)), hn::Set(di, 3 * (bins + 1)));
  const auto base = hn::Add(way, hn::Set(di, hist * (bins + 1)));
  const auto sink = hn::Add(base, hn::Set(di, bins));
  std::int64_t i = 0;
  if (L % kHistogramWays == 0) {
    for (; i + L <= n; i += L) {
      const auto bv = hn::LoadU(di, b + i);
      const auto ok = hn::And(hn::RebindMask(di, hn::IsFinite(hn::LoadU(df, x + i))), hn::Gt(bv, hn::Set(di, -1)));
      hn::StoreU(hn::IfThenElse(ok, hn::Add(base, bv), sink), di, b + i);
    }
  }
  for (; i < n; ++i) b[i] = histogram_slot(x[i], b[i], i, bins, hist);
}

}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fp4lab::core::simd {

HWY_EXPORT(HistogramBinsImpl);
HWY_EXPORT(ScaledBinsImpl);
HWY_EXPORT(HistogramSlotsImpl);

void histogram_slots(const float* x, std::int64_t n, int bins, int hist, std::int32_t* b) {
  HWY_DYNAMIC_DISPATCH(HistogramSlotsImpl)(x, n, bins, hist, b);
}

void scaled_bins(const float* x, const double* factor, std::int64_t n, int bins, std::int32_t* sb) {
  HWY_DYNAMIC_DISPATCH(ScaledBinsImpl)(x, factor, n, bins, sb);
}

void histogram_bins(const float* x, const float* q, std::int64_t n, double inv_rms, int bins, std::int32_t* eb,
                    std::int32_t* rb) {
  HWY_DYNAMIC_DISPATCH(HistogramBinsImpl)(x, q, n, inv_rms, bins, eb, rb);
}

}  // namespace fp4lab::core::simd
#endif  // HWY_ONCE
