// Block lab panel: edit one block of 16 or 32 values (type, paste, or draw from a distribution)
// and see the `walkthrough` experiment's Result: the 4/6 paper's Table 2 step by step, both
// candidates per element, each rule's choice (4/6, and IF4's INT vs FP), every recipe, and
// per-element error bars.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>
#include <cstdio>

#include "core/synthetic.hpp"
#include "gui/panels/panel.hpp"
#include "gui/plot/plot.hpp"

namespace fp4lab::gui {
namespace {

class BlockLab : public JobPanel {
 public:
  explicit BlockLab(const exp::Registry& r) : JobPanel(r) {
    values_ = {15, 30, 120, 180, 2, -7, 11, 40, -25, 3, 60, -90, 5, 8, 150, -1};
  }
  const char* id() const override { return "block"; }
  const char* title() const override { return "Block lab"; }
  void run() override { start({{"walkthrough", {{"values", values_text()}}}}); }
  std::vector<NamedResult> results() const override {
    if (!result_) return {};
    return {{"walkthrough", &*result_}};
  }
  nlohmann::json save() const override {
    return {{"values", values_}, {"distribution", distribution_}, {"seed", seed_}, {"scale", scale_},
            {"bars", bar_recipes_}};
  }
  void load(const nlohmann::json& j) override {
    if (!j.is_object()) return;
    if (j.contains("values") && j["values"].is_array()) {
      values_.clear();
      for (const auto& v : j["values"]) {
        if (v.is_number() && values_.size() < 32) values_.push_back(v.get<float>());
      }
      if (values_.empty()) values_.assign(16, 0.0f);
      values_.resize(values_.size() <= 16 ? 16 : 32, 0.0f);
    }
    if (j.contains("size")) values_.resize(j["size"].get<int>() == 32 ? 32 : 16, 0.0f);
    distribution_ = j.value("distribution", distribution_);
    seed_ = j.value("seed", seed_);
    scale_ = j.value("scale", scale_);
    if (j.contains("bars") && j["bars"].is_array()) bar_recipes_ = j["bars"].get<std::vector<std::string>>();
    if (j.value("draw", false)) draw_values();
    dirty_ = true;
  }
  nlohmann::json probe() const override {
    nlohmann::json j = {{"size", values_.size()}, {"has_result", result_.has_value()}};
    if (result_) {
      j["choice_mse"] = result_->scalars.at("choice_mse");
      j["scale_m6"] = result_->scalars.at("scale_m6");
      j["scale_m4"] = result_->scalars.at("scale_m4");
    }
    return j;
  }

  void draw() override {
    if (never_ran() || dirty_) {
      dirty_ = false;
      run();
    }
    draw_editor();
    draw_status();
    if (!result_) return;
    const float h = ImGui::GetContentRegionAvail().y;
    const float w = ImGui::GetContentRegionAvail().x;
    ImGui::BeginChild("steps", ImVec2(w * 0.5f, h * 0.55f), true);
    {
      // the rules table keeps all its rows; the steps table scrolls in what is left
      const exp::Table* rules = find_table(*result_, "rules");
      const float line = ImGui::GetTextLineHeightWithSpacing();
      const exp::Table* intfloat = find_table(*result_, "if4");
      const float rules_h =
          (rules ? (ImGui::GetTextLineHeightWithSpacing() + 2) * (static_cast<float>(rules->rows.size()) + 1.5f) + line : 0) +
          (intfloat ? (ImGui::GetTextLineHeightWithSpacing() + 2) * (static_cast<float>(intfloat->rows.size()) + 1.5f) + line
                    : 0);
      if (const exp::Table* t = find_table(*result_, "table2")) {
        ImGui::TextWrapped("%s", t->title.c_str());
        draw_table(*t, std::max(4 * line, ImGui::GetContentRegionAvail().y - rules_h - line));
      }
      if (rules) {
        ImGui::TextWrapped("%s", rules->title.c_str());
        draw_table(*rules, 0);
      }
      if (const exp::Table* t = find_table(*result_, "if4")) {  // IF4's INT-vs-FP choice
        ImGui::TextWrapped("%s", t->title.c_str());
        draw_table(*t, 0);
      }
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("candidates", ImVec2(0, h * 0.55f), true);
    if (const exp::Table* t = find_table(*result_, "candidates")) {
      ImGui::Text("%s: M=6 scale %.6g, M=4 scale %.6g; mse picks M=%.0f", t->title.c_str(),
                  result_->scalars.at("scale_m6"), result_->scalars.at("scale_m4"), result_->scalars.at("choice_mse"));
      draw_table(*t, ImGui::GetContentRegionAvail().y);
    }
    ImGui::EndChild();
    ImGui::BeginChild("recipes", ImVec2(w * 0.5f, 0), true);
    if (const exp::Table* t = find_table(*result_, "recipes")) {
      ImGui::TextUnformatted(t->title.c_str());
      const int clicked = draw_table(*t, ImGui::GetContentRegionAvail().y);
      if (clicked >= 0) toggle_bar(cell_text(t->rows[static_cast<std::size_t>(clicked)][0]));
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("bars", ImVec2(0, 0), true);
    draw_bars();
    ImGui::EndChild();
  }

 protected:
  void on_result(std::size_t, const std::string&, exp::Result r) override { result_ = std::move(r); }

 private:
  std::string values_text() const {
    std::string s;
    char buf[32];
    for (float v : values_) {
      std::snprintf(buf, sizeof buf, "%.9g", v);
      if (!s.empty()) s += ',';
      s += buf;
    }
    return s;
  }

  void draw_values() {
    core::SyntheticSpec spec;
    spec.distribution = core::parse_distribution(distribution_);
    spec.shape = {1, static_cast<std::int64_t>(values_.size())};
    spec.dtype = core::DType::kF32;
    spec.seed = static_cast<std::uint64_t>(seed_);
    spec.scale = scale_;
    const core::Tensor t = core::make_synthetic(spec, 1);
    t.view().to_float(0, std::span<float>(values_.data(), values_.size()));
  }

  void toggle_bar(const std::string& spec) {
    const auto it = std::find(bar_recipes_.begin(), bar_recipes_.end(), spec);
    if (it == bar_recipes_.end()) {
      bar_recipes_.push_back(spec);
    } else {
      bar_recipes_.erase(it);
    }
  }

  void draw_editor() {
    int size = static_cast<int>(values_.size());
    ImGui::TextUnformatted("Block size");
    ImGui::SameLine();
    if (ImGui::RadioButton("16", size == 16)) size = 16;
    ImGui::SameLine();
    if (ImGui::RadioButton("32", size == 32)) size = 32;
    if (size != static_cast<int>(values_.size())) {
      values_.resize(static_cast<std::size_t>(size), 0.0f);
      dirty_ = true;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo("##dist", distribution_.c_str())) {
      for (const std::string& d : core::distribution_names()) {
        if (ImGui::Selectable(d.c_str(), distribution_ == d)) distribution_ = d;
      }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(80);
    ImGui::InputInt("seed", &seed_);
    seed_ = std::max(seed_, 0);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(80);
    ImGui::InputFloat("scale", &scale_, 0, 0, "%.3g");
    ImGui::SameLine();
    if (ImGui::Button("Draw")) {
      draw_values();
      dirty_ = true;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::max(120.0f, ImGui::GetContentRegionAvail().x - 60));
    if (paste_.empty() && !ImGui::IsItemActive()) paste_ = values_text();
    if (ImGui::InputText("##paste", &paste_, ImGuiInputTextFlags_EnterReturnsTrue)) parse_paste();
    ImGui::SameLine();
    if (ImGui::Button("Apply")) parse_paste();
    // one field per value, 16 per line
    for (std::size_t i = 0; i < values_.size(); ++i) {
      ImGui::PushID(static_cast<int>(i));
      if (i % 16) ImGui::SameLine();
      ImGui::SetNextItemWidth(std::max(40.0f, ImGui::GetContentRegionAvail().x / static_cast<float>(16 - i % 16) - 8));
      ImGui::InputFloat("##v", &values_[i], 0, 0, "%.4g");
      if (ImGui::IsItemDeactivatedAfterEdit()) {  // Enter, Tab or a click elsewhere ends the edit
        if (!std::isfinite(values_[i])) values_[i] = 0;
        dirty_ = true;
        paste_.clear();
      }
      ImGui::PopID();
    }
    if (dirty_) paste_.clear();
  }

  void parse_paste() {
    std::vector<float> v;
    std::string tok;
    for (char c : paste_ + ",") {
      if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '[' || c == ']') {
        if (!tok.empty()) {
          char* end = nullptr;
          const float f = std::strtof(tok.c_str(), &end);
          if (end && *end == 0 && std::isfinite(f)) v.push_back(f);
          tok.clear();
        }
      } else {
        tok += c;
      }
    }
    if (v.empty()) return;
    if (v.size() > 32) v.resize(32);
    v.resize(v.size() <= 16 ? 16 : 32, 0.0f);
    values_ = v;
    dirty_ = true;
    paste_.clear();
  }

  void draw_bars() {
    const exp::Table* t = find_table(*result_, "elements");
    if (!t) return;
    ImGui::TextUnformatted("Error bars of (click a recipe row to add/remove):");
    ImGui::SameLine();
    for (const std::string& r : bar_recipes_) {
      ImGui::SameLine();
      ImGui::TextDisabled("%s", r.c_str());
    }
    std::vector<std::vector<double>> vals;
    std::vector<std::string> labels;
    for (const std::string& spec : bar_recipes_) {
      std::vector<double> e;
      for (const auto& row : t->rows) {
        if (cell_text(row[0]) == spec) e.push_back(cell_number(row[5]));
      }
      if (e.empty()) continue;
      vals.push_back(std::move(e));
      labels.push_back(spec);
    }
    bar_chart("##bars", labels, vals, ImVec2(-1, -1));
  }

  std::optional<exp::Result> result_;
  std::vector<float> values_;
  std::string paste_;
  std::string distribution_ = "normal";
  int seed_ = 1;
  float scale_ = 1.0f;
  bool dirty_ = false;
  std::vector<std::string> bar_recipes_ = {"nvfp4:te:bs=16", "nvfp4:4over6:mse:bs=16", "mxfp4:floor:bs=32", "nvint4:bs=16"};
};

}  // namespace

std::unique_ptr<Panel> make_block_lab(const exp::Registry& registry) { return std::make_unique<BlockLab>(registry); }

}  // namespace fp4lab::gui
