// `fp4lab run CONFIG.json`: a batch of experiment runs from one JSON file,
// {"runs": [{"experiment": ID, "params": {...}, "out": DIR}]}; all validated before the first runs.
#include <fmt/format.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "experiments/cli/args.hpp"
#include "experiments/cli/commands.hpp"

namespace fp4lab::cli {

int run_batch_command(const exp::Registry& registry, int argc, char** argv) {
  std::string path;
  bool quiet = false;
  Args args("fp4lab run",
            "A batch: {\"runs\": [{\"experiment\": ID, \"params\": {...}, \"out\": DIR}]}, "
            "every run validated before the first one starts.");
  args.usage_exit_code(1);
  args.positional("CONFIG.json", path, "the batch file").required();
  args.flag("quiet", quiet, "no progress bars on stderr");
  if (const auto rc = args.parse(argc, argv)) return *rc;

  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot open config '" + path + "'");
  exp::Params cfg;
  try {
    cfg = exp::Params::parse(in);
  } catch (const std::exception& ex) {
    throw std::invalid_argument("config '" + path + "' is not valid JSON: " + ex.what());
  }
  if (!cfg.is_object() || !cfg.contains("runs") || !cfg["runs"].is_array()) {
    throw std::invalid_argument("config '" + path + "' needs {\"runs\": [ ... ]}");
  }
  // validate every run before running any, so a typo in run 5 fails fast
  for (std::size_t k = 0; k < cfg["runs"].size(); ++k) {
    const exp::Params& run = cfg["runs"][k];
    if (!run.is_object() || !run.contains("experiment") || !run["experiment"].is_string()) {
      throw std::invalid_argument(fmt::format("config run {}: needs \"experiment\"", k + 1));
    }
    const exp::Experiment* e = registry.find(run["experiment"].get<std::string>());
    if (!e) {
      throw std::invalid_argument(fmt::format("config run {}: unknown experiment '{}'", k + 1,
                                              run["experiment"].get<std::string>()));
    }
    e->merge(run.value("params", exp::Params::object()));  // keys, types, ranges and choices
  }
  for (const exp::Params& run : cfg["runs"]) {
    RunOptions o;
    o.quiet = quiet;
    o.out = run.value("out", std::string());
    run_experiment(*registry.find(run["experiment"].get<std::string>()),
                   run.value("params", exp::Params::object()), o);
  }
  return 0;
}

}  // namespace fp4lab::cli
