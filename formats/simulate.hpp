// Simulated NVFP4 quantization for the 4/6 paper's Fig. 2 (FORMATS.md §8): block scales and/or
// scaled values kept in high precision (Fig. 2a), and the FP4 cast applied only on one side of
// a threshold t on the scaled magnitude (Fig. 2b). Recipes: NVFP4 te and the 4/6 recipes.
#pragma once

#include "formats/four_over_six.hpp"
#include "formats/nvfp4.hpp"

namespace fp4lab::formats {

/// Which side of the threshold t is cast to FP4 (FORMATS.md §8; the paper is ambiguous).
/// Both compare m = min(|scaled|, 6) with t (NaN and Inf count as 6: FP4 saturates them), so
/// t=6 below and t=0 above quantize every element: the plain recipe, bit for bit. t=0 below
/// quantizes only scaled values of +-0, which decode to +-0: the input, bit for bit, unless a
/// nonzero x underflowed to 0 when scaled (|x| < 2^-150 of its block unit; real data never).
enum class ThresholdDirection : std::uint8_t {
  kQuantizeBelow,  ///< m <= t quantized: the caption's reading (t=0 is HP, t=6 NVFP4); default
  kQuantizeAbove,  ///< m >= t quantized: the text's reading (t=0 is NVFP4, t=6 keeps the rest)
};

/// How an element left in high precision (HP) is reconstructed from its block.
enum class HpReconstruction : std::uint8_t {
  kExact,          ///< x itself, what (x/D)*D is in real arithmetic, when the block's decode
                   ///< scale D = decode*s is > 0; x*0 (a signed zero) when D is 0 (the scale
                   ///< underflowed and the real quantizer loses the block too). The default
  kFp32RoundTrip,  ///< the recipe's decode applied to the unrounded scaled value in FP32:
                   ///< te (scaled*s)*decode, 4/6 ((scaled*s)*amax)/divisor; a few ulp off x
};

/// Options of simulated quantization; the defaults are plain quantization (bit for bit).
struct SimulateOptions {
  bool hp_scales = false;  ///< no E4M3 rounding of the block scale (Fig. 2a "scales in HP"):
                           ///< s is the FP32 argument of e4m3() (no flush, no saturation)
  bool hp_values = false;  ///< no FP4 rounding of x/(alpha*Delta) (Fig. 2a "values in HP"):
                           ///< every element is reconstructed as HP
  float threshold = 6.0f;  ///< t of Fig. 2b, compared with m = min(|scaled|, 6)
  ThresholdDirection dir = ThresholdDirection::kQuantizeBelow;  ///< the side cast to FP4
  HpReconstruction reconstruction = HpReconstruction::kExact;   ///< how HP elements decode
};

/// True when recipe `r` can be simulated: NVFP4 with te or any 4/6 rule (static_6, static_4,
/// mse, mae, abs_max). Block size, rounding and overflow options are those of the recipe.
FP4LAB_HD constexpr bool simulate_supported(const Recipe& r) {
  return r.format == BlockFormat::kNVFP4 &&
         (r.nv == NvRecipe::kTe || r.nv == NvRecipe::kFourOverSix);
}

/// What every element of one simulated block needs: the scale used and its reciprocal.
struct SimulatedScale {
  BlockRecord rec;             ///< the real quantizer's record (E4M3 code, 4/6 choice, errors)
  float scale = 0.0f;          ///< s: the E4M3 block scale's value, or the unrounded FP32 one
  float mul = 0.0f;            ///< guarded 1/(decode*s): scaled = x * mul, as the recipe does
  bool four_over_six = false;  ///< decode as ((v*s)*amax)/divisor (else te's (v*s)*decode)
  bool nonzero_scale = false;  ///< decode*s > 0 in FP32: the block is not flushed to zero
};

/// One element through both branches: its scaled value, m, and both reconstructions.
struct SimulatedElement {
  float scaled = 0.0f;          ///< x * mul in FP32 (the value the recipe casts to FP4)
  float magnitude = 0.0f;       ///< m = min(|scaled|, 6), NaN counted as 6: compared with t
  float quantized = 0.0f;       ///< the recipe's fake-quantized value (FP4, then decode)
  float high_precision = 0.0f;  ///< the HP reconstruction (SimulateOptions::reconstruction)
};

/// True when an element of magnitude m is cast to FP4 under threshold t and direction dir.
FP4LAB_HD constexpr bool threshold_quantizes(float m, float t, ThresholdDirection dir) {
  return dir == ThresholdDirection::kQuantizeBelow ? m <= t : m >= t;
}

/// The block scale of a simulated block. te: hp = bmax*(encode*(1/6))*stretch as in
/// nvfp4.hpp; 4/6: the M=6 or M=4 hp of four_over_six.hpp, where the adaptive rules take the
/// real decision (E4M3 scales, FP4 values) so that the options change only the reconstruction.
FP4LAB_HD constexpr SimulatedScale simulate_block_scale(const Recipe& r, const TensorScale& t,
                                                        const SimulateOptions& o,
                                                        const BlockIO& io) {
  SimulatedScale s;
  const float stretch = detail::unbiased_stretch(r.rounding);
  float hp = 0.0f;
  if (r.nv == NvRecipe::kFourOverSix) {
    s.four_over_six = true;
    s.rec =
        four_over_six_quantize_block(r, t, BlockIO{io.x, io.n, io.random_bits, nullptr, nullptr});
    const float hp6 = (s.rec.bmax / 6.0f) * t.encode * stretch;
    if (r.rule == FourSixRule::kStatic4) {
      hp = (s.rec.bmax / 4.0f) * t.encode * stretch;
    } else if (r.rule == FourSixRule::kStatic6 || s.rec.chosen_max == 6) {
      hp = hp6;
    } else {
      hp = hp6 * 1.5f;  // 1.5x the unrounded M=6 scale, as the 4/6 quantizer
    }
    s.scale = o.hp_scales ? hp : ue4m3{s.rec.scale.code}.to_float();
    s.mul = detail::guarded_reciprocal(t.decode * s.scale);
    s.nonzero_scale = t.decode * s.scale > 0.0f;
    return s;
  }
  s.rec.bmax = detail::block_amax(io.x, io.n, &s.rec.nonfinite);
  hp = s.rec.bmax * (t.encode * (1.0f / 6.0f)) * stretch;
  s.rec.scale.code = ue4m3::from(hp).bits;
  s.scale = o.hp_scales ? hp : ue4m3{s.rec.scale.code}.to_float();
  s.mul = detail::guarded_reciprocal(s.scale * t.decode);
  s.nonzero_scale = s.scale * t.decode > 0.0f;
  return s;
}

/// Decodes a scaled-domain value v with the block's scale (the recipe's own operation order).
FP4LAB_HD constexpr float simulate_decode(const SimulatedScale& s, const TensorScale& t, float v) {
  return s.four_over_six ? ((v * s.scale) * t.amax) / t.divisor : v * s.scale * t.decode;
}

/// Element x (random bits for stochastic rounding) through both branches of the simulation.
FP4LAB_HD constexpr SimulatedElement simulate_element(const Recipe& r, const TensorScale& t,
                                                      const SimulateOptions& o,
                                                      const SimulatedScale& s, float x,
                                                      std::uint32_t random_bits) {
  SimulatedElement e;
  e.scaled = x * s.mul;
  const float a = abs_bits(e.scaled);
  e.magnitude = a <= 6.0f ? a : 6.0f;  // NaN fails the test and counts as 6
  const Rounding rounding = detail::element_rounding(r.rounding);
  if (s.four_over_six) {
    e.quantized =
        simulate_decode(s, t, detail::fp4_round_value(e.scaled, rounding, random_bits, r.overflow));
  } else {
    e.quantized =
        e2m1_value(fp4_e2m1::from(e.scaled, rounding, random_bits).bits) * s.scale * t.decode;
  }
  if (o.reconstruction == HpReconstruction::kFp32RoundTrip) {
    e.high_precision = simulate_decode(s, t, e.scaled);
  } else {
    e.high_precision = s.nonzero_scale ? x : x * 0.0f;
  }
  return e;
}

/// True when element e is cast to FP4 under the options (never with hp_values).
FP4LAB_HD constexpr bool simulate_quantizes(const SimulateOptions& o, const SimulatedElement& e) {
  return !o.hp_values && threshold_quantizes(e.magnitude, o.threshold, o.dir);
}

/// Fake-quantizes one block under the simulation options: writes io.dequant (io.codes is not
/// written: HP elements have no code). With default options it equals quantize_block's
/// dequant bit for bit; the record is the real quantizer's.
FP4LAB_HD constexpr BlockRecord simulate_quantize_block(const Recipe& r, const TensorScale& t,
                                                        const SimulateOptions& o,
                                                        const BlockIO& io) {
  const SimulatedScale s = simulate_block_scale(r, t, o, io);
  for (int i = 0; i < io.n; ++i) {
    const SimulatedElement e = simulate_element(r, t, o, s, io.x[i], detail::element_bits(io, i));
    if (io.dequant) io.dequant[i] = simulate_quantizes(o, e) ? e.quantized : e.high_precision;
  }
  return s.rec;
}

}  // namespace fp4lab::formats
