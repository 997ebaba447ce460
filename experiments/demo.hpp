// `fp4lab demo`: the README's main job. On an embedded default it reproduces the 4/6 paper's
// tensor-level story (Tables 1 and 2, the Fig. 1 curves, then compare, select, threshold and
// ablate on a synthetic LLM-like tensor with outliers) and writes a report folder whose
// index.html links every plot and table.
#pragma once

#include <string>

#include "experiments/experiment.hpp"

namespace fp4lab::exp {

/// One step of the demo: a subfolder, its title, the experiment and its parameters.
struct DemoStep {
  std::string folder;
  std::string title;
  std::string experiment;
  Params params;
};

/// The demo's steps (the embedded default); `rows`/`cols` size the synthetic tensor.
std::vector<DemoStep> demo_steps(int rows, int cols);

/// Runs every step, writes `out`/<folder>/ and `out`/index.html, prints each summary unless
/// quiet; `progress` reports the overall fraction; `threads` (0: all cores) goes to every step
/// that takes a thread count. Throws on the first failing step.
void run_demo(const Registry& registry, const std::string& out, int rows, int cols, bool quiet,
              const Progress& progress, int threads = 0);

}  // namespace fp4lab::exp
