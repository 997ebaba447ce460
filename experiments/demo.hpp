// `fp4lab demo`: the README's main job. On an embedded default it reproduces the 4/6 paper's
// tensor-level story (Tables 1 and 2, the Fig. 1 curves, then compare, select, threshold and
// ablate on a synthetic LLM-like tensor with outliers) and writes a report folder whose
// index.html links every plot and table.
#pragma once

#include <string>

#include "experiments/experiment.hpp"
#include "experiments/export/figure_render.hpp"

namespace fp4lab::exp {

/// One step of the demo: a subfolder, its title, the experiment and its parameters.
struct DemoStep {
  std::string folder;
  std::string title;
  std::string experiment;
  Params params;
  std::string key_figure;  ///< file stem of the figure the index shows inline; empty: none
};

/// The demo's steps (the embedded default); `rows`/`cols` size the synthetic tensor.
std::vector<DemoStep> demo_steps(int rows, int cols);

/// The recipes of the demo's "adaptive types" view.
inline constexpr const char* kAdaptiveRecipes = "nvfp4:te,nvfp4:4over6:mse,if4:mse,nvint4,mxfp4:floor";

/// The "adaptive types" view: compare of kAdaptiveRecipes on normal, Student-t and outlier-heavy
/// synthetic tensors and a real SmolLM2 weight when it is cached (a Laplace tensor otherwise).
std::vector<DemoStep> adaptive_steps(int rows, int cols);

/// The demo index's headline: per recipe of the compare step, MSE, SQNR, share of blocks
/// scaled to 4 (from the select step for 4/6 rules; fixed 0 or 1 for NVFP4's fixed scales;
/// "n/a" elsewhere) and bits/value (formats' bits_per_value), as an HTML table.
std::string headline_table(const Result& compare, const Result* select);

/// The index's "adaptive types" table: per recipe, bits/value, SQNR on each run (titled
/// "Adaptive types: TENSOR") and the mean SQNR per stored bit.
std::string adaptive_table(const std::vector<std::pair<std::string, Result>>& runs);

/// Runs every step, writes `out`/<folder>/ with figures in `formats` and `out`/index.html
/// (headline table, key figures inline, then every step), prints each summary unless quiet;
/// `progress` reports the overall fraction; `threads` (0: all cores) goes to every step that
/// takes a thread count. Throws on the first failing step.
void run_demo(const Registry& registry, const std::string& out, int rows, int cols, bool quiet,
              const Progress& progress, int threads = 0,
              const std::vector<ImageFormat>& formats = {ImageFormat::svg});

}  // namespace fp4lab::exp
