// The sub-commands of the `fp4lab` CLI (main.cpp dispatches on the first argument): run one
// experiment, the demo, a batch. Each takes argv with argv[0] its own name and returns the exit
// status.
#pragma once

#include <string>

#include "experiments/export/figure_render.hpp"
#include "core/io/output_guard.hpp"
#include "experiments/experiment.hpp"

namespace fp4lab::cli {

/// What to do with an experiment's Result besides printing its summary.
struct RunOptions {
  std::string out;     ///< report folder (result.json, CSV, SVG, index.html); empty: none
  bool quiet = false;  ///< no progress bar, no "wrote" line
  bool json = false;   ///< print the Result as JSON instead of its summary
  std::vector<exp::ImageFormat> formats = {exp::ImageFormat::svg};  ///< figure files per plot
  bool force = false;  ///< replace the files of the previous run in `out` (core::OutputDir)
};

/// The OutputDir of `o.out` (checked before any computation; see core/io/output_guard.hpp),
/// its --force note printed on stderr unless quiet.
core::OutputDir open_output_dir(const std::string& out, bool force, bool quiet);

/// Writes the manifest of `dir` for `command` also when the run failed after writing some files
/// (so that --force can remove them); call from a catch block. Never throws.
void commit_after_failure(core::OutputDir& dir, const std::string& command) noexcept;

/// Runs `e` with `params` (defaults filled in), prints its summary or JSON, writes --out with its
/// manifest. `dir` is the checked output folder of `options.out` (nullptr: checked here).
int run_experiment(const exp::Experiment& e, const exp::Params& params, const RunOptions& options,
                   core::OutputDir* dir = nullptr);

/// `fp4lab <experiment> [--PARAM VALUE ...] [--out DIR] [--threads N] [--quiet] [--json]`.
int run_experiment_command(const exp::Experiment& e, int argc, char** argv);

/// `fp4lab demo [--out DIR] [--rows N] [--cols N] [--format svg,png,pdf] [--threads N] [--force] [--quiet]`.
int run_demo_command(const exp::Registry& registry, int argc, char** argv);

/// `fp4lab tokenize [--model GGUF] [--text TEXT] --out FILE [--force]`: token ids, one per line.
int run_tokenize_command(int argc, char** argv);

/// `fp4lab run CONFIG.json [--force] [--quiet]`: every run and output folder validated before the
/// first one starts.
int run_batch_command(const exp::Registry& registry, int argc, char** argv);

}  // namespace fp4lab::cli
