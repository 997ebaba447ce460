// Host drivers of the GPU quantizer (kernels/quantize.hpp): copy a host tensor in, run amax
// and quantize (or fake-quantize, or dequantize) on the device, copy the results back.
#include <cuda_runtime.h>

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
  /// Allocates `bytes` (at least 1) into *out; false with a message on failure.
  template <class T>
  bool alloc(T** out, std::size_t bytes, std::string& error) {
    void* p = nullptr;
    if (!cuda_check(cudaMalloc(&p, bytes ? bytes : 1), "cudaMalloc", error)) return false;
    ptrs_.push_back(p);
    *out = static_cast<T*>(p);
    return true;
  }

 private:
  std::vector<void*> ptrs_;
};

/// The common start: a device, a supported recipe and a non-empty shape.
bool preflight(const formats::Recipe& recipe, std::int64_t rows, std::int64_t cols, const void* host,
               std::string& error) {
  if (device_count() == 0) {
    error = "no CUDA device";
    return false;
  }
  error = gpu_unsupported_reason(recipe);
  if (!error.empty()) return false;
  if (rows <= 0 || cols <= 0 || host == nullptr) {
    error = "empty tensor or null host pointer (" + std::to_string(rows) + " x " + std::to_string(cols) + ")";
    return false;
  }
  return true;
}

/// Copies the input to the device and runs amax there when the recipe has a tensor scale.
bool upload_and_amax(const formats::Recipe& recipe, GpuDType dtype, const void* host, std::int64_t n,
                     DeviceBuffers& mem, void** dx, std::uint32_t** damax, std::string& error) {
  const std::size_t bytes = static_cast<std::size_t>(n) * gpu_dtype_size(dtype);
  if (!mem.alloc(dx, bytes, error) || !mem.alloc(damax, sizeof(std::uint32_t), error)) return false;
  if (!cuda_check(cudaMemcpy(*dx, host, bytes, cudaMemcpyHostToDevice), "copy in", error)) return false;
  if (!formats::uses_tensor_scale(recipe)) {
    *damax = nullptr;
    return true;
  }
  return amax_async(*dx, dtype, n, *damax, nullptr, error);
}

/// Device buffers for one quantized tensor of `shape` (codes, tensor scale, 8-bit scales or
/// grouped INT4 scales and zero points).
bool alloc_quantized(const formats::Recipe& recipe, const QuantizedShape& shape, DeviceBuffers& mem,
                     DeviceQuantized& dq, std::string& error) {
  if (!mem.alloc(&dq.codes, shape.code_bytes, error) || !mem.alloc(&dq.tensor_scale, sizeof(formats::TensorScale), error)) {
    return false;
  }
  if (!formats::stores_scale_codes(recipe.format)) {
    return mem.alloc(&dq.group_scales, shape.group_count * sizeof(float), error) &&
           mem.alloc(&dq.zero_points, shape.group_count, error);
  }
  return mem.alloc(&dq.scales, shape.scale_bytes, error);
}

}  // namespace

bool gpu_quantize(const formats::Recipe& recipe, formats::ScaleLayout layout, GpuDType dtype, const void* host_data,
                  std::int64_t rows, std::int64_t cols, GpuQuantized& out, std::string& error) {
  if (!preflight(recipe, rows, cols, host_data, error)) return false;
  DeviceBuffers mem;
  void* dx = nullptr;
  std::uint32_t* damax = nullptr;
  if (!upload_and_amax(recipe, dtype, host_data, rows * cols, mem, &dx, &damax, error)) return false;
  const QuantizedShape shape = quantized_shape(recipe, layout, rows, cols);
  DeviceQuantized dq;
  if (!alloc_quantized(recipe, shape, mem, dq, error)) return false;
  const bool int4 = !formats::stores_scale_codes(recipe.format);
  if (!quantize_async(recipe, layout, dx, dtype, rows, cols, damax, dq, nullptr, error)) return false;
  if (!cuda_check(cudaDeviceSynchronize(), "quantize", error)) return false;
  out = GpuQuantized{};
  out.recipe = recipe;
  out.layout = layout;
  out.shape = shape;
  out.codes.resize(shape.code_bytes);
  out.scales.resize(shape.scale_bytes);
  out.group_scales.resize(shape.group_count);
  out.zero_points.resize(shape.group_count);
  bool ok = cuda_check(cudaMemcpy(out.codes.data(), dq.codes, shape.code_bytes, cudaMemcpyDeviceToHost), "copy out", error) &&
            cuda_check(cudaMemcpy(&out.tensor_scale, dq.tensor_scale, sizeof(formats::TensorScale), cudaMemcpyDeviceToHost),
                  "copy out", error);
  if (ok && int4) {
    ok = cuda_check(cudaMemcpy(out.group_scales.data(), dq.group_scales, shape.group_count * sizeof(float),
                          cudaMemcpyDeviceToHost),
               "copy out", error) &&
         cuda_check(cudaMemcpy(out.zero_points.data(), dq.zero_points, shape.group_count, cudaMemcpyDeviceToHost), "copy out",
               error);
  } else if (ok) {
    ok = cuda_check(cudaMemcpy(out.scales.data(), dq.scales, shape.scale_bytes, cudaMemcpyDeviceToHost), "copy out", error);
  }
  return ok;
}

namespace {

/// Uploads the input, runs amax when the recipe needs it, then `launch(dx, damax, dout)` into a
/// rows x cols out_dtype device buffer, and copies that back to `out`.
template <class Launch>
bool values_on_gpu(const formats::Recipe& recipe, GpuDType dtype, const void* host_data, std::int64_t rows,
                   std::int64_t cols, GpuDType out_dtype, std::vector<std::uint8_t>& out, std::string& error,
                   const char* what, Launch launch) {
  if (!preflight(recipe, rows, cols, host_data, error)) return false;
  DeviceBuffers mem;
  void* dx = nullptr;
  std::uint32_t* damax = nullptr;
  if (!upload_and_amax(recipe, dtype, host_data, rows * cols, mem, &dx, &damax, error)) return false;
  const std::size_t out_bytes = static_cast<std::size_t>(rows * cols) * gpu_dtype_size(out_dtype);
  void* dout = nullptr;
  if (!mem.alloc(&dout, out_bytes, error)) return false;
  if (!launch(dx, damax, dout)) return false;
  if (!cuda_check(cudaDeviceSynchronize(), what, error)) return false;
  out.resize(out_bytes);
  return cuda_check(cudaMemcpy(out.data(), dout, out_bytes, cudaMemcpyDeviceToHost), "copy out", error);
}

}  // namespace

bool gpu_fake_quantize(const formats::Recipe& recipe, GpuDType dtype, const void* host_data, std::int64_t rows,
                       std::int64_t cols, GpuDType out_dtype, std::vector<std::uint8_t>& out, std::string& error) {
  return values_on_gpu(recipe, dtype, host_data, rows, cols, out_dtype, out, error, "fake quantize",
                       [&](const void* dx, const std::uint32_t* damax, void* dout) {
                         return fake_quantize_async(recipe, dx, dtype, rows, cols, damax, dout, out_dtype, nullptr,
                                                    error);
                       });
}

bool gpu_simulate_quantize(const formats::Recipe& recipe, const formats::SimulateOptions& options, GpuDType dtype,
                           const void* host_data, std::int64_t rows, std::int64_t cols, GpuDType out_dtype,
                           std::vector<std::uint8_t>& out, std::string& error) {
  return values_on_gpu(recipe, dtype, host_data, rows, cols, out_dtype, out, error, "simulate quantize",
                       [&](const void* dx, const std::uint32_t* damax, void* dout) {
                         return simulate_quantize_async(recipe, options, dx, dtype, rows, cols, damax, dout,
                                                        out_dtype, nullptr, error);
                       });
}

bool gpu_dequantize(const GpuQuantized& q, GpuDType out_dtype, std::vector<std::uint8_t>& out, std::string& error) {
  if (!preflight(q.recipe, q.shape.rows, q.shape.cols, q.codes.data(), error)) return false;
  const QuantizedShape shape = quantized_shape(q.recipe, q.layout, q.shape.rows, q.shape.cols);
  const bool int4 = !formats::stores_scale_codes(q.recipe.format);
  if (q.codes.size() != shape.code_bytes || (!int4 && q.scales.size() != shape.scale_bytes) ||
      (int4 && (q.group_scales.size() != shape.group_count || q.zero_points.size() != shape.group_count))) {
    error = "gpu_dequantize: buffer sizes do not match the recipe and shape";
    return false;
  }
  DeviceBuffers mem;
  DeviceQuantized dq;
  void* dout = nullptr;
  const std::size_t out_bytes = static_cast<std::size_t>(shape.rows * shape.cols) * gpu_dtype_size(out_dtype);
  bool ok = mem.alloc(&dq.codes, shape.code_bytes, error) &&
            mem.alloc(&dq.tensor_scale, sizeof(formats::TensorScale), error) && mem.alloc(&dout, out_bytes, error) &&
            cuda_check(cudaMemcpy(dq.codes, q.codes.data(), shape.code_bytes, cudaMemcpyHostToDevice), "copy in", error) &&
            cuda_check(cudaMemcpy(dq.tensor_scale, &q.tensor_scale, sizeof(formats::TensorScale), cudaMemcpyHostToDevice),
                  "copy in", error);
  if (ok && int4) {
    ok = mem.alloc(&dq.group_scales, shape.group_count * sizeof(float), error) &&
         mem.alloc(&dq.zero_points, shape.group_count, error) &&
         cuda_check(cudaMemcpy(dq.group_scales, q.group_scales.data(), shape.group_count * sizeof(float),
                          cudaMemcpyHostToDevice),
               "copy in", error) &&
         cuda_check(cudaMemcpy(dq.zero_points, q.zero_points.data(), shape.group_count, cudaMemcpyHostToDevice), "copy in",
               error);
  } else if (ok) {
    ok = mem.alloc(&dq.scales, shape.scale_bytes, error) &&
         cuda_check(cudaMemcpy(dq.scales, q.scales.data(), shape.scale_bytes, cudaMemcpyHostToDevice), "copy in", error);
  }
  if (!ok) return false;
  if (!dequantize_async(q.recipe, q.layout, shape.rows, shape.cols, dq, dout, out_dtype, nullptr, error)) return false;
  if (!cuda_check(cudaDeviceSynchronize(), "dequantize", error)) return false;
  out.resize(out_bytes);
  return cuda_check(cudaMemcpy(out.data(), dout, out_bytes, cudaMemcpyDeviceToHost), "copy out", error);
}

bool gpu_evaluate(const formats::Recipe& recipe, GpuDType dtype, const void* host_data, std::int64_t rows,
                  std::int64_t cols, double inv_rms, int bins, GpuEvaluation& out, std::string& error) {
  if (!preflight(recipe, rows, cols, host_data, error)) return false;
  DeviceBuffers mem;
  void* dx = nullptr;
  std::uint32_t* damax = nullptr;
  if (!upload_and_amax(recipe, dtype, host_data, rows * cols, mem, &dx, &damax, error)) return false;
  float* dq_values = nullptr;
  if (!mem.alloc(&dq_values, static_cast<std::size_t>(rows * cols) * sizeof(float), error)) return false;
  // codes exist unless the recipe is the unclamped reference cast (as in `compare`)
  const bool has_codes = recipe.overflow == formats::Fp4Overflow::kSaturate;
  const formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor;
  DeviceQuantized dq;
  if (has_codes) {
    const QuantizedShape shape = quantized_shape(recipe, layout, rows, cols);
    if (!alloc_quantized(recipe, shape, mem, dq, error) ||
        !quantize_async(recipe, layout, dx, dtype, rows, cols, damax, dq, nullptr, error) ||
        !dequantize_async(recipe, layout, rows, cols, dq, dq_values, GpuDType::kF32, nullptr, error)) {
      return false;
    }
  } else if (!fake_quantize_async(recipe, dx, dtype, rows, cols, damax, dq_values, GpuDType::kF32, nullptr, error)) {
    return false;
  }
  const std::int64_t nchunks = metric_chunk_count(rows, cols, recipe.block_size);
  core::MetricSums* dparts = nullptr;
  unsigned long long* dcounts = nullptr;
  const std::size_t nbins = 3 * static_cast<std::size_t>(bins);
  if (!mem.alloc(&dparts, static_cast<std::size_t>(nchunks) * sizeof(core::MetricSums), error) ||
      !mem.alloc(&dcounts, nbins * sizeof(unsigned long long), error) ||
      !cuda_check(cudaMemset(dcounts, 0, nbins * sizeof(unsigned long long)), "histogram reset", error)) {
    return false;
  }
  HistogramSetup setup;
  setup.inv_rms = inv_rms;
  setup.bins = bins;
  setup.recipe = recipe;
  setup.layout = layout;
  setup.q = has_codes ? &dq : nullptr;
  if (!metric_sums_async(dx, dtype, dq_values, rows, cols, recipe.block_size, dparts, nullptr, error) ||
      !histograms_async(dx, dtype, dq_values, rows, cols, setup, dcounts, nullptr, error) ||
      !cuda_check(cudaDeviceSynchronize(), "metrics and histograms", error)) {
    return false;
  }
  out = GpuEvaluation{};
  out.parts.resize(static_cast<std::size_t>(nchunks));
  std::vector<unsigned long long> counts(nbins);
  if (!cuda_check(cudaMemcpy(out.parts.data(), dparts, out.parts.size() * sizeof(core::MetricSums), cudaMemcpyDeviceToHost),
             "copy out", error) ||
      !cuda_check(cudaMemcpy(counts.data(), dcounts, nbins * sizeof(unsigned long long), cudaMemcpyDeviceToHost), "copy out",
             error)) {
    return false;
  }
  out.err.assign(counts.begin(), counts.begin() + bins);
  out.rel.assign(counts.begin() + bins, counts.begin() + 2 * bins);
  if (has_codes) out.scaled.assign(counts.begin() + 2 * bins, counts.end());
  return true;
}

}  // namespace fp4lab::kernels
