// Element codes of the 3-, 4-, 6- and 8-bit block formats of FORMATS.md §9, as fouroversix 1.1
// computes and stores them (one code per byte for 3/6/8 bits, sign-magnitude INT3/INT6), plus
// MXFP8's E4M3/E5M2 as torchao casts them (saturating). Value sets are listed per kind below.
#pragma once

#include "formats/e2m1.hpp"
#include "formats/e4m3.hpp"
#include "formats/e5m2.hpp"
#include "formats/fp3.hpp"
#include "formats/fp6.hpp"
#include "formats/int4.hpp"
#include "formats/int_symmetric.hpp"

namespace fp4lab::formats {

/// How a block format writes one element's code (the value side of each format of §9).
enum class CodeKind : std::uint8_t {
  kE2M1,  ///< FP4: ±{0, .5, 1, 1.5, 2, 3, 4, 6}; sign bit 0x8
  kINT4,  ///< two's complement nibble, -7..7
  kE2M3,  ///< FP6 E2M3: bias 1, ±{0, 1/8 .. 7/8, 1 .. 7.5}; sign bit 0x20, no Inf/NaN
  kE3M2,  ///< FP6 E3M2: bias 3, ±{0, 1/16 .. 3/16, 0.25 .. 28}; sign bit 0x20, no Inf/NaN
  kE2M0,  ///< FP3 E2M0: ±{0, 1, 2, 4}; (sign << 2) | code
  kINT3,  ///< sign-magnitude, (sign << 2) | |q|, -3..3
  kINT6,  ///< sign-magnitude, (sign << 5) | |q|, -31..31
  kE4M3,  ///< FP8 E4M3 byte (saturating cast, MXFP8)
  kE5M2,  ///< FP8 E5M2 byte (saturating cast, MXFP8)
};

namespace detail {

/// The sign flag the reference writes: set only for v < 0 (so -0 and NaN give +), as
/// `torch.where(x < 0, 1, 0)` in quantize/pytorch/fp6.py:37 and `tl.where(values < 0, ...)` in
/// kernels/triton/fp3.py:17 and int3.py:15.
FP4LAB_HD constexpr bool ref_negative(float v) { return v < 0.0f; }

/// A sign-magnitude code: the magnitude bits of `mag_code` with the reference's sign flag.
FP4LAB_HD constexpr std::uint8_t with_ref_sign(std::uint8_t mag_code, std::uint8_t sign_bit, float v) {
  return static_cast<std::uint8_t>((mag_code & (sign_bit - 1u)) | (ref_negative(v) ? sign_bit : 0u));
}

}  // namespace detail

/// The code of scaled value v under `kind` (round to nearest even, saturating; FP3 as the
/// reference: ties toward zero). FP4/FP6/FP3/INT codes take their sign from v < 0.
FP4LAB_HD constexpr std::uint8_t encode_code(CodeKind kind, float v) {
  switch (kind) {
    case CodeKind::kE2M1: {
      const std::uint8_t c = fp4_e2m1::from(v).bits;
      return detail::ref_negative(v) ? c : static_cast<std::uint8_t>(c & 0x7u);
    }
    case CodeKind::kINT4:
      return int4::from(v, Int4Range::kSymmetric).bits;
    case CodeKind::kE2M3:  // fp6.py:21-76 (RNE, clamp to 7.5)
      return detail::with_ref_sign(fp6_e2m3::from(v).bits, 0x20u, v);
    case CodeKind::kE3M2:  // fp6.py:21-76 (RNE, clamp to 28)
      return detail::with_ref_sign(fp6_e3m2::from(v).bits, 0x20u, v);
    case CodeKind::kE2M0:  // triton/fp3.py:16-27: the <= ladder, ties toward zero
      return detail::with_ref_sign(fp3_e2m0::from(v, Rounding::kNearestTiesToZero).bits, 0x4u, v);
    case CodeKind::kINT3:  // triton/int3.py:14-23: rint, clamp +-3, sign-magnitude
      return int3_sym::from(v).bits;
    case CodeKind::kINT6:  // triton/int6.py:11-20, reference.py:66-75: clamp +-31, round
      return int6_sym::from(v).bits;
    case CodeKind::kE4M3:
      return fp8_e4m3::from(v, Saturation::kSatFinite).bits;
    case CodeKind::kE5M2:
      return fp8_e5m2::from(v, Saturation::kSatFinite).bits;
  }
  return 0;
}

/// The value of a code under `kind` (exact).
FP4LAB_HD constexpr float decode_code(CodeKind kind, std::uint8_t code) {
  switch (kind) {
    case CodeKind::kE2M1:
      return e2m1_value(static_cast<std::uint8_t>(code & 0xFu));
    case CodeKind::kINT4:
      return int4{static_cast<std::uint8_t>(code & 0xFu)}.to_float();
    case CodeKind::kE2M3:
      return fp6_e2m3{code}.to_float();
    case CodeKind::kE3M2:
      return fp6_e3m2{code}.to_float();
    case CodeKind::kE2M0:
      return fp3_e2m0{code}.to_float();
    case CodeKind::kINT3:
      return int3_sym{code}.to_float();
    case CodeKind::kINT6:
      return int6_sym{code}.to_float();
    case CodeKind::kE4M3:
      return fp8_e4m3{code}.to_float();
    case CodeKind::kE5M2:
      return fp8_e5m2{code}.to_float();
  }
  return 0.0f;
}

}  // namespace fp4lab::formats
