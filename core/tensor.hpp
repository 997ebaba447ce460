// Tensors and read-only views over FP32, BF16 and FP16 data, 1-D or more (a tensor of rank
// r > 1 is seen as rows = product of the leading dimensions, cols = the last dimension).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "formats/ieee.hpp"

namespace fp4lab::core {

/// Element type of a tensor's storage.
enum class DType : std::uint8_t { kF32, kBF16, kF16 };

/// "F32", "BF16" or "F16" (the safetensors spelling).
const char* dtype_name(DType d);
/// Bytes per element.
std::size_t dtype_size(DType d);

/// A non-owning view of a dense, row-major tensor.
class TensorView {
 public:
  TensorView() = default;
  /// Views `data` as a tensor of `shape` (every dimension > 0 is not required: empty is allowed).
  TensorView(const void* data, DType dtype, std::vector<std::int64_t> shape);

  DType dtype() const { return dtype_; }
  const std::vector<std::int64_t>& shape() const { return shape_; }
  const void* data() const { return data_; }
  /// Number of elements.
  std::int64_t numel() const { return numel_; }
  /// Product of all dimensions but the last (1 for a 1-D tensor).
  std::int64_t rows() const;
  /// The last dimension.
  std::int64_t cols() const;
  /// Element i (row-major) as a float (exact for all three dtypes).
  float at(std::int64_t i) const;
  /// Converts elements [begin, begin + out.size()) to float.
  void to_float(std::int64_t begin, std::span<float> out) const;

 private:
  const void* data_ = nullptr;
  DType dtype_ = DType::kF32;
  std::vector<std::int64_t> shape_;
  std::int64_t numel_ = 0;
};

namespace detail {
/// The raw allocation behind TensorAllocator (throws std::bad_alloc).
void* allocate_bytes(std::size_t bytes);
/// Frees what allocate_bytes returned.
void deallocate_bytes(void* p, std::size_t bytes);

/// The allocator of tensor storage: buffers of 4 MiB and more are aligned to 2 MiB and offered
/// to the kernel as transparent huge pages (far fewer page faults on first touch), and a few
/// freed ones (256 MiB at most) are kept for the next tensor of that size; elements are
/// default-initialised (left unwritten) unless the caller fills them.
template <class T>
struct TensorAllocator {
  using value_type = T;
  TensorAllocator() = default;
  template <class U>
  TensorAllocator(const TensorAllocator<U>&) {}  // NOLINT: allocators convert implicitly
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_bytes(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { deallocate_bytes(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) {
    ::new (static_cast<void*>(p)) U;  // default-init: no zero fill
  }
  template <class U, class... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
  template <class U>
  bool operator==(const TensorAllocator<U>&) const { return true; }
};
}  // namespace detail

/// An owning dense tensor.
class Tensor {
 public:
  Tensor() = default;
  /// A zero-filled tensor.
  Tensor(DType dtype, std::vector<std::int64_t> shape);
  /// A tensor whose elements are left unwritten: the caller writes every one of them (skips the
  /// zero fill of a buffer about to be overwritten, and lets the writing threads fault it in).
  static Tensor uninitialized(DType dtype, std::vector<std::int64_t> shape);
  /// A tensor holding `values` rounded (nearest even) to `dtype`.
  static Tensor from_floats(std::span<const float> values, DType dtype, std::vector<std::int64_t> shape);

  TensorView view() const { return TensorView(bytes_.data(), dtype_, shape_); }
  DType dtype() const { return dtype_; }
  const std::vector<std::int64_t>& shape() const { return shape_; }
  std::int64_t numel() const { return view().numel(); }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size_bytes() const { return bytes_.size(); }
  /// Stores `v` (rounded to the dtype) at element i.
  void set(std::int64_t i, float v);
  /// Element i as a float.
  float at(std::int64_t i) const { return view().at(i); }
  /// All elements as floats.
  std::vector<float> to_floats() const;

 private:
  DType dtype_ = DType::kF32;
  std::vector<std::int64_t> shape_;
  std::vector<std::uint8_t, detail::TensorAllocator<std::uint8_t>> bytes_;
};

/// Product of a shape's dimensions; throws std::invalid_argument on negative or overflowing sizes.
std::int64_t shape_numel(const std::vector<std::int64_t>& shape);
/// "[4096, 4096]".
std::string shape_string(const std::vector<std::int64_t>& shape);

}  // namespace fp4lab::core
