// Error metrics and histograms on the GPU: the twins of core::error_metrics and of the
// `compare` histograms, over device tensors, through the same per-element functions
// (core/error_stats.hpp) and the same summation tree, so the figures are bit-identical.
// With these, `compare --device cuda` never copies a dequantized tensor back to the host.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error_stats.hpp"
#include "formats/block.hpp"
#include "kernels/quantize.hpp"

namespace fp4lab::kernels {

/// Chunks of the metric summation tree for rows x cols in blocks of block_size.
std::int64_t metric_chunk_count(std::int64_t rows, std::int64_t cols, int block_size);

/// One core::MetricSums per chunk into `parts` (device, metric_chunk_count entries): x (device,
/// dtype) against xq (device FP32), both rows x cols.
void metric_sums_async(const void* x, core::DType dtype, const float* xq, std::int64_t rows, std::int64_t cols,
                       int block_size, core::MetricSums* parts, void* stream);

/// What the histograms need besides the two tensors. `q` (device codes and scales of xq, in
/// `layout`) gives the scaled-value histogram; without it that histogram stays empty.
struct HistogramSetup {
  double inv_rms = 1.0;  ///< 1 / rms(x)
  int bins = 101;        ///< 10 to 1000
  formats::Recipe recipe;
  formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor;
  const DeviceQuantized* q = nullptr;
};

/// Adds the counts of the error, relative-error and scaled-value histograms to `counts`
/// (device, 3 * bins entries: err, then rel, then scaled), which the caller zeroes.
void histograms_async(const void* x, core::DType dtype, const float* xq, std::int64_t rows, std::int64_t cols,
                      const HistogramSetup& setup, unsigned long long* counts, void* stream);

/// A recipe's metrics and histograms for one host tensor, computed on the GPU.
struct GpuEvaluation {
  std::vector<core::MetricSums> parts;       ///< for core::finish_metrics
  std::vector<unsigned long long> err, rel;  ///< histogram counts, `bins` each
  std::vector<unsigned long long> scaled;    ///< empty when the recipe gives no codes
};

/// Copies the tensor (seen as rows x cols) in, quantizes and dequantizes it to FP32 on the
/// device (fake-quantizes for the unclamped 4/6 reference cast, which has no codes), then the
/// metric sums and the histograms; only those come back. Throws as kernels/quantize.hpp does.
GpuEvaluation gpu_evaluate(const formats::Recipe& recipe, const core::TensorView& x, double inv_rms, int bins);

}  // namespace fp4lab::kernels
