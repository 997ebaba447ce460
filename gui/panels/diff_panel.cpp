// Diff panel: two recipes' codes and block scales side by side (the `diff` experiment's view
// window), mismatches highlighted, with next/previous mismatch navigation and the summary.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>
#include <cstdio>

#include "experiments/recipe_presets.hpp"
#include "experiments/tensor_source.hpp"
#include "gui/panels/panel.hpp"
#include "gui/plot/plot.hpp"

namespace fp4lab::gui {
namespace {

constexpr int kViewRows = 24, kViewCols = 32;

class DiffPanel : public JobPanel {
 public:
  explicit DiffPanel(const exp::Registry& r) : JobPanel(r) {
    src_["rows"] = 64;
    src_["cols"] = 256;
    src_["outlier_fraction"] = 0.01;
  }
  const char* id() const override { return "diff"; }
  const char* title() const override { return "Diff"; }
  void run() override {
    exp::Params p = src_;
    p["recipe_a"] = recipe_a_;
    p["recipe_b"] = recipe_b_;
    p["view_rows"] = kViewRows;
    p["view_cols"] = kViewCols;
    p["examples"] = 200;
    start({{"diff", p}});
  }
  std::vector<NamedResult> results() const override {
    if (!result_) return {};
    return {{"diff", &*result_}};
  }
  nlohmann::json save() const override {
    return {{"source", src_}, {"recipe_a", recipe_a_}, {"recipe_b", recipe_b_}};
  }
  void load(const nlohmann::json& j) override {
    if (!j.is_object()) return;
    if (j.contains("source")) load_params(exp::source_params(), j["source"], src_);
    if (j.contains("distribution") && j["distribution"].is_object()) {
      load_params(exp::source_params(), j["distribution"], src_);
    }
    recipe_a_ = j.value("recipe_a", recipe_a_);
    recipe_b_ = j.value("recipe_b", recipe_b_);
    if (j.contains("recipes") && j["recipes"].is_array() && j["recipes"].size() >= 2) {
      recipe_a_ = j["recipes"][0].get<std::string>();
      recipe_b_ = j["recipes"][1].get<std::string>();
    }
    dirty_ = true;
  }
  nlohmann::json probe() const override {
    nlohmann::json j = {{"has_result", result_.has_value()}, {"mismatches", mismatches_.size()}, {"selected", selected_}};
    if (result_) j["codes_differ"] = result_->scalars.at("codes_differ");
    if (selected_ >= 0 && view_) {
      const auto& row = view_->rows[static_cast<std::size_t>(mismatches_[static_cast<std::size_t>(selected_)])];
      j["selected_row"] = cell_number(row[0]);
      j["selected_col"] = cell_number(row[1]);
    }
    return j;
  }
  bool action(const std::string& name) override {
    if (name == "next_mismatch") jump(1);
    else if (name == "prev_mismatch") jump(-1);
    else return false;
    return true;
  }
  /// Moves the selection to the next (step 1) or previous (-1) mismatch of the view window.
  void jump(int step) {
    if (mismatches_.empty()) return;
    const int n = static_cast<int>(mismatches_.size());
    selected_ = selected_ < 0 ? (step > 0 ? 0 : n - 1) : ((selected_ + step) % n + n) % n;
  }

  void draw() override {
    if (never_ran() || dirty_) {
      dirty_ = false;
      run();
    }
    bool changed = draw_source_params("src", exp::source_params(), src_);
    ImGui::SetNextItemWidth(200);
    changed |= draw_recipe_combo("recipe A", recipe_a_, exp::recipe_presets());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(200);
    changed |= draw_recipe_combo("recipe B", recipe_b_, exp::recipe_presets());
    ImGui::SameLine();
    if (ImGui::Button("Run")) changed = true;
    ImGui::SameLine();
    draw_status();
    if (changed) run();
    if (!result_ || !view_) return;
    ImGui::Text("codes differ: %.0f of %.0f elements;  block scales differ: %s;  in this %dx%d window: %zu", 
                result_->scalars.at("codes_differ"), result_->scalars.at("elements"),
                result_->scalars.count("scales_differ") ? short_number(result_->scalars.at("scales_differ")).c_str() : "-",
                rows_, cols_, mismatches_.size());
    ImGui::SameLine();
    if (ImGui::SmallButton("< prev")) jump(-1);
    ImGui::SameLine();
    if (ImGui::SmallButton("next > (N)")) jump(1);
    if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) && !ImGui::GetIO().WantTextInput &&
        ImGui::IsKeyPressed('N', false)) {  // GLFW's key codes of letters are their ASCII capitals
      jump(ImGui::GetIO().KeyShift ? -1 : 1);
    }
    tint_legend();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float grid_h = avail.y * 0.66f;
    const float gw = avail.x * 0.5f - 6;
    draw_grid("A", 3, 5, gw, grid_h);
    ImGui::SameLine();
    draw_grid("B", 4, 6, gw, grid_h);
    if (selected_ >= 0) {
      const auto& row = view_->rows[static_cast<std::size_t>(mismatches_[static_cast<std::size_t>(selected_)])];
      ImGui::Text("mismatch %d/%zu at row %.0f col %.0f: x = %.6g | A code 0x%X scale %.6g -> %.6g | B code 0x%X scale %.6g -> %.6g",
                  selected_ + 1, mismatches_.size(), cell_number(row[0]), cell_number(row[1]), cell_number(row[2]),
                  static_cast<unsigned>(cell_number(row[3])), cell_number(row[5]), cell_number(row[7]),
                  static_cast<unsigned>(cell_number(row[4])), cell_number(row[6]), cell_number(row[8]));
    } else {
      ImGui::TextDisabled("no mismatch selected (N: next, Shift+N: previous)");
    }
    draw_row_scales();
    if (const exp::Table* ex = find_table(*result_, "examples")) {
      ImGui::TextUnformatted("First differing elements of the whole tensor:");
      draw_table(*ex, ImGui::GetContentRegionAvail().y);
    }
  }

 protected:
  void on_result(std::size_t, const std::string&, exp::Result r) override {
    result_ = std::move(r);
    view_ = find_table(*result_, "view");
    mismatches_.clear();
    selected_ = -1;
    rows_ = cols_ = 0;
    if (!view_) return;
    rows_ = static_cast<int>(result_->scalars.at("view_rows"));
    cols_ = static_cast<int>(result_->scalars.at("view_cols"));
    for (std::size_t i = 0; i < view_->rows.size(); ++i) {
      if (cell_number(view_->rows[i][9]) != 0) mismatches_.push_back(static_cast<int>(i));
    }
  }

 private:
  /// The block scales of A and B along the selected mismatch's row (row 0 when none), as runs
  /// of columns where both stay the same; differing runs in orange.
  void draw_row_scales() {
    const int row = selected_ >= 0
                        ? static_cast<int>(cell_number(view_->rows[static_cast<std::size_t>(mismatches_[static_cast<std::size_t>(selected_)])][0]))
                        : 0;
    ImGui::Text("block scales of row %d:", row);
    int start = 0;
    for (int c = 1; c <= cols_; ++c) {
      const auto& first = view_->rows[static_cast<std::size_t>(row * cols_ + start)];
      const bool end = c == cols_;
      if (!end) {
        const auto& cur = view_->rows[static_cast<std::size_t>(row * cols_ + c)];
        if (cell_number(cur[5]) == cell_number(first[5]) && cell_number(cur[6]) == cell_number(first[6])) continue;
      }
      const double a = cell_number(first[5]), b = cell_number(first[6]);
      ImGui::SameLine();
      const ImVec4 col = a == b ? ImVec4(0.8f, 0.8f, 0.8f, 1) : ImVec4(1.0f, 0.67f, 0.0f, 1);
      ImGui::TextColored(col, " cols %d-%d: A %s | B %s;", start, c - 1, short_number(a).c_str(), short_number(b).c_str());
      start = c;
    }
  }

  /// The cell background of a block scale: darker to lighter blue with log2 of the scale.
  static ImU32 scale_tint(double scale) {
    const double l = std::isfinite(scale) && scale > 0 ? std::log2(scale) : 0.0;
    const int tint = static_cast<int>(std::clamp(40 + 6 * (l + 10), 30.0, 110.0));
    return IM_COL32(tint / 2, tint / 2, tint, 255);
  }

  /// The legend of every tint the grids use, on one line.
  void tint_legend() {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    auto swatch = [&](ImU32 fill, ImU32 line, bool frame, const char* label) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float s = ImGui::GetFontSize();
      dl->AddRectFilled(p, ImVec2(p.x + s, p.y + s), fill);
      if (line) dl->AddLine(ImVec2(p.x, p.y + s - 1), ImVec2(p.x + s, p.y + s - 1), line, 2.0f);
      if (frame) dl->AddRect(ImVec2(p.x - 1, p.y - 1), ImVec2(p.x + s + 1, p.y + s + 1), IM_COL32(255, 255, 255, 255), 0, 0, 2.0f);
      ImGui::Dummy(ImVec2(s, s));
      ImGui::SameLine();
      ImGui::TextUnformatted(label);
      ImGui::SameLine(0, 14);
    };
    ImGui::TextDisabled("cells:");
    ImGui::SameLine();
    swatch(scale_tint(std::ldexp(1.0, -10)), 0, false, "");
    ImGui::SameLine(0, 2);
    swatch(scale_tint(1.0), 0, false, "");
    ImGui::SameLine(0, 2);
    swatch(scale_tint(std::ldexp(1.0, 8)), 0, false, "block scale 2^-10 .. 2^8 (darker: smaller)");
    swatch(IM_COL32(200, 40, 40, 255), 0, false, "codes differ");
    swatch(scale_tint(1.0), IM_COL32(255, 170, 0, 255), false, "block scales differ");
    swatch(scale_tint(1.0), 0, true, "selected mismatch");
    ImGui::NewLine();
  }

  /// One side: a grid of codes (mismatching codes red) above a strip of block scales per row.
  void draw_grid(const char* side, int code_col, int scale_col, float w, float h) {
    ImGui::BeginChild(side, ImVec2(w, h), true);
    ImGui::Text("%s: %s", side, (side[0] == 'A' ? recipe_a_ : recipe_b_).c_str());
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float cw = avail.x / static_cast<float>(std::max(1, cols_));
    const float ch = avail.y / static_cast<float>(std::max(1, rows_)) ;
    ImGui::InvisibleButton("grid", avail);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int sel = selected_ >= 0 ? mismatches_[static_cast<std::size_t>(selected_)] : -1;
    for (std::size_t i = 0; i < view_->rows.size(); ++i) {
      const auto& row = view_->rows[i];
      const int r = static_cast<int>(cell_number(row[0])), c = static_cast<int>(cell_number(row[1]));
      const int differs = static_cast<int>(cell_number(row[9]));
      const unsigned code = static_cast<unsigned>(cell_number(row[static_cast<std::size_t>(code_col)]));
      const double scale = cell_number(row[static_cast<std::size_t>(scale_col)]);
      // the cell's background tints by log2 of its block scale; code mismatches are red
      const ImU32 bg = (differs & 1) ? IM_COL32(200, 40, 40, 255) : scale_tint(scale);
      const ImVec2 a(p.x + c * cw, p.y + r * ch), b(a.x + cw - 1, a.y + ch - 1);
      dl->AddRectFilled(a, b, bg);
      if (differs & 2) dl->AddLine(ImVec2(a.x, b.y - 1), ImVec2(b.x, b.y - 1), IM_COL32(255, 170, 0, 255), 2.0f);
      if (static_cast<int>(i) == sel) dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(255, 255, 255, 255), 0, 0, 2.5f);
      if (cw >= 9 && ch >= 12) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%X", code & 0xF);
        dl->AddText(ImVec2(a.x + cw / 2 - 3, a.y + ch / 2 - 7), IM_COL32(235, 235, 235, 255), buf);
      }
    }
    if (ImGui::IsItemHovered()) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      const int c = static_cast<int>((m.x - p.x) / cw), r = static_cast<int>((m.y - p.y) / ch);
      const std::size_t i = static_cast<std::size_t>(r * cols_ + c);
      if (r >= 0 && c >= 0 && r < rows_ && c < cols_ && i < view_->rows.size()) {
        const auto& row = view_->rows[i];
        ImGui::SetTooltip("row %d col %d\nx = %.6g\ncode 0x%X, block scale %.6g\nx_hat %.6g", r, c, cell_number(row[2]),
                          static_cast<unsigned>(cell_number(row[static_cast<std::size_t>(code_col)])),
                          cell_number(row[static_cast<std::size_t>(scale_col)]),
                          cell_number(row[static_cast<std::size_t>(code_col + 4)]));
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
          const auto it = std::find(mismatches_.begin(), mismatches_.end(), static_cast<int>(i));
          if (it != mismatches_.end()) selected_ = static_cast<int>(it - mismatches_.begin());
        }
      }
    }
    ImGui::EndChild();
  }

  exp::Params src_ = exp::spec_defaults(exp::source_params());
  std::string recipe_a_ = "nvfp4:te", recipe_b_ = "nvfp4:4over6:mse";
  std::optional<exp::Result> result_;
  const exp::Table* view_ = nullptr;
  std::vector<int> mismatches_;
  int selected_ = -1, rows_ = 0, cols_ = 0;
  bool dirty_ = false;
};

}  // namespace

std::unique_ptr<Panel> make_diff_panel(const exp::Registry& registry) { return std::make_unique<DiffPanel>(registry); }

}  // namespace fp4lab::gui
