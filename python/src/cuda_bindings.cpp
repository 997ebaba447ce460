// The CUDA path of the Python module over kernels/quantize.hpp: device arrays (torch, CuPy)
// quantized in place of the caller's buffers on the caller's stream, zero-copy, bit for bit as
// the CPU (FORMATS.md §2-7). Without the CUDA part, the same names say that it is not compiled in.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "python/src/arrays.hpp"
#include "python/src/bindings.hpp"
#ifdef FP4LAB_PYTHON_CUDA
#include "core/device_quantizer.hpp"
#include "kernels/cuda_quantizer.hpp"
#include "kernels/quantize.hpp"
#endif

namespace fp4lab::python {
namespace {

/// A writable device array of any dtype.
using DeviceArray = nb::ndarray<>;

formats::ScaleLayout layout_named(const std::string& name) {
  if (name == "row_major") return formats::ScaleLayout::kRowMajor;
  if (name == "swizzled" || name == "swizzled_128x4") return formats::ScaleLayout::kSwizzled128x4;
  throw std::invalid_argument("fp4lab: layout must be row_major or swizzled_128x4, not '" + name + "'");
}

#ifdef FP4LAB_PYTHON_CUDA
/// The device pointer of a CUDA array that is C-contiguous, or null for an empty array.
void* device_ptr(const DeviceArray& a, const char* what) {
  if (a.device_type() != nb::device::cuda::value) {
    throw std::invalid_argument(std::string("fp4lab: ") + what + " must be a CUDA array");
  }
  if (!is_c_contiguous(AnyArray(a))) throw std::invalid_argument(std::string("fp4lab: ") + what + " must be contiguous");
  return a.size() ? a.data() : nullptr;
}

/// The five device buffers of a quantized tensor (quantize writes them, dequantize reads them).
kernels::DeviceQuantized device_quantized(const DeviceArray& codes, const DeviceArray& scales,
                                          const DeviceArray& group_scales, const DeviceArray& zero_points,
                                          const DeviceArray& tensor_scale) {
  kernels::DeviceQuantized q;
  q.codes = static_cast<std::uint8_t*>(device_ptr(codes, "codes"));
  q.scales = static_cast<std::uint8_t*>(device_ptr(scales, "scales"));
  q.group_scales = static_cast<float*>(device_ptr(group_scales, "group_scales"));
  q.zero_points = static_cast<std::uint8_t*>(device_ptr(zero_points, "zero_points"));
  q.tensor_scale = static_cast<formats::TensorScale*>(device_ptr(tensor_scale, "tensor_scale"));
  return q;
}

/// A checked, GPU-supported recipe.
formats::Recipe gpu_recipe(const std::string& spec) {
  const formats::Recipe r = core::parse_recipe(spec);
  const std::string why = kernels::gpu_unsupported_reason(r);
  if (!why.empty()) throw std::invalid_argument(why);
  return r;
}

/// rows x cols of a CUDA input and its dtype.
struct DeviceInput {
  const void* data;
  core::DType dtype;
  std::int64_t rows, cols, numel;
};

DeviceInput device_input(const DeviceArray& x, const std::string& tag) {
  const AnyArray any(x);
  DeviceInput in{device_ptr(x, "x"), input_dtype(any, tag), 1, 1, 0};
  const std::vector<std::int64_t> shape = array_shape(any);
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) in.rows *= shape[i];
  in.cols = shape.empty() ? 1 : shape.back();
  in.numel = in.rows * in.cols;
  if (in.numel <= 0) throw std::invalid_argument("fp4lab: empty tensor");
  return in;
}
#endif

}  // namespace

void bind_cuda(nb::module_& m) {
  m.def("_quantized_sizes", [](const std::string& spec, const std::string& layout, std::int64_t rows, std::int64_t cols) {
          const core::QuantizedSizes s = core::quantized_sizes(core::parse_recipe(spec), layout_named(layout), rows, cols);
          nb::dict d;
          d["padded_cols"] = s.padded_cols;
          d["scale_cols"] = s.scale_cols;
          d["code_bytes"] = s.code_bytes;
          d["scale_bytes"] = s.scale_bytes;
          d["group_count"] = s.group_count;
          return d;
        }, nb::arg("spec"), nb::arg("layout"), nb::arg("rows"), nb::arg("cols"),
        "The sizes of a quantized rows x cols tensor (core::quantized_sizes).");
  m.attr("_tensor_scale_bytes") = sizeof(formats::TensorScale);

#ifdef FP4LAB_PYTHON_CUDA
  m.attr("cuda_compiled") = true;
  // run(..., device="cuda") reaches the same device quantizer the CLI installs
  core::set_device_quantizer_factory([] { return kernels::make_cuda_quantizer(); });
  m.def("_cuda_quantize", [](const DeviceArray& x, const std::string& tag, const std::string& spec,
                             const std::string& layout, DeviceArray codes, DeviceArray scales,
                             DeviceArray group_scales, DeviceArray zero_points, DeviceArray tensor_scale,
                             DeviceArray amax, std::uintptr_t stream) {
          const formats::Recipe r = gpu_recipe(spec);
          const DeviceInput in = device_input(x, tag);
          const kernels::DeviceQuantized out =
              device_quantized(codes, scales, group_scales, zero_points, tensor_scale);
          auto* amax_bits = static_cast<std::uint32_t*>(device_ptr(amax, "amax"));
          void* s = reinterpret_cast<void*>(stream);
          nb::gil_scoped_release release;
          // amax always (the QuantizedTensor reports it, as `fp4lab quantize` stores it); read
          // by the kernel only when the recipe has a tensor scale
          kernels::amax_async(in.data, in.dtype, in.numel, amax_bits, s);
          kernels::quantize_async(r, layout_named(layout), in.data, in.dtype, in.rows, in.cols,
                                  formats::uses_tensor_scale(r) ? amax_bits : nullptr, out, s);
        }, nb::arg("x"), nb::arg("dtype_tag"), nb::arg("spec"), nb::arg("layout"), nb::arg("codes"),
        nb::arg("scales"), nb::arg("group_scales"), nb::arg("zero_points"), nb::arg("tensor_scale"), nb::arg("amax"),
        nb::arg("stream"), "Quantizes a CUDA array into caller-allocated CUDA buffers on `stream` (kernels::quantize_async).");
  m.def("_cuda_fake_quantize", [](const DeviceArray& x, const std::string& tag, const std::string& spec, DeviceArray out,
                                  const std::string& out_dtype, DeviceArray amax, std::uintptr_t stream) {
          const formats::Recipe r = gpu_recipe(spec);
          const DeviceInput in = device_input(x, tag);
          void* dst = device_ptr(out, "out");
          auto* amax_bits = static_cast<std::uint32_t*>(device_ptr(amax, "amax"));
          const core::DType od = parse_dtype(out_dtype);
          void* s = reinterpret_cast<void*>(stream);
          nb::gil_scoped_release release;
          if (formats::uses_tensor_scale(r)) kernels::amax_async(in.data, in.dtype, in.numel, amax_bits, s);
          kernels::fake_quantize_async(r, in.data, in.dtype, in.rows, in.cols,
                                       formats::uses_tensor_scale(r) ? amax_bits : nullptr, dst, od, s);
        }, nb::arg("x"), nb::arg("dtype_tag"), nb::arg("spec"), nb::arg("out"), nb::arg("out_dtype"), nb::arg("amax"),
        nb::arg("stream"), "Fake-quantizes a CUDA array into `out` on `stream` (kernels::fake_quantize_async).");
  m.def("_cuda_dequantize", [](const std::string& spec, const std::string& layout, std::int64_t rows, std::int64_t cols,
                               DeviceArray codes, DeviceArray scales, DeviceArray group_scales, DeviceArray zero_points,
                               DeviceArray tensor_scale, DeviceArray out, const std::string& out_dtype,
                               std::uintptr_t stream) {
          const formats::Recipe r = gpu_recipe(spec);
          const kernels::DeviceQuantized in =
              device_quantized(codes, scales, group_scales, zero_points, tensor_scale);
          void* dst = device_ptr(out, "out");
          const core::DType od = parse_dtype(out_dtype);
          void* s = reinterpret_cast<void*>(stream);
          nb::gil_scoped_release release;
          kernels::dequantize_async(r, layout_named(layout), rows, cols, in, dst, od, s);
        }, nb::arg("spec"), nb::arg("layout"), nb::arg("rows"), nb::arg("cols"), nb::arg("codes"), nb::arg("scales"),
        nb::arg("group_scales"), nb::arg("zero_points"), nb::arg("tensor_scale"), nb::arg("out"), nb::arg("out_dtype"),
        nb::arg("stream"), "Dequantizes CUDA buffers into `out` on `stream` (kernels::dequantize_async).");
#else
  m.attr("cuda_compiled") = false;
#endif
}

}  // namespace fp4lab::python
