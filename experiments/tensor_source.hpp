// Where an experiment's tensor comes from: a synthetic distribution (the default) or a file,
// described by parameters shared by every tensor experiment.
#pragma once

#include <string>

#include "core/tensor.hpp"
#include "experiments/experiment.hpp"

namespace fp4lab::exp {

/// A tensor ready to quantize, with its description and hash for provenance.
struct SourceTensor {
  core::Tensor tensor;
  std::string description;
  std::string hash;
  std::uint64_t seed = 0;
};

/// The source parameters with their defaults (merged into each tensor experiment's defaults).
Params source_default_params();
/// Help lines for the source parameters.
std::vector<std::pair<std::string, std::string>> source_param_help();
/// Builds or loads the tensor the parameters describe; throws std::invalid_argument.
SourceTensor load_source(const Params& params, int threads);

}  // namespace fp4lab::exp
