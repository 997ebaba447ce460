// Moving the block axis last and back (see block_axis.hpp).
#include "core/block_axis.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace fp4lab::core {
namespace {

/// The shape as [outer, A, inner]: dimensions before `axis`, the axis, the ones after it.
struct Split {
  std::int64_t outer = 1, a = 1, inner = 1;
};

Split split(const std::vector<std::int64_t>& shape, int axis) {
  Split s;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    const auto i = static_cast<int>(d);
    (i < axis ? s.outer : (i == axis ? s.a : s.inner)) *= shape[d];
  }
  return s;
}

/// Copies [outer, A, inner] to [outer, inner, A] (to_last) or back, `size` bytes an element.
void permute(const std::uint8_t* src, std::uint8_t* dst, const Split& s, std::size_t size,
             bool to_last) {
  for (std::int64_t o = 0; o < s.outer; ++o) {
    for (std::int64_t a = 0; a < s.a; ++a) {
      for (std::int64_t i = 0; i < s.inner; ++i) {
        const std::int64_t orig = (o * s.a + a) * s.inner + i, moved = (o * s.inner + i) * s.a + a;
        const std::int64_t from = to_last ? orig : moved, to = to_last ? moved : orig;
        std::memcpy(dst + static_cast<std::size_t>(to) * size,
                    src + static_cast<std::size_t>(from) * size, size);
      }
    }
  }
}

}  // namespace

int normalize_block_axis(int axis, std::size_t rank) {
  const int r = rank == 0 ? 1 : static_cast<int>(rank);
  if (axis < -r || axis >= r) {
    throw std::invalid_argument("block axis " + std::to_string(axis) +
                                " does not exist in a tensor of rank " + std::to_string(r) +
                                ": use " + std::to_string(-r) + ".." + std::to_string(r - 1) +
                                " (negative counts from the end, -1 is the last)");
  }
  return axis < 0 ? axis + r : axis;
}

bool block_axis_moves(int axis, const std::vector<std::int64_t>& shape) {
  return shape.size() > 1 &&
         normalize_block_axis(axis, shape.size()) != static_cast<int>(shape.size()) - 1;
}

std::vector<std::int64_t> blocked_shape(const std::vector<std::int64_t>& shape, int axis) {
  if (!block_axis_moves(axis, shape)) return shape;
  const auto k = static_cast<std::size_t>(normalize_block_axis(axis, shape.size()));
  std::vector<std::int64_t> out;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (d != k) out.push_back(shape[d]);
  }
  out.push_back(shape[k]);
  return out;
}

Tensor move_axis_last(const TensorView& x, int axis) {
  Tensor out(x.dtype(), blocked_shape(x.shape(), axis));
  if (out.size_bytes() == 0) return out;
  const int k = normalize_block_axis(axis, x.shape().size());
  permute(static_cast<const std::uint8_t*>(x.data()), out.data(), split(x.shape(), k),
          dtype_size(x.dtype()), true);
  return out;
}

Tensor restore_axis(const TensorView& blocked, const std::vector<std::int64_t>& shape, int axis) {
  if (blocked.shape() != blocked_shape(shape, axis)) {
    throw std::invalid_argument("restore_axis: " + shape_string(blocked.shape()) + " is not " +
                                shape_string(shape) + " with axis " + std::to_string(axis) +
                                " moved last");
  }
  Tensor out(blocked.dtype(), shape);
  if (out.size_bytes() == 0) return out;
  const int k = normalize_block_axis(axis, shape.size());
  permute(static_cast<const std::uint8_t*>(blocked.data()), out.data(), split(shape, k),
          dtype_size(blocked.dtype()), false);
  return out;
}

}  // namespace fp4lab::core
