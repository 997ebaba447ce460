// The GPU's own conversion instructions against the formats/ software encoders, over all 2^32
// float inputs; skipped with a message where there is no GPU or no such instruction.
#include <doctest/doctest.h>

#include <cstdio>
#include <vector>

#include "kernels/block_quantize.hpp"
#include "kernels/hw_conversions.hpp"

TEST_SUITE("kernels.hw_conversions") {
  TEST_CASE("hardware FP8/FP4 conversions equal the software encoders on every float") {
    if (fp4lab::kernels::device_count() == 0) {
      MESSAGE("hardware conversion check skipped: no CUDA device");
      return;
    }
    std::vector<fp4lab::kernels::ConversionCheck> checks;
    REQUIRE_NOTHROW(checks = fp4lab::kernels::check_hw_conversions());
    for (const auto& c : checks) {
      std::printf("%-30s %-10s checked %llu mismatches %llu  (%s)\n", c.name.c_str(), c.supported ? "ran" : "skipped",
                  static_cast<unsigned long long>(c.checked), static_cast<unsigned long long>(c.mismatches), c.note.c_str());
      for (unsigned u : c.first_inputs) std::printf("  mismatch at float bits 0x%08x\n", u);
      CHECK(c.mismatches == 0);
    }
  }
}
