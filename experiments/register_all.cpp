// The explicit list of experiments (static self-registration gets dropped by the linker).
#include "experiments/experiments.hpp"

namespace fp4lab::exp {

void register_all(Registry& registry) {
  registry.add(make_formats());
  registry.add(make_walkthrough());
  registry.add(make_error_profile());
  registry.add(make_compare());
  registry.add(make_sweep());
  registry.add(make_diff());
  registry.add(make_gemm());
  registry.add(make_perplexity());
  registry.add(make_select());
  registry.add(make_threshold());
  registry.add(make_ablate());
  registry.add(make_model_report());
}

}  // namespace fp4lab::exp
