// GPU error metrics and histograms (kernels/metrics.hpp): one thread per chunk of the metric
// summation tree, walking its blocks in the CPU's order through core::add_block; histogram
// counts per CTA in shared memory (integer counts, so the order does not matter), then one
// global atomic per bin and CTA.
#include <algorithm>
#include <stdexcept>

#include "core/error_stats.hpp"
#include "kernels/cuda_check.hpp"
#include "kernels/metrics.hpp"
#include "kernels/device_io.cuh"

namespace fp4lab::kernels {
namespace {

constexpr int kMetricThreads = 64;
constexpr int kHistThreads = 256;

template <core::DType D>
__global__ void __launch_bounds__(kMetricThreads)
    metric_sums_kernel(const void* x, const float* xq, std::int64_t rows, std::int64_t cols, int bs,
                       std::int64_t nchunks, core::MetricSums* parts) {
  const std::int64_t c = static_cast<std::int64_t>(blockIdx.x) * kMetricThreads + threadIdx.x;
  if (c >= nchunks) return;
  const std::int64_t bpr = (cols + bs - 1) / bs, nblocks = rows * bpr;
  const std::int64_t b0 = c * core::kMetricChunkBlocks;
  const std::int64_t b1 = b0 + core::kMetricChunkBlocks < nblocks ? b0 + core::kMetricChunkBlocks : nblocks;
  core::MetricSums s;
  std::int64_t row = b0 / bpr, c0 = (b0 - row * bpr) * bs;
  for (std::int64_t b = b0; b < b1; ++b) {
    const int n = static_cast<int>(cols - c0 < bs ? cols - c0 : bs);
    const std::int64_t base = row * cols + c0;
    core::add_block(
        s, n, [&](int i) { return detail::load_one<D>(x, base + i); }, [&](int i) { return xq[base + i]; });
    c0 += bs;
    if (c0 >= cols) {
      c0 = 0;
      ++row;
    }
  }
  parts[c] = s;
}

struct HistParams {
  const void* x;
  const float* xq;
  std::int64_t rows, cols, bpr;
  int bs, bins;
  double inv_rms;
  bool has_q;
  formats::Recipe recipe;
  formats::ScaleLayout layout;
  DeviceQuantized q;
  unsigned long long* counts;
};

/// One thread per 1-D block segment of a row (the unit of the scaled-value histogram),
/// grid-stride; counts in shared memory (3 * bins words).
template <core::DType D>
__global__ void __launch_bounds__(kHistThreads) histogram_kernel(const HistParams p) {
  extern __shared__ unsigned local[];
  const int nb = 3 * p.bins;
  for (int k = threadIdx.x; k < nb; k += kHistThreads) local[k] = 0;
  __syncthreads();
  const formats::TensorScale ts =
      p.has_q && p.q.tensor_scale != nullptr ? *p.q.tensor_scale : formats::TensorScale{};
  const std::int64_t units = p.rows * p.bpr;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * kHistThreads;
  for (std::int64_t u = static_cast<std::int64_t>(blockIdx.x) * kHistThreads + threadIdx.x; u < units; u += stride) {
    const std::int64_t row = u / p.bpr, rb = u - row * p.bpr, c0 = rb * p.bs;
    double factor = 0.0;
    if (p.has_q) {
      formats::BlockScale s;
      const std::int64_t idx = row * p.bpr + rb;
      if (!formats::stores_scale_codes(p.recipe.format)) {
        s.group_scale = p.q.group_scales[idx];
        s.zero_point = p.q.zero_points[idx];
      } else {
        s.code = p.q.scales[formats::scale_offset(static_cast<std::size_t>(row), static_cast<std::size_t>(rb),
                                                  static_cast<std::size_t>(p.bpr), p.layout)];
      }
      factor = core::scaled_bin_factor(formats::dequantize_code(p.recipe, ts, s, core::unit_code(p.recipe)), p.bins);
    }
    const int n = static_cast<int>(p.cols - c0 < p.bs ? p.cols - c0 : p.bs);
    const std::int64_t base = row * p.cols + c0;
    for (int i = 0; i < n; ++i) {
      const float xv = detail::load_one<D>(p.x, base + i);
      if (!formats::is_finite(xv)) continue;
      const float qv = p.xq[base + i];
      const int eb = core::error_bin(xv, qv, p.inv_rms, p.bins);
      if (eb >= 0) atomicAdd(&local[eb], 1u);
      const int rbin = core::relative_bin(xv, qv, p.bins);
      if (rbin >= 0) atomicAdd(&local[p.bins + rbin], 1u);
      if (p.has_q) {
        const int sb = core::scaled_bin(xv, factor, p.bins);
        if (sb >= 0) atomicAdd(&local[2 * p.bins + sb], 1u);
      }
    }
  }
  __syncthreads();
  for (int k = threadIdx.x; k < nb; k += kHistThreads) {
    if (local[k] != 0) atomicAdd(&p.counts[k], static_cast<unsigned long long>(local[k]));
  }
}

int sm_count() {
  int dev = 0, n = 0;
  if (cudaGetDevice(&dev) != cudaSuccess ||
      cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n <= 0) {
    return 132;
  }
  return n;
}

}  // namespace

std::int64_t metric_chunk_count(std::int64_t rows, std::int64_t cols, int block_size) {
  if (rows <= 0 || cols <= 0 || block_size <= 0) return 0;
  const std::int64_t nblocks = rows * ((cols + block_size - 1) / block_size);
  return (nblocks + core::kMetricChunkBlocks - 1) / core::kMetricChunkBlocks;
}

void metric_sums_async(const void* x, core::DType dtype, const float* xq, std::int64_t rows, std::int64_t cols,
                       int block_size, core::MetricSums* parts, void* stream) {
  if (x == nullptr || xq == nullptr || parts == nullptr || block_size <= 0) {
    throw std::invalid_argument("metric sums: null buffer or block size " + std::to_string(block_size));
  }
  const std::int64_t nchunks = metric_chunk_count(rows, cols, block_size);
  if (nchunks == 0) return;
  const unsigned grid = static_cast<unsigned>((nchunks + kMetricThreads - 1) / kMetricThreads);
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case core::DType::kF32:
      metric_sums_kernel<core::DType::kF32><<<grid, kMetricThreads, 0, s>>>(x, xq, rows, cols, block_size, nchunks, parts);
      break;
    case core::DType::kBF16:
      metric_sums_kernel<core::DType::kBF16><<<grid, kMetricThreads, 0, s>>>(x, xq, rows, cols, block_size, nchunks, parts);
      break;
    case core::DType::kF16:
      metric_sums_kernel<core::DType::kF16><<<grid, kMetricThreads, 0, s>>>(x, xq, rows, cols, block_size, nchunks, parts);
      break;
  }
  cuda_check(cudaGetLastError(), "metric sums kernel launch");
}

void histograms_async(const void* x, core::DType dtype, const float* xq, std::int64_t rows, std::int64_t cols,
                      const HistogramSetup& setup, unsigned long long* counts, void* stream) {
  if (setup.bins < 10 || setup.bins > 1000) {
    throw std::invalid_argument("histograms: bins must be 10 to 1000, got " + std::to_string(setup.bins));
  }
  if (x == nullptr || xq == nullptr || counts == nullptr || setup.recipe.block_size <= 0) {
    throw std::invalid_argument("histograms: null buffer or bad block size");
  }
  if (rows <= 0 || cols <= 0) return;
  HistParams p{};
  p.x = x;
  p.xq = xq;
  p.rows = rows;
  p.cols = cols;
  p.bs = setup.recipe.block_size;
  p.bpr = (cols + p.bs - 1) / p.bs;
  p.bins = setup.bins;
  p.inv_rms = setup.inv_rms;
  p.has_q = setup.q != nullptr;
  p.recipe = setup.recipe;
  p.layout = setup.layout;
  if (setup.q) p.q = *setup.q;
  p.counts = counts;
  const std::int64_t units = rows * p.bpr;
  const std::int64_t want = (units + kHistThreads - 1) / kHistThreads;
  const unsigned grid = static_cast<unsigned>(std::max<std::int64_t>(1, std::min<std::int64_t>(want, sm_count() * 8)));
  const std::size_t smem = sizeof(unsigned) * 3 * static_cast<std::size_t>(setup.bins);
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case core::DType::kF32:
      histogram_kernel<core::DType::kF32><<<grid, kHistThreads, smem, s>>>(p);
      break;
    case core::DType::kBF16:
      histogram_kernel<core::DType::kBF16><<<grid, kHistThreads, smem, s>>>(p);
      break;
    case core::DType::kF16:
      histogram_kernel<core::DType::kF16><<<grid, kHistThreads, smem, s>>>(p);
      break;
  }
  cuda_check(cudaGetLastError(), "histogram kernel launch");
}

}  // namespace fp4lab::kernels
