// The per-block interface shared by every block quantizer: the values in, the codes and
// fake-quantized values out, and the record of what the quantizer decided (FORMATS.md §2-5).
#pragma once

#include "formats/e2m1.hpp"
#include "formats/recipe.hpp"

namespace fp4lab::formats {

/// One block's inputs and outputs. `random_bits` (n words) is required for stochastic rounding;
/// `codes` (one 4-bit code per byte) and `dequant` may each be null.
struct BlockIO {
  const float* x = nullptr;
  int n = 0;
  const std::uint32_t* random_bits = nullptr;
  std::uint8_t* codes = nullptr;
  float* dequant = nullptr;
  /// Optional packed codes, eight per word (element i in bits 4(i%8)..4(i%8)+3 of word i/8,
  /// the nibble order of formats::pack_pair); the caller zeroes the words. Device kernels
  /// take this instead of `codes`, so that no byte array is unpacked and packed again.
  std::uint32_t* packed = nullptr;
};

/// Stores the 4-bit code (0-15) of element i wherever `io` asks for it (bytes and/or packed
/// words). Each nibble is written once into a zeroed word, so adding is or-ing, which lets
/// device code pack with one shift-and-add per code.
FP4LAB_HD constexpr void store_code(const BlockIO& io, int i, std::uint8_t code) {
  if (io.codes) io.codes[i] = code;
  if (io.packed) io.packed[i / 8] += static_cast<std::uint32_t>(code) << (4 * (i % 8));
}

/// The stored scale of one block: an 8-bit code (UE4M3 or E8M0), or for grouped INT4 an
/// FP32 value already rounded to its storage dtype plus a zero point.
struct BlockScale {
  std::uint8_t code = 0;
  std::uint8_t zero_point = 0;
  float group_scale = 0.0f;
};

/// What the quantizer decided for one block; experiments read this.
struct BlockRecord {
  BlockScale scale;             ///< the stored scale
  float bmax = 0.0f;            ///< max |x| over the block, NaN ignored
  std::uint8_t chosen_max = 0;  ///< 4/6: 6 or 4 (the candidate kept); 0 for other recipes
  std::uint8_t scale_code_6 = 0;  ///< 4/6: the M=6 candidate's UE4M3 scale
  std::uint8_t scale_code_4 = 0;  ///< 4/6: the M=4 candidate's UE4M3 scale
  float err6 = 0.0f;            ///< 4/6: the M=6 candidate's error under the rule
  float err4 = 0.0f;            ///< 4/6: the M=4 candidate's error under the rule
  std::uint8_t chose_int = 0;   ///< IF formats: 1 when the INT candidate was kept (+128 in the scale)
  float err_fp = 0.0f;          ///< IF formats: the FP candidate's error under the rule
  float err_int = 0.0f;         ///< IF formats: the INT candidate's error under the rule
  int nonfinite = 0;            ///< NaN/Inf inputs seen in the block
};

namespace detail {

/// FLT_MAX, spelled without <cfloat> for device code.
inline constexpr float kFloatMax = 3.40282346638528859812e+38f;

/// min(1/d, FLT_MAX): TE's guard against a zero block scale.
FP4LAB_HD constexpr float guarded_reciprocal(float d) {
  const float r = 1.0f / d;
  return r > kFloatMax ? kFloatMax : r;
}

/// max|x| over n values ignoring NaN; counts NaN/Inf.
FP4LAB_HD constexpr float block_amax(const float* x, int n, int* nonfinite) {
  float m = 0.0f;
  int bad = 0;
  FP4LAB_UNROLL
  for (int i = 0; i < n; ++i) {
    if (!is_finite(x[i])) ++bad;
#if defined(__CUDA_ARCH__)
    // the hardware max returns the non-NaN operand, as fmax_nan_ignoring does; m and |x| are
    // never -0, so no signed-zero case differs (one FMNMX instead of two NaN branches)
    if (!__builtin_is_constant_evaluated()) {
      m = fmaxf(m, fabsf(x[i]));  // |x| as an operand modifier of FMNMX
      continue;
    }
#endif
    m = fmax_nan_ignoring(m, abs_bits(x[i]));
  }
  if (nonfinite) *nonfinite = bad;
  return m;
}

/// Whether every x[i] is finite, by a probe: x * 0 summed over the block is NaN exactly when one
/// x is NaN or Inf (one FFMA per element in device code, no per-element test).
FP4LAB_HD constexpr bool all_finite(const float* x, int n) {
  float probe = 0.0f;
  FP4LAB_UNROLL
  for (int i = 0; i < n; ++i) {
#if defined(__CUDA_ARCH__)
    if (!__builtin_is_constant_evaluated()) {
      probe = __fmaf_rn(x[i], 0.0f, probe);  // one FFMA (the build does not contract)
      continue;
    }
#endif
    probe = x[i] * 0.0f + probe;
  }
  return probe == probe;
}

/// The rounding mode and random bits for element i of a block.
FP4LAB_HD constexpr Rounding element_rounding(ElementRounding r) {
  return r == ElementRounding::kNearestEven ? Rounding::kNearestEven : Rounding::kStochastic;
}
FP4LAB_HD constexpr std::uint32_t element_bits(const BlockIO& io, int i) {
  return io.random_bits ? io.random_bits[i] : 0u;
}

/// Adds one element's error d = dq - x (either sign: only |d| and d * d are used) to a
/// candidate's error under rule R, in the order the caller adds them: kMae sums |d|, kAbsMax keeps
/// the largest |d| (a NaN sticks), every other rule (kMse, and the static ones) sums d * d. The
/// rule is a template argument so that a loop over a block compiles without a per-element switch
/// (with_rule picks it once per block).
template <FourSixRule R>
FP4LAB_HD constexpr void add_rule_error(float& err, float d) {
  const float ad = abs_bits(d);
  if constexpr (R == FourSixRule::kMae) {
    err += ad;
  } else if constexpr (R == FourSixRule::kAbsMax) {
    err = (err == err && (ad > err || ad != ad)) ? ad : err;
  } else {
    err += d * d;
  }
}

/// A rule as a type, for with_rule's callers.
template <FourSixRule R>
struct RuleConstant {
  static constexpr FourSixRule value = R;
};

/// Calls f(RuleConstant<rule>{}) with the run-time rule turned into a compile-time one (kMse
/// standing for every summed-square rule), so that f's loops carry no per-element switch; where
/// the rule is already a constant (a kernel pinned to mse) the other branches fold away.
template <class F>
FP4LAB_HD constexpr void with_rule(FourSixRule rule, F&& f) {
  if (rule == FourSixRule::kMae) {
    f(RuleConstant<FourSixRule::kMae>{});
  } else if (rule == FourSixRule::kAbsMax) {
    f(RuleConstant<FourSixRule::kAbsMax>{});
  } else {
    f(RuleConstant<FourSixRule::kMse>{});
  }
}

/// Multiplier applied to the block-scale argument: 17/16 for unbiased stochastic rounding
/// (the scaled block max lands at 6*16/17), else 1.
FP4LAB_HD constexpr float unbiased_stretch(ElementRounding r) {
  return r == ElementRounding::kStochasticUnbiased ? 1.0625f : 1.0f;
}

}  // namespace detail
}  // namespace fp4lab::formats
