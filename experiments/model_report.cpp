// `model-report`: every matrix of a checkpoint (safetensors, sharded, GGUF, npy) through every
// recipe in one run, one tensor loaded at a time: per-tensor MSE, SQNR, the share of blocks
// choosing M=4 or INT, honest bits per value (README "Bits per value"), and per-layer-type
// summaries.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "core/io/checkpoint.hpp"
#include "core/io/tensor_selection.hpp"
#include "core/metrics.hpp"
#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/model/model_data.hpp"
#include "experiments/model/tensor_names.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;
using model::LayerType;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMiB = 1024.0 * 1024.0;

/// One matrix of the checkpoint, as its entry and name describe it.
struct Matrix {
  std::string name, dtype;
  std::int64_t rows = 0, cols = 0;
  LayerType type = LayerType::kOther;
  int layer = -1;  ///< block index, -1 outside the blocks
};

/// One matrix through one recipe.
struct Measure {
  core::ErrorMetrics metrics;
  double bits = 0;          ///< honest bits per value of this matrix under the recipe
  ChoiceCount choice;       ///< blocks choosing M=4 / INT (adaptive recipes)
  std::size_t records = 0;  ///< block records held while measuring (adaptive recipes)
};

/// Sums over the matrices of one group (a layer type, a block index, all) under one recipe.
struct Sums {
  int matrices = 0, sqnr_count = 0;
  double elements = 0, sqnr = 0, sse = 0, bits = 0;
  ChoiceCount choice;
  void add(const Measure& m, std::int64_t n) {
    ++matrices;
    elements += double(n);
    if (std::isfinite(m.metrics.sqnr_db)) {  // exact (+inf) and empty results stay out of the mean
      sqnr += m.metrics.sqnr_db;
      ++sqnr_count;
    }
    sse += m.metrics.mse * double(m.metrics.count);
    bits += m.bits * double(n);
    choice.chosen += m.choice.chosen;
    choice.blocks += m.choice.blocks;
  }
  double mean_sqnr() const { return sqnr_count ? sqnr / sqnr_count : kNaN; }
  double mse() const { return elements > 0 ? sse / elements : kNaN; }
  double bits_per_value() const { return elements > 0 ? bits / elements : kNaN; }
  double share() const {
    return choice.blocks ? double(choice.chosen) / double(choice.blocks) : kNaN;
  }
};

/// A float tensor stored on a low-bit grid (a GGUF block type such as Q4_1 or Q8_0, or FP8): the
/// reference is its dequantized values.
bool is_quantized_dtype(const std::string& dtype) {
  return dtype != "F32" && dtype != "F16" && dtype != "BF16" && dtype != "F64";
}

/// "210 Q4_1, 1 Q8_0": matrices per stored quantized dtype.
std::string kinds_of(const std::map<std::string, int>& dtypes) {
  std::string s;
  for (const auto& [d, c] : dtypes) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", c, d);
  return s;
}

/// The recipe on one tensor the way `compare` measures it (same core calls, same numbers): fake
/// quantization to FP32, core::error_metrics, core::bits_per_value with row-major scales.
Measure measure(const core::TensorView& x, const Recipe& r, BlockChoice choice, int threads) {
  std::vector<BlockRecord> records;
  const core::Tensor fake = core::fake_quantize(x, r, core::DType::kF32, threads,
                                                choice == BlockChoice::kNone ? nullptr : &records);
  Measure m;
  m.metrics = core::error_metrics(x, fake.view(), r.block_size, threads);
  m.bits = core::bits_per_value(r, ScaleLayout::kRowMajor, x.shape()[0], x.shape()[1]);
  if (choice != BlockChoice::kNone) m.choice = count_choices(records, choice);
  m.records = records.size();
  return m;
}

/// "576x1536"
std::string shape_text(const Matrix& m) { return fmt::format("{}x{}", m.rows, m.cols); }

class ModelReport : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {
        "model-report", "Every matrix of a checkpoint under every recipe",
        "per-tensor MSE, SQNR, M=4/INT block share and bits per value of a whole checkpoint, and "
        "per-layer-type summaries, one tensor in memory at a time"};
  }
  ParamSpecs params() const override {
    return {string_param(
                "input", "smollm2",
                "a checkpoint: .safetensors, *.safetensors.index.json, .gguf or .npy; smollm2 for "
                "the cached SmolLM2-135M GGUF (data/fetch_model_data.py)"),
            recipe_list_param("recipes", "nvfp4:te,nvfp4:4over6:mse,mxfp4:rceil,nvint4,if4", 1, 64,
                              "comma-separated recipe specs, each applied to every matrix"),
            string_param("match", "", "only matrices whose name contains this text (empty: all)"),
            threads_param()};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    std::vector<Recipe> recipes;
    std::vector<std::string> specs;
    for (const std::string& spec : read_string_list(p, "recipes")) {
      recipes.push_back(core::parse_recipe(spec));
      specs.push_back(core::recipe_to_spec(recipes.back()));
    }
    std::string input = p.at("input").get<std::string>();
    if (input.empty() || input == "smollm2") input = model::resolve_model_path(input);
    const std::string match = p.at("match").get<std::string>();
    if (progress && !progress(0.0, "opening the checkpoint")) throw Cancelled();
    const core::Checkpoint ckpt = core::Checkpoint::open(input);

    // the matrices: every 2-D float tensor (its name decides type, layer and default exclusion)
    std::vector<Matrix> mats;
    std::size_t skipped = 0;
    double total_work = 0;
    std::map<std::string, int> quantized_dtypes;
    for (const core::CheckpointEntry& e : ckpt.entries()) {
      if (!e.is_float || e.shape.size() != 2 || e.shape[0] == 0 || e.shape[1] == 0) {
        ++skipped;
        continue;
      }
      if (!match.empty() && e.name.find(match) == std::string::npos) continue;
      mats.push_back({e.name, e.dtype, e.shape[0], e.shape[1], model::layer_type_of(e.name),
                      model::layer_index_of(e.name)});
      total_work += double(e.shape[0]) * double(e.shape[1]);
      if (is_quantized_dtype(e.dtype)) ++quantized_dtypes[e.dtype];
    }
    if (mats.empty()) {
      throw std::invalid_argument(
          fmt::format("model-report: {} holds no 2-D float tensor{} ({} tensors, none a matrix of "
                      "F32/F16/BF16 or a "
                      "dequantizable GGUF type)",
                      input, match.empty() ? "" : " whose name contains '" + match + "'",
                      ckpt.entries().size()));
    }

    // one tensor in memory at a time: load, measure under every recipe, drop
    std::vector<std::vector<Measure>> measures(mats.size());
    std::string hashes;
    double done = 0, peak_bytes = 0;
    std::size_t peak_index = 0;
    total_work *= double(recipes.size());
    for (std::size_t i = 0; i < mats.size(); ++i) {
      const Matrix& mat = mats[i];
      const core::Tensor t = ckpt.load(mat.name);
      const core::TensorView x = t.view();
      hashes += mat.name + ":" + fnv1a_hex(t.data(), t.size_bytes()) + ";";
      const double n = double(mat.rows) * double(mat.cols);
      double held = double(t.size_bytes());
      for (std::size_t k = 0; k < recipes.size(); ++k) {
        if (progress && !progress(done / total_work, fmt::format("{} {}", mat.name, specs[k])))
          throw Cancelled();
        const BlockChoice choice = block_choice(recipes[k]);
        try {
          measures[i].push_back(measure(x, recipes[k], choice, threads));
        } catch (const std::invalid_argument& err) {
          throw std::invalid_argument(
              fmt::format("{} under {}: {}", mat.name, specs[k], err.what()));
        }
        // the quantized FP32 copy and (adaptive recipes) the block records live beside the input
        const double records = double(measures[i].back().records);
        held = std::max(held, double(t.size_bytes()) + 4 * n + records * sizeof(BlockRecord));
        done += n;
      }
      if (held > peak_bytes) {
        peak_bytes = held;
        peak_index = i;
      }
    }
    if (progress && !progress(1.0, "summaries")) throw Cancelled();
    return report(p, input, mats, measures, recipes, specs, skipped, quantized_dtypes, hashes,
                  peak_bytes, peak_index);
  }

 private:
  static Result report(const Params& p, const std::string& input, const std::vector<Matrix>& mats,
                       const std::vector<std::vector<Measure>>& measures,
                       const std::vector<Recipe>& recipes, const std::vector<std::string>& specs,
                       std::size_t skipped, const std::map<std::string, int>& quantized_dtypes,
                       const std::string& hashes, double peak_bytes, std::size_t peak_index) {
    const std::size_t nr = specs.size();
    Result res;
    res.experiment = "model-report";
    res.provenance = make_provenance("model-report", p);
    res.provenance.recipes = specs;
    res.provenance.input = fmt::format("{} ({} matrices)", input, mats.size());
    res.provenance.input_hash = fnv1a_hex(hashes.data(), hashes.size());

    // a checkpoint already on a quantized grid (GGUF Q4_1, Q8_0, ...) confounds re-quantization
    std::string confound;
    if (!quantized_dtypes.empty()) {
      std::size_t count = 0;
      for (const auto& [d, c] : quantized_dtypes) count += static_cast<std::size_t>(c);
      confound = fmt::format(
          "confounded: {} matrices are stored quantized ({}); the reference is their dequantized "
          "values, "
          "already on a low-bit grid, so these errors are re-quantization errors, not what the "
          "recipes do to a "
          "BF16 checkpoint",
          count == mats.size() ? fmt::format("all {}", count)
                               : fmt::format("{} of {}", count, mats.size()),
          kinds_of(quantized_dtypes));
    }
    const std::string note = confound.empty() ? ""
                                              : " [confounded: reference is dequantized " +
                                                    kinds_of(quantized_dtypes) + "]";

    Table tensors{"tensors",
                  "Every matrix under every recipe (layer -1: outside the blocks)" + note,
                  {"tensor", "shape", "stored dtype", "layer", "layer type", "default quantize",
                   "recipe", "elements", "MSE", "SQNR dB", "choice", "choice share", "bits/value"},
                  {}};
    std::vector<std::map<LayerType, Sums>> by_type(nr);
    std::vector<std::map<int, Sums>> by_layer(nr);
    std::vector<std::map<std::pair<LayerType, int>, Sums>> by_type_layer(nr);
    std::vector<Sums> all(nr), quantized(nr);
    std::set<LayerType> present, quantized_types;  // types with a matrix `quantize` would quantize
    double elements = 0;
    for (std::size_t i = 0; i < mats.size(); ++i) {
      const Matrix& m = mats[i];
      const std::int64_t n = m.rows * m.cols;
      elements += double(n);
      present.insert(m.type);
      // the same decision as `fp4lab quantize` with its defaults (core/io/tensor_selection)
      const std::array<std::int64_t, 2> shape{m.rows, m.cols};
      const core::TensorDecision d =
          core::decide_tensor(m.name, shape, true, core::SelectionRules{}, core::RecipeMap{}, recipes[0]);
      const bool excluded = !d.quantize;
      if (!excluded) quantized_types.insert(m.type);
      for (std::size_t k = 0; k < nr; ++k) {
        const Measure& e = measures[i][k];
        const BlockChoice c = block_choice(recipes[k]);
        tensors.rows.push_back(
            {m.name, shape_text(m), m.dtype, double(m.layer),
             std::string(model::layer_type_name(m.type)),
             (excluded ? "excluded: " + d.reason : std::string("quantized")), specs[k], double(n),
             e.metrics.mse, e.metrics.sqnr_db,
             std::string(c == BlockChoice::kNone ? "-" : alternative_name(c)),
             c == BlockChoice::kNone
                 ? Cell(std::string("-"))
                 : Cell(e.choice.blocks ? double(e.choice.chosen) / double(e.choice.blocks) : kNaN),
             e.bits});
        by_type[k][m.type].add(e, n);
        all[k].add(e, n);
        if (!excluded) quantized[k].add(e, n);
        if (m.layer >= 0) {
          by_layer[k][m.layer].add(e, n);
          by_type_layer[k][{m.type, m.layer}].add(e, n);
        }
      }
    }

    Table summary{
        "layer_types",
        "Per layer type: mean SQNR over its matrices, element-weighted MSE, M=4/INT share over its "
        "blocks, bits/value over its elements" +
            note,
        {"layer type", "recipe", "matrices", "elements", "mean SQNR dB", "MSE (element-weighted)",
         "choice share", "bits/value"},
        {}};
    Table pivot{
        "sqnr_by_type", "Mean SQNR (dB) per layer type and recipe" + note, {"layer type"}, {}};
    Table bars{"bars",
               "Mean SQNR (dB) per layer type and recipe (higher is better)" + note,
               {"layer type / recipe", "mean SQNR dB"},
               {}};
    for (const std::string& s : specs) pivot.columns.push_back(s);
    const auto add_summary = [&](const std::string& label, const Sums& s, const std::string& spec) {
      summary.rows.push_back({label, spec, double(s.matrices), s.elements, s.mean_sqnr(), s.mse(),
                              s.choice.blocks ? Cell(s.share()) : Cell(std::string("-")),
                              s.bits_per_value()});
    };
    for (const LayerType t : model::layer_types()) {
      if (!present.count(t)) continue;
      const std::string name(model::layer_type_name(t));
      std::vector<Cell> row{name};
      for (std::size_t k = 0; k < nr; ++k) {
        const Sums& s = by_type[k].at(t);
        add_summary(name, s, specs[k]);
        row.push_back(s.mean_sqnr());
        bars.rows.push_back({name + " / " + specs[k], s.mean_sqnr()});
        res.scalars[fmt::format("sqnr_db:{}:{}", name, specs[k])] = s.mean_sqnr();
        res.scalars[fmt::format("mse:{}:{}", name, specs[k])] = s.mse();
      }
      pivot.rows.push_back(std::move(row));
    }
    std::vector<Cell> all_row{std::string("all")};
    for (std::size_t k = 0; k < nr; ++k) {
      add_summary("all", all[k], specs[k]);
      all_row.push_back(all[k].mean_sqnr());
      res.scalars["sqnr_db:all:" + specs[k]] = all[k].mean_sqnr();
      res.scalars["mse:all:" + specs[k]] = all[k].mse();
      res.scalars["bits_per_value:all:" + specs[k]] = all[k].bits_per_value();
      if (all[k].choice.blocks) res.scalars["choice_share:all:" + specs[k]] = all[k].share();
    }
    pivot.rows.push_back(std::move(all_row));
    for (std::size_t k = 0; k < nr && quantized[k].matrices > 0; ++k) {
      add_summary("quantized by default", quantized[k], specs[k]);
      res.scalars["sqnr_db:quantized:" + specs[k]] = quantized[k].mean_sqnr();
    }

    // SQNR per block index: all of a block's matrices, then each layer type alone
    const auto layer_curve = [&](std::string id, std::string title, const auto& pick) {
      Curve c{std::move(id),
              std::move(title) + note,
              "layer (block index)",
              "mean SQNR dB",
              false,
              false,
              {}};
      for (std::size_t k = 0; k < nr; ++k) {
        Series s{specs[k], {}, {}};
        pick(k, s);
        if (!s.x.empty()) c.series.push_back(std::move(s));
      }
      if (!c.series.empty()) res.curves.push_back(std::move(c));
    };
    layer_curve("sqnr_per_layer", "Mean SQNR per layer, all matrices of the block",
                [&](std::size_t k, Series& s) {
                  for (const auto& [layer, sums] : by_layer[k]) {
                    s.x.push_back(layer);
                    s.y.push_back(sums.mean_sqnr());
                  }
                });
    for (const LayerType t : model::layer_types()) {
      if (!quantized_types.count(t)) continue;  // present and quantized by default
      const std::string name(model::layer_type_name(t));
      layer_curve("sqnr_per_layer_" + name, "SQNR per layer, " + name + " matrices",
                  [&](std::size_t k, Series& s) {
                    for (const auto& [key, sums] : by_type_layer[k]) {
                      if (key.first != t) continue;
                      s.x.push_back(key.second);
                      s.y.push_back(sums.mean_sqnr());
                    }
                  });
    }

    const Matrix& peak = mats[peak_index];
    res.scalars["matrices"] = double(mats.size());
    res.scalars["elements"] = elements;
    res.scalars["peak_tensor_elements"] = double(peak.rows * peak.cols);
    res.scalars["peak_bytes_held"] = peak_bytes;
    std::string text = fmt::format(
        "model-report | {} | {} matrices, {:.4g} M elements ({} other tensors skipped: not 2-D "
        "float) | {} recipes\n",
        input, mats.size(), elements / 1e6, skipped, specs.size());
    text += fmt::format(
        "streamed one tensor at a time: peak held {:.1f} MiB for {} ({}; the tensor as loaded, its "
        "FP32 "
        "quantized copy and block records)\n",
        peak_bytes / kMiB, peak.name, shape_text(peak));
    if (!confound.empty()) text += "note: " + confound + "\n";
    text += "default quantize: norms, biases, embeddings and lm_head pass through (core/io/tensor_selection; see the "
            "tensors table)\n";
    text += table_text(pivot);
    text += "choice share (M=4 for 4/6, INT for IF) and bits/value over all matrices:\n";
    for (std::size_t k = 0; k < nr; ++k) {
      text += fmt::format(
          "  {:<28} MSE {:.4e}  bits/value {:.4f}{}\n", specs[k], all[k].mse(),
          all[k].bits_per_value(),
          all[k].choice.blocks ? fmt::format("  share {:.2f}%", 100 * all[k].share()) : "");
    }
    res.summary = text;
    res.tables = {std::move(summary), std::move(pivot), std::move(tensors), std::move(bars)};
    return res;
  }
};

}  // namespace

std::unique_ptr<Experiment> make_model_report() { return std::make_unique<ModelReport>(); }

}  // namespace fp4lab::exp
