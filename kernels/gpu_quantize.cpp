// Host drivers of the GPU quantizer (kernels/quantize.hpp): copy a host tensor in, run amax
// and quantize (or fake-quantize, or dequantize) on the device, copy the results back.
#include <cuda_runtime.h>

#include <vector>

#include "kernels/block_quantize.hpp"
#include "kernels/quantize.hpp"

namespace fp4lab::kernels {
namespace {

bool check(cudaError_t e, const char* what, std::string& error) {
  if (e == cudaSuccess) return true;
  error = std::string(what) + ": " + cudaGetErrorString(e);
  return false;
}

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
    if (!check(cudaMalloc(&p, bytes ? bytes : 1), "cudaMalloc", error)) return false;
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
  if (!check(cudaMemcpy(*dx, host, bytes, cudaMemcpyHostToDevice), "copy in", error)) return false;
  if (!formats::uses_tensor_scale(recipe)) {
    *damax = nullptr;
    return true;
  }
  return amax_async(*dx, dtype, n, *damax, nullptr, error);
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
  if (!mem.alloc(&dq.codes, shape.code_bytes, error) || !mem.alloc(&dq.tensor_scale, sizeof(formats::TensorScale), error)) {
    return false;
  }
  const bool int4 = recipe.format == formats::BlockFormat::kINT4;
  if (int4) {
    if (!mem.alloc(&dq.group_scales, shape.group_count * sizeof(float), error) ||
        !mem.alloc(&dq.zero_points, shape.group_count, error)) {
      return false;
    }
  } else if (!mem.alloc(&dq.scales, shape.scale_bytes, error)) {
    return false;
  }
  if (!quantize_async(recipe, layout, dx, dtype, rows, cols, damax, dq, nullptr, error)) return false;
  if (!check(cudaDeviceSynchronize(), "quantize", error)) return false;
  out = GpuQuantized{};
  out.recipe = recipe;
  out.layout = layout;
  out.shape = shape;
  out.codes.resize(shape.code_bytes);
  out.scales.resize(shape.scale_bytes);
  out.group_scales.resize(shape.group_count);
  out.zero_points.resize(shape.group_count);
  bool ok = check(cudaMemcpy(out.codes.data(), dq.codes, shape.code_bytes, cudaMemcpyDeviceToHost), "copy out", error) &&
            check(cudaMemcpy(&out.tensor_scale, dq.tensor_scale, sizeof(formats::TensorScale), cudaMemcpyDeviceToHost),
                  "copy out", error);
  if (ok && int4) {
    ok = check(cudaMemcpy(out.group_scales.data(), dq.group_scales, shape.group_count * sizeof(float),
                          cudaMemcpyDeviceToHost),
               "copy out", error) &&
         check(cudaMemcpy(out.zero_points.data(), dq.zero_points, shape.group_count, cudaMemcpyDeviceToHost), "copy out",
               error);
  } else if (ok) {
    ok = check(cudaMemcpy(out.scales.data(), dq.scales, shape.scale_bytes, cudaMemcpyDeviceToHost), "copy out", error);
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
  if (!check(cudaDeviceSynchronize(), what, error)) return false;
  out.resize(out_bytes);
  return check(cudaMemcpy(out.data(), dout, out_bytes, cudaMemcpyDeviceToHost), "copy out", error);
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
  const bool int4 = q.recipe.format == formats::BlockFormat::kINT4;
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
            check(cudaMemcpy(dq.codes, q.codes.data(), shape.code_bytes, cudaMemcpyHostToDevice), "copy in", error) &&
            check(cudaMemcpy(dq.tensor_scale, &q.tensor_scale, sizeof(formats::TensorScale), cudaMemcpyHostToDevice),
                  "copy in", error);
  if (ok && int4) {
    ok = mem.alloc(&dq.group_scales, shape.group_count * sizeof(float), error) &&
         mem.alloc(&dq.zero_points, shape.group_count, error) &&
         check(cudaMemcpy(dq.group_scales, q.group_scales.data(), shape.group_count * sizeof(float),
                          cudaMemcpyHostToDevice),
               "copy in", error) &&
         check(cudaMemcpy(dq.zero_points, q.zero_points.data(), shape.group_count, cudaMemcpyHostToDevice), "copy in",
               error);
  } else if (ok) {
    ok = mem.alloc(&dq.scales, shape.scale_bytes, error) &&
         check(cudaMemcpy(dq.scales, q.scales.data(), shape.scale_bytes, cudaMemcpyHostToDevice), "copy in", error);
  }
  if (!ok) return false;
  if (!dequantize_async(q.recipe, q.layout, shape.rows, shape.cols, dq, dout, out_dtype, nullptr, error)) return false;
  if (!check(cudaDeviceSynchronize(), "dequantize", error)) return false;
  out.resize(out_bytes);
  return check(cudaMemcpy(out.data(), dout, out_bytes, cudaMemcpyDeviceToHost), "copy out", error);
}

}  // namespace fp4lab::kernels
