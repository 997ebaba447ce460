// NV-style (nvfp6, nvfp3, nvint3, nvint6) and MX-style (mxfp6, mxfp3, mxfp8) block quantizers
// of FORMATS.md §9, in the order of fouroversix 1.1's compute_nv_scale_factors
// (quantize/pytorch/reference.py:184-241) and Triton compute_scale_factors_kernel
// (kernels/triton/quantize.py:57-196); MXFP8 as OCP MX / torchao (saturating cast).
#pragma once

#include "formats/block_family.hpp"
#include "formats/block_types.hpp"
#include "formats/e4m3.hpp"
#include "formats/e8m0.hpp"
#include "formats/mxfp4.hpp"

namespace fp4lab::formats {

/// Writes element i's code: a nibble (two codes per byte) or a byte (one code per byte) into
/// `io.packed`, and the byte into `io.codes`. Packed words hold eight nibbles or four bytes,
/// low element first; the caller zeroes them.
FP4LAB_HD constexpr void store_family_code(const BlockIO& io, int i, std::uint8_t code, bool nibble) {
  if (io.codes) io.codes[i] = code;
  if (io.packed) {
    if (nibble) {
      io.packed[i / 8] += static_cast<std::uint32_t>(code) << (4 * (i % 8));
    } else {
      io.packed[i / 4] += static_cast<std::uint32_t>(code) << (8 * (i % 4));
    }
  }
}

/// True when the format keeps two codes per byte (format_traits.hpp).
FP4LAB_HD constexpr bool nibble_codes(BlockFormat f) { return format_traits(f).codes_per_byte == 2; }

/// Tensor scale of an NV-style §9 format (and IF): D = Mq * 448 (reference.py:204-211, with
/// nv_if's 448 from utils.py:305-306), encode = D / amax, decode = 1 / encode (reference.py:227-234),
/// divisor = D. amax 0 gives encode 0 (every block scale 0, as reference.py:197-202).
FP4LAB_HD constexpr TensorScale family_nv_tensor_scale(BlockFormat f, float amax) {
  TensorScale t;
  t.amax = amax;
  t.divisor = family_traits(f).mq * 448.0f;
  t.encode = amax == 0.0f ? 0.0f : t.divisor / amax;
  t.decode = 1.0f / t.encode;
  return t;
}

namespace detail {

/// An NV-style block scale: hp = (bmax / Mq) * encode (reference.py:212-220), NaN replaced by 0
/// (Triton quantize.py:132-138), rounded to UE4M3 (reference.py:225); and the multiplier
/// 1 / (decode * s) applied to x (reference.py:235-239; 0 when the scale is 0).
struct NvScale {
  std::uint8_t code;
  float value;
  float mul;
};

FP4LAB_HD constexpr NvScale family_nv_scale(float mq, const TensorScale& t, float bmax) {
  float hp = (bmax / mq) * t.encode;
  if (hp != hp) hp = 0.0f;
  NvScale s{};
  s.code = ue4m3::from(hp).bits;
  s.value = ue4m3{s.code}.to_float();
  s.mul = s.value == 0.0f ? 0.0f : 1.0f / (t.decode * s.value);
  return s;
}

/// The scaled value of x: x * mul, or 0 for a zero scale (reference.py:235-239 `torch.where`).
FP4LAB_HD constexpr float family_scaled(float x, float mul) { return mul == 0.0f ? 0.0f : x * mul; }

/// Dequantized value in the original domain: ((v * s) * amax) / D (Triton quantize.py:844-853).
FP4LAB_HD constexpr float family_nv_dequant(float v, float s, const TensorScale& t) {
  return ((v * s) * t.amax) / t.divisor;
}

/// The E8M0 code of an MX §9 block: rceil is the reference's RU(bmax / Mq) as a power of two
/// (Triton quantize.py:99-117: divide, then the exponent plus one if any mantissa bit is set);
/// floor, ceil and even as mxfp4.hpp with the element's emax.
FP4LAB_HD constexpr std::uint8_t family_mx_scale_code(MxScaleMode mode, float bmax, const FamilyTraits& ft) {
  if (bmax == 0.0f) return 0x00;
  if (mode == MxScaleMode::kRceil) return ue8m0::from(bmax / ft.mq, Saturation::kSatFinite, E8m0Rounding::kUp).bits;
  return mx_scale_code(mode, bmax, ft.emax);
}

}  // namespace detail

/// Quantizes one block of an NV-style §9 format (nvfp6:*, nvfp3, nvint3, nvint6).
FP4LAB_HD FP4LAB_DEVICE_NOINLINE constexpr BlockRecord family_nv_quantize_block(const Recipe& r, const TensorScale& t, const BlockIO& io) {
  const FamilyTraits ft = family_traits(r.format);
  const bool nibble = nibble_codes(r.format);
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  const detail::NvScale s = detail::family_nv_scale(ft.mq, t, rec.bmax);
  rec.scale.code = s.code;
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const std::uint8_t c = encode_code(ft.fp, detail::family_scaled(io.x[i], s.mul));
    store_family_code(io, i, c, nibble);
    if (io.dequant) io.dequant[i] = detail::family_nv_dequant(decode_code(ft.fp, c), s.value, t);
  }
  return rec;
}

/// Quantizes one block of an MX-style §9 format (mxfp6:*, mxfp3, mxfp8:*): scale by r.mx (floor
/// by default), elements x / 2^e encoded saturating; NaN/Inf in the block gives scale 0xFF.
FP4LAB_HD FP4LAB_DEVICE_NOINLINE constexpr BlockRecord family_mx_quantize_block(const Recipe& r, const BlockIO& io) {
  const FamilyTraits ft = family_traits(r.format);
  const bool nibble = nibble_codes(r.format);
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  rec.scale.code = rec.nonfinite ? ue8m0::kNanCode : detail::family_mx_scale_code(r.mx, rec.bmax, ft);
  const bool nan_block = rec.scale.code == ue8m0::kNanCode;
  const int e = nan_block ? 0 : ue8m0{rec.scale.code}.exponent();
  const float inv = exp2i(-e), scale = nan_block ? canonical_nan() : exp2i(e);
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const std::uint8_t c = encode_code(ft.fp, io.x[i] * inv);
    store_family_code(io, i, c, nibble);
    if (io.dequant) io.dequant[i] = decode_code(ft.fp, c) * scale;
  }
  return rec;
}

/// Dequantizes one code of an NV-style §9 format: ((v * s) * amax) / D.
FP4LAB_HD constexpr float family_nv_dequantize(BlockFormat f, const TensorScale& t, std::uint8_t scale_code,
                                               std::uint8_t code) {
  return detail::family_nv_dequant(decode_code(family_traits(f).fp, code), ue4m3{scale_code}.to_float(), t);
}

/// Dequantizes one code of an MX-style §9 format: v * 2^e (NaN for scale 0xFF).
FP4LAB_HD constexpr float family_mx_dequantize(BlockFormat f, std::uint8_t scale_code, std::uint8_t code) {
  return decode_code(family_traits(f).fp, code) * ue8m0{scale_code}.to_float();
}

}  // namespace fp4lab::formats
