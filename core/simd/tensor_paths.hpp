// The whole-tensor loops over the SIMD block quantizers (core/simd/simd.hpp): units of 1-D
// blocks read, quantized and written in groups, bit-identical to core/quantize.cpp's scalar
// loop (FORMATS.md §7 layout: blocks along rows, rows padded with zeros to the block size).
#pragma once

#include <cstdint>

#include "core/quantize.hpp"

namespace fp4lab::core::simd {

/// A tensor cut into 1-D blocks (no RHT): padded_cols = row_blocks * bs.
struct BlockGrid {
  std::int64_t rows = 0, cols = 0, padded_cols = 0, row_blocks = 0;
  int bs = 16;
};

/// Quantizes blocks [begin, end) (row-major block index) of x: codes and scales into *q,
/// values into *fake, records into records[begin..end) (each may be null). Returns the count
/// of NaN/Inf inputs. Requires supports(r).
std::int64_t quantize_units(const TensorView& x, const formats::Recipe& r, const formats::TensorScale& ts,
                            const BlockGrid& g, std::int64_t begin, std::int64_t end, QuantizedTensor* q,
                            Tensor* fake, formats::BlockRecord* records);

/// max |x| over the whole tensor, NaN ignored, on `threads` threads (the same for any count).
float tensor_amax(const TensorView& x, int threads);

/// Elements [begin, begin + n) of x as floats (exact).
void load_floats(const TensorView& x, std::int64_t begin, std::int64_t n, float* out);
/// Stores canonical_nan(v[i]) into elements [begin, begin + n) of `out`, rounded to its dtype.
void store_floats(Tensor& out, std::int64_t begin, const float* v, std::int64_t n);

}  // namespace fp4lab::core::simd
