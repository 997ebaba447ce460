// GEMM cross-check: cuBLASLt's low-precision GEMMs (FP8 E4M3 on sm_89+; NVFP4 with VEC16_UE4M3
// and MXFP4 with VEC32_UE8M0 block scales on sm_100+) against the simulated GEMM, i.e. the same
// quantized operands dequantized by formats/ and multiplied in float64 and in FP32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fp4lab::kernels {

/// Outcome of one GEMM comparison, D = Q(A) * Q(B)^T with A m x k and B n x k.
struct GemmCheck {
  std::string name;      ///< e.g. "fp8 e4m3 x e4m3 (per-tensor scale)"
  bool ran = false;      ///< false when the device or cuBLASLt lacks the GEMM (see note)
  std::string note;      ///< why it was skipped, or the cuBLASLt settings used
  int m = 0, n = 0, k = 0;
  double rel_err_hw = 0;    ///< ||D_hw - R|| / ||R||, R = float64 product of the dequantized operands
  double rel_err_fp32 = 0;  ///< the same for an FP32 cuBLASLt GEMM of the dequantized operands
  double max_abs_hw = 0;    ///< max |D_hw - R|
  double noise_bound = 0;   ///< k * 2^-24: the float32 summation bound the hardware is held to
  bool within_noise = false;  ///< rel_err_hw <= noise_bound
};

/// Runs every GEMM the device has on fresh normal operands drawn from `seed` (FP32 reference
/// GEMM always; FP8 on sm_89+; NVFP4/MXFP4 block-scaled on sm_100+). Throws
/// std::runtime_error when there is no device or a CUDA call fails outside a GEMM, and
/// std::invalid_argument when a size is not a multiple of 128.
std::vector<GemmCheck> check_gemms(int m, int n, int k, std::uint64_t seed);

}  // namespace fp4lab::kernels
