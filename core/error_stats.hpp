// The per-element arithmetic of the error metrics and histograms (core/metrics.hpp and the
// `compare` histograms), host/device: the CPU and the GPU kernels (kernels/metrics.cu) call
// these same functions in the same order, so their sums and bin counts agree bit for bit.
// Double arithmetic goes through mul/add/sub helpers that never contract into an FMA.
#pragma once

#include <cmath>
#include <cstdint>

#include "formats/recipe.hpp"

namespace fp4lab::core {

/// Sums over a run of blocks, in element order: one leaf of the fixed summation tree of
/// error_metrics (chunks of kMetricChunkBlocks blocks, combined in chunk order).
struct MetricSums {
  std::int64_t count = 0, nonfinite = 0, flushed = 0, saturated = 0;
  std::int64_t nonfinite_results = 0;  ///< finite inputs whose quantized value is NaN/Inf
  double sum_x2 = 0, sum_q2 = 0, sum_xq = 0, sum_e2 = 0, max_e = 0;
};

/// Blocks per leaf of the summation tree (fixed, so results do not depend on threads or device).
inline constexpr std::int64_t kMetricChunkBlocks = 4096;

namespace detail {
FP4LAB_HD inline double dmul(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
FP4LAB_HD inline double dadd(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
FP4LAB_HD inline double dsub(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dsub_rn(a, b);
#else
  return a - b;
#endif
}
FP4LAB_HD inline double dabs(double a) {
#if defined(__CUDA_ARCH__)
  return ::fabs(a);
#else
  return std::fabs(a);  // one AND on the host (a compare-and-branch form was 2x slower)
#endif
}
/// std::max's rule (the first argument unless the second is larger), for NaN as well.
template <class T>
FP4LAB_HD inline T max_first(T a, T b) {
  return a < b ? b : a;
}
}  // namespace detail

/// Adds one block of n elements to `s`: x(i) the input, q(i) its quantized value (floats).
/// Only pairs with both x and x_hat finite enter the sums (README "Metrics over non-finite
/// inputs"): a non-finite input is counted in `nonfinite`, a finite input whose x_hat is NaN/Inf
/// (e.g. its MXFP4 block holds a NaN) in `nonfinite_results`. Saturation is |x| above the
/// block's largest finite |x_hat| and reduced to it.
template <class LoadX, class LoadQ>
FP4LAB_HD inline void add_block(MetricSums& sums, int n, const LoadX& x, const LoadQ& q) {
  MetricSums s = sums;  // a local copy the compiler keeps in registers (the same operations)
  float qmax = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float qv = q(i);
    if (formats::is_finite(qv)) qmax = detail::max_first(qmax, formats::abs_bits(qv));
  }
  for (int i = 0; i < n; ++i) {
    const float xf = x(i);
    if (!formats::is_finite(xf)) {
      ++s.nonfinite;
      continue;
    }
    const float qf = q(i);
    if (!formats::is_finite(qf)) {
      ++s.nonfinite_results;
      continue;
    }
    const double xv = xf, qv = qf, e = detail::dsub(qv, xv);
    ++s.count;
    s.sum_x2 = detail::dadd(s.sum_x2, detail::dmul(xv, xv));
    s.sum_q2 = detail::dadd(s.sum_q2, detail::dmul(qv, qv));
    s.sum_xq = detail::dadd(s.sum_xq, detail::dmul(xv, qv));
    s.sum_e2 = detail::dadd(s.sum_e2, detail::dmul(e, e));
    s.max_e = detail::max_first(s.max_e, detail::dabs(e));
    if (xv != 0.0 && qv == 0.0) ++s.flushed;
    if (detail::dabs(xv) > qmax && detail::dabs(qv) == qmax && qmax > 0) ++s.saturated;
  }
  sums = s;
}

/// Bin of the error histogram: (x_hat - x) / rms(x) over [-0.5, 0.5) in `bins` bins, or -1
/// (outside, or NaN). inv_rms = 1 / rms(x). Only finite x are binned (the caller checks).
FP4LAB_HD inline int error_bin(float xv, float qv, double inv_rms, int bins) {
  const double d = detail::dmul(detail::dsub(qv, xv), inv_rms);
  const double eb = detail::dmul(detail::dadd(d, 0.5), bins);
  return (eb >= 0 && eb < bins) ? static_cast<int>(eb) : -1;
}

/// Bin of the relative-error histogram: |x_hat - x| / |x| over [0, 1] (larger in the last
/// bin), or -1 for x = 0 or a NaN ratio.
FP4LAB_HD inline int relative_bin(float xv, float qv, int bins) {
  if (xv == 0.0f) return -1;
  const double r = detail::dabs(detail::dsub(qv, xv)) / detail::dabs(double(xv));
  if (!(r >= 0.0)) return -1;
  return r >= 1.0 ? bins - 1 : static_cast<int>(detail::dmul(r, bins));
}

/// The code whose value is 1 in the element grid (a block's "unit" is its decode): E2M1
/// code 2, INT4 code 1.
FP4LAB_HD inline std::uint8_t unit_code(const formats::Recipe& r) {
  return formats::element_traits(formats::format_traits(r.format).element).is_integer ? 1 : 2;
}

/// bins / (8 * unit) for a block whose E2M1 (or INT4) code of value 1 decodes to `unit`;
/// 0 when the unit is not positive and finite (no scaled-value bin for that block).
FP4LAB_HD inline double scaled_bin_factor(float unit, int bins) {
  return (unit > 0 && formats::is_finite(unit)) ? bins / detail::dmul(8.0, unit) : 0.0;
}

/// Bin of the scaled-value histogram |x| / unit over [0, 8), or -1.
FP4LAB_HD inline int scaled_bin(float xv, double factor, int bins) {
  if (!(factor > 0)) return -1;
  const double sb = detail::dmul(detail::dabs(double(xv)), factor);
  return sb < bins ? static_cast<int>(sb) : -1;
}

/// Ways of the CPU's histogram counters: element i bumps copy i % kHistogramWays, so that runs
/// of one bin do not wait on each other's stores.
inline constexpr int kHistogramWays = 4;

/// The counter element i bumps in error_histograms' one array of counts: kHistogramWays copies of
/// three histograms (`hist` 0 error, 1 relative, 2 scaled) of bins + 1 counters each, the last a
/// sink for "no bin" (bin < 0) and for non-finite x, which no histogram counts. i is the
/// element's index from a start that is a multiple of kHistogramWays.
FP4LAB_HD inline std::int32_t histogram_slot(float xv, std::int32_t bin, std::int64_t i, int bins, int hist) {
  const std::int32_t way = static_cast<std::int32_t>(i % kHistogramWays) * 3 * (bins + 1);
  return way + hist * (bins + 1) + (formats::is_finite(xv) && bin >= 0 ? bin : bins);
}

}  // namespace fp4lab::core
