// Error metrics and histograms comparing a tensor with its quantized version. Sums run in
// double over fixed chunks combined in order, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace fp4lab::core {

/// How a quantized tensor differs from its input (finite input elements only).
struct ErrorMetrics {
  std::int64_t count = 0;          ///< finite inputs compared
  std::int64_t nonfinite = 0;      ///< NaN/Inf inputs, excluded from every figure
  double mse = 0, rmse = 0;
  double rel_rmse = 0;             ///< rmse / rms(x)
  double sqnr_db = 0;              ///< 10 log10(sum x^2 / sum err^2); +inf when exact
  double max_abs_err = 0;
  double cosine = 0;               ///< cosine similarity of x and x_hat
  double frac_flushed = 0;         ///< nonzero x with x_hat == 0
  double frac_saturated = 0;       ///< |x| above the largest |x_hat| of its block and reduced to it
};

/// Metrics of `xq` against `x` (same shape); blocks of `block_size` along rows for saturation.
ErrorMetrics error_metrics(const TensorView& x, const TensorView& xq, int block_size, int threads = 0);

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
