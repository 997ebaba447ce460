// The sub-commands of the `fp4lab` CLI (main.cpp dispatches on the first argument): run one
// experiment, the demo, a batch. Each takes argv with argv[0] its own name and returns the exit
// status.
#pragma once

#include <string>

#include "experiments/export/figure_render.hpp"
#include "experiments/experiment.hpp"

namespace fp4lab::cli {

/// What to do with an experiment's Result besides printing its summary.
struct RunOptions {
  std::string out;     ///< report folder (result.json, CSV, SVG, index.html); empty: none
  bool quiet = false;  ///< no progress bar, no "wrote" line
  bool json = false;   ///< print the Result as JSON instead of its summary
  std::vector<exp::ImageFormat> formats = {exp::ImageFormat::svg};  ///< figure files per plot
};

/// Runs `e` with `params` (defaults filled in), prints its summary or JSON, writes --out.
int run_experiment(const exp::Experiment& e, const exp::Params& params, const RunOptions& options);

/// `fp4lab <experiment> [--PARAM VALUE ...] [--out DIR] [--threads N] [--quiet] [--json]`.
int run_experiment_command(const exp::Experiment& e, int argc, char** argv);

/// `fp4lab demo [--out DIR] [--rows N] [--cols N] [--format svg,png,pdf] [--threads N] [--quiet]`.
int run_demo_command(const exp::Registry& registry, int argc, char** argv);

/// `fp4lab tokenize [--model GGUF] [--text TEXT] --out FILE [--force]`: token ids, one per line.
int run_tokenize_command(int argc, char** argv);

/// `fp4lab run CONFIG.json [--quiet]`: every run validated before the first one starts.
int run_batch_command(const exp::Registry& registry, int argc, char** argv);

}  // namespace fp4lab::cli
