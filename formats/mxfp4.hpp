// MXFP4 (OCP MX v1.0): 32 E2M1 values sharing one E8M0 scale 2^e (FORMATS.md §4), with the
// scale modes floor (OCP, default), ceil, even and rceil (NVIDIA cuBLAS/TE, fouroversix).
#pragma once

#include "formats/block_types.hpp"
#include "formats/e8m0.hpp"

namespace fp4lab::formats {

/// The E8M0 scale code an MX scale mode gives for a finite block max (0x00 for an all-zero block).
/// `emax` is the element type's largest exponent (2 for E2M1; the other MX types of
/// FORMATS.md §9 pass theirs; their rceil is in mx_family.hpp).
FP4LAB_HD constexpr std::uint8_t mx_scale_code(MxScaleMode mode, float bmax, int emax = 2) {
  if (bmax == 0.0f) return 0x00;
  if (mode == MxScaleMode::kRceil) return ue8m0::from(bmax * (1.0f / 6.0f), Saturation::kSatFinite, E8m0Rounding::kUp).bits;
  const detail::Magnitude m = detail::decompose(bmax);
  int fl2 = m.floor_log2;
  const int lead = detail::bit_width64(m.sig) - 1;  // position of the leading one
  const std::uint64_t below = m.sig & ((1ull << lead) - 1);  // bits under the leading one
  if (mode == MxScaleMode::kCeil && below != 0) ++fl2;
  if (mode == MxScaleMode::kEven && lead >= 2) {
    // keep the leading bit and one more; round the rest to nearest, ties to even
    const int drop = lead - 1;
    const std::uint64_t kept = m.sig >> drop, rem = m.sig & ((1ull << drop) - 1), half = 1ull << (drop - 1);
    const std::uint64_t rounded = kept + ((rem > half || (rem == half && (kept & 1u))) ? 1u : 0u);
    if (rounded == 4) ++fl2;  // 1.1b rounded up to 10.0b: next binade
  }
  int e = fl2 - emax;  // 2 = emax of E2M1
  if (e < -127) e = -127;
  if (e > 127) return ue8m0::kNanCode;
  return static_cast<std::uint8_t>(e + 127);
}

/// The element code stored in every position of a NaN/Inf block (scale 0xFF): each element is
/// x / NaN, and a NaN encodes as CUDA's E2M1 conversion encodes it, +6 (NanPolicy::kCuda). One
/// fixed code, so the stored bytes do not depend on values the scale cannot represent.
inline constexpr std::uint8_t kMxNanBlockCode = 0x7;

/// Quantizes one MX block: scale from the mode, elements x/2^e rounded and clamped to +-6.
/// Any NaN/Inf in the block gives scale 0xFF (the whole block decodes to NaN) and element
/// codes kMxNanBlockCode.
FP4LAB_HD constexpr BlockRecord mxfp4_quantize_block(const Recipe& r, const BlockIO& io) {
  BlockRecord rec;
  rec.bmax = detail::block_amax(io.x, io.n, &rec.nonfinite);
  rec.scale.code = rec.nonfinite ? ue8m0::kNanCode : mx_scale_code(r.mx, rec.bmax);
  const bool nan_block = rec.scale.code == ue8m0::kNanCode;
  const int e = nan_block ? 0 : ue8m0{rec.scale.code}.exponent();
  const float inv = exp2i(-e), scale = nan_block ? canonical_nan() : exp2i(e);
  const Rounding rounding = detail::element_rounding(r.rounding);
  FP4LAB_UNROLL
  for (int i = 0; i < io.n; ++i) {
    const std::uint8_t c =
        nan_block ? kMxNanBlockCode : fp4_e2m1::from(io.x[i] * inv, rounding, detail::element_bits(io, i)).bits;
    store_code(io, i, c);
    if (io.dequant) io.dequant[i] = e2m1_value(c) * scale;
  }
  return rec;
}

/// Dequantizes one MX code: v * 2^e (NaN for scale 0xFF).
FP4LAB_HD constexpr float mxfp4_dequantize(std::uint8_t scale_code, std::uint8_t code) {
  return e2m1_value(code) * ue8m0{scale_code}.to_float();
}

}  // namespace fp4lab::formats
