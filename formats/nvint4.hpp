// NVINT4: NVFP4's `te` recipe with INT4 elements, Mq = 7 (FORMATS.md §5): tensor scale
// amax/(7*448), UE4M3 block scale, q = round_half_even(clamp(x_scaled, -7, 7)).
#pragma once

#include "formats/block_types.hpp"
#include "formats/e4m3.hpp"
#include "formats/int4.hpp"

namespace fp4lab::formats {

/// Tensor scale of NVINT4: S_enc = min(3136/amax, FLT_MAX) (1 for amax 0), S_dec = 1/S_enc.
FP4LAB_HD constexpr TensorScale nvint4_tensor_scale(float amax) {
  TensorScale t;
  t.amax = amax;
  float s_enc = 3136.0f / amax;
  if (s_enc > detail::kFloatMax) s_enc = detail::kFloatMax;
  if (amax == 0.0f || s_enc == 0.0f) s_enc = 1.0f;
  t.encode = s_enc;
  t.decode = static_cast<float>(1.0 / static_cast<double>(s_enc));
  return t;
}

/// Quantizes one NVINT4 block; codes are two's complement nibbles of -7..7.
FP4LAB_HD constexpr BlockRecord nvint4_quantize_block(const Recipe& r, const TensorScale& t, const BlockIO& io) {
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  rec.scale.code = ue4m3::from(rec.bmax * (t.encode * (1.0f / 7.0f)) * detail::unbiased_stretch(r.rounding)).bits;
  const float s_b = ue4m3{rec.scale.code}.to_float();
  const float mul = detail::guarded_reciprocal(s_b * t.decode);
  const Rounding rounding = detail::element_rounding(r.rounding);
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const int4 q = int4::from(io.x[i] * mul, Int4Range::kSymmetric, rounding, detail::element_bits(io, i));
    store_code(io, i, q.bits);
    if (io.dequant) io.dequant[i] = q.to_float() * s_b * t.decode;
  }
  return rec;
}

/// Dequantizes one NVINT4 code: (q * s_b) * S_dec.
FP4LAB_HD constexpr float nvint4_dequantize(const TensorScale& t, std::uint8_t scale_code, std::uint8_t code) {
  return int4{code}.to_float() * ue4m3{scale_code}.to_float() * t.decode;
}

}  // namespace fp4lab::formats
