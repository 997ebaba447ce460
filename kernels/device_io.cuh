// Device-side element access shared by the GPU kernels (kernels/quantize.cuh, metrics.cu):
// exact widening of FP32/BF16/FP16 storage to float, 16-byte vector loads, and stores of floats
// to an output dtype with round-to-nearest-even and the canonical NaN, as core::Tensor does.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "formats/ieee.hpp"
#include "kernels/quantize.hpp"

namespace fp4lab::kernels::detail {

/// Storage of one input element type, and its exact widening to float (formats/ieee.hpp).
template <core::DType D>
struct Elem;
template <>
struct Elem<core::DType::kF32> {
  using T = std::uint32_t;
  static constexpr int kSize = 4;
  __device__ static float to_float(std::uint32_t u) { return __uint_as_float(u); }
};
template <>
struct Elem<core::DType::kBF16> {
  using T = std::uint16_t;
  static constexpr int kSize = 2;
  __device__ static float to_float(std::uint32_t u) {
    return formats::to_float(formats::bf16{static_cast<std::uint16_t>(u)});
  }
};
template <>
struct Elem<core::DType::kF16> {
  using T = std::uint16_t;
  static constexpr int kSize = 2;
  __device__ static float to_float(std::uint32_t u) {
    return formats::to_float(formats::fp16{static_cast<std::uint16_t>(u)});
  }
};

/// Element i of a device array as a float.
template <core::DType D>
__device__ __forceinline__ float load_one(const void* base, std::int64_t i) {
  return Elem<D>::to_float(static_cast<const typename Elem<D>::T*>(base)[i]);
}

/// N elements starting at element `off` (16-byte aligned) with 16-byte loads, all issued first.
template <core::DType D, int N>
__device__ __forceinline__ void load_vec(const void* base, std::int64_t off, float* v) {
  constexpr int kPer = 16 / Elem<D>::kSize;
  static_assert(N % kPer == 0, "vector loads cover whole 16-byte words");
  const uint4* src = reinterpret_cast<const uint4*>(static_cast<const char*>(base) + off * Elem<D>::kSize);
  uint4 w[N / kPer];
#pragma unroll
  for (int k = 0; k < N / kPer; ++k) w[k] = src[k];
#pragma unroll
  for (int k = 0; k < N / kPer; ++k) {
    const std::uint32_t u[4] = {w[k].x, w[k].y, w[k].z, w[k].w};
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      if constexpr (Elem<D>::kSize == 4) {
        v[k * 4 + j] = Elem<D>::to_float(u[j]);
      } else {
        v[k * 8 + 2 * j] = Elem<D>::to_float(u[j] & 0xFFFFu);
        v[k * 8 + 2 * j + 1] = Elem<D>::to_float(u[j] >> 16);
      }
    }
  }
}

/// Stores one float as out_dtype (round to nearest even, as core::Tensor::set).
__device__ __forceinline__ void store_one(void* out, core::DType od, std::int64_t i, float v) {
  v = formats::canonical_nan(v);
  if (od == core::DType::kF32) {
    static_cast<float*>(out)[i] = v;
  } else if (od == core::DType::kBF16) {
    static_cast<std::uint16_t*>(out)[i] = formats::bf16_from_float(v).bits;
  } else {
    static_cast<std::uint16_t*>(out)[i] = formats::fp16_from_float(v).bits;
  }
}

/// 16-bit storage bits of v in a 16-bit out dtype.
__device__ __forceinline__ std::uint32_t half_bits(core::DType od, float v) {
  return od == core::DType::kBF16 ? formats::bf16_from_float(v).bits : formats::fp16_from_float(v).bits;
}

/// N values to out_dtype at element `off` (16-byte aligned) with 16-byte stores.
template <int N>
__device__ __forceinline__ void store_vec(void* out, core::DType od, std::int64_t off, const float* v) {
  static_assert(N % 8 == 0, "vector stores cover whole 16-byte words");
  if (od == core::DType::kF32) {
    uint4* dst = reinterpret_cast<uint4*>(static_cast<float*>(out) + off);
#pragma unroll
    for (int k = 0; k < N / 4; ++k) {
      dst[k] = make_uint4(__float_as_uint(formats::canonical_nan(v[4 * k])),
                          __float_as_uint(formats::canonical_nan(v[4 * k + 1])),
                          __float_as_uint(formats::canonical_nan(v[4 * k + 2])),
                          __float_as_uint(formats::canonical_nan(v[4 * k + 3])));
    }
    return;
  }
  uint4* dst = reinterpret_cast<uint4*>(static_cast<std::uint16_t*>(out) + off);
#pragma unroll
  for (int k = 0; k < N / 8; ++k) {
    std::uint32_t u[4];
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      u[j] = half_bits(od, formats::canonical_nan(v[8 * k + 2 * j])) |
             (half_bits(od, formats::canonical_nan(v[8 * k + 2 * j + 1])) << 16);
    }
    dst[k] = make_uint4(u[0], u[1], u[2], u[3]);
  }
}

}  // namespace fp4lab::kernels::detail
