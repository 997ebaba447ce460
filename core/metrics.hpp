// Error metrics and histograms comparing a tensor with its quantized version. Sums run in
// double over fixed chunks combined in order, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error_stats.hpp"
#include "core/tensor.hpp"

namespace fp4lab::core {

/// How a quantized tensor differs from its input, over the elements whose input x and
/// quantized value x_hat are both finite (the others are counted, never summed: the figures
/// agree with one another whatever the input holds). With no such element every figure is NaN.
struct ErrorMetrics {
  std::int64_t count = 0;              ///< elements compared (x and x_hat finite)
  std::int64_t nonfinite = 0;          ///< NaN/Inf inputs, excluded from every figure
  std::int64_t nonfinite_results = 0;  ///< finite inputs with a NaN/Inf x_hat, excluded too
  double mse = 0, rmse = 0;
  double rel_rmse = 0;             ///< rmse / rms(x); 0 when exact, +inf for x all zero and x_hat not
  double sqnr_db = 0;              ///< 10 log10(sum x^2 / sum err^2); +inf when exact, -inf for x all zero
  double max_abs_err = 0;
  double cosine = 0;               ///< cosine similarity of x and x_hat (degenerate cases: cosine_similarity)
  double frac_flushed = 0;         ///< nonzero x with x_hat == 0
  double frac_saturated = 0;       ///< |x| above the largest |x_hat| of its block and reduced to it
};

/// Metrics of `xq` against `x` (same shape); blocks of `block_size` along rows for saturation.
/// Sums run over chunks of kMetricChunkBlocks blocks (core/error_stats.hpp), so the GPU twin
/// (kernels/metrics.hpp) gives the same bits.
ErrorMetrics error_metrics(const TensorView& x, const TensorView& xq, int block_size, int threads = 0);

/// The cosine similarity sum_xy / sqrt(sum_x2 * sum_y2), clamped to [-1, 1], with the
/// degenerate cases defined: both vectors all zero -> 1 (identical), exactly one all zero -> 0
/// (no direction in common), any NaN sum -> NaN.
double cosine_similarity(double sum_xy, double sum_x2, double sum_y2);

/// The metrics from the chunk sums, combined in chunk order (shared by the CPU and the GPU path).
ErrorMetrics finish_metrics(const std::vector<MetricSums>& parts);

struct QuantizedTensor;

/// Counts of the three `compare` histograms, `bins` each: the error (x_hat - x) / rms(x) over
/// [-0.5, 0.5), the relative error |x_hat - x| / |x| over [0, 1] (larger in the last bin), and
/// the scaled values |x| / block unit over [0, 8) (empty bins without `q`). Finite x only.
struct ErrorHistograms {
  std::vector<double> err, rel, scaled;
};

/// The histograms of xq (FP32, x's shape) against x; `q` (the codes and scales xq decodes
/// from, or null) gives the block units. Per-element bins from error_stats.hpp, shared with the
/// GPU twin (kernels/metrics.hpp); integer counts, so independent of threads and device.
ErrorHistograms error_histograms(const TensorView& x, const TensorView& xq, const QuantizedTensor* q, double rms,
                                 int bins, int threads = 0);

/// Summary statistics of one tensor (finite elements only).
struct TensorStats {
  std::int64_t count = 0;      ///< finite elements
  std::int64_t nonfinite = 0;  ///< NaN/Inf elements
  double rms = 0;
  double amax = 0;
};

/// Statistics of a tensor, deterministic for any thread count.
TensorStats tensor_stats(const TensorView& x, int threads = 0);

/// Counts of `values` in bins [edges[i], edges[i+1]) (last bin closed); out-of-range and
/// non-finite values are not counted.
std::vector<double> histogram(const std::vector<float>& values, const std::vector<double>& edges);

/// n+1 evenly spaced edges over [lo, hi].
std::vector<double> linear_edges(double lo, double hi, int n);

}  // namespace fp4lab::core
