// `fp4lab demo` (see demo.hpp).
#include "experiments/demo.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <stdexcept>

#include "core/recipe_spec.hpp"
#include "experiments/export/report.hpp"
#include "experiments/model/model_data.hpp"
#include "formats/block.hpp"

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
      {"01_table1_block1", "Tables 1 and 2, first block [10, 20, 30, 40]", "walkthrough", {{"values", "10,20,30,40"}}, ""},
      {"02_table2_block2", "Table 2, second block [15, 30, 120, 180]", "walkthrough", {{"values", "15,30,120,180"}}, ""},
      {"03_error_profile", "Fig. 1: error against value / block max", "error-profile", Params::object(),
       "curve_error_profile"},
      {"04_compare", "Recipes compared on an LLM-like tensor", "compare",
       with({{"recipes", "nvfp4:te,nvfp4:modelopt,nvfp4:torchao,nvfp4:4over6:mse,nvfp4:4over6:mae,nvfp4:4over6:abs_max,"
                         "nvfp4:static_4,mxfp4:floor,mxfp4:rceil,nvint4,int4:g128:asym:fp16"}}),
       "hist_error"},
      {"05_select", "4/6 decisions per rule", "select", tensor, "map_decision_map"},
      {"06_threshold", "Fig. 2b: thresholded simulated quantization", "threshold", tensor, "curve_error"},
      {"07_ablate", "Fig. 2a: scales or values in high precision", "ablate", tensor, "bars_bars"},
  };
}

std::vector<DemoStep> adaptive_steps(int rows, int cols) {
  const std::string recipes(kAdaptiveRecipes);
  auto synthetic = [&](const char* distribution, double outliers) {
    return Params{{"distribution", distribution}, {"rows", rows},     {"cols", cols},
                  {"dtype", "bf16"},              {"seed", 2027},     {"outlier_fraction", outliers},
                  {"outlier_magnitude", 50.0},    {"recipes", recipes}};
  };
  std::vector<DemoStep> steps = {
      {"08_adaptive_normal", "Adaptive types: normal", "compare", synthetic("normal", 0.0), ""},
      {"09_adaptive_student_t", "Adaptive types: Student-t", "compare", synthetic("student_t", 0.0), ""},
      {"10_adaptive_outliers", "Adaptive types: normal with 1% outliers of 50x", "compare", synthetic("normal", 0.01), ""},
  };
  // a real weight when data/fetch_model_data.py has cached SmolLM2 (its weights are Q4_1 in the
  // GGUF: re-quantization), a Laplace tensor otherwise
  std::string model;
  try {
    model = model::resolve_model_path("smollm2");
  } catch (const std::invalid_argument&) {
  }
  if (!model.empty()) {
    steps.push_back({"11_adaptive_real", "Adaptive types: SmolLM2-135M blk.0.ffn_up.weight (dequantized Q4_1)",
                     "compare", Params{{"input", model}, {"tensor", "blk.0.ffn_up.weight"}, {"recipes", recipes}}, ""});
  } else {
    steps.push_back({"11_adaptive_laplace", "Adaptive types: Laplace (SmolLM2 not cached)", "compare",
                     synthetic("laplace", 0.0), ""});
  }
  return steps;
}

namespace {

std::string cell_number(double v, const char* f) {
  return std::isfinite(v) ? fmt::format(fmt::runtime(f), v) : "n/a";
}

/// The share of blocks scaled to 4 under recipe `spec`, as text.
std::string share_of_4(const std::string& spec, const Result* select) {
  for (const char* rule : {"mse", "mae", "abs_max"}) {
    if (spec.find(std::string("4over6:") + rule) == std::string::npos) continue;
    const auto it = select ? select->scalars.find(std::string("frac_m4:") + rule) : decltype(select->scalars.end()){};
    return select && it != select->scalars.end() ? fmt::format("{:.1f}%", 100 * it->second) : "n/a";
  }
  if (spec.rfind("nvfp4", 0) != 0) return "n/a";
  return spec.find("static_4") != std::string::npos ? "100% (fixed)" : "0% (fixed M=6)";
}

}  // namespace

std::string adaptive_table(const std::vector<std::pair<std::string, Result>>& runs) {
  if (runs.empty()) return "";
  std::string t = "<table>\n<tr><th>recipe</th><th>bits/value</th>";
  for (const auto& [title, r] : runs) t += "<th>SQNR dB: " + xml_escape(title.substr(title.find(':') + 2)) + "</th>";
  t += "<th>mean dB per stored bit</th></tr>\n";
  for (const std::string& spec : runs.front().second.provenance.recipes) {
    const auto bits = runs.front().second.scalars.find("bits_per_value:" + spec);
    const double b = bits == runs.front().second.scalars.end() ? NAN : bits->second;
    t += "<tr><td>" + xml_escape(spec) + "</td><td>" + cell_number(b, "{:.3f}") + "</td>";
    double sum = 0;
    int n = 0;
    for (const auto& [title, r] : runs) {
      const auto it = r.scalars.find("sqnr_db:" + spec);
      const double v = it == r.scalars.end() ? NAN : it->second;
      t += "<td>" + cell_number(v, "{:.2f}") + "</td>";
      if (std::isfinite(v)) sum += v, ++n;
    }
    t += "<td>" + cell_number(n > 0 ? sum / n / b : NAN, "{:.3f}") + "</td></tr>\n";
  }
  return t + "</table>\n";
}

std::string headline_table(const Result& compare, const Result* select) {
  std::string o =
      "<table>\n<tr><th>recipe</th><th>MSE</th><th>SQNR dB</th><th>share of blocks scaled to "
      "4</th><th>bits/value</th></tr>\n";
  for (const std::string& spec : compare.provenance.recipes) {
    const auto mse = compare.scalars.find("mse:" + spec);
    const auto sqnr = compare.scalars.find("sqnr_db:" + spec);
    o += fmt::format(
        "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        xml_escape(spec), mse == compare.scalars.end() ? "n/a" : cell_number(mse->second, "{:.4e}"),
        sqnr == compare.scalars.end() ? "n/a" : cell_number(sqnr->second, "{:.2f}"),
        xml_escape(share_of_4(spec, select)),
        cell_number(formats::bits_per_value(core::parse_recipe(spec)), "{:.3f}"));
  }
  return o + "</table>\n";
}

void run_demo(const Registry& registry, const std::string& out, int rows, int cols, bool quiet,
              const Progress& progress, int threads, const std::vector<ImageFormat>& formats) {
  std::vector<DemoStep> steps = demo_steps(rows, cols);
  const std::size_t first_adaptive = steps.size();
  for (DemoStep& a : adaptive_steps(rows, cols)) steps.push_back(std::move(a));
  std::vector<std::pair<std::string, Result>> adaptive;
  for (const DemoStep& s : steps) {
    if (!registry.find(s.experiment)) throw std::logic_error("demo: experiment '" + s.experiment + "' is not registered");
  }
  std::vector<std::pair<std::string, std::string>> sections;
  std::optional<Result> compare, select;
  std::string key_figures;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const DemoStep& s = steps[k];
    const Experiment& e = *registry.find(s.experiment);
    const double base = double(k) / steps.size(), span = 1.0 / steps.size();
    Params params = s.params;
    if (e.default_params().contains("threads")) params["threads"] = threads;
    const Result r = e.run(params, [&](double f, std::string_view stage) {
      return !progress || progress(base + span * f, fmt::format("{} {}", s.experiment, stage));
    });
    const std::vector<ReportFigure> figures = write_result_dir(r, out + "/" + s.folder, formats);
    sections.emplace_back(s.folder, s.title);
    for (const ReportFigure& f : figures) {
      if (s.key_figure.empty() || f.file.rfind(s.key_figure + ".", 0) != 0) continue;
      const std::string page = s.folder + "/index.html", file = s.folder + "/" + f.file;
      key_figures += fmt::format(
          "<figure><a href=\"{0}\">{1}</a>\n<figcaption><a href=\"{0}\">{2}</a>: {3}"
          "</figcaption></figure>\n",
          xml_escape(page),
          file.ends_with(".pdf") ? "PDF" : fmt::format("<img src=\"{}\" alt=\"{}\">", xml_escape(file), xml_escape(f.title)),
          xml_escape(s.title), xml_escape(f.title));
    }
    if (k >= first_adaptive) {
      adaptive.emplace_back(s.title, r);
    } else if (s.experiment == "compare") {
      compare = r;
    }
    if (s.experiment == "select") select = r;
    if (!quiet) fmt::print("\n== {} ({}) ==\n{}\n", s.title, s.experiment, r.summary);
  }
  std::string lead;
  if (compare) {
    lead += "<h2>Headline: the recipes on an LLM-like tensor</h2>\n" +
            headline_table(*compare, select ? &*select : nullptr) +
            "<p>MSE and SQNR from <a href=\"04_compare/index.html\">compare</a>; share scaled to 4 "
            "from <a href=\"05_select/index.html\">select</a>.</p>\n";
  }
  if (!key_figures.empty()) lead += "<h2>Key figures</h2>\n<div class=\"grid\">\n" + key_figures + "</div>\n";
  if (!adaptive.empty()) {
    lead += "<h2>Adaptive types: NVFP4, 4/6, IF4, NVINT4 and MXFP4 on the same tensors</h2>\n" + adaptive_table(adaptive) +
            "<p>SQNR per tensor from the compare pages 08-11 (MSE, histograms and bits there); bits/value "
            "include every scale byte and the tensor scale; the last column is the mean SQNR over the tensors "
            "divided by bits/value.</p>\n";
  }
  write_index(sections, out, "fp4lab demo: the 4/6 paper's tensor-level story", lead);
}

}  // namespace fp4lab::exp
