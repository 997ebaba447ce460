// The named choices that define a block-quantization recipe (FORMATS.md §2-6): block format
// (its facts in format_traits.hpp), NVFP4 recipe, 4/6 rule, MX scale mode, INT4 scheme, block
// size and shape, transform, rounding.
#pragma once

#include "formats/format_traits.hpp"
#include "formats/ordered_sum.hpp"

namespace fp4lab::formats {

/// How NVFP4 block and tensor scales are computed.
enum class NvRecipe : std::uint8_t {
  kTe,           ///< TransformerEngine (the default)
  kModelopt,     ///< TensorRT Model Optimizer
  kTorchao,      ///< torchao
  kFourOverSix,  ///< Four Over Six adaptive block scaling, rule in Recipe::rule
};

/// The 4/6 selection rule (or a static choice of block maximum).
enum class FourSixRule : std::uint8_t {
  kMse,      ///< smaller sum of squared errors wins (default)
  kMae,      ///< smaller sum of absolute errors wins ("L1")
  kAbsMax,   ///< smaller largest absolute error wins
  kStatic6,  ///< every block at M=6 (tensor scale amax/2688)
  kStatic4,  ///< every block at M=4 (tensor scale amax/1792)
};

/// How the MXFP4 E8M0 shared exponent is chosen from the block max.
enum class MxScaleMode : std::uint8_t {
  kFloor,  ///< OCP: floor(log2 bmax) - 2 (default)
  kCeil,   ///< ceil(log2 bmax) - 2
  kEven,   ///< bmax rounded to 2 significant bits (ties to even), then floor
  kRceil,  ///< NVIDIA: RU(bmax * float(1/6)) as E8M0, saturating
};

/// Grouped INT4 scheme.
enum class Int4Scheme : std::uint8_t {
  kSymmetric,   ///< scale = absmax/7, codes -7..7
  kAsymmetric,  ///< scale = (max-min)/15 with a zero point, codes 0..15
};

/// How elements are rounded onto their grid.
enum class ElementRounding : std::uint8_t {
  kNearestEven,         ///< round to nearest, ties to even (default)
  kStochastic,          ///< stochastic rounding from Philox(seed, element index)
  kStochasticUnbiased,  ///< stochastic; NVFP4/NVINT4 block scale stretched by 17/16 so the
                        ///< scaled max lands at 6*16/17 and nothing clamps. MXFP4 and grouped
                        ///< INT4 have no such rule: there it equals kStochastic
};

/// What the FP4 cast does above 6 (4/6 only).
enum class Fp4Overflow : std::uint8_t {
  kSaturate,            ///< clamp at +-6, as hardware does (default)
  kReferenceUnclamped,  ///< fouroversix PyTorch reference bug: may give 8 (fake-quantize only)
};

/// How a division by a constant (torchao's amax/2688 and bmax/6) is evaluated: PyTorch's CPU
/// kernel divides, its CUDA kernel for a tensor divided by a Python number multiplies by the
/// FP32 reciprocal of the number (aten div_true_kernel_cuda), which can differ by 1 ulp.
enum class ConstDivision : std::uint8_t {
  kDivide,      ///< x / c, correctly rounded (PyTorch on the CPU; the default)
  kReciprocal,  ///< x * float(1/c) (PyTorch on CUDA: option `torch_cuda`)
};

/// Whether an NVFP4 recipe has its FP32 tensor scale (torchao also quantizes without one).
enum class ScaleLevels : std::uint8_t {
  kTwo,  ///< UE4M3 block scale times an FP32 tensor scale (the default)
  kOne,  ///< block scale straight from the block amax, tensor scale 1 (`torchao_1level`)
};

/// Whether a scale covers a run of one row or a square tile.
enum class BlockShape : std::uint8_t {
  k1D,  ///< block_size consecutive values along the last dimension
  k2D,  ///< block_size x block_size tiles (one scale, one 4/6 decision per tile)
};

/// An optional transform applied before quantization.
enum class Transform : std::uint8_t {
  kNone,
  kRht16,  ///< 16-point random Hadamard transform along the last dimension (TE's signs)
};

/// Everything that determines the bits a block quantizer produces.
struct Recipe {
  BlockFormat format = BlockFormat::kNVFP4;
  NvRecipe nv = NvRecipe::kTe;
  FourSixRule rule = FourSixRule::kMse;
  MxScaleMode mx = MxScaleMode::kFloor;
  Int4Scheme int4 = Int4Scheme::kSymmetric;
  ScaleDtype int4_scale = ScaleDtype::kFP32;
  int block_size = 16;
  BlockShape shape = BlockShape::k1D;
  Transform transform = Transform::kNone;
  ElementRounding rounding = ElementRounding::kNearestEven;
  Fp4Overflow overflow = Fp4Overflow::kSaturate;
  SumOrder sum = SumOrder::kSeq;  ///< 4/6 (mse, mae): the FP32 order of the error sums
  ConstDivision const_div = ConstDivision::kDivide;  ///< torchao: CPU or CUDA arithmetic
  ScaleLevels levels = ScaleLevels::kTwo;            ///< torchao: with or without tensor scale
  std::uint64_t seed = 0;
};

/// Smallest and largest supported block size (every even size in between is accepted).
inline constexpr int kMinBlockSize = 8;
inline constexpr int kMaxBlockSize = 128;

/// The tensor-level scale of a recipe, derived from amax. dq = ((v * s) * amax) / divisor for
/// 4/6; the other NVFP4 recipes and NVINT4 use `decode` as their FP32 second-level scale.
struct TensorScale {
  float amax = 0.0f;     ///< max |x| over the tensor, NaN ignored
  float encode = 1.0f;   ///< multiplies into block scales (S_enc; 1/w for modelopt, 1/p torchao)
  float decode = 1.0f;   ///< the stored FP32 tensor scale (S_dec, w, p, or 4/6's 1/encode)
  float divisor = 1.0f;  ///< 4/6 only: 1536 (adaptive), 2688 (static_6), 1792 (static_4)
};

}  // namespace fp4lab::formats
