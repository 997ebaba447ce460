// Whole-tensor quantize, dequantize and fake-quantize on the CPU over all cores, built on the
// per-block functions of formats/block.hpp. Results are identical for any thread count.
// Layout (FORMATS.md §7): blocks run along the last dimension (or along `block_axis`, moved
// last first: core/block_axis.hpp); each row is padded with zeros to a multiple of the block
// size (and of 16 with the RHT); 2-D tiles cover block_size rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/quantized_sizes.hpp"
#include "core/tensor.hpp"
#include "formats/block.hpp"
#include "formats/layout.hpp"

namespace fp4lab::core {

/// Options of a whole-tensor quantization.
struct QuantizeOptions {
  formats::Recipe recipe;
  formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor;
  int threads = 0;            ///< 0: all cores
  bool keep_records = false;  ///< fill QuantizedTensor::records (one per block or 2-D tile)
  int block_axis = -1;        ///< the axis blocks run along (negative from the end; -1 the last)
};

/// A quantized tensor: packed 4-bit codes, block scales and the tensor scale.
struct QuantizedTensor {
  formats::Recipe recipe;
  formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor;
  std::vector<std::int64_t> shape;  ///< the input's shape
  /// The axis of `shape` blocks run along (-1: the last). rows x cols (and codes, scales,
  /// records) are in blocked_shape(shape, block_axis): that axis moved last.
  int block_axis = -1;
  std::int64_t rows = 0, cols = 0;
  std::int64_t padded_cols = 0;  ///< cols rounded up to the block size (and 16 with RHT)
  std::vector<std::uint8_t> codes;  ///< rows x padded_cols/2 bytes, two codes per byte; formats
                                    ///< with 3/6/8-bit codes: rows x padded_cols, one per byte
  std::int64_t scale_cols = 0;      ///< padded_cols / block_size
  std::vector<std::uint8_t> scales; ///< 8-bit scale codes (UE4M3 / E8M0), in `layout`
  std::vector<float> group_scales;  ///< grouped INT4: rows x scale_cols, row-major
  std::vector<std::uint8_t> zero_points;  ///< grouped INT4 asymmetric: rows x scale_cols
  formats::TensorScale tensor_scale;
  std::int64_t nonfinite = 0;  ///< NaN/Inf inputs seen
  std::vector<formats::BlockRecord> records;  ///< per 1-D block (row-major) or per 2-D tile

  /// The code of element (r, c) (c < padded_cols).
  std::uint8_t code(std::int64_t r, std::int64_t c) const {
    const std::size_t i = static_cast<std::size_t>(r * padded_cols + c);
    return formats::format_traits(recipe.format).codes_per_byte == 1 ? codes[i] : formats::unpack_code(codes.data(), i);
  }
  /// The block scale of element (r, c) in the stored layout.
  formats::BlockScale block_scale(std::int64_t r, std::int64_t c) const;
};

/// Checks a recipe's parameters; throws std::invalid_argument naming the bad one.
void validate_recipe(const formats::Recipe& r);

/// max |x| over the tensor, NaN ignored (after the RHT along `block_axis` when the recipe has one).
float tensor_amax(const TensorView& x, const formats::Recipe& recipe, int threads = 0, int block_axis = -1);

/// Quantizes a tensor. Throws std::invalid_argument for empty tensors, bad recipes and a block
/// axis the tensor does not have.
QuantizedTensor quantize(const TensorView& x, const QuantizeOptions& options);

/// quantize(), and in the same pass the dequantized values into *values (out_dtype, the
/// input's shape), bit-identical to dequantize(quantize(x)). values may be null; a *values of
/// that dtype and shape (not holding x itself) is overwritten in place, not reallocated.
QuantizedTensor quantize_and_dequantize(const TensorView& x, const QuantizeOptions& options, Tensor* values,
                                        DType out_dtype = DType::kF32);

/// Dequantizes to `out_dtype` (the input's shape and layout, whatever the block axis; with the
/// RHT the inverse is applied).
Tensor dequantize(const QuantizedTensor& q, DType out_dtype = DType::kF32, int threads = 0);

/// Quantize + dequantize in one pass, bit-identical to dequantize(quantize(x)) (and also
/// supports Fp4Overflow::kReferenceUnclamped). Fills `records` when non-null (in the blocked
/// layout when `block_axis` is not the last).
Tensor fake_quantize(const TensorView& x, const formats::Recipe& recipe, DType out_dtype = DType::kF32,
                     int threads = 0, std::vector<formats::BlockRecord>* records = nullptr,
                     int block_axis = -1);

}  // namespace fp4lab::core
