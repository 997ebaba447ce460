// Deterministic random numbers for synthetic tensors and tests: uniform and normal draws as
// pure functions of (seed, index) over Philox4x32-10, so any thread count gives the same bits.
#pragma once

#include <cstdint>
#include <span>

namespace fp4lab::core {

/// Uniform double in [0, 1) for (seed, index), 53 random bits.
double uniform01(std::uint64_t seed, std::uint64_t index);

/// Standard normal for (seed, index), Box-Muller in double, rounded to float.
float standard_normal(std::uint64_t seed, std::uint64_t index);

/// Fills `out` with standard normals for indices [first, first + out.size()), using all cores.
void fill_normal(std::span<float> out, std::uint64_t seed, std::uint64_t first = 0, int threads = 0);

}  // namespace fp4lab::core
