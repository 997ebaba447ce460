// Array plumbing of the Python module (arrays.hpp): dtype checks, strided copies, owning
// numpy arrays.
#include "python/src/arrays.hpp"

#include <cstring>
#include <stdexcept>

namespace fp4lab::python {

core::DType input_dtype(const AnyArray& a, const std::string& tag) {
  const nb::dlpack::dtype d = a.dtype();
  if (tag == "bf16") {
    if (d.bits != 16) throw nb::type_error("fp4lab: a bf16 view must hold 16-bit elements");
    return core::DType::kBF16;
  }
  if (d.lanes == 1 && d.code == static_cast<std::uint8_t>(nb::dlpack::dtype_code::Float)) {
    if (d.bits == 32) return core::DType::kF32;
    if (d.bits == 16) return core::DType::kF16;
  }
  if (d.lanes == 1 && d.code == static_cast<std::uint8_t>(nb::dlpack::dtype_code::Bfloat) && d.bits == 16) {
    return core::DType::kBF16;
  }
  throw nb::type_error("fp4lab: input dtype must be float32, float16 or bfloat16");
}

std::vector<std::int64_t> array_shape(const AnyArray& a) {
  std::vector<std::int64_t> shape(a.ndim());
  for (std::size_t i = 0; i < a.ndim(); ++i) shape[i] = static_cast<std::int64_t>(a.shape(i));
  return shape;
}

bool is_c_contiguous(const AnyArray& a) {
  if (a.size() == 0) return true;  // no element to address (frameworks give empty arrays any strides)
  std::int64_t expected = 1;
  for (std::size_t i = a.ndim(); i-- > 0;) {
    if (a.shape(i) != 1 && a.stride(i) != expected) return false;
    expected *= static_cast<std::int64_t>(a.shape(i));
  }
  return true;
}

core::TensorView host_view(const AnyArray& a, const std::string& tag, std::vector<std::uint8_t>& scratch) {
  const core::DType dtype = input_dtype(a, tag);
  if (a.device_type() != nb::device::cpu::value) {
    throw std::invalid_argument("fp4lab: this call takes a CPU array (CUDA arrays go through the CUDA path)");
  }
  const std::vector<std::int64_t> shape = array_shape(a);
  if (is_c_contiguous(a)) return core::TensorView(a.data(), dtype, shape);
  // strided: one copy into a dense row-major buffer, element by element
  const std::size_t esize = core::dtype_size(dtype);
  const std::int64_t n = core::shape_numel(shape);
  scratch.resize(static_cast<std::size_t>(n) * esize);
  const auto* base = static_cast<const std::uint8_t*>(a.data());
  std::vector<std::int64_t> index(shape.size(), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t offset = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) offset += index[d] * a.stride(d);
    std::memcpy(scratch.data() + static_cast<std::size_t>(i) * esize, base + offset * static_cast<std::int64_t>(esize), esize);
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return core::TensorView(scratch.data(), dtype, shape);
}

nb::object numpy_from_tensor(core::Tensor&& t) {
  auto* owned = new core::Tensor(std::move(t));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<core::Tensor*>(p); });
  std::vector<std::size_t> dims(owned->shape().begin(), owned->shape().end());
  nb::dlpack::dtype d{static_cast<std::uint8_t>(nb::dlpack::dtype_code::Float), 32, 1};
  if (owned->dtype() == core::DType::kF16) d.bits = 16;
  if (owned->dtype() == core::DType::kBF16) d = nb::dtype<std::uint16_t>();  // bits; viewed as bfloat16 above
  return nb::cast(nb::ndarray<nb::numpy>(owned->data(), dims.size(), dims.data(), owner, nullptr, d));
}

core::DType parse_dtype(const std::string& name) {
  if (name == "f32" || name == "float32") return core::DType::kF32;
  if (name == "f16" || name == "float16") return core::DType::kF16;
  if (name == "bf16" || name == "bfloat16") return core::DType::kBF16;
  throw std::invalid_argument("fp4lab: dtype must be f32, f16 or bf16, not '" + name + "'");
}

}  // namespace fp4lab::python
