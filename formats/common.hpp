// Shared basics of the format library: the host/device marker, bit casts and the named
// rounding, saturation and NaN policies of ../shared/spec/FORMATS.md §1.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define FP4LAB_HD __host__ __device__
#else
#define FP4LAB_HD
#endif

// Keeps a large, rarely used block quantizer out of line in device code, so that each kernel
// instantiation calls one compiled copy instead of inlining its own (compile time of the
// generic kernels); no effect on host code or on the values computed.
#if defined(__CUDA_ARCH__)
#define FP4LAB_DEVICE_NOINLINE __noinline__
#else
#define FP4LAB_DEVICE_NOINLINE
#endif

// Unrolls a per-element loop in device code when its trip count is a compile-time constant
// (the fixed-block kernels), so the block stays in registers; no effect elsewhere.
#if defined(__CUDA_ARCH__)
#define FP4LAB_UNROLL _Pragma("unroll")
#else
#define FP4LAB_UNROLL
#endif

namespace fp4lab::formats {

/// Reinterprets the bits of `from` as a `To` (same size), usable in constexpr and device code.
template <class To, class From>
FP4LAB_HD constexpr To bit_cast(const From& from) {
  static_assert(sizeof(To) == sizeof(From));
  return __builtin_bit_cast(To, from);
}

/// How a value between two grid points is resolved.
enum class Rounding : std::uint8_t {
  kNearestEven,      ///< round to nearest, ties to the even code (CUDA `cudaRoundNearest`)
  kTowardZero,       ///< truncate the magnitude (CUDA `cudaRoundZero`)
  kUp,               ///< toward +infinity on the magnitude; E8M0 only (`cudaRoundPosInf`)
  kNearestTiesAway,  ///< nearest, ties away from zero (ml_dtypes' E8M0 "ties up")
  kStochastic,       ///< round up with probability = fractional distance, from caller's bits
  kNearestTiesToZero,  ///< nearest, ties toward zero (the fouroversix FP3 kernel's `<=` ladder)
};

/// What happens to finite values beyond the largest finite value (and to +-Inf).
enum class Saturation : std::uint8_t {
  kSatFinite,  ///< clamp to +-max finite (CUDA `__NV_SATFINITE`)
  kNoSat,      ///< overflow becomes Inf where the format has it, else NaN (`__NV_NOSAT`)
};

/// What a NaN input becomes. `kCuda` is each format's CUDA 13 behaviour and the default.
enum class NanPolicy : std::uint8_t {
  kCuda,      ///< E4M3/E5M2: 0x7F (sign dropped); E2M1: +6 (0x7); E8M0: 0xFF
  kKeepSign,  ///< E4M3/E5M2: NaN code with the input's sign bit; E2M1: +-6 by sign
  kToZero,    ///< a zero with the NaN's sign bit (+0 or -0; unsigned formats +0); ml_dtypes 0.7's
              ///< float4_e2m1fn/float6 give a zero too, but of the opposite sign (measured:
              ///< 0x7FC00000 -> 0x8), a listed difference; the same rule for the FP8 formats
};

/// Canonical positive quiet NaN returned by every decoder (CUDA's 0x7FFFFFFF).
FP4LAB_HD constexpr float canonical_nan() { return bit_cast<float>(0x7FFFFFFFu); }

/// True when `x` is a NaN (constexpr, no <cmath>).
FP4LAB_HD constexpr bool is_nan(float x) { return (bit_cast<std::uint32_t>(x) & 0x7FFFFFFFu) > 0x7F800000u; }
/// True when `x` is +-Inf.
FP4LAB_HD constexpr bool is_inf(float x) { return (bit_cast<std::uint32_t>(x) & 0x7FFFFFFFu) == 0x7F800000u; }
/// True when `x` is neither NaN nor Inf.
FP4LAB_HD constexpr bool is_finite(float x) { return (bit_cast<std::uint32_t>(x) & 0x7F800000u) != 0x7F800000u; }
/// |x| by clearing the sign bit.
FP4LAB_HD constexpr float abs_bits(float x) { return bit_cast<float>(bit_cast<std::uint32_t>(x) & 0x7FFFFFFFu); }
/// |x| with the sign bit cleared (as abs_bits); in device code fabsf, which folds into the
/// operand of the instruction that uses it.
FP4LAB_HD constexpr float abs_fast(float x) {
#if defined(__CUDA_ARCH__)
  if (!__builtin_is_constant_evaluated()) return fabsf(x);
#endif
  return abs_bits(x);
}
/// max that ignores NaN in either argument (fmaxf semantics, order independent for non-NaN).
FP4LAB_HD constexpr float fmax_nan_ignoring(float a, float b) {
  if (is_nan(a)) return b;
  if (is_nan(b)) return a;
  return a > b ? a : b;
}
/// 2^e as a float for e in [-149, 127], exact (including subnormal powers).
FP4LAB_HD constexpr float exp2i(int e) {
  if (e >= -126) return bit_cast<float>(static_cast<std::uint32_t>(e + 127) << 23);
  return bit_cast<float>(1u << (e + 149));
}

}  // namespace fp4lab::formats
