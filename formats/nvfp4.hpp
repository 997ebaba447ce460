// NVFP4 (16 E2M1 values + UE4M3 block scale + FP32 tensor scale) under the production recipes
// `te` (TransformerEngine, default), `modelopt` and `torchao`, exactly as FORMATS.md §2 states
// (torchao also with PyTorch's CUDA arithmetic, and single-level: README "Semantics").
#pragma once

#include "formats/block_types.hpp"
#include "formats/e4m3.hpp"

namespace fp4lab::formats {

/// Tensor scale of an NVFP4 recipe (te, modelopt, torchao) from amax. torchao alone reads
/// `div` (p = amax/2688, or amax * float(1/2688) as PyTorch's CUDA kernel computes it) and
/// `levels` (kOne: no tensor scale, p = 1).
FP4LAB_HD constexpr TensorScale nvfp4_tensor_scale(NvRecipe recipe, float amax,
                                                   ConstDivision div = ConstDivision::kDivide,
                                                   ScaleLevels levels = ScaleLevels::kTwo) {
  TensorScale t;
  t.amax = amax;
  if (recipe == NvRecipe::kTe) {
    float s_enc = 2688.0f / amax;
    if (s_enc > detail::kFloatMax) s_enc = detail::kFloatMax;
    if (amax == 0.0f || s_enc == 0.0f) s_enc = 1.0f;
    t.encode = s_enc;
    t.decode = static_cast<float>(1.0 / static_cast<double>(s_enc));
  } else if (recipe == NvRecipe::kTorchao && levels == ScaleLevels::kOne) {
    t.decode = 1.0f;  // single-level torchao: block scales straight from bmax/6
    t.encode = 1.0f;
  } else if (recipe == NvRecipe::kTorchao && div == ConstDivision::kReciprocal) {
    t.decode = amax * (1.0f / 2688.0f);  // the reciprocal rounded to FP32 first
    t.encode = 1.0f / t.decode;
  } else {  // modelopt's w and torchao's p are both amax/2688; zero amax is not guarded
    t.decode = amax / 2688.0f;
    t.encode = 1.0f / t.decode;
  }
  return t;
}

/// NaN-propagating clamp (torch.clamp semantics).
FP4LAB_HD constexpr float clamp_propagate(float v, float lo, float hi) {
  if (v != v) return v;
  return v < lo ? lo : (v > hi ? hi : v);
}

/// Quantizes one NVFP4 block under te, modelopt or torchao.
FP4LAB_HD constexpr BlockRecord nvfp4_quantize_block(const Recipe& r, const TensorScale& t, const BlockIO& io) {
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  const float stretch = detail::unbiased_stretch(r.rounding);
  const Rounding rounding = detail::element_rounding(r.rounding);
  float s_b = 0.0f, mul = 0.0f;
  if (r.nv == NvRecipe::kModelopt) {
    float ratio = rec.bmax / (6.0f * t.decode);
    if (ratio == 0.0f) ratio = 1.0f;
    if (ratio == ratio && ratio < 0.001953125f) ratio = 0.001953125f;
    rec.scale.code = ue4m3::from(ratio * stretch).bits;
    s_b = ue4m3{rec.scale.code}.to_float();
    const float denom = s_b * t.decode;
    FP4LAB_UNROLL
    for (int i = 0; i < io.n; ++i) {
      const float v = io.x[i] / denom;
      std::uint8_t c = fp4_e2m1::from(v, rounding, detail::element_bits(io, i)).bits;
      if (!(v < 0.0f)) c &= 0x7u;  // sign from (v < 0): -0 gives 0x0
      store_code(io, i, c);
      if (io.dequant) io.dequant[i] = e2m1_value(c) * denom;
    }
    return rec;
  }
  if (r.nv == NvRecipe::kTorchao) {
    const float bscale = r.const_div == ConstDivision::kReciprocal ? rec.bmax * (1.0f / 6.0f) : rec.bmax / 6.0f;
    rec.scale.code = ue4m3::from(clamp_propagate(bscale / t.decode * stretch, 0.015625f, 448.0f)).bits;
    s_b = ue4m3{rec.scale.code}.to_float();
    mul = (1.0f / t.decode) / s_b;
    const float dscale = s_b * t.decode;
    FP4LAB_UNROLL
    for (int i = 0; i < io.n; ++i) {
      const std::uint8_t c =
          fp4_e2m1::from(clamp_propagate(io.x[i] * mul, -6.0f, 6.0f), rounding, detail::element_bits(io, i)).bits;
      store_code(io, i, c);
      if (io.dequant) io.dequant[i] = e2m1_value(c) * dscale;
    }
    return rec;
  }
  // te
  rec.scale.code = ue4m3::from(rec.bmax * (t.encode * (1.0f / 6.0f)) * stretch).bits;
  s_b = ue4m3{rec.scale.code}.to_float();
  mul = detail::guarded_reciprocal(s_b * t.decode);
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const std::uint8_t c = fp4_e2m1::from(io.x[i] * mul, rounding, detail::element_bits(io, i)).bits;
    store_code(io, i, c);
    if (io.dequant) io.dequant[i] = e2m1_value(c) * s_b * t.decode;
  }
  return rec;
}

/// Dequantizes one NVFP4 code (te: (v*s_b)*S_dec; modelopt and torchao: v*(s_b*tensor scale)).
FP4LAB_HD constexpr float nvfp4_dequantize(NvRecipe recipe, const TensorScale& t, std::uint8_t scale_code,
                                           std::uint8_t code) {
  const float s_b = ue4m3{scale_code}.to_float();
  if (recipe == NvRecipe::kTe) return e2m1_value(code) * s_b * t.decode;
  return e2m1_value(code) * (s_b * t.decode);
}

}  // namespace fp4lab::formats
