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
  // blocks tile the rows, so a run of blocks is a run of elements: read runs of kRun blocks at once
  constexpr std::int64_t kRun = 256;
  const auto block_start = [&](std::int64_t b) {
    return (b / blocks_per_row) * cols + std::min<std::int64_t>((b % blocks_per_row) * block_size, cols);
  };
  // whole chunks of whole blocks: the SIMD twin, a lane per chunk (simd::metric_chunks)
  const std::int64_t chunk_len = kChunk * block_size;
  const std::int64_t simd_chunks =
      simd::enabled() && cols % block_size == 0 && block_size <= formats::kMaxBlockSize && (chunk_len + 16) * 16 < (std::int64_t{1} << 31) ? nblocks / kChunk : 0;
  parallel_for(nchunks, threads, [&](std::int64_t cb, std::int64_t ce) {
    constexpr std::int64_t kGroup = 8;  // chunks read at once
    std::vector<float> xs, qs;
    for (std::int64_t c = cb; c < std::min(ce, simd_chunks); c += kGroup) {
      const std::int64_t n = std::min({kGroup, ce - c, simd_chunks - c});
      // a copy puts its chunks kPad floats further apart than chunk_len (a power of two), so the
      // lanes' reads do not all fall in one cache set
      constexpr std::int64_t kPad = 16;
      const auto floats = [&](const TensorView& t, std::vector<float>& buf, std::int64_t* stride) {
        *stride = chunk_len;
        if (t.dtype() == DType::kF32) return static_cast<const float*>(t.data()) + c * chunk_len;
        *stride = chunk_len + kPad;
        buf.resize(static_cast<std::size_t>(n * *stride));
        for (std::int64_t j = 0; j < n; ++j) simd::load_floats(t, (c + j) * chunk_len, chunk_len, buf.data() + j * *stride);
        return static_cast<const float*>(buf.data());
      };
      std::int64_t x_stride = 0, q_stride = 0;
      const float* xp = floats(x, xs, &x_stride);
      const float* qp = floats(xq, qs, &q_stride);
      simd::metric_chunks(xp, x_stride, qp, q_stride, chunk_len, static_cast<int>(n), block_size, parts.data() + c);
    }
    std::vector<float> a(static_cast<std::size_t>(kRun * block_size)), q(a.size());
    for (std::int64_t c = std::max(cb, std::min(ce, simd_chunks)); c < ce; ++c) {
      MetricSums p;
      const std::int64_t chunk_end = std::min(nblocks, (c + 1) * kChunk);
      for (std::int64_t r0 = c * kChunk; r0 < chunk_end; r0 += kRun) {
        const std::int64_t r1 = std::min(chunk_end, r0 + kRun), e0 = block_start(r0);
        const std::int64_t e1 = r1 % blocks_per_row == 0 ? (r1 / blocks_per_row) * cols : block_start(r1);
        simd::load_floats(x, e0, e1 - e0, a.data());
        const float* qs = q.data();
        if (xq.dtype() == DType::kF32) {
          qs = static_cast<const float*>(xq.data()) + e0;  // no copy
        } else {
          simd::load_floats(xq, e0, e1 - e0, q.data());
        }
        for (std::int64_t b = r0; b < r1; ++b) {
          const std::int64_t off = block_start(b) - e0;
          const std::int64_t n = std::min<std::int64_t>(block_size, cols - (b % blocks_per_row) * block_size);
          const float* ab = a.data() + off;
          const float* qb = qs + off;
          add_block(p, static_cast<int>(n), [&](int i) { return ab[i]; }, [&](int i) { return qb[i]; });
        }
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
    const bool simd_bins = simd::enabled();  // the SIMD twins of error_bin, relative_bin, scaled_bin
    std::vector<std::int32_t> ebins(kChunk), rbins(kChunk), sbins(q ? kChunk : 0);  // sbins.data(): null without q
    std::vector<double> factor(q ? kChunk : 0);
    // integer counts per chunk (exact, and cheaper to bump than doubles), as doubles at the end,
    // in one array: histogram_slot (error_stats.hpp) turns each bin into its counter, kHistogramWays
    // copies taken in turn so that bumps of one bin do not wait on each other, and a sink per
    // histogram for "no bin" and non-finite x (the sums of integers are the same counts)
    const int way_size = 3 * (bins + 1);
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(kHistogramWays * way_size));
    const auto to_slots = [&](const float* xs, std::int64_t len, int hist, std::int32_t* b) {
      if (simd_bins) {
        simd::histogram_slots(xs, len, bins, hist, b);
      } else {
        for (std::int64_t i = 0; i < len; ++i) b[i] = histogram_slot(xs[i], b[i], i, bins, hist);
      }
    };
    for (std::int64_t c = cb; c < ce; ++c) {
      std::fill(counts.begin(), counts.end(), 0u);
      const std::int64_t b = c * kChunk, e = std::min(n, b + kChunk), len = e - b;
      simd::load_floats(x, b, len, a.data());
      const double inv_rms = 1.0 / rms;
      if (simd_bins) {
        simd::histogram_bins(a.data(), fq + b, len, inv_rms, bins, ebins.data(), rbins.data());
      } else {
        for (std::int64_t i = 0; i < len; ++i) {  // the bins come from error_stats.hpp, shared with the GPU
          ebins[static_cast<std::size_t>(i)] = error_bin(a[static_cast<std::size_t>(i)], fq[b + i], inv_rms, bins);
          rbins[static_cast<std::size_t>(i)] = relative_bin(a[static_cast<std::size_t>(i)], fq[b + i], bins);
        }
      }
      to_slots(a.data(), len, 0, ebins.data());
      to_slots(a.data(), len, 1, rbins.data());
      if (q) {
        // each block's unit (its decode of the unit code), once per block (and per row)
        const std::int64_t bs = q->recipe.block_size;
        for (std::int64_t pos = b; pos < e;) {
          const std::int64_t row = pos / cols, col = pos % cols;
          const std::int64_t run = std::min(std::min((col / bs + 1) * bs, cols) - col, e - pos);
          const float unit =
              formats::dequantize_code(q->recipe, q->tensor_scale, q->block_scale(row, col), unit_code(q->recipe));
          std::fill_n(factor.begin() + (pos - b), run, scaled_bin_factor(unit, bins));
          pos += run;
        }
        if (simd_bins) {
          simd::scaled_bins(a.data(), factor.data(), len, bins, sbins.data());
        } else {
          for (std::int64_t i = 0; i < len; ++i) {
            sbins[static_cast<std::size_t>(i)] = scaled_bin(a[static_cast<std::size_t>(i)], factor[static_cast<std::size_t>(i)], bins);
          }
        }
        to_slots(a.data(), len, 2, sbins.data());
      }
      // plain locals: the counters' stores cannot then alias what the loop reads
      const std::int32_t *eb = ebins.data(), *rb = rbins.data(), *sb = sbins.data();
      std::uint32_t* cnt = counts.data();
      if (sb) {
        for (std::int64_t i = 0; i < len; ++i) {
          ++cnt[eb[i]];
          ++cnt[rb[i]];
          ++cnt[sb[i]];
        }
      } else {
        for (std::int64_t i = 0; i < len; ++i) {
          ++cnt[eb[i]];
          ++cnt[rb[i]];
        }
      }
      ErrorHistograms h{std::vector<double>(bins, 0.0), std::vector<double>(bins, 0.0), std::vector<double>(bins, 0.0)};
      std::vector<double>* out[3] = {&h.err, &h.rel, &h.scaled};
      for (int hist = 0; hist < 3; ++hist) {
        for (int k = 0; k < bins; ++k) {
          std::uint32_t sum = 0;
          for (int w = 0; w < kHistogramWays; ++w) sum += counts[static_cast<std::size_t>(w * way_size + hist * (bins + 1) + k)];
          (*out[hist])[static_cast<std::size_t>(k)] = sum;
        }
      }
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
