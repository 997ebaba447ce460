// Tensor lab panel: a synthetic distribution or a tensor file through several recipes at once:
// overlaid histograms and the metrics table (`compare`), the 4/6 decision heat map (`select`)
// and the threshold curve with a draggable t (`threshold`, the paper's Fig. 2b).
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>

#include "experiments/recipe_presets.hpp"
#include "experiments/tensor_source.hpp"
#include "gui/panels/panel.hpp"
#include "gui/plot/plot.hpp"

namespace fp4lab::gui {
namespace {

/// Joins compare's per-recipe Results (the same source and bins, one recipe each, in list order)
/// into the Result one compare run over all of them gives: metrics rows, histogram series,
/// scalars and summary lines appended in order, the recipe list restored in the provenance.
exp::Result join_compare_parts(std::vector<exp::Result> parts, const std::string& recipes) {
  exp::Result all = std::move(parts.front());
  for (std::size_t k = 1; k < parts.size(); ++k) {
    exp::Result& p = parts[k];
    for (std::size_t t = 0; t < all.tables.size() && t < p.tables.size(); ++t) {
      for (auto& row : p.tables[t].rows) all.tables[t].rows.push_back(std::move(row));
    }
    for (std::size_t h = 0; h < all.histograms.size() && h < p.histograms.size(); ++h) {
      for (auto& s : p.histograms[h].series) all.histograms[h].series.push_back(std::move(s));
    }
    for (auto& [key, v] : p.scalars) all.scalars[key] = v;
    for (auto& r : p.provenance.recipes) all.provenance.recipes.push_back(std::move(r));
    // each part's summary: the source line, the column header, then its recipe's lines
    std::size_t body = 0;
    for (int line = 0; line < 2 && body != std::string::npos; ++line) {
      body = p.summary.find('\n', body);
      if (body != std::string::npos) ++body;
    }
    if (body != std::string::npos) all.summary += p.summary.substr(body);
  }
  all.provenance.params["recipes"] = recipes;
  return all;
}

class TensorLab : public JobPanel {
 public:
  explicit TensorLab(const exp::Registry& r)
      : JobPanel(r), bins_spec_(*exp::find_param(r.find("compare")->params(), "bins")) {
    // the last few inputs' Results of each experiment: a parameter that one experiment ignores
    // (the threshold recipe, the bins, the recipe list) reruns only those it feeds, and a
    // slider moved back to an earlier value shows that value's Results at once
    job_.set_cache_capacity(8 * 8);  // 8 inputs of four recipes, select and threshold
  }
  const char* id() const override { return "tensor"; }
  const char* title() const override { return "Tensor lab"; }
  /// Ctrl+R and the Run button: computes everything afresh.
  void run() override {
    job_.clear_cache();
    start_runs();
  }
  /// Starts compare, select and threshold for the current inputs; the job reuses the Results of
  /// those whose parameters did not change and cancels whatever still runs for older inputs.
  /// compare runs once per recipe (joined when all are in), so a recipe added to the list
  /// computes that recipe alone and a removed one computes nothing.
  void start_runs() {
    exp::Params c = src_, s = src_, t = src_;
    specs_.clear();
    for (const auto& r : recipes_) specs_ += (specs_.empty() ? "" : ",") + r;
    c["bins"] = bins_;
    s["map_size"] = 48;
    t["recipe"] = threshold_recipe_;
    t["step"] = 0.05;
    std::vector<JobRequest> batch;
    for (const auto& r : recipes_) {
      c["recipes"] = r;
      batch.push_back({"compare", c});
    }
    if (recipes_.empty()) {  // the experiment says what is wrong with an empty list
      c["recipes"] = "";
      batch.push_back({"compare", c});
    }
    batch.push_back({"select", s});
    batch.push_back({"threshold", t});
    parts_.assign(batch.size() - 2, std::nullopt);
    start(std::move(batch));
    parts_batch_ = latest_;
  }
  /// A compare part alone draws nothing: a frame is due when the waiting parts complete compare,
  /// or when another Result or an error waits (the app's frame pacing asks).
  bool has_news() const override {
    if (!job_.has_output()) return false;
    if (parts_batch_ != latest_) return true;
    const std::size_t parts = job_.waiting(latest_, "compare");
    if (job_.waiting(latest_) > parts) return true;
    std::size_t have = 0;
    for (const auto& p : parts_) have += p.has_value();
    return parts > 0 && have + parts >= parts_.size();
  }
  std::vector<NamedResult> results() const override {
    std::vector<NamedResult> out;
    if (compare_) out.push_back({"compare", &*compare_});
    if (select_) out.push_back({"select", &*select_});
    if (threshold_) out.push_back({"threshold", &*threshold_});
    return out;
  }
  nlohmann::json save() const override {
    return {{"source", src_}, {"recipes", recipes_}, {"threshold_recipe", threshold_recipe_},
            {"t", t_}, {"histogram", histogram_}, {"auto_run", auto_run_}, {"bins", bins_}};
  }
  void load(const nlohmann::json& j) override {
    if (!j.is_object()) return;
    if (j.contains("source")) load_params(exp::source_params(), j["source"], src_);
    load_params(exp::source_params(), j, src_);  // scenarios may give the source keys at the top level too
    if (j.contains("distribution") && j["distribution"].is_object()) {
      load_params(exp::source_params(), j["distribution"], src_);
    }
    if (j.contains("recipes") && j["recipes"].is_array()) recipes_ = j["recipes"].get<std::vector<std::string>>();
    threshold_recipe_ = j.value("threshold_recipe", threshold_recipe_);
    t_ = std::clamp(j.value("t", t_), 0.0, 6.0);
    histogram_ = j.value("histogram", histogram_);
    auto_run_ = j.value("auto_run", auto_run_);
    bins_ = std::clamp(j.value("bins", bins_), static_cast<int>(bins_spec_.min),
                       static_cast<int>(bins_spec_.max));
    dirty_ = true;
  }
  nlohmann::json probe() const override {
    nlohmann::json j = {{"compare", compare_.has_value()}, {"select", select_.has_value()},
                        {"threshold", threshold_.has_value()}, {"t", t_}, {"recipes", recipes_}};
    if (threshold_) j["at_t"] = at_t();
    if (compare_) j["compare_recipes"] = compare_->provenance.recipes;
    return j;
  }
  void draw() override {
    const bool first = never_ran(), loaded = dirty_;
    dirty_ = false;
    bool changed = draw_source_params("src", exp::source_params(), src_);
    changed |= draw_recipe_list("recipes", recipes_);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(190);
    changed |= draw_recipe_combo("threshold recipe", threshold_recipe_, exp::simulate_recipe_presets());
    ImGui::Checkbox("auto run", &auto_run_);
    ImGui::SameLine();
    if (ImGui::Button("Run (Ctrl+R)")) run();
    ImGui::SameLine();
    draw_status();
    // inputs that change frame after frame (a slider being dragged) are not run one by one:
    // the running work is cancelled and the last value runs in the first frame without a change,
    // on cores no superseded run still holds; a single change runs at once
    const bool change = loaded || (changed && auto_run_);
    if (first) {
      start_runs();
    } else if (change && changed_last_frame_) {
      job_.cancel();
      deferred_ = true;
    } else if (change || deferred_) {
      deferred_ = false;
      start_runs();
    }
    changed_last_frame_ = change;

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float hw = avail.x * 0.5f - 4, hh = avail.y * 0.5f - 4;
    ImGui::BeginChild("hist", ImVec2(hw, hh), true);
    if (compare_) {
      for (const auto& [id, label] : {std::pair<const char*, const char*>{"error", "error"},
                                      {"relative_error", "relative error"}, {"scaled", "scaled values"}}) {
        if (ImGui::RadioButton(label, histogram_ == id)) histogram_ = id;
        ImGui::SameLine();
      }
      ImGui::NewLine();
      if (const exp::Histogram* h = find_histogram(*compare_, histogram_)) histogram_plot("##hist", *h, ImVec2(-1, -1));
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("metrics", ImVec2(0, hh), true);
    if (compare_) {
      ImGui::TextWrapped("%s", compare_->provenance.input.c_str());
      if (const exp::Table* t = find_table(*compare_, "metrics")) draw_table(*t, ImGui::GetContentRegionAvail().y);
    }
    ImGui::EndChild();
    ImGui::BeginChild("decisions", ImVec2(hw, 0), true);
    draw_decisions();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("threshold", ImVec2(0, 0), true);
    draw_threshold();
    ImGui::EndChild();
  }

 protected:
  void on_result(std::size_t index, const std::string& experiment, exp::Result r) override {
    if (experiment == "compare" && parts_batch_ == latest_ && index < parts_.size()) {
      parts_[index] = std::move(r);
      std::vector<exp::Result> whole;
      for (auto& p : parts_) {
        if (p) whole.push_back(*p);
      }
      hold_result_ = whole.size() < parts_.size();  // drawn once every recipe is in
      if (!hold_result_) compare_ = join_compare_parts(std::move(whole), specs_);
    }
    if (experiment == "select") select_ = std::move(r);
    if (experiment == "threshold") threshold_ = std::move(r);
  }

 private:
  void draw_decisions() {
    if (!select_) return;
    const exp::Table* map = find_table(*select_, "decision_map");
    const exp::Table* choices = find_table(*select_, "choices");
    if (choices) {
      ImGui::Text("4/6 decisions: M=4 share  mse %.1f%%  mae %.1f%%  abs_max %.1f%%",
                  100 * select_->scalars.at("frac_m4:mse"), 100 * select_->scalars.at("frac_m4:mae"),
                  100 * select_->scalars.at("frac_m4:abs_max"));
    }
    if (!map) {
      ImGui::TextUnformatted("decision map: only for tensors of rank 2");
      return;
    }
    ImGui::TextWrapped("%s", map->title.c_str());  // captions wrap rather than run off the tile
    const int rows = static_cast<int>(map->rows.size());
    const int cols = static_cast<int>(map->columns.size()) - 1;
    cells_.assign(static_cast<std::size_t>(std::max(0, rows * cols)), NAN);
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        cells_[static_cast<std::size_t>(r * cols + c)] = cell_number(map->rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c) + 1]);
      }
    }
    const HeatCell hc = heat_map("##map", cells_, rows, cols, 0.0, 1.0, ImVec2(-1, -1),
                                 "colour: share of blocks scaled to 4 (0 to 1)");
    if (hc.row >= 0) {
      ImGui::SetTooltip("rows %s, %s: %.1f%% of blocks scaled to 4 (orange 100%%, blue 0%%)",
                        cell_text(map->rows[static_cast<std::size_t>(hc.row)][0]).c_str(),
                        map->columns[static_cast<std::size_t>(hc.col) + 1].c_str(),
                        100 * cells_[static_cast<std::size_t>(hc.row * cols + hc.col)]);
    }
  }

  nlohmann::json at_t() const {
    nlohmann::json j = nlohmann::json::object();
    const exp::Table* t = threshold_ ? find_table(*threshold_, "sweep") : nullptr;
    if (!t || t->rows.empty()) return j;
    std::size_t best = 0;
    for (std::size_t k = 0; k < t->rows.size(); ++k) {
      if (std::fabs(cell_number(t->rows[k][0]) - t_) < std::fabs(cell_number(t->rows[best][0]) - t_)) best = k;
    }
    for (std::size_t c = 0; c < t->columns.size() && c < t->rows[best].size(); ++c) {
      j[t->columns[c]] = cell_number(t->rows[best][c]);
    }
    return j;
  }

  void draw_threshold() {
    if (!threshold_) return;
    const exp::Curve* c = find_curve(*threshold_, show_mse_ ? "error" : "share");
    ImGui::Checkbox("MSE (else share of NVFP4 error)", &show_mse_);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(150);
    float tf = static_cast<float>(t_);
    if (ImGui::SliderFloat("t", &tf, 0.0f, 6.0f, "%.2f")) t_ = tf;
    const nlohmann::json at = at_t();
    std::string line = "at t:";
    for (const auto& [k, v] : at.items()) {
      if (k != "t") line += "  " + k + " " + short_number(v.get<double>());
    }
    ImGui::TextWrapped("%s", line.c_str());
    if (!c) return;
    LinePlotOptions opt;
    opt.marker_x = &t_;
    const PlotInput in = line_plot("##thr", *c, ImVec2(-1, -1), opt);
    if (in.dragging) t_ = std::clamp(in.x, 0.0, 6.0);  // drag the marker
  }

  exp::ParamSpec bins_spec_;  ///< compare's "bins": the range a loaded value is clamped to
  exp::Params src_ = exp::spec_defaults(exp::source_params());
  std::vector<std::string> recipes_ = {"nvfp4:te", "nvfp4:4over6:mse", "mxfp4:floor", "nvint4"};
  std::string threshold_recipe_ = "nvfp4:te";
  std::string histogram_ = "error";
  int bins_ = 101;
  double t_ = 3.0;
  bool auto_run_ = true, dirty_ = false, show_mse_ = false;
  bool changed_last_frame_ = false;  ///< the inputs changed in the previous frame
  bool deferred_ = false;            ///< a run waits for the inputs to stop changing
  std::optional<exp::Result> compare_, select_, threshold_;
  std::vector<std::optional<exp::Result>> parts_;  ///< compare's per-recipe Results of batch parts_batch_
  std::uint64_t parts_batch_ = 0;
  std::string specs_;  ///< the recipe list of that batch, comma-separated
  std::vector<double> cells_;
};

}  // namespace

std::unique_ptr<Panel> make_tensor_lab(const exp::Registry& registry) { return std::make_unique<TensorLab>(registry); }

}  // namespace fp4lab::gui
