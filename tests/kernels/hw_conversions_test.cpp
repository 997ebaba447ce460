// The GPU's own conversion instructions against the formats/ software encoders, over all 2^32
// float inputs; skipped with a message where there is no GPU or no such instruction.
#include <doctest/doctest.h>

#include <cstdio>

#include "kernels/hw_conversions.hpp"

TEST_SUITE("kernels.hw_conversions") {
  TEST_CASE("hardware FP8/FP4 conversions equal the software encoders on every float") {
    std::string error;
    const auto checks = fp4lab::kernels::check_hw_conversions(error);
    if (checks.empty()) {
      MESSAGE("hardware conversion check skipped: " << error);
      return;
    }
    REQUIRE(error.empty());
    for (const auto& c : checks) {
      std::printf("%-30s %-10s checked %llu mismatches %llu  (%s)\n", c.name.c_str(), c.supported ? "ran" : "skipped",
                  static_cast<unsigned long long>(c.checked), static_cast<unsigned long long>(c.mismatches), c.note.c_str());
      for (unsigned u : c.first_inputs) std::printf("  mismatch at float bits 0x%08x\n", u);
      CHECK(c.mismatches == 0);
    }
  }
}
