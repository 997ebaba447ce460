// `fp4lab run CONFIG.json`: a batch of experiment runs from one JSON file,
// {"runs": [{"experiment": ID, "params": {...}, "out": DIR}]}; all validated before the first runs.
#include <fmt/format.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "experiments/cli/args.hpp"
#include "experiments/cli/commands.hpp"

namespace fp4lab::cli {

int run_batch_command(const exp::Registry& registry, int argc, char** argv) {
  std::string path;
  bool quiet = false, force = false;
  Args args("fp4lab run",
            "A batch: {\"runs\": [{\"experiment\": ID, \"params\": {...}, \"out\": DIR}]}, "
            "every run validated before the first one starts.");
  args.usage_exit_code(1);
  args.positional("CONFIG.json", path, "the batch file").required();
  args.flag("force", force,
            "reuse non-empty \"out\" folders: delete the files their manifests list, keep others");
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
    if (run.contains("out") && !run["out"].is_string())
      throw std::invalid_argument(fmt::format("config run {}: \"out\" must be a string", k + 1));
  }
  // every output folder checked (and with --force cleaned) before the first run; two runs may
  // not share one, since each folder's manifest lists one run's files
  std::map<std::string, std::size_t> seen;
  std::deque<core::OutputDir> dirs;
  std::vector<core::OutputDir*> dir_of_run;
  for (std::size_t k = 0; k < cfg["runs"].size(); ++k) {
    const std::string out = cfg["runs"][k].value("out", std::string());
    dir_of_run.push_back(nullptr);
    if (out.empty()) continue;
    std::filesystem::path norm = std::filesystem::path(out).lexically_normal();
    if (!norm.has_filename() && norm.has_parent_path()) norm = norm.parent_path();  // "a/" is "a"
    const std::string key = norm.string();
    if (const auto [it, fresh] = seen.emplace(key, k + 1); !fresh) {
      throw std::invalid_argument(fmt::format(
          "config runs {} and {} both write \"out\": \"{}\"; give each run its own folder",
          it->second, k + 1, out));
    }
    dirs.push_back(open_output_dir(out, force, quiet));
    dir_of_run.back() = &dirs.back();
  }
  for (std::size_t k = 0; k < cfg["runs"].size(); ++k) {
    const exp::Params& run = cfg["runs"][k];
    RunOptions o;
    o.quiet = quiet;
    o.out = run.value("out", std::string());
    run_experiment(*registry.find(run["experiment"].get<std::string>()),
                   run.value("params", exp::Params::object()), o, dir_of_run[k]);
  }
  return 0;
}

}  // namespace fp4lab::cli
