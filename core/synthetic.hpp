// Synthetic tensors for experiments: normal, Laplace, Student-t, uniform, (signed) log-normal
// and two-scale normal mixtures, with outlier injection and per-row scale spread (rows that
// differ like LLM channels). Every value is a pure function of (seed, index).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace fp4lab::core {

/// The base distribution of a synthetic tensor.
enum class Distribution : std::uint8_t { kNormal, kLaplace, kStudentT, kUniform, kLogNormal, kMixture };

/// Everything that defines a synthetic tensor.
struct SyntheticSpec {
  Distribution distribution = Distribution::kNormal;
  std::vector<std::int64_t> shape = {1024, 1024};
  DType dtype = DType::kBF16;
  std::uint64_t seed = 0;
  double scale = 1.0;              ///< sigma (normal), b (Laplace), half-width (uniform), t scale
  double nu = 4.0;                 ///< Student-t degrees of freedom (> 0)
  double lognormal_sigma = 1.0;    ///< log-normal: |x| = scale * exp(sigma * z), random sign
  double mixture_weight = 0.05;    ///< mixture: probability of the wide component
  double mixture_scale = 10.0;     ///< mixture: the wide component's sigma relative to scale
  double outlier_fraction = 0.0;   ///< fraction of elements replaced by outliers
  double outlier_magnitude = 20.0; ///< outliers are +-magnitude*scale*(0.5..1.5)
  double row_scale_spread = 0.0;   ///< each row scaled by exp(spread * z_row)
};

/// Every distribution, in the order lists and menus show them.
inline constexpr Distribution kDistributions[] = {Distribution::kNormal,  Distribution::kLaplace,
                                                  Distribution::kStudentT, Distribution::kUniform,
                                                  Distribution::kLogNormal, Distribution::kMixture};
/// Parses a name of distribution_names().
Distribution parse_distribution(const std::string& name);
/// The name parse_distribution accepts: "normal", "laplace", "student_t", "uniform", ...
const char* distribution_name(Distribution d);
/// The names of kDistributions, in order (the one list the CLI, the spec and the GUI show).
std::vector<std::string> distribution_names();

/// Generates the tensor (all cores); throws std::invalid_argument for absurd parameters.
/// Equal, bit for bit, to assemble_synthetic(draw_synthetic(spec), spec).
Tensor make_synthetic(const SyntheticSpec& spec, int threads = 0);

/// The scale-free part of a synthetic tensor: every random draw, per element and per row, before
/// `scale`, `mixture_scale` and `outlier_magnitude` enter. A slider over those three (the GUI's
/// scale) re-assembles the tensor from these in one multiply per element instead of drawing
/// (Philox, log, cos) again; the assembled bits are make_synthetic's.
struct SyntheticDraws {
  SyntheticSpec spec;              ///< the spec drawn for (its scale fields are not used)
  std::vector<double> unit;        ///< the base value at scale 1 (mixture: the unscaled normal)
  std::vector<double> outlier;     ///< signed (0.5 + u) of an outlier element, 0 for the others
  std::vector<std::uint8_t> wide;  ///< mixture: 1 where the wide component was drawn (else empty)
  std::vector<double> row_factor;  ///< exp(spread * z_row) per row (empty without row spread)
};

/// Every draw of `spec` (all cores); validates spec as make_synthetic does. Memory: about 17 bytes
/// per element.
SyntheticDraws draw_synthetic(const SyntheticSpec& spec, int threads = 0);
/// True when a and b have the same draws: every field but scale, mixture_scale and
/// outlier_magnitude equal (draws of one serve the other).
bool same_draws(const SyntheticSpec& a, const SyntheticSpec& b);
/// The tensor of `spec` from its draws (throws std::invalid_argument unless
/// same_draws(draws.spec, spec) and the draws are complete).
Tensor assemble_synthetic(const SyntheticDraws& draws, const SyntheticSpec& spec, int threads = 0);

/// A one-line description for provenance, e.g. "normal(scale=1) [4096, 4096] BF16 seed=1".
std::string describe(const SyntheticSpec& spec);

}  // namespace fp4lab::core
