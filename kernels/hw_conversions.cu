// Exhaustive check of the GPU's conversion instructions against formats/ (run on the device):
// cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32 on sm_89+, cvt.rn.satfinite.e2m1x2.f32 where compiled
// for an architecture that has it (sm_100a/sm_120a); plus the device's own fast paths against
// their scalar twins compiled for the device: the arithmetic E2M1 encoder on all 2^32 floats
// and the hardware E4M3 decode (cvt.rn.f16x2.e4m3x2, sm_89+) on all 256 codes.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "formats/e2m1.hpp"
#include "formats/e4m3.hpp"
#include "formats/e5m2.hpp"
#include "formats/int4.hpp"
#include "kernels/hw_conversions.hpp"

namespace fp4lab::kernels {
namespace {

enum Which : int { kE4M3 = 0, kE5M2 = 1, kE2M1 = 2, kE2M1Arith = 3, kE4M3Decode = 4, kE2M1Magnitude = 5, kInt4Magnitude = 6,
            kWhichCount = 7 };

/// Inputs of each comparison: float bit patterns, or the 256 E4M3 codes.
constexpr unsigned long long input_count(int which) { return which == kE4M3Decode ? 256ull : (1ull << 32); }

struct Counters {
  unsigned long long mismatches;
  unsigned int first[8];
  unsigned int supported;
};

/// The hardware result of conversion `which` (formats/ holds the instructions), or false
/// when this device pass lacks it.
__device__ bool hw_convert(int which, float x, unsigned& code) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
  if (which == kE4M3) {
    code = formats::detail::e4m3_rn_satfinite(x);
    return true;
  }
  if (which == kE5M2) {
    unsigned short pair = 0;
    asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(pair) : "f"(0.0f), "f"(x));
    code = pair & 0xFFu;
    return true;
  }
#endif
#if defined(__CUDA_ARCH_FEAT_SM100_ALL) || defined(__CUDA_ARCH_FEAT_SM120_ALL) || defined(__CUDA_ARCH_FEAT_SM103_ALL)
  if (which == kE2M1) {
    code = formats::fp4_e2m1::rn_satfinite(x);
    return true;
  }
#endif
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
  if (which == kE4M3Decode) {  // x carries the code in its low byte; the decode's float bits
    code = formats::bit_cast<unsigned>(formats::detail::e4m3_decode(static_cast<std::uint8_t>(formats::bit_cast<unsigned>(x))));
    return true;
  }
#endif
  if (which == kE2M1Arith) {  // the device arithmetic encoder (software; every architecture)
    code = formats::fp4_e2m1::e2m1_rne_arith(x);
    return true;
  }
  if (which == kE2M1Magnitude) {  // the magnitude-only encoder 4/6's error sums run
    code = formats::fp4_e2m1::rn_magnitude(x);
    return true;
  }
  if (which == kInt4Magnitude) {  // IF4's INT magnitude (its callers keep NaN out)
    code = formats::int4::rn_magnitude_symmetric(x);
    return true;
  }
  (void)x;
  code = 0;
  return false;
}

__global__ void sweep_kernel(int which, Counters* c) {
  const unsigned long long stride = static_cast<unsigned long long>(gridDim.x) * blockDim.x;
  const unsigned long long n = input_count(which);
  for (unsigned long long i = static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    const unsigned u = static_cast<unsigned>(i);
    const float x = formats::bit_cast<float>(u);
    unsigned hw = 0;
    if (!hw_convert(which, x, hw)) {
      if (i == 0) c->supported = 0;
      return;
    }
    if (i == 0) c->supported = 1;
    unsigned sw = 0;
    if (which == kE4M3) sw = formats::fp8_e4m3::from(x).bits;
    if (which == kE5M2) sw = formats::fp8_e5m2::from(x).bits;
    if (which == kE2M1) sw = formats::fp4_e2m1::e2m1_rne_arith(x);  // software, not rn_satfinite
    if (which == kE2M1Arith) {  // its scalar twin: the generic rounding-core encoder
      sw = formats::fp4_e2m1::encode_generic(x, formats::Rounding::kNearestEven, 0, formats::NanPolicy::kCuda);
    }
    if (which == kE2M1Magnitude) {  // the generic encoder's code, its magnitude
      sw = formats::fp4_e2m1::encode_generic(x, formats::Rounding::kNearestEven, 0, formats::NanPolicy::kCuda) & 0x7u;
    }
    if (which == kInt4Magnitude) {  // |int4::from(x, symmetric)|; NaN is outside its contract
      const int v = formats::int4::from(x, formats::Int4Range::kSymmetric).value();
      sw = x != x ? hw : static_cast<unsigned>(v < 0 ? -v : v);
    }
    if (which == kE4M3Decode) {
      sw = formats::bit_cast<unsigned>(
          formats::detail::decode_small_float(static_cast<std::uint8_t>(u), formats::fp8_e4m3::traits()));
    }
    if (hw != sw) {
      const unsigned long long k = atomicAdd(&c->mismatches, 1ull);
      if (k < 8) c->first[k] = u;
    }
  }
}

}  // namespace

std::vector<ConversionCheck> check_hw_conversions() {
  std::vector<ConversionCheck> out;
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
    (void)cudaGetLastError();
    throw std::runtime_error("no CUDA device");
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  const char* names[] = {"cvt.rn.satfinite.e4m3x2.f32", "cvt.rn.satfinite.e5m2x2.f32", "cvt.rn.satfinite.e2m1x2.f32",
                         "e2m1 arithmetic encoder (device)", "cvt.rn.f16x2.e4m3x2 decode",
                         "e2m1 magnitude encoder (device, 4/6 error sums)",
                         "int4 magnitude encoder (device, IF4 error sums; NaN not in its contract)"};
  Counters* dc = nullptr;
  if (cudaMalloc(&dc, sizeof(Counters)) != cudaSuccess) throw std::runtime_error("cudaMalloc failed");
  for (int which = 0; which < kWhichCount; ++which) {
    ConversionCheck r;
    r.name = names[which];
    Counters h{};
    h.supported = 2;  // unknown until thread 0 reports
    cudaMemcpy(dc, &h, sizeof h, cudaMemcpyHostToDevice);
    sweep_kernel<<<prop.multiProcessorCount * 8, 256>>>(which, dc);
    const cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
      cudaFree(dc);
      throw std::runtime_error(std::string("sweep kernel: ") + cudaGetErrorString(e));
    }
    cudaMemcpy(&h, dc, sizeof h, cudaMemcpyDeviceToHost);
    r.supported = h.supported == 1;
    r.note = std::string(prop.name) + " sm_" + std::to_string(prop.major * 10 + prop.minor);
    if (r.supported) {
      r.checked = input_count(which);
      r.mismatches = h.mismatches;
      for (unsigned long long k = 0; k < h.mismatches && k < 8; ++k) r.first_inputs.push_back(h.first[k]);
    } else {
      r.note += ": instruction not in this build/device, skipped";
    }
    out.push_back(r);
  }
  cudaFree(dc);
  return out;
}

}  // namespace fp4lab::kernels
