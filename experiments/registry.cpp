// The experiment registry (see experiment.hpp); parameters merge through param_spec.hpp.
#include <stdexcept>

#include "experiments/experiment.hpp"

namespace fp4lab::exp {

void Registry::add(std::unique_ptr<Experiment> e) {
  if (find(e->info().id)) throw std::logic_error("experiment '" + e->info().id + "' registered twice");
  items_.push_back(std::move(e));
}

const Experiment* Registry::find(std::string_view id) const {
  for (const auto& e : items_) {
    if (e->info().id == id) return e.get();
  }
  return nullptr;
}

}  // namespace fp4lab::exp
