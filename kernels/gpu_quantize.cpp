// Host drivers of the GPU quantizer (kernels/quantize.hpp): copy a host tensor in, run amax
// and quantize (or fake-quantize, or dequantize) on the device, copy the results back.
#include <cuda_runtime.h>

#include <stdexcept>
#include <vector>

#include "kernels/block_quantize.hpp"
#include "kernels/cuda_check.hpp"
#include "kernels/metrics.hpp"
#include "kernels/quantize.hpp"

namespace fp4lab::kernels {
namespace {

/// Device allocations freed on scope exit.
class DeviceBuffers {
 public:
  DeviceBuffers() = default;
  DeviceBuffers(const DeviceBuffers&) = delete;
  DeviceBuffers& operator=(const DeviceBuffers&) = delete;
  ~DeviceBuffers() {
    for (void* p : ptrs_) cudaFree(p);
  }
  /// Allocates `bytes` (at least 1); throws std::runtime_error on failure.
  template <class T>
  T* alloc(std::size_t bytes) {
    void* p = nullptr;
    cuda_check(cudaMalloc(&p, bytes ? bytes : 1), "cudaMalloc");
    ptrs_.push_back(p);
    return static_cast<T*>(p);
  }

 private:
  std::vector<void*> ptrs_;
};

/// The common start: a device, a supported recipe and a non-empty shape.
void preflight(const formats::Recipe& recipe, std::int64_t rows, std::int64_t cols,
               const void* host) {
  if (device_count() == 0) throw std::runtime_error("no CUDA device");
  const std::string why = gpu_unsupported_reason(recipe);
  if (!why.empty()) throw std::invalid_argument(why);
  if (rows <= 0 || cols <= 0 || host == nullptr) {
    throw std::invalid_argument("empty tensor or null host pointer (" + std::to_string(rows) +
                                " x " + std::to_string(cols) + ")");
  }
}

void copy_in(void* device, const void* host, std::size_t bytes) {
  cuda_check(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice), "copy in");
}
void copy_out(void* host, const void* device, std::size_t bytes) {
  cuda_check(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost), "copy out");
}

/// The input on the device, and its amax bits (null when the recipe has no tensor scale).
struct Uploaded {
  void* x = nullptr;
  std::uint32_t* amax = nullptr;
};

/// Copies the input to the device and runs amax there when the recipe has a tensor scale.
Uploaded upload_and_amax(const formats::Recipe& recipe, const core::TensorView& x,
                         DeviceBuffers& mem) {
  const std::size_t bytes = static_cast<std::size_t>(x.numel()) * core::dtype_size(x.dtype());
  Uploaded u;
  u.x = mem.alloc<void>(bytes);
  u.amax = mem.alloc<std::uint32_t>(sizeof(std::uint32_t));
  copy_in(u.x, x.data(), bytes);
  if (!formats::uses_tensor_scale(recipe)) {
    u.amax = nullptr;
    return u;
  }
  amax_async(u.x, x.dtype(), x.numel(), u.amax, nullptr);
  return u;
}

/// Device buffers for one quantized tensor of `shape` (codes, tensor scale, 8-bit scales or
/// grouped INT4 scales and zero points).
DeviceQuantized alloc_quantized(const formats::Recipe& recipe, const core::QuantizedSizes& shape,
                                DeviceBuffers& mem) {
  DeviceQuantized dq;
  dq.codes = mem.alloc<std::uint8_t>(shape.code_bytes);
  dq.tensor_scale = mem.alloc<formats::TensorScale>(sizeof(formats::TensorScale));
  if (!formats::stores_scale_codes(recipe.format)) {
    dq.group_scales = mem.alloc<float>(shape.group_count * sizeof(float));
    dq.zero_points = mem.alloc<std::uint8_t>(shape.group_count);
  } else {
    dq.scales = mem.alloc<std::uint8_t>(shape.scale_bytes);
  }
  return dq;
}

}  // namespace

core::QuantizedTensor gpu_quantize(const formats::Recipe& recipe, formats::ScaleLayout layout,
                                   const core::TensorView& x) {
  const std::int64_t rows = x.rows(), cols = x.cols();
  preflight(recipe, rows, cols, x.data());
  DeviceBuffers mem;
  const Uploaded in = upload_and_amax(recipe, x, mem);
  const core::QuantizedSizes shape = core::quantized_sizes(recipe, layout, rows, cols);
  const DeviceQuantized dq = alloc_quantized(recipe, shape, mem);
  quantize_async(recipe, layout, in.x, x.dtype(), rows, cols, in.amax, dq, nullptr);
  cuda_check(cudaDeviceSynchronize(), "quantize");
  core::QuantizedTensor out;
  out.recipe = recipe;
  out.layout = layout;
  out.shape = x.shape();
  out.rows = shape.rows;
  out.cols = shape.cols;
  out.padded_cols = shape.padded_cols;
  out.scale_cols = shape.scale_cols;
  out.codes.resize(shape.code_bytes);
  out.scales.resize(shape.scale_bytes);
  out.group_scales.resize(shape.group_count);
  out.zero_points.resize(shape.group_count);
  copy_out(out.codes.data(), dq.codes, shape.code_bytes);
  copy_out(&out.tensor_scale, dq.tensor_scale, sizeof(formats::TensorScale));
  if (!formats::stores_scale_codes(recipe.format)) {
    copy_out(out.group_scales.data(), dq.group_scales, shape.group_count * sizeof(float));
    copy_out(out.zero_points.data(), dq.zero_points, shape.group_count);
  } else {
    copy_out(out.scales.data(), dq.scales, shape.scale_bytes);
  }
  return out;
}

namespace {

/// Uploads the input, runs amax when the recipe needs it, then `launch(dx, damax, dout)` into a
/// device buffer of x's shape and out_dtype, and copies that back.
template <class Launch>
core::Tensor values_on_gpu(const formats::Recipe& recipe, const core::TensorView& x,
                           core::DType out_dtype, const char* what, Launch launch) {
  preflight(recipe, x.rows(), x.cols(), x.data());
  DeviceBuffers mem;
  const Uploaded in = upload_and_amax(recipe, x, mem);
  core::Tensor out(out_dtype, x.shape());
  void* dout = mem.alloc<void>(out.size_bytes());
  launch(in.x, in.amax, dout);
  cuda_check(cudaDeviceSynchronize(), what);
  copy_out(out.data(), dout, out.size_bytes());
  return out;
}

}  // namespace

core::Tensor gpu_fake_quantize(const formats::Recipe& recipe, const core::TensorView& x,
                               core::DType out_dtype) {
  return values_on_gpu(recipe, x, out_dtype, "fake quantize",
                       [&](const void* dx, const std::uint32_t* damax, void* dout) {
                         fake_quantize_async(recipe, dx, x.dtype(), x.rows(), x.cols(), damax, dout,
                                             out_dtype, nullptr);
                       });
}

core::Tensor gpu_simulate_quantize(const formats::Recipe& recipe,
                                   const formats::SimulateOptions& options,
                                   const core::TensorView& x, core::DType out_dtype) {
  return values_on_gpu(recipe, x, out_dtype, "simulate quantize",
                       [&](const void* dx, const std::uint32_t* damax, void* dout) {
                         simulate_quantize_async(recipe, options, dx, x.dtype(), x.rows(), x.cols(),
                                                 damax, dout, out_dtype, nullptr);
                       });
}

core::Tensor gpu_dequantize(const core::QuantizedTensor& q, core::DType out_dtype) {
  preflight(q.recipe, q.rows, q.cols, q.codes.data());
  const core::QuantizedSizes shape = core::quantized_sizes(q.recipe, q.layout, q.rows, q.cols);
  const bool int4 = !formats::stores_scale_codes(q.recipe.format);
  if (q.codes.size() != shape.code_bytes || (!int4 && q.scales.size() != shape.scale_bytes) ||
      (int4 &&
       (q.group_scales.size() != shape.group_count || q.zero_points.size() != shape.group_count))) {
    throw std::invalid_argument("gpu_dequantize: buffer sizes do not match the recipe and shape");
  }
  core::Tensor out(out_dtype, q.shape);
  if (out.numel() != q.rows * q.cols) {
    throw std::invalid_argument("gpu_dequantize: shape " + core::shape_string(q.shape) +
                                " is not " + std::to_string(q.rows) + " x " +
                                std::to_string(q.cols));
  }
  DeviceBuffers mem;
  DeviceQuantized dq = alloc_quantized(q.recipe, shape, mem);
  void* dout = mem.alloc<void>(out.size_bytes());
  copy_in(dq.codes, q.codes.data(), shape.code_bytes);
  copy_in(dq.tensor_scale, &q.tensor_scale, sizeof(formats::TensorScale));
  if (int4) {
    copy_in(dq.group_scales, q.group_scales.data(), shape.group_count * sizeof(float));
    copy_in(dq.zero_points, q.zero_points.data(), shape.group_count);
  } else {
    copy_in(dq.scales, q.scales.data(), shape.scale_bytes);
  }
  dequantize_async(q.recipe, q.layout, shape.rows, shape.cols, dq, dout, out_dtype, nullptr);
  cuda_check(cudaDeviceSynchronize(), "dequantize");
  copy_out(out.data(), dout, out.size_bytes());
  return out;
}

GpuEvaluation gpu_evaluate(const formats::Recipe& recipe, const core::TensorView& x, double inv_rms,
                           int bins) {
  const std::int64_t rows = x.rows(), cols = x.cols();
  preflight(recipe, rows, cols, x.data());
  DeviceBuffers mem;
  const Uploaded in = upload_and_amax(recipe, x, mem);
  float* dq_values = mem.alloc<float>(static_cast<std::size_t>(rows * cols) * sizeof(float));
  // codes exist unless the recipe is the unclamped reference cast (as in `compare`)
  const bool has_codes = recipe.overflow == formats::Fp4Overflow::kSaturate;
  const formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor;
  DeviceQuantized dq;
  if (has_codes) {
    dq = alloc_quantized(recipe, core::quantized_sizes(recipe, layout, rows, cols), mem);
    quantize_async(recipe, layout, in.x, x.dtype(), rows, cols, in.amax, dq, nullptr);
    dequantize_async(recipe, layout, rows, cols, dq, dq_values, core::DType::kF32, nullptr);
  } else {
    fake_quantize_async(recipe, in.x, x.dtype(), rows, cols, in.amax, dq_values, core::DType::kF32,
                        nullptr);
  }
  const std::int64_t nchunks = metric_chunk_count(rows, cols, recipe.block_size);
  const std::size_t nbins = 3 * static_cast<std::size_t>(bins);
  auto* dparts =
      mem.alloc<core::MetricSums>(static_cast<std::size_t>(nchunks) * sizeof(core::MetricSums));
  auto* dcounts = mem.alloc<unsigned long long>(nbins * sizeof(unsigned long long));
  cuda_check(cudaMemset(dcounts, 0, nbins * sizeof(unsigned long long)), "histogram reset");
  HistogramSetup setup;
  setup.inv_rms = inv_rms;
  setup.bins = bins;
  setup.recipe = recipe;
  setup.layout = layout;
  setup.q = has_codes ? &dq : nullptr;
  metric_sums_async(in.x, x.dtype(), dq_values, rows, cols, recipe.block_size, dparts, nullptr);
  histograms_async(in.x, x.dtype(), dq_values, rows, cols, setup, dcounts, nullptr);
  cuda_check(cudaDeviceSynchronize(), "metrics and histograms");
  GpuEvaluation out;
  out.parts.resize(static_cast<std::size_t>(nchunks));
  std::vector<unsigned long long> counts(nbins);
  copy_out(out.parts.data(), dparts, out.parts.size() * sizeof(core::MetricSums));
  copy_out(counts.data(), dcounts, nbins * sizeof(unsigned long long));
  out.err.assign(counts.begin(), counts.begin() + bins);
  out.rel.assign(counts.begin() + bins, counts.begin() + 2 * bins);
  if (has_codes) out.scaled.assign(counts.begin() + 2 * bins, counts.end());
  return out;
}

}  // namespace fp4lab::kernels
