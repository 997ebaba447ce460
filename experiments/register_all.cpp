// The explicit list of experiments (static self-registration gets dropped by the linker).
#include "experiments/experiments.hpp"

namespace fp4lab::exp {

void register_all(Registry& registry) {
  registry.add(make_formats());
  registry.add(make_walkthrough());
  registry.add(make_error_profile());
  registry.add(make_compare());
}

}  // namespace fp4lab::exp
