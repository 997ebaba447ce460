// Simulated quantization of whole tensors on the CPU (the 4/6 paper's Fig. 2, FORMATS.md §8)
// over formats/simulate.hpp, and the threshold sweep that evaluates many t in one pass.
// Layout as core/quantize.hpp: 1-D blocks along the last dimension, rows padded with zeros.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.hpp"
#include "formats/simulate.hpp"

namespace fp4lab::core {

/// Checks that a recipe can be simulated (NVFP4 te or 4/6, 1-D blocks, no RHT) and is valid;
/// throws std::invalid_argument saying what is not supported.
void validate_simulate_recipe(const formats::Recipe& r);

/// Simulated fake-quantization of a tensor, identical for any thread count. With default
/// options it equals fake_quantize(x, recipe) bit for bit. Throws std::invalid_argument for
/// empty tensors, unsupported recipes and a NaN threshold.
Tensor simulate_quantize(const TensorView& x, const formats::Recipe& recipe,
                         const formats::SimulateOptions& options, DType out = DType::kF32,
                         int threads = 0);

/// Squared errors of thresholded simulation at many thresholds, both directions, from one pass.
struct ThresholdSweep {
  std::vector<float> thresholds;        ///< t_k, strictly increasing
  std::vector<double> sse_below;        ///< sum (x_hat - x)^2 at t_k, kQuantizeBelow
  std::vector<double> sse_above;        ///< sum (x_hat - x)^2 at t_k, kQuantizeAbove
  std::vector<double> quantized_below;  ///< elements cast to FP4 at t_k, kQuantizeBelow
  std::vector<double> quantized_above;  ///< elements cast to FP4 at t_k, kQuantizeAbove
  double sse_quantized = 0;             ///< every element cast to FP4 (the plain recipe's error)
  double sse_high_precision = 0;        ///< every element in HP
  double sum_x2 = 0;                    ///< sum x^2
  std::int64_t count = 0;               ///< finite inputs (non-finite ones are left out, as in
                                        ///< error_metrics)
  std::int64_t nonfinite = 0;           ///< NaN/Inf inputs
};

/// Sweeps `thresholds` (strictly increasing, finite) with the options' scales, hp_values and
/// reconstruction (its threshold and dir are ignored). Each element's scaled value and both
/// reconstructions are computed once; its squared errors (double, from the FP32 values the
/// simulation writes) go to the bin of the first t_k it is quantized at. Sums run over fixed
/// chunks combined in order, so the result is the same for any thread count; it differs from
/// error_metrics(simulate_quantize(..)) only in the order of the double sums.
ThresholdSweep threshold_sweep(const TensorView& x, const formats::Recipe& recipe,
                               const std::vector<float>& thresholds,
                               const formats::SimulateOptions& options, int threads = 0);

}  // namespace fp4lab::core
