// Tensors and views over FP32, BF16 and FP16 data.
#include "core/tensor.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <utility>
#include <stdexcept>

namespace fp4lab::core {

const char* dtype_name(DType d) {
  switch (d) {
    case DType::kF32:
      return "F32";
    case DType::kBF16:
      return "BF16";
    case DType::kF16:
      return "F16";
  }
  return "?";
}

std::size_t dtype_size(DType d) { return d == DType::kF32 ? 4 : 2; }

std::int64_t shape_numel(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension in shape " + shape_string(shape));
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / 16 / d) {
      throw std::invalid_argument("shape " + shape_string(shape) + " has too many elements");
    }
    n *= d;
  }
  return n;
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

TensorView::TensorView(const void* data, DType dtype, std::vector<std::int64_t> shape)
    : data_(data), dtype_(dtype), shape_(std::move(shape)), numel_(shape_numel(shape_)) {
  if (shape_.empty()) throw std::invalid_argument("tensor shape must have at least one dimension");
}

std::int64_t TensorView::rows() const { return cols() == 0 ? 0 : numel_ / cols(); }
std::int64_t TensorView::cols() const { return shape_.empty() ? 0 : shape_.back(); }

float TensorView::at(std::int64_t i) const {
  switch (dtype_) {
    case DType::kF32: {
      float v;
      std::memcpy(&v, static_cast<const std::uint8_t*>(data_) + 4 * i, 4);
      return v;
    }
    case DType::kBF16: {
      formats::bf16 h;
      std::memcpy(&h.bits, static_cast<const std::uint8_t*>(data_) + 2 * i, 2);
      return formats::to_float(h);
    }
    case DType::kF16: {
      formats::fp16 h;
      std::memcpy(&h.bits, static_cast<const std::uint8_t*>(data_) + 2 * i, 2);
      return formats::to_float(h);
    }
  }
  return 0.0f;
}

void TensorView::to_float(std::int64_t begin, std::span<float> out) const {
  if (out.empty()) return;  // an empty view's data may be null, and memcpy must not see it
  if (dtype_ == DType::kF32) {
    std::memcpy(out.data(), static_cast<const std::uint8_t*>(data_) + 4 * begin, out.size() * 4);
    return;
  }
  const auto* p = static_cast<const std::uint8_t*>(data_) + 2 * begin;
  for (std::size_t k = 0; k < out.size(); ++k) {
    std::uint16_t b;
    std::memcpy(&b, p + 2 * k, 2);
    out[k] = dtype_ == DType::kBF16 ? formats::to_float(formats::bf16{b}) : formats::to_float(formats::fp16{b});
  }
}

Tensor::Tensor(DType dtype, std::vector<std::int64_t> shape) : dtype_(dtype), shape_(std::move(shape)) {
  if (shape_.empty()) throw std::invalid_argument("tensor shape must have at least one dimension");
  bytes_.assign(static_cast<std::size_t>(shape_numel(shape_)) * dtype_size(dtype_), 0);
}

Tensor Tensor::uninitialized(DType dtype, std::vector<std::int64_t> shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  if (t.shape_.empty()) throw std::invalid_argument("tensor shape must have at least one dimension");
  t.bytes_.resize(static_cast<std::size_t>(shape_numel(t.shape_)) * dtype_size(dtype));  // default-init
  return t;
}

Tensor Tensor::from_floats(std::span<const float> values, DType dtype, std::vector<std::int64_t> shape) {
  Tensor t(dtype, std::move(shape));
  if (static_cast<std::int64_t>(values.size()) != t.numel()) {
    throw std::invalid_argument("from_floats: " + std::to_string(values.size()) + " values for shape " +
                                shape_string(t.shape()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) t.set(static_cast<std::int64_t>(i), values[i]);
  return t;
}

void Tensor::set(std::int64_t i, float v) {
  switch (dtype_) {
    case DType::kF32:
      std::memcpy(bytes_.data() + 4 * i, &v, 4);
      break;
    case DType::kBF16: {
      const std::uint16_t b = formats::bf16_from_float(v).bits;
      std::memcpy(bytes_.data() + 2 * i, &b, 2);
      break;
    }
    case DType::kF16: {
      const std::uint16_t b = formats::fp16_from_float(v).bits;
      std::memcpy(bytes_.data() + 2 * i, &b, 2);
      break;
    }
  }
}

std::vector<float> Tensor::to_floats() const {
  std::vector<float> out(static_cast<std::size_t>(numel()));
  view().to_float(0, out);
  return out;
}

namespace detail {
namespace {
constexpr std::size_t kHugePage = std::size_t{1} << 21;
constexpr std::size_t kHugeFrom = std::size_t{1} << 22;
constexpr std::size_t kCacheBuffers = 4;                     // freed big buffers kept for reuse,
constexpr std::size_t kCacheBytes = std::size_t{256} << 20;  // at most this many bytes in all

/// Freed big buffers kept for the next tensor of the same size (a GUI slider or a benchmark
/// re-quantizing one tensor): it then skips the kernel's page faults and page zeroing.
struct BufferCache {
  std::mutex mutex;
  std::vector<std::pair<void*, std::size_t>> buffers;
  std::size_t bytes = 0;
};
BufferCache& buffer_cache() {
  static BufferCache* cache = new BufferCache;  // never destroyed: tensors in statics may outlive it
  return *cache;
}
std::size_t rounded_size(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
}  // namespace

void* allocate_bytes(std::size_t bytes) {
  if (bytes < kHugeFrom) return ::operator new(bytes);
  const std::size_t rounded = rounded_size(bytes);
  {
    BufferCache& c = buffer_cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    for (std::size_t k = 0; k < c.buffers.size(); ++k) {
      if (c.buffers[k].second != rounded) continue;
      void* p = c.buffers[k].first;
      c.buffers.erase(c.buffers.begin() + static_cast<std::ptrdiff_t>(k));
      c.bytes -= rounded;
      return p;
    }
  }
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (!p) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
  madvise(p, rounded, MADV_HUGEPAGE);  // a hint: ignored where THP is off
#endif
  return p;
}

void deallocate_bytes(void* p, std::size_t bytes) {
  if (bytes < kHugeFrom) {
    ::operator delete(p);
    return;
  }
  const std::size_t rounded = rounded_size(bytes);
  {
    BufferCache& c = buffer_cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.buffers.size() < kCacheBuffers && c.bytes + rounded <= kCacheBytes) {
      c.buffers.emplace_back(p, rounded);
      c.bytes += rounded;
      return;
    }
  }
  std::free(p);
}
}  // namespace detail

}  // namespace fp4lab::core
