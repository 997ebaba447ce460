// Deterministic random numbers over Philox4x32-10 (see random.hpp).
#include "core/random.hpp"

#include <cmath>
#include <numbers>

#include "core/parallel.hpp"
#include "formats/philox.hpp"

namespace fp4lab::core {
namespace {

constexpr std::uint32_t kStreamUniform = 0x554E4946u;  // "UNIF": keeps these draws apart from rounding bits

formats::Philox4 draw(std::uint64_t seed, std::uint64_t index) {
  return formats::philox4x32_10(static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                                kStreamUniform, 0u, static_cast<std::uint32_t>(seed),
                                static_cast<std::uint32_t>(seed >> 32));
}

double to_unit(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return static_cast<double>(bits & ((1ull << 53) - 1)) * 0x1.0p-53;
}

}  // namespace

double uniform01(std::uint64_t seed, std::uint64_t index) {
  const formats::Philox4 p = draw(seed, index);
  return to_unit(p.v[0], p.v[1]);
}

float standard_normal(std::uint64_t seed, std::uint64_t index) {
  const formats::Philox4 p = draw(seed, index);
  const double u1 = 1.0 - to_unit(p.v[0], p.v[1]);  // (0, 1]
  const double u2 = to_unit(p.v[2], p.v[3]);
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

void fill_normal(std::span<float> out, std::uint64_t seed, std::uint64_t first, int threads) {
  parallel_for(static_cast<std::int64_t>(out.size()), threads, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) out[static_cast<std::size_t>(i)] = standard_normal(seed, first + i);
  });
}

}  // namespace fp4lab::core
