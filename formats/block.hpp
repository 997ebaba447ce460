// One entry point over every block format and recipe: the tensor scale from amax, quantize
// (and fake-quantize) one block, dequantize one code. The CPU (core/) and the CUDA kernels
// (kernels/) both call these, so they compute the same function by construction.
#pragma once

#include "formats/element_of.hpp"
#include "formats/four_over_six.hpp"
#include "formats/int4_group.hpp"
#include "formats/intfloat.hpp"
#include "formats/mxfp4.hpp"
#include "formats/nvfp4.hpp"
#include "formats/nvint4.hpp"

namespace fp4lab::formats {

/// True for recipes whose block scale depends on a tensor-wide amax.
FP4LAB_HD constexpr bool uses_tensor_scale(const Recipe& r) { return format_traits(r.format).tensor_scale; }

/// The tensor-level scale of a recipe for a tensor whose max |x| (NaN ignored) is amax.
FP4LAB_HD constexpr TensorScale tensor_scale(const Recipe& r, float amax) {
  switch (r.format) {
    case BlockFormat::kNVFP4:
      return r.nv == NvRecipe::kFourOverSix ? four_over_six_tensor_scale(r.rule, amax)
                                             : nvfp4_tensor_scale(r.nv, amax, r.const_div, r.levels);
    case BlockFormat::kNVINT4:
      return nvint4_tensor_scale(amax);
    default: {
      if (uses_tensor_scale(r)) return family_nv_tensor_scale(r.format, amax);  // §9 NV and IF
      TensorScale t;
      t.amax = amax;
      return t;
    }
  }
}

/// Quantizes one block of io.n values: writes codes and/or fake-quantized values.
FP4LAB_HD constexpr BlockRecord quantize_block(const Recipe& r, const TensorScale& t, const BlockIO& io) {
  switch (r.format) {
    case BlockFormat::kNVFP4:
      return r.nv == NvRecipe::kFourOverSix ? four_over_six_quantize_block(r, t, io) : nvfp4_quantize_block(r, t, io);
    case BlockFormat::kMXFP4:
      return mxfp4_quantize_block(r, io);
    case BlockFormat::kNVINT4:
      return nvint4_quantize_block(r, t, io);
    case BlockFormat::kINT4:
      return int4_group_quantize_block(r, io);
    default:
      break;
  }
  switch (family_traits(r.format).style) {  // FORMATS.md §9
    case ScaleStyle::kNv:
      return family_nv_quantize_block(r, t, io);
    case ScaleStyle::kMx:
      return family_mx_quantize_block(r, io);
    case ScaleStyle::kIntFloat:
      return intfloat_quantize_block(r, t, io);
    case ScaleStyle::kNone:
      break;
  }
  return BlockRecord{};
}

/// Value of one stored code given its block's scale.
FP4LAB_HD constexpr float dequantize_code(const Recipe& r, const TensorScale& t, const BlockScale& s,
                                          std::uint8_t code) {
  switch (r.format) {
    case BlockFormat::kNVFP4:
      return r.nv == NvRecipe::kFourOverSix ? four_over_six_dequantize(t, s.code, code)
                                            : nvfp4_dequantize(r.nv, t, s.code, code);
    case BlockFormat::kMXFP4:
      return mxfp4_dequantize(s.code, code);
    case BlockFormat::kNVINT4:
      return nvint4_dequantize(t, s.code, code);
    case BlockFormat::kINT4:
      return int4_group_dequantize(r.int4, s, code);
    default:
      break;
  }
  switch (family_traits(r.format).style) {  // FORMATS.md §9
    case ScaleStyle::kNv:
      return family_nv_dequantize(r.format, t, s.code, code);
    case ScaleStyle::kMx:
      return family_mx_dequantize(r.format, s.code, code);
    case ScaleStyle::kIntFloat:
      return intfloat_dequantize(r.format, t, s.code, code);
    case ScaleStyle::kNone:
      break;
  }
  return 0.0f;
}

/// Bits per value including block-scale overhead (tensor scale ignored): element bits + scale
/// bits / block (format_traits.hpp).
FP4LAB_HD constexpr double bits_per_value(const Recipe& r) {
  const double scale = scale_bits(r.format, r.int4_scale, r.int4 == Int4Scheme::kAsymmetric);
  const double per = r.shape == BlockShape::k2D ? double(r.block_size) * r.block_size : double(r.block_size);
  return element_traits(format_traits(r.format).element).bits + scale / per;
}

}  // namespace fp4lab::formats
