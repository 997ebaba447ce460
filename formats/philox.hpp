// Philox4x32-10 counter-based generator (Salmon et al., SC'11): random bits as a pure function
// of (key, counter), so the CPU and the GPU draw identical stochastic-rounding bits.
#pragma once

#include "formats/common.hpp"

namespace fp4lab::formats {

/// Four 32-bit outputs of one Philox4x32-10 evaluation.
struct Philox4 {
  std::uint32_t v[4];
};

/// Philox4x32's round multipliers and Weyl key increments (Salmon et al., SC'11); also read by
/// the SIMD twin (core/simd/philox_kernels.cpp).
inline constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u, kPhiloxM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u, kPhiloxW1 = 0xBB67AE85u;
/// Philox4x32-10's round count.
inline constexpr int kPhiloxRounds = 10;

/// Philox4x32-10 of a 128-bit counter under a 64-bit key.
FP4LAB_HD constexpr Philox4 philox4x32_10(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2,
                                          std::uint32_t c3, std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint32_t kM0 = kPhiloxM0, kM1 = kPhiloxM1;
  constexpr std::uint32_t kW0 = kPhiloxW0, kW1 = kPhiloxW1;
  for (int round = 0; round < kPhiloxRounds; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * c0;
    const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * c2;
    const std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    const std::uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  return Philox4{{c0, c1, c2, c3}};
}

/// The 32 random bits that stochastic rounding uses for element `index` under `seed`.
FP4LAB_HD constexpr std::uint32_t rounding_bits(std::uint64_t seed, std::uint64_t index) {
  return philox4x32_10(static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32), 0x46503446u,
                       0u, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32))
      .v[0];
}

}  // namespace fp4lab::formats
