// Every GPU kernel against its CPU twin (core::quantize / dequantize / fake_quantize), bit for
// bit: codes, block scales, INT4 group scales and zero points, tensor scale, dequantized and
// fake-quantized values. Used by `fp4lab verify`; the doctest suite checks the same recipes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "formats/simulate.hpp"

namespace fp4lab::kernels {

/// Every recipe the GPU path covers: the fast paths (NVFP4/NVINT4 at 16, MXFP4 at 32), the
/// generic kernel (other block sizes, 2-D tiles, grouped INT4), stochastic rounding, and the
/// fake-quantize-only unclamped 4/6 reference cast.
const std::vector<std::string>& cross_check_recipe_specs();

/// Outcome of one recipe on one tensor.
struct CrossCheck {
  std::uint64_t bytes_compared = 0;
  std::uint64_t bytes_differing = 0;
  std::string first_difference;  ///< which output and byte, empty when all matched
  std::string error;             ///< a GPU call failed (counts as a mismatch)
};

/// Quantizes (both scale layouts), dequantizes and fake-quantizes `x` on the CPU and the GPU.
CrossCheck cross_check(const std::string& spec, const core::Tensor& x);

/// A named simulation setting (threshold side and value, HP scales/values, reconstruction).
struct SimulateCase {
  std::string name;
  formats::SimulateOptions options;
};

/// The simulation settings `fp4lab verify` and the tests run: both threshold directions at
/// several t (0, the 2.5/3.5 bumps, 5, 6), HP scales, HP values, the FP32 round-trip decode.
const std::vector<SimulateCase>& cross_check_simulate_cases();

/// Simulated fake-quantization of `x` (FP32 out, and x's dtype out) on the CPU and the GPU.
CrossCheck cross_check_simulate(const std::string& spec, const formats::SimulateOptions& options,
                                const core::Tensor& x);

/// The GPU error metrics and histograms (gpu_evaluate: quantize, dequantize, sums and counts
/// on the device) against core::error_metrics and core::error_histograms of the CPU's
/// quantize + dequantize (fake-quantize for the unclamped reference cast): every metric and
/// every histogram count, as bytes of their doubles.
CrossCheck cross_check_metrics(const std::string& spec, const core::Tensor& x, int bins);

}  // namespace fp4lab::kernels
