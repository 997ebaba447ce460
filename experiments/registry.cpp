// The experiment registry and parameter merging (see experiment.hpp).
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

Params merge_params(const Params& defaults, const Params& given, std::string_view experiment) {
  if (!given.is_object()) throw std::invalid_argument(std::string(experiment) + ": parameters must be a JSON object");
  Params out = defaults;
  for (const auto& [key, value] : given.items()) {
    if (!defaults.contains(key)) {
      std::string known;
      for (const auto& [k, v] : defaults.items()) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument(std::string(experiment) + ": unknown parameter '" + key + "'; accepted: " + known);
    }
    const Params& d = defaults.at(key);
    const bool both_numbers = d.is_number() && value.is_number();
    if (!both_numbers && d.type() != value.type()) {
      throw std::invalid_argument(std::string(experiment) + ": parameter '" + key + "' must be a " + d.type_name() +
                                  ", got " + value.dump());
    }
    out[key] = value;
  }
  return out;
}

}  // namespace fp4lab::exp
