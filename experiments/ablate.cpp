// `ablate`: the 4/6 paper's Fig. 2a on a tensor. NVFP4 against its simulated variants with the
// block scales or the scaled values kept in high precision (FORMATS.md §8, formats/simulate.hpp),
// beside M=6 (static_6), M=4 (static_4) and 4/6 (mse): MSE, relative RMSE and SQNR of each.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/metrics.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "core/simulate.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/tensor_source.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

/// One row of the ablation: a recipe, and the simulation options (none: the real recipe).
struct Variant {
  std::string name;
  Recipe recipe;
  bool simulated = false;
  SimulateOptions options;
  std::string scales, values;  ///< "E4M3"/"HP", "FP4"/"HP"
};

class Ablate : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {
        "ablate", "Scales or values in high precision (Fig. 2a)",
        "NVFP4 against simulated variants without scale or value rounding, beside M=6, M=4, 4/6"};
  }
  ParamSpecs params() const override {
    return source_params() +
           ParamSpecs{recipe_param("recipe", "nvfp4:te",
                                   "the recipe ablated (nvfp4:te, or a 4/6 one): plain, scales in HP, "
                                   "values in HP"),
                      recipe_list_param("compare", "nvfp4:static_6,nvfp4:static_4,nvfp4:4over6:mse", 0, 32,
                                        "comma-separated recipe specs shown beside it"),
                      threads_param()};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const Recipe base =
        read_recipe(p.at("recipe").get<std::string>(), "recipe", RecipeUse::kSimulate);
    std::vector<Recipe> others;
    for (const std::string& spec : read_string_list(p, "compare"))
      others.push_back(read_recipe(spec, "compare"));
    const std::string base_spec = core::recipe_to_spec(base);
    std::vector<Variant> variants;
    SimulateOptions scales_hp, values_hp;
    scales_hp.hp_scales = true;
    values_hp.hp_values = true;
    variants.push_back({base_spec, base, false, {}, "E4M3", "FP4"});
    variants.push_back({base_spec + " scales in HP", base, true, scales_hp, "HP", "FP4"});
    variants.push_back({base_spec + " values in HP", base, true, values_hp, "E4M3", "HP"});
    for (const Recipe& r : others) {
      variants.push_back({core::recipe_to_spec(r), r, false, {}, "-", "-"});
    }

    if (progress && !progress(0.0, "tensor")) throw Cancelled();
    const SourceTensor src = load_source(p, threads);
    const core::TensorView x = src.tensor.view();
    Result res = source_result("ablate", p, src);
    res.provenance.recipes.push_back(base_spec);
    for (const Recipe& r : others) res.provenance.recipes.push_back(core::recipe_to_spec(r));

    std::vector<core::ErrorMetrics> metrics;
    for (std::size_t k = 0; k < variants.size(); ++k) {
      const Variant& v = variants[k];
      if (progress && !progress(0.1 + 0.9 * double(k) / variants.size(), v.name)) throw Cancelled();
      const core::Tensor out =
          v.simulated ? core::simulate_quantize(x, v.recipe, v.options, core::DType::kF32, threads)
                      : core::fake_quantize(x, v.recipe, core::DType::kF32, threads);
      metrics.push_back(core::error_metrics(x, out.view(), v.recipe.block_size, threads));
    }
    const double ref = metrics.front().mse;
    Table t{"metrics",
            "Ablation: which rounding makes the error",
            {"variant", "block scales", "values", "MSE", "rel RMSE", "SQNR dB", "max abs err",
             "cosine", "MSE / " + base_spec},
            {}};
    Table bars{"bars",
               "Fig. 2a: MSE relative to " + base_spec + " (lower is better)",
               {"variant", "MSE / " + base_spec, "bar"},
               {}};
    double largest = 0;
    for (const core::ErrorMetrics& m : metrics) {
      largest = std::max(largest, ref > 0 ? m.mse / ref : 0.0);
    }
    std::string text = fmt::format("{} | Fig. 2a: which rounding of {} makes the error\n",
                                   src.description, base_spec);
    text += fmt::format("{:<40} {:>6} {:>6} {:>11} {:>9} {:>8} {:>9}\n", "variant", "scales",
                        "values", "MSE", "rel RMSE", "SQNR dB", "MSE/ref");
    for (std::size_t k = 0; k < variants.size(); ++k) {
      const Variant& v = variants[k];
      const core::ErrorMetrics& m = metrics[k];
      const double rel = ref > 0 ? m.mse / ref : 0.0;
      t.rows.push_back(
          {v.name, v.scales, v.values, m.mse, m.rel_rmse, m.sqnr_db, m.max_abs_err, m.cosine, rel});
      const int n = largest > 0 ? static_cast<int>(std::lround(rel / largest * 40)) : 0;
      const std::string bar(static_cast<std::size_t>(std::clamp(n, 0, 40)), '#');
      bars.rows.push_back({v.name, rel, bar});
      text += fmt::format("{:<40} {:>6} {:>6} {:>11.4e} {:>9.5f} {:>8.2f} {:>9.4f} {}\n", v.name,
                          v.scales, v.values, m.mse, m.rel_rmse, m.sqnr_db, rel, bar);
      res.scalars["mse:" + v.name] = m.mse;
      res.scalars["sqnr_db:" + v.name] = m.sqnr_db;
    }
    const double scales_cut = ref > 0 ? 1.0 - metrics[1].mse / ref : 0.0;
    const double values_cut = ref > 0 ? 1.0 - metrics[2].mse / ref : 0.0;
    text += fmt::format(
        "scales in HP (no E4M3 rounding of the block scale) removes {:.1f}% of the error;\n"
        "values in HP (no FP4 rounding) removes {:.1f}%: they keep x itself, except in blocks\n"
        "whose E4M3 scale underflowed to 0, which the real quantizer loses too.\n",
        100 * scales_cut, 100 * values_cut);
    res.scalars["scales_hp_removes"] = scales_cut;
    res.scalars["values_hp_removes"] = values_cut;
    res.tables = {std::move(t), std::move(bars)};
    return finish(std::move(res), std::move(text), progress);
  }
};

}  // namespace

std::unique_ptr<Experiment> make_ablate() { return std::make_unique<Ablate>(); }

}  // namespace fp4lab::exp
