// Host API of the GPU whole-tensor quantizer (the twin of core::quantize, FORMATS.md §2-7) over
// core's types: amax, quantize, dequantize and fake-quantize of 2-D row-major tensors, bit for bit
// as the CPU. No CUDA types: device buffers are plain pointers, a stream is a cudaStream_t as void*.
#pragma once

#include <cstdint>
#include <string>

#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/tensor.hpp"
#include "formats/block.hpp"
#include "formats/layout.hpp"
#include "formats/simulate.hpp"

namespace fp4lab::kernels {

// Every call throws std::invalid_argument for bad input (unsupported recipe, empty tensor, null
// buffer) and std::runtime_error for CUDA failures (no device included), with the message the
// caller shows.

/// Why the GPU path cannot run a recipe (empty when it can): the checks of
/// core::validate_recipe plus the GPU's own limits (no RHT; 2-D tiles up to 16x16).
std::string gpu_unsupported_reason(const formats::Recipe& recipe);

/// Device buffers of one quantized tensor (sizes from core::quantized_sizes). `tensor_scale`
/// may be null; `group_scales`/`zero_points` are used by grouped INT4 only.
struct DeviceQuantized {
  std::uint8_t* codes = nullptr;
  std::uint8_t* scales = nullptr;
  float* group_scales = nullptr;
  std::uint8_t* zero_points = nullptr;
  formats::TensorScale* tensor_scale = nullptr;
};

/// Writes max |x| over n device elements (NaN ignored) as float bits to *amax_bits (device),
/// which it zeroes first. Order independent: the result never depends on the schedule.
void amax_async(const void* x, core::DType dtype, std::int64_t n, std::uint32_t* amax_bits, void* stream);

/// Quantizes a device tensor. amax_bits (device, from amax_async) is read when the recipe
/// uses a tensor scale, and may be null otherwise; the tensor scale is derived on the device.
void quantize_async(const formats::Recipe& recipe, formats::ScaleLayout layout, const void* x, core::DType dtype,
                    std::int64_t rows, std::int64_t cols, const std::uint32_t* amax_bits,
                    const DeviceQuantized& out, void* stream);

/// Quantize + dequantize into `out` (rows x cols of out_dtype), like core::fake_quantize.
void fake_quantize_async(const formats::Recipe& recipe, const void* x, core::DType dtype, std::int64_t rows,
                         std::int64_t cols, const std::uint32_t* amax_bits, void* out, core::DType out_dtype,
                         void* stream);

/// Simulated fake-quantization (thresholded, or scales/values kept in high precision;
/// FORMATS.md §8) into `out`, like core::simulate_quantize: NVFP4 te and 4/6, 1-D blocks.
void simulate_quantize_async(const formats::Recipe& recipe, const formats::SimulateOptions& options,
                             const void* x, core::DType dtype, std::int64_t rows, std::int64_t cols,
                             const std::uint32_t* amax_bits, void* out, core::DType out_dtype, void* stream);

/// Dequantizes device codes and scales (tensor scale read from device memory) into `out`.
void dequantize_async(const formats::Recipe& recipe, formats::ScaleLayout layout, std::int64_t rows,
                      std::int64_t cols, const DeviceQuantized& in, void* out, core::DType out_dtype,
                      void* stream);

/// Copies a host tensor (seen as rows x cols, core::TensorView) to the GPU, runs amax +
/// quantize there, and copies the result back: every field of core::QuantizedTensor but
/// `nonfinite` (0) and `records` (empty).
core::QuantizedTensor gpu_quantize(const formats::Recipe& recipe, formats::ScaleLayout layout,
                                   const core::TensorView& x);

/// Fake-quantizes a host tensor on the GPU into a tensor of x's shape and `out_dtype`.
core::Tensor gpu_fake_quantize(const formats::Recipe& recipe, const core::TensorView& x, core::DType out_dtype);

/// Simulated fake-quantization of a host tensor on the GPU, x's shape, `out_dtype`.
core::Tensor gpu_simulate_quantize(const formats::Recipe& recipe, const formats::SimulateOptions& options,
                                   const core::TensorView& x, core::DType out_dtype);

/// Dequantizes a host-side quantized tensor on the GPU into q.shape elements of out_dtype.
core::Tensor gpu_dequantize(const core::QuantizedTensor& q, core::DType out_dtype);

}  // namespace fp4lab::kernels
