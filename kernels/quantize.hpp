// Host API of the GPU whole-tensor quantizer (the twin of core::quantize, FORMATS.md §2-7):
// amax, quantize, dequantize and fake-quantize of 2-D row-major tensors, bit for bit as the CPU.
// No CUDA types here: device buffers are plain pointers, a stream is a cudaStream_t as void*.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "formats/block.hpp"
#include "formats/layout.hpp"
#include "formats/simulate.hpp"

namespace fp4lab::kernels {

/// Element type of a GPU input or output; the same three, in the same order, as core::DType.
enum class GpuDType : std::uint8_t { kF32, kBF16, kF16 };

/// Bytes per element of a GpuDType.
std::size_t gpu_dtype_size(GpuDType d);

/// Sizes of a quantized rows x cols tensor, computed as core::quantize does.
struct QuantizedShape {
  std::int64_t rows = 0, cols = 0;
  std::int64_t padded_cols = 0;  ///< cols rounded up to the block size
  std::int64_t scale_cols = 0;   ///< padded_cols / block_size
  std::size_t code_bytes = 0;    ///< rows * padded_cols / 2
  std::size_t scale_bytes = 0;   ///< 8-bit scales in the layout, padding included (0 for INT4)
  std::size_t group_count = 0;   ///< grouped INT4: rows * scale_cols FP32 scales and zero points
};

/// The sizes of quantizing a rows x cols tensor with a recipe into a scale layout.
QuantizedShape quantized_shape(const formats::Recipe& recipe, formats::ScaleLayout layout,
                               std::int64_t rows, std::int64_t cols);

/// Why the GPU path cannot run a recipe (empty when it can): the checks of
/// core::validate_recipe plus the GPU's own limits (no RHT; 2-D tiles up to 16x16).
std::string gpu_unsupported_reason(const formats::Recipe& recipe);

/// Device buffers of one quantized tensor (sizes from quantized_shape). `tensor_scale` may be
/// null; `group_scales`/`zero_points` are used by grouped INT4 only.
struct DeviceQuantized {
  std::uint8_t* codes = nullptr;
  std::uint8_t* scales = nullptr;
  float* group_scales = nullptr;
  std::uint8_t* zero_points = nullptr;
  formats::TensorScale* tensor_scale = nullptr;
};

/// Writes max |x| over n device elements (NaN ignored) as float bits to *amax_bits (device),
/// which it zeroes first. Order independent: the result never depends on the schedule.
bool amax_async(const void* x, GpuDType dtype, std::int64_t n, std::uint32_t* amax_bits,
                void* stream, std::string& error);

/// Quantizes a device tensor. amax_bits (device, from amax_async) is read when the recipe
/// uses a tensor scale, and may be null otherwise; the tensor scale is derived on the device.
bool quantize_async(const formats::Recipe& recipe, formats::ScaleLayout layout, const void* x,
                    GpuDType dtype, std::int64_t rows, std::int64_t cols,
                    const std::uint32_t* amax_bits, const DeviceQuantized& out, void* stream,
                    std::string& error);

/// Quantize + dequantize into `out` (rows x cols of out_dtype), like core::fake_quantize.
bool fake_quantize_async(const formats::Recipe& recipe, const void* x, GpuDType dtype,
                         std::int64_t rows, std::int64_t cols, const std::uint32_t* amax_bits,
                         void* out, GpuDType out_dtype, void* stream, std::string& error);

/// Simulated fake-quantization (thresholded, or scales/values kept in high precision;
/// FORMATS.md §8) into `out`, like core::simulate_quantize: NVFP4 te and 4/6, 1-D blocks.
bool simulate_quantize_async(const formats::Recipe& recipe, const formats::SimulateOptions& options,
                             const void* x, GpuDType dtype, std::int64_t rows, std::int64_t cols,
                             const std::uint32_t* amax_bits, void* out, GpuDType out_dtype,
                             void* stream, std::string& error);

/// Dequantizes device codes and scales (tensor scale read from device memory) into `out`.
bool dequantize_async(const formats::Recipe& recipe, formats::ScaleLayout layout,
                      std::int64_t rows, std::int64_t cols, const DeviceQuantized& in,
                      void* out, GpuDType out_dtype, void* stream, std::string& error);

/// A quantized tensor copied back to the host (the fields of core::QuantizedTensor).
struct GpuQuantized {
  formats::Recipe recipe;
  formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor;
  QuantizedShape shape;
  std::vector<std::uint8_t> codes;         ///< rows x padded_cols/2, two codes per byte
  std::vector<std::uint8_t> scales;        ///< 8-bit scale codes in `layout`
  std::vector<float> group_scales;         ///< grouped INT4: rows x scale_cols
  std::vector<std::uint8_t> zero_points;   ///< grouped INT4: rows x scale_cols
  formats::TensorScale tensor_scale;
};

/// Copies a host rows x cols tensor to the GPU, runs amax + quantize there, copies the result
/// back. Returns false with a message (no device, unsupported recipe, CUDA error).
bool gpu_quantize(const formats::Recipe& recipe, formats::ScaleLayout layout, GpuDType dtype,
                  const void* host_data, std::int64_t rows, std::int64_t cols, GpuQuantized& out,
                  std::string& error);

/// Fake-quantizes a host tensor on the GPU; `out` gets rows*cols elements of out_dtype.
bool gpu_fake_quantize(const formats::Recipe& recipe, GpuDType dtype, const void* host_data,
                       std::int64_t rows, std::int64_t cols, GpuDType out_dtype,
                       std::vector<std::uint8_t>& out, std::string& error);

/// Simulated fake-quantization of a host tensor on the GPU; `out` gets rows*cols of out_dtype.
bool gpu_simulate_quantize(const formats::Recipe& recipe, const formats::SimulateOptions& options,
                           GpuDType dtype, const void* host_data, std::int64_t rows, std::int64_t cols,
                           GpuDType out_dtype, std::vector<std::uint8_t>& out, std::string& error);

/// Dequantizes a host-side quantized tensor on the GPU into rows*cols elements of out_dtype.
bool gpu_dequantize(const GpuQuantized& q, GpuDType out_dtype, std::vector<std::uint8_t>& out,
                    std::string& error);

}  // namespace fp4lab::kernels
