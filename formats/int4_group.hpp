// Classic grouped INT4 (FORMATS.md §5): per group of 32/64/128 values, symmetric
// (scale = absmax/7, codes -7..7) or asymmetric (scale = (max-min)/15 with a zero point,
// codes 0..15). The scale is rounded to its storage dtype (FP32, FP16 or BF16) before use.
#pragma once

#include "formats/block_types.hpp"
#include "formats/ieee.hpp"
#include "formats/int4.hpp"

namespace fp4lab::formats {

/// Rounds a float to a scale storage dtype and back (nearest even).
FP4LAB_HD constexpr float round_to_scale_dtype(float v, ScaleDtype d) {
  if (d == ScaleDtype::kFP16) return to_float(fp16_from_float(v));
  if (d == ScaleDtype::kBF16) return to_float(bf16_from_float(v));
  return v;
}

/// Quantizes one INT4 group. Symmetric: q = clamp(rne(x / s), -7, 7). Asymmetric: the range
/// [min(0, min x), max(0, max x)] (so 0 is exact), zp = clamp(rne(-min / s), 0, 15),
/// q = clamp(rne(x / s) + zp, 0, 15). A zero scale gives all-zero codes.
FP4LAB_HD constexpr BlockRecord int4_group_quantize_block(const Recipe& r, const BlockIO& io) {
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  const Rounding rounding = detail::element_rounding(r.rounding);
  if (r.int4 == Int4Scheme::kSymmetric) {
    const float s = round_to_scale_dtype(rec.bmax / 7.0f, r.int4_scale);
    rec.scale.group_scale = s;
    const bool usable = s > 0.0f && is_finite(s);
    for (int i = 0; i < io.n; ++i) {
      const int q = usable ? round_half_even_clamped(io.x[i] / s, -7, 7, rounding, detail::element_bits(io, i)) : 0;
      store_code(io, i, static_cast<std::uint8_t>(q & 0xF));
      if (io.dequant) io.dequant[i] = static_cast<float>(q) * s;
    }
    return rec;
  }
  float lo = 0.0f, hi = 0.0f;
  for (int i = 0; i < io.n; ++i) {
    if (io.x[i] != io.x[i]) continue;
    lo = io.x[i] < lo ? io.x[i] : lo;
    hi = io.x[i] > hi ? io.x[i] : hi;
  }
  const float s = round_to_scale_dtype((hi - lo) / 15.0f, r.int4_scale);
  rec.scale.group_scale = s;
  const bool usable = s > 0.0f && is_finite(s);
  const int zp = usable ? round_half_even_clamped(-lo / s, 0, 15) : 0;
  rec.scale.zero_point = static_cast<std::uint8_t>(zp);
  for (int i = 0; i < io.n; ++i) {
    int q = zp;
    if (usable) {
      q = round_half_even_clamped(io.x[i] / s, -32768, 32767, rounding, detail::element_bits(io, i)) + zp;
      q = q < 0 ? 0 : (q > 15 ? 15 : q);
    }
    store_code(io, i, static_cast<std::uint8_t>(q));
    if (io.dequant) io.dequant[i] = static_cast<float>(q - zp) * s;
  }
  return rec;
}

/// Dequantizes one grouped-INT4 code.
FP4LAB_HD constexpr float int4_group_dequantize(Int4Scheme scheme, const BlockScale& s, std::uint8_t code) {
  if (scheme == Int4Scheme::kSymmetric) return int4{code}.to_float() * s.group_scale;
  return static_cast<float>(static_cast<int>(code & 0xFu) - static_cast<int>(s.zero_point)) * s.group_scale;
}

}  // namespace fp4lab::formats
