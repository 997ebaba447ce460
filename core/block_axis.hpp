// The axis blocks run along (README "--block-axis"): by default the last, or any other, which
// the quantizer reaches by moving that axis last (a copy), quantizing, and moving it back.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace fp4lab::core {

/// The index in [0, rank) that `axis` names (negative counts from the end, -1 is the last);
/// a scalar (rank 0) counts as rank 1. Throws std::invalid_argument naming the valid range.
int normalize_block_axis(int axis, std::size_t rank);

/// Whether blocks along `axis` of `shape` need the axis moved (it is not already the last).
bool block_axis_moves(int axis, const std::vector<std::int64_t>& shape);

/// `shape` with dimension `axis` moved last, the others in order: the layout blocks are cut in.
std::vector<std::int64_t> blocked_shape(const std::vector<std::int64_t>& shape, int axis);

/// A copy of `x` (same dtype) with dimension `axis` moved last.
Tensor move_axis_last(const TensorView& x, int axis);

/// The inverse of move_axis_last: `blocked` (of shape blocked_shape(shape, axis)) back to `shape`.
Tensor restore_axis(const TensorView& blocked, const std::vector<std::int64_t>& shape, int axis);

}  // namespace fp4lab::core
