// The Experiment interface and the explicit registry (STYLE.md): info(), params() (the one
// declared parameter list), run(params, progress). Experiments are deterministic given their seed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/param_spec.hpp"
#include "experiments/result.hpp"

namespace fp4lab::exp {

/// Identity of an experiment.
struct ExperimentInfo {
  std::string id;       ///< the CLI name, e.g. "compare"
  std::string title;    ///< e.g. "Compare recipes on one tensor"
  std::string summary;  ///< one line
};

/// Reports progress in [0, 1] with a stage name; returns false to ask the run to stop.
using Progress = std::function<bool(double fraction, std::string_view stage)>;

/// Thrown by run() when a progress callback asked to stop.
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

/// One experiment.
class Experiment {
 public:
  virtual ~Experiment() = default;
  /// Its identity.
  virtual ExperimentInfo info() const = 0;
  /// Every parameter, declared once: key, kind, default, help, range or choices.
  virtual ParamSpecs params() const = 0;
  /// Every parameter with its default value (from params()).
  Params default_params() const { return spec_defaults(params()); }
  /// One line of help per parameter with its range or choices (from params()).
  std::vector<std::pair<std::string, std::string>> param_help() const { return spec_help(params()); }
  /// `given` over the defaults, every value checked against params(); throws
  /// std::invalid_argument naming the bad parameter.
  Params merge(const Params& given) const { return merge_params(params(), given, info().id); }
  /// Runs with `params` (defaults filled in for missing keys); throws std::invalid_argument
  /// naming a bad parameter.
  virtual Result run(const Params& params, const Progress& progress) const = 0;
};

/// The explicit list of experiments.
class Registry {
 public:
  /// Adds an experiment (ids must be unique).
  void add(std::unique_ptr<Experiment> e);
  /// The experiment with this id, or nullptr.
  const Experiment* find(std::string_view id) const;
  /// All experiments in registration order.
  const std::vector<std::unique_ptr<Experiment>>& all() const { return items_; }

 private:
  std::vector<std::unique_ptr<Experiment>> items_;
};

/// Registers every experiment of fp4lab.
void register_all(Registry& registry);

}  // namespace fp4lab::exp
