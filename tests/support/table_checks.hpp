// Helpers shared by the formats tests that compare a fast form with its scalar twin on fresh
// random inputs: a seeded xorshift64 and a bit-for-bit check of two decode tables.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

#include "formats/four_over_six.hpp"

namespace fp4lab::test {

/// xorshift64; the tests seed it from the clock and print the seed.
struct Xorshift {
  std::uint64_t state;
  std::uint64_t operator()() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

/// Every entry of `fast` has the bits of `slow`'s (a NaN only needs to be a NaN).
inline void require_same_table(const formats::detail::DecodeTable& fast, const formats::detail::DecodeTable& slow) {
  for (int k = 0; k < 8; ++k) {
    if (std::isnan(slow.v[k])) {
      REQUIRE(std::isnan(fast.v[k]));
    } else {
      REQUIRE(formats::bit_cast<std::uint32_t>(fast.v[k]) == formats::bit_cast<std::uint32_t>(slow.v[k]));
    }
  }
}

}  // namespace fp4lab::test
