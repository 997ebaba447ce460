// `fp4lab demo` (see demo.hpp).
#include "experiments/demo.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "experiments/export/report.hpp"

namespace fp4lab::exp {

std::vector<DemoStep> demo_steps(int rows, int cols) {
  // an LLM-like weight: normal values, rows that differ in scale like channels, rare outliers
  const Params tensor = {{"distribution", "normal"},   {"rows", rows},          {"cols", cols},
                         {"dtype", "bf16"},            {"seed", 2026},          {"row_scale_spread", 0.5},
                         {"outlier_fraction", 0.001}, {"outlier_magnitude", 20.0}};
  auto with = [&](Params extra) {
    Params p = tensor;
    for (const auto& [k, v] : extra.items()) p[k] = v;
    return p;
  };
  return {
      {"01_table1_block1", "Tables 1 and 2, first block [10, 20, 30, 40]", "walkthrough", {{"values", "10,20,30,40"}}},
      {"02_table2_block2", "Table 2, second block [15, 30, 120, 180]", "walkthrough", {{"values", "15,30,120,180"}}},
      {"03_error_profile", "Fig. 1: error against value / block max", "error-profile", Params::object()},
      {"04_compare", "Recipes compared on an LLM-like tensor", "compare",
       with({{"recipes", "nvfp4:te,nvfp4:modelopt,nvfp4:torchao,nvfp4:4over6:mse,nvfp4:4over6:mae,nvfp4:4over6:abs_max,"
                         "nvfp4:static_4,mxfp4:floor,mxfp4:rceil,nvint4,int4:g128:asym:fp16"}})},
      {"05_select", "4/6 decisions per rule", "select", tensor},
      {"06_threshold", "Fig. 2b: thresholded simulated quantization", "threshold", tensor},
      {"07_ablate", "Fig. 2a: scales or values in high precision", "ablate", tensor},
  };
}

void run_demo(const Registry& registry, const std::string& out, int rows, int cols, bool quiet,
              const Progress& progress, int threads) {
  const std::vector<DemoStep> steps = demo_steps(rows, cols);
  for (const DemoStep& s : steps) {
    if (!registry.find(s.experiment)) throw std::logic_error("demo: experiment '" + s.experiment + "' is not registered");
  }
  std::vector<std::pair<std::string, std::string>> sections;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const DemoStep& s = steps[k];
    const Experiment& e = *registry.find(s.experiment);
    const double base = double(k) / steps.size(), span = 1.0 / steps.size();
    Params params = s.params;
    if (e.default_params().contains("threads")) params["threads"] = threads;
    const Result r = e.run(params, [&](double f, std::string_view stage) {
      return !progress || progress(base + span * f, fmt::format("{} {}", s.experiment, stage));
    });
    write_result_dir(r, out + "/" + s.folder);
    sections.emplace_back(s.folder, s.title);
    if (!quiet) fmt::print("\n== {} ({}) ==\n{}\n", s.title, s.experiment, r.summary);
  }
  write_index(sections, out, "fp4lab demo: the 4/6 paper's tensor-level story");
}

}  // namespace fp4lab::exp
