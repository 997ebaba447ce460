// Error metrics and histograms (see metrics.hpp).
#include "core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/simd/simd.hpp"
#include "core/simd/tensor_paths.hpp"
#include "formats/block.hpp"

namespace fp4lab::core {

double cosine_similarity(double sum_xy, double sum_x2, double sum_y2) {
  if (std::isnan(sum_xy) || std::isnan(sum_x2) || std::isnan(sum_y2)) return NAN;
  if (sum_x2 == 0 && sum_y2 == 0) return 1.0;  // both all zero: the same vector
  if (sum_x2 == 0 || sum_y2 == 0) return 0.0;  // one all zero: no direction in common
  return std::clamp(sum_xy / std::sqrt(sum_x2 * sum_y2), -1.0, 1.0);  // rounding can pass 1
}

ErrorMetrics finish_metrics(const std::vector<MetricSums>& parts) {
  MetricSums t;
  for (const MetricSums& p : parts) {  // in chunk order
    t.count += p.count;
    t.nonfinite += p.nonfinite;
    t.nonfinite_results += p.nonfinite_results;
    t.flushed += p.flushed;
    t.saturated += p.saturated;
    t.sum_x2 += p.sum_x2;
    t.sum_q2 += p.sum_q2;
    t.sum_xq += p.sum_xq;
    t.sum_e2 += p.sum_e2;
    t.max_e = std::max(t.max_e, p.max_e);
  }
  ErrorMetrics m;
  m.count = t.count;
  m.nonfinite = t.nonfinite;
  m.nonfinite_results = t.nonfinite_results;
  if (t.count == 0) {  // nothing to measure: no figure, rather than a misleading 0
    m.mse = m.rmse = m.rel_rmse = m.sqnr_db = m.max_abs_err = m.cosine = NAN;
    m.frac_flushed = m.frac_saturated = NAN;
    return m;
  }
  const double n = static_cast<double>(t.count);
  m.mse = t.sum_e2 / n;
  m.rmse = std::sqrt(m.mse);
  // exact (sum_e2 == 0): rel RMSE 0 and SQNR +inf; x all zero but not x_hat: +inf and -inf
  m.rel_rmse = t.sum_e2 == 0 ? 0.0 : (t.sum_x2 > 0 ? std::sqrt(t.sum_e2 / t.sum_x2) : INFINITY);
  m.sqnr_db = t.sum_e2 == 0 ? INFINITY : 10.0 * std::log10(t.sum_x2 / t.sum_e2);
  m.max_abs_err = t.max_e;
  m.cosine = cosine_similarity(t.sum_xq, t.sum_x2, t.sum_q2);
  m.frac_flushed = static_cast<double>(t.flushed) / n;
  m.frac_saturated = static_cast<double>(t.saturated) / n;
  return m;
}

ErrorMetrics error_metrics(const TensorView& x, const TensorView& xq, int block_size, int threads) {
  if (x.shape() != xq.shape()) {
    throw std::invalid_argument("error_metrics: shapes differ, " + shape_string(x.shape()) + " vs " +
                                shape_string(xq.shape()));
  }
  if (block_size <= 0) throw std::invalid_argument("error_metrics: block size must be positive");
  const std::int64_t rows = x.rows(), cols = x.cols();
  const std::int64_t blocks_per_row = (cols + block_size - 1) / block_size;
  const std::int64_t nblocks = rows * blocks_per_row;
  // fixed chunks of blocks, independent of the thread count (and of the device: kernels/metrics.cu)
  constexpr std::int64_t kChunk = kMetricChunkBlocks;
  const std::int64_t nchunks = (nblocks + kChunk - 1) / kChunk;
  std::vector<MetricSums> parts(static_cast<std::size_t>(nchunks));
  parallel_for(nchunks, threads, [&](std::int64_t cb, std::int64_t ce) {
    std::vector<float> a(static_cast<std::size_t>(block_size)), q(static_cast<std::size_t>(block_size));
    for (std::int64_t c = cb; c < ce; ++c) {
      MetricSums p;
      for (std::int64_t b = c * kChunk; b < std::min(nblocks, (c + 1) * kChunk); ++b) {
        const std::int64_t row = b / blocks_per_row, c0 = (b % blocks_per_row) * block_size;
        const std::int64_t n = std::min<std::int64_t>(block_size, cols - c0);
        simd::load_floats(x, row * cols + c0, n, a.data());
        simd::load_floats(xq, row * cols + c0, n, q.data());
        add_block(p, static_cast<int>(n), [&](int i) { return a[static_cast<std::size_t>(i)]; },
                  [&](int i) { return q[static_cast<std::size_t>(i)]; });
      }
      parts[static_cast<std::size_t>(c)] = p;
    }
  });
  return finish_metrics(parts);
}

ErrorHistograms error_histograms(const TensorView& x, const TensorView& xq, const QuantizedTensor* q, double rms,
                                 int bins, int threads) {
  if (x.shape() != xq.shape() || xq.dtype() != DType::kF32) {
    throw std::invalid_argument("error_histograms: x_hat must be FP32 of the shape of x, got " + shape_string(xq.shape()));
  }
  if (bins < 1) throw std::invalid_argument("error_histograms: bins must be positive");
  if (!(rms > 0)) throw std::invalid_argument("error_histograms: rms must be positive");
  const std::int64_t n = x.numel(), cols = x.cols();
  constexpr std::int64_t kChunk = 1 << 16;
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<ErrorHistograms> parts(static_cast<std::size_t>(chunks));
  const float* fq = reinterpret_cast<const float*>(xq.data());
  parallel_for(chunks, threads, [&](std::int64_t cb, std::int64_t ce) {
    std::vector<float> a(kChunk);
    const bool simd_bins = simd::enabled();  // the SIMD twin of error_bin and relative_bin
    std::vector<std::int32_t> ebins(simd_bins ? kChunk : 0), rbins(simd_bins ? kChunk : 0);
    for (std::int64_t c = cb; c < ce; ++c) {
      // integer counts per chunk (exact, and cheaper to bump than doubles), as doubles at the end
      std::vector<std::uint32_t> err(bins, 0), rel(bins, 0), scaled(bins, 0);
      const std::int64_t b = c * kChunk, e = std::min(n, b + kChunk);
      std::int64_t block_end = -1;  // first column past the block whose unit is in unit_scale
      double unit_scale = 0.0;
      simd::load_floats(x, b, e - b, a.data());
      const double inv_rms = 1.0 / rms;
      if (simd_bins) simd::histogram_bins(a.data(), fq + b, e - b, inv_rms, bins, ebins.data(), rbins.data());
      std::int64_t row = b / cols, col = b % cols;
      for (std::int64_t i = b; i < e; ++i, ++col) {
        if (col == cols) {
          col = 0;
          ++row;
          block_end = -1;
        }
        const float xv = a[static_cast<std::size_t>(i - b)], qv = fq[i];
        if (!std::isfinite(xv)) continue;
        // the bins come from error_stats.hpp, shared with the GPU (kernels/metrics.cu)
        const int eb = simd_bins ? ebins[static_cast<std::size_t>(i - b)] : error_bin(xv, qv, inv_rms, bins);
        if (eb >= 0) ++err[eb];
        const int rb = simd_bins ? rbins[static_cast<std::size_t>(i - b)] : relative_bin(xv, qv, bins);
        if (rb >= 0) ++rel[rb];
        if (q) {
          // the block unit changes once per block (and per row): look it up only then
          if (col >= block_end) {
            const std::int64_t bs = q->recipe.block_size;
            block_end = (col / bs + 1) * bs;
            const float unit =
                formats::dequantize_code(q->recipe, q->tensor_scale, q->block_scale(row, col), unit_code(q->recipe));
            unit_scale = scaled_bin_factor(unit, bins);
          }
          const int sb = scaled_bin(xv, unit_scale, bins);
          if (sb >= 0) ++scaled[sb];
        }
      }
      ErrorHistograms h{std::vector<double>(err.begin(), err.end()), std::vector<double>(rel.begin(), rel.end()),
               std::vector<double>(scaled.begin(), scaled.end())};
      parts[static_cast<std::size_t>(c)] = std::move(h);
    }
  });
  ErrorHistograms total{std::vector<double>(bins, 0.0), std::vector<double>(bins, 0.0), std::vector<double>(bins, 0.0)};
  for (const ErrorHistograms& h : parts) {
    for (int k = 0; k < bins; ++k) {
      total.err[k] += h.err[k];
      total.rel[k] += h.rel[k];
      total.scaled[k] += h.scaled[k];
    }
  }
  return total;
}

TensorStats tensor_stats(const TensorView& x, int threads) {
  constexpr std::int64_t kChunk = 1 << 16;
  const std::int64_t n = x.numel(), nchunks = (n + kChunk - 1) / kChunk;
  std::vector<TensorStats> parts(static_cast<std::size_t>(nchunks));
  std::vector<double> sums(static_cast<std::size_t>(nchunks), 0.0);
  parallel_for(nchunks, threads, [&](std::int64_t cb, std::int64_t ce) {
    std::vector<float> a(kChunk);
    for (std::int64_t c = cb; c < ce; ++c) {
      const std::int64_t b = c * kChunk, e = std::min(n, b + kChunk);
      x.to_float(b, std::span<float>(a.data(), static_cast<std::size_t>(e - b)));
      TensorStats s;
      double sum = 0;
      for (std::int64_t i = 0; i < e - b; ++i) {
        const double v = a[static_cast<std::size_t>(i)];
        if (!std::isfinite(v)) {
          ++s.nonfinite;
          continue;
        }
        ++s.count;
        sum += v * v;
        s.amax = std::max(s.amax, std::fabs(v));
      }
      parts[static_cast<std::size_t>(c)] = s;
      sums[static_cast<std::size_t>(c)] = sum;
    }
  });
  TensorStats t;
  double sum = 0;
  for (std::size_t c = 0; c < parts.size(); ++c) {
    t.count += parts[c].count;
    t.nonfinite += parts[c].nonfinite;
    t.amax = std::max(t.amax, parts[c].amax);
    sum += sums[c];
  }
  t.rms = t.count ? std::sqrt(sum / static_cast<double>(t.count)) : 0.0;
  return t;
}

std::vector<double> histogram(const std::vector<float>& values, const std::vector<double>& edges) {
  if (edges.size() < 2) throw std::invalid_argument("histogram: need at least two edges");
  std::vector<double> counts(edges.size() - 1, 0.0);
  for (float v : values) {
    if (!std::isfinite(v) || v < edges.front() || v > edges.back()) continue;
    auto it = std::upper_bound(edges.begin(), edges.end(), static_cast<double>(v));
    std::size_t bin = static_cast<std::size_t>(it - edges.begin());
    bin = bin == 0 ? 0 : bin - 1;
    if (bin >= counts.size()) bin = counts.size() - 1;
    counts[bin] += 1.0;
  }
  return counts;
}

std::vector<double> linear_edges(double lo, double hi, int n) {
  if (n <= 0 || !(hi > lo)) throw std::invalid_argument("linear_edges: need n > 0 and hi > lo");
  std::vector<double> e(static_cast<std::size_t>(n) + 1);
  for (int i = 0; i <= n; ++i) e[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / n;
  return e;
}

}  // namespace fp4lab::core
