// Error profile panel: the 4/6 paper's Fig. 1 curves (M=6, M=4, MXFP4, INT4) from the
// `error-profile` experiment, with a cursor read-out of every curve at the mouse position.
#include <cmath>

#include "gui/panels/panel.hpp"
#include "gui/plot/plot.hpp"

namespace fp4lab::gui {
namespace {

class ErrorProfilePanel : public JobPanel {
 public:
  explicit ErrorProfilePanel(const exp::Registry& r)
      : JobPanel(r),
        points_spec_(*exp::find_param(r.find("error-profile")->params(), "points")),
        points_(points_spec_.default_value.get<int>()) {}
  const char* id() const override { return "profile"; }
  const char* title() const override { return "Error profile"; }
  void run() override { start({{"error-profile", {{"points", points_}}}}); }
  std::vector<NamedResult> results() const override {
    if (!result_) return {};
    return {{"error-profile", &*result_}};
  }
  nlohmann::json save() const override { return {{"points", points_}, {"cursor", cursor_}, {"visible", visible_}}; }
  void load(const nlohmann::json& j) override {
    if (!j.is_object()) return;
    points_ = std::clamp(j.value("points", points_), static_cast<int>(points_spec_.min),
                         static_cast<int>(points_spec_.max));
    cursor_ = j.value("cursor", cursor_);
    if (j.contains("visible") && j["visible"].is_array()) visible_ = j["visible"].get<std::vector<bool>>();
    dirty_ = true;
  }
  nlohmann::json probe() const override {
    nlohmann::json j = {{"has_result", result_.has_value()}, {"cursor", cursor_}};
    if (result_) j["readout"] = readout();
    return j;
  }

  void draw() override {
    if (never_ran() || dirty_) {
      dirty_ = false;
      run();
    }
    ImGui::SetNextItemWidth(200);
    // the slider reaches 20001 points (enough to see every step); files and scenarios may go
    // up to the spec's maximum
    if (ImGui::SliderInt("points", &points_, static_cast<int>(points_spec_.min), 20001, "%d",
                         ImGuiSliderFlags_Logarithmic)) {
      run();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", exp::help_line(points_spec_).c_str());
    ImGui::SameLine();
    draw_status();
    if (!result_ || result_->curves.empty()) return;
    const exp::Curve& c = result_->curves[0];
    visible_.resize(c.series.size(), true);
    for (std::size_t k = 0; k < c.series.size(); ++k) {
      bool v = visible_[k];
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(series_color(static_cast<int>(k))));
      if (ImGui::Checkbox(c.series[k].label.c_str(), &v)) visible_[k] = v;
      ImGui::PopStyleColor();
      ImGui::SameLine();
    }
    ImGui::NewLine();
    LinePlotOptions opt;
    opt.visible = visible_;
    opt.marker_x = &cursor_;
    const float table_h = 150;
    const PlotInput in = line_plot("##profile", c, ImVec2(-1, -table_h - 30), opt);
    if (in.hovered) cursor_ = std::clamp(in.x, 0.0, 1.0);
    // the read-out at the cursor (the last hovered x)
    std::string line = "at value/bmax = " + short_number(cursor_) + ":";
    const nlohmann::json values = readout();  // kept alive: items() refers into it
    for (const auto& [label, v] : values.items()) line += "   " + label + " " + short_number(v.get<double>());
    ImGui::TextUnformatted(line.c_str());
    if (const exp::Table* t = find_table(*result_, "summary")) draw_table(*t, table_h);
  }

 protected:
  void on_result(std::size_t, const std::string&, exp::Result r) override { result_ = std::move(r); }

 private:
  nlohmann::json readout() const {
    nlohmann::json j = nlohmann::json::object();
    if (!result_ || result_->curves.empty()) return j;
    for (const exp::Series& s : result_->curves[0].series) {
      const double v = series_value_at(s, cursor_);
      if (std::isfinite(v)) j[s.label] = v;
    }
    return j;
  }

  std::optional<exp::Result> result_;
  exp::ParamSpec points_spec_;
  int points_;
  double cursor_ = 0.75;
  bool dirty_ = false;
  std::vector<bool> visible_;
};

}  // namespace

std::unique_ptr<Panel> make_error_profile_panel(const exp::Registry& registry) {
  return std::make_unique<ErrorProfilePanel>(registry);
}

}  // namespace fp4lab::gui
