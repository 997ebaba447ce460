// Host API of the exhaustive hardware-conversion check: every float32 bit pattern through the
// GPU's own conversion instruction, compared with the formats/ software encoder on the device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fp4lab::kernels {

/// Outcome of one exhaustive comparison.
struct ConversionCheck {
  std::string name;           ///< e.g. "cvt.rn.satfinite.e4m3x2.f32"
  bool supported = false;     ///< false when the device lacks the instruction (skipped)
  std::uint64_t checked = 0;  ///< inputs compared
  std::uint64_t mismatches = 0;
  std::vector<std::uint32_t> first_inputs;  ///< up to 8 mismatching float bit patterns
  std::string note;           ///< why it was skipped, or the device name
};

/// Runs every hardware conversion present on device 0 over all 2^32 floats (E4M3 and E5M2
/// satfinite on sm_89+; E2M1 on sm_100a/120a builds), the device's arithmetic E2M1 encoder and
/// its magnitude-only form (4/6's error sums) over all 2^32 floats against the generic encoder,
/// and the hardware E4M3 decode over all 256 codes (sm_89+) against the software decoder. Throws std::runtime_error without a GPU
/// ("no CUDA device") or when a CUDA call fails.
std::vector<ConversionCheck> check_hw_conversions();

}  // namespace fp4lab::kernels
