// Helpers the panels share: the job status line, exp::Table drawing, lookups in a Result, the
// tensor-source editor and the recipe-list editor, and the list of panels.
#include "gui/panels/panel.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fp4lab::gui {

void JobPanel::poll() {
  for (JobOutput& o : job_.take()) {
    if (o.batch != latest_) continue;  // a superseded batch
    if (!o.result) {
      error_ = o.experiment + ": " + o.error;
      continue;
    }
    error_.clear();
    last_seconds_ = o.seconds;
    on_result(o.index, o.experiment, std::move(*o.result));
    new_result();
  }
}

void JobPanel::draw_status() {
  if (job_.busy()) {
    ImGui::ProgressBar(job_.progress(), ImVec2(160, 0));
    ImGui::SameLine();
    ImGui::TextUnformatted(job_.stage().c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel (Esc)")) job_.cancel();
  } else if (!error_.empty()) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", error_.c_str());
  } else if (last_seconds_ > 0) {
    ImGui::TextDisabled("last run %.0f ms", last_seconds_ * 1000);
  } else {
    ImGui::TextDisabled("idle");
  }
}

double cell_number(const exp::Cell& c) {
  if (const double* d = std::get_if<double>(&c)) return *d;
  return NAN;
}

std::string cell_text(const exp::Cell& c) {
  if (const std::string* s = std::get_if<std::string>(&c)) return *s;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", std::get<double>(c));
  return buf;
}

int draw_table(const exp::Table& t, float height, int highlight_row) {
  int clicked = -1;
  if (t.columns.empty()) return clicked;
  const int ncol = static_cast<int>(std::min<std::size_t>(t.columns.size(), 64));
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  const float row_h = ImGui::GetTextLineHeightWithSpacing() + 2;
  if (height <= 0) height = std::min(400.0f, row_h * (static_cast<float>(t.rows.size()) + 1.5f));
  ImGui::PushID(t.id.c_str());
  if (ImGui::BeginTable(t.id.c_str(), ncol, flags, ImVec2(0, height))) {
    ImGui::TableSetupScrollFreeze(1, 1);
    for (int c = 0; c < ncol; ++c) ImGui::TableSetupColumn(t.columns[static_cast<std::size_t>(c)].c_str());
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(t.rows.size()));
    while (clip.Step()) {
      for (int r = clip.DisplayStart; r < clip.DisplayEnd; ++r) {
        ImGui::TableNextRow();
        const auto& row = t.rows[static_cast<std::size_t>(r)];
        if (r == highlight_row) {
          ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(120, 60, 30, 255));
        }
        for (int c = 0; c < ncol && c < static_cast<int>(row.size()); ++c) {
          ImGui::TableSetColumnIndex(c);
          const std::string s = cell_text(row[static_cast<std::size_t>(c)]);
          if (c == 0) {
            ImGui::PushID(r);
            if (ImGui::Selectable(s.c_str(), r == highlight_row, ImGuiSelectableFlags_SpanAllColumns)) clicked = r;
            ImGui::PopID();
          } else {
            ImGui::TextUnformatted(s.c_str());
          }
        }
      }
    }
    ImGui::EndTable();
  }
  ImGui::PopID();
  return clicked;
}

const exp::Table* find_table(const exp::Result& r, const std::string& id) {
  for (const auto& t : r.tables) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const exp::Histogram* find_histogram(const exp::Result& r, const std::string& id) {
  for (const auto& h : r.histograms) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

const exp::Curve* find_curve(const exp::Result& r, const std::string& id) {
  for (const auto& c : r.curves) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

exp::Params SourceSettings::params() const {
  exp::Params p = exp::Params::object();
  p["input"] = input;
  p["tensor"] = tensor;
  p["distribution"] = distribution;
  p["rows"] = rows;
  p["cols"] = cols;
  p["seed"] = seed;
  p["scale"] = double(scale);
  p["nu"] = double(nu);
  p["outlier_fraction"] = double(outlier_fraction);
  p["row_scale_spread"] = double(row_scale_spread);
  return p;
}

bool SourceSettings::draw(const char* id) {
  ImGui::PushID(id);
  bool changed = false;
  static const char* kDists[] = {"normal", "laplace", "student_t", "uniform", "lognormal", "mixture"};
  ImGui::SetNextItemWidth(120);
  if (ImGui::BeginCombo("distribution", distribution.c_str())) {
    for (const char* d : kDists) {
      if (ImGui::Selectable(d, distribution == d)) {
        distribution = d;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  changed |= ImGui::InputInt("rows", &rows, 0, 0, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  changed |= ImGui::InputInt("cols", &cols, 0, 0, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(70);
  changed |= ImGui::InputInt("seed", &seed, 0, 0, ImGuiInputTextFlags_EnterReturnsTrue);
  rows = std::clamp(rows, 1, 65536);
  cols = std::clamp(cols, 1, 65536);
  seed = std::max(seed, 0);
  ImGui::SetNextItemWidth(140);
  changed |= ImGui::SliderFloat("scale", &scale, 0.01f, 10.0f, "%.3g", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  changed |= ImGui::SliderFloat("nu", &nu, 1.0f, 30.0f, "%.2g");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  changed |= ImGui::SliderFloat("outliers", &outlier_fraction, 0.0f, 0.05f, "%.4f");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  changed |= ImGui::SliderFloat("row spread", &row_scale_spread, 0.0f, 2.0f, "%.2f");
  ImGui::SetNextItemWidth(300);
  changed |= ImGui::InputTextWithHint("file", ".safetensors or .npy (empty: synthetic)", &input,
                                      ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(220);
  changed |= ImGui::InputTextWithHint("tensor", "tensor name (.safetensors)", &tensor,
                                      ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::PopID();
  return changed;
}

nlohmann::json SourceSettings::to_json() const { return params(); }

void SourceSettings::from_json(const nlohmann::json& j) {
  if (!j.is_object()) return;
  input = j.value("input", input);
  tensor = j.value("tensor", tensor);
  distribution = j.value("distribution", distribution);
  rows = j.value("rows", rows);
  cols = j.value("cols", cols);
  seed = j.value("seed", seed);
  scale = j.value("scale", scale);
  nu = j.value("nu", nu);
  outlier_fraction = j.value("outlier_fraction", outlier_fraction);
  row_scale_spread = j.value("row_scale_spread", row_scale_spread);
}

const std::vector<std::string>& preset_recipes() {
  static const std::vector<std::string> kPresets = {
      "nvfp4:te",       "nvfp4:modelopt", "nvfp4:torchao", "nvfp4:4over6:mse", "nvfp4:4over6:mae",
      "nvfp4:4over6:abs_max", "nvfp4:static_6", "nvfp4:static_4", "mxfp4:floor", "mxfp4:ceil",
      "mxfp4:even",     "mxfp4:rceil",    "nvint4",        "int4:g32:sym",     "int4:g128:asym"};
  return kPresets;
}

bool draw_recipe_list(const char* id, std::vector<std::string>& recipes) {
  ImGui::PushID(id);
  bool changed = false;
  if (ImGui::BeginCombo("recipes", (std::to_string(recipes.size()) + " selected").c_str(),
                        ImGuiComboFlags_HeightLarge)) {
    for (const std::string& p : preset_recipes()) {
      const auto it = std::find(recipes.begin(), recipes.end(), p);
      bool on = it != recipes.end();
      if (ImGui::Checkbox(p.c_str(), &on)) {
        if (on) {
          recipes.push_back(p);
        } else {
          recipes.erase(it);
        }
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  std::string joined;
  for (const auto& r : recipes) joined += (joined.empty() ? "" : ",") + r;
  ImGui::SetNextItemWidth(420);
  if (ImGui::InputText("specs", &joined, ImGuiInputTextFlags_EnterReturnsTrue)) {
    recipes.clear();
    std::size_t b = 0;
    while (b <= joined.size()) {
      const std::size_t e = std::min(joined.find(',', b), joined.size());
      std::string tok = joined.substr(b, e - b);
      tok.erase(0, tok.find_first_not_of(' '));
      tok.erase(tok.find_last_not_of(' ') + 1);
      if (!tok.empty()) recipes.push_back(tok);
      b = e + 1;
    }
    changed = true;
  }
  ImGui::PopID();
  return changed;
}

std::vector<std::unique_ptr<Panel>> make_panels(const exp::Registry& registry) {
  std::vector<std::unique_ptr<Panel>> p;
  p.push_back(make_format_explorer(registry));
  p.push_back(make_block_lab(registry));
  p.push_back(make_error_profile_panel(registry));
  p.push_back(make_tensor_lab(registry));
  p.push_back(make_diff_panel(registry));
  p.push_back(make_help_panel());
  return p;
}

}  // namespace fp4lab::gui
