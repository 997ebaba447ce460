// Tensors that stress a quantizer (library fp4lab_testing, for the GPU-vs-CPU tests and the shipped
// `fp4lab verify`): normals whose magnitude jumps every 16 values (block scales over the E4M3 range),
// and tiled edge values (signed zeros, subnormals, E2M1/E4M3 ties, 464, huge values, NaN, Inf).
#pragma once

#include <cstdint>

#include "core/tensor.hpp"

namespace fp4lab::testing {

using core::DType;
using core::Tensor;

/// rows x cols normals from `seed`, each run of 16 scaled by 2^k, k uniform in a range the
/// dtype can hold ([-14, 10] for FP16, [-40, 40] otherwise).
Tensor scale_jump_tensor(DType dtype, std::int64_t rows, std::int64_t cols, std::uint64_t seed);

/// Whether an edge tensor also holds NaN, -NaN, +Inf and -Inf.
enum class NonFinite : std::uint8_t { kExclude, kInclude };

/// Edge values tiled over rows x cols: +-0, float/bf16/fp16 subnormals, E4M3 and E2M1 ties
/// (464; 0.25 .. 5 next to a block max of 6, exact under te with amax 2688 and under MX floor),
/// 1e-40, 448, 480, 65504, 1e30 (not for FP16), and optionally NaN and +-Inf.
Tensor edge_value_tensor(DType dtype, std::int64_t rows, std::int64_t cols, NonFinite nonfinite);

}  // namespace fp4lab::testing
