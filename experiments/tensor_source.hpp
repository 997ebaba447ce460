// Where an experiment's tensor comes from: a synthetic distribution (the default) or a file,
// described by parameters shared by every tensor experiment.
#pragma once

#include <string>

#include "core/metrics.hpp"
#include "core/synthetic.hpp"
#include "core/tensor.hpp"
#include "experiments/param_spec.hpp"

namespace fp4lab::exp {

/// A tensor ready to quantize, with its description and hash for provenance.
struct SourceTensor {
  core::Tensor tensor;
  std::string description;
  std::string hash;
  std::uint64_t seed = 0;
};

/// core::tensor_stats(src.tensor), computed once per tensor: the last answer is kept, keyed by
/// the source's hash and description (a moved block axis changes the description, and the sum
/// order with it), so the GUI's per-recipe runs on one tensor do not each recompute it.
core::TensorStats source_stats(const SourceTensor& src, int threads);

/// The source parameters: the spec fragment every tensor experiment's list starts with (the
/// GUI's source editor is generated from it too).
const ParamSpecs& source_params();
/// The synthetic-tensor fields present in `params` (distribution, dtype, scale, nu, ...; the
/// shape and seed are left to the caller), over SyntheticSpec's defaults.
core::SyntheticSpec synthetic_spec(const Params& params);
/// Builds or loads the tensor the parameters describe, with parameter block_axis (if present)
/// moved last, so blocks run along it; throws std::invalid_argument.
SourceTensor load_source(const Params& params, int threads);
/// The tensor as built or loaded, whatever block_axis says.
SourceTensor load_source_as_stored(const Params& params, int threads);

}  // namespace fp4lab::exp
