// Array plumbing of the Python module: an nb::ndarray (numpy, torch, JAX, CuPy through DLPack
// or the buffer protocol) seen as a core::TensorView, and numpy arrays that own C++ vectors.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace fp4lab::python {

namespace nb = nanobind;

/// Any array, read-only.
using AnyArray = nb::ndarray<nb::ro>;

/// The core dtype of an array; `tag` overrides it ("bf16" for numpy's ml_dtypes.bfloat16,
/// which the Python layer passes as a uint16 view). Throws nb::type_error for other dtypes.
core::DType input_dtype(const AnyArray& a, const std::string& tag);

/// A host array as a dense row-major view: the array's own memory when it is C-contiguous,
/// else one copy into `scratch`. Throws nb::type_error / std::invalid_argument.
core::TensorView host_view(const AnyArray& a, const std::string& tag, std::vector<std::uint8_t>& scratch);

/// The array's shape as int64.
std::vector<std::int64_t> array_shape(const AnyArray& a);

/// True when the array is dense row-major (strides in elements match the shape).
bool is_c_contiguous(const AnyArray& a);

/// A numpy array that takes ownership of `v` (no copy), with `shape`.
template <class T>
nb::object numpy_from_vector(std::vector<T>&& v, const std::vector<std::int64_t>& shape) {
  auto* owned = new std::vector<T>(std::move(v));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  std::vector<std::size_t> dims(shape.begin(), shape.end());
  return nb::cast(nb::ndarray<nb::numpy, T>(owned->data(), dims.size(), dims.data(), owner));
}

/// A numpy array holding a core::Tensor's bytes (F32 as float32, F16 as float16, BF16 as
/// uint16 bits for the Python layer to view as ml_dtypes.bfloat16).
nb::object numpy_from_tensor(core::Tensor&& t);

/// Parses "f32", "f16", "bf16" (also "float32", "float16", "bfloat16"); throws ValueError.
core::DType parse_dtype(const std::string& name);

}  // namespace fp4lab::python
