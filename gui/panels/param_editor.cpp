// Parameter editors generated from a parameter spec (see param_editor.hpp), and the recipe
// editors they and the panels share.
#include "gui/panels/param_editor.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "experiments/recipe_presets.hpp"

namespace fp4lab::gui {
namespace {

using exp::ParamKind;
using exp::ParamSpec;

/// The width of the field (without its label) of each kind.
float field_width(ParamKind k) {
  switch (k) {
    case ParamKind::kInt:
      return 90;
    case ParamKind::kNumber:
      return 100;
    case ParamKind::kBool:
      return ImGui::GetFrameHeight();
    case ParamKind::kChoice:
      return 120;
    case ParamKind::kRecipe:
      return 190;
    case ParamKind::kString:
    case ParamKind::kNumberList:
    case ParamKind::kStringList:
    case ParamKind::kRecipeList:
      return 220;
  }
  return 120;
}

bool draw_int(const ParamSpec& s, exp::Params& v) {
  long long x = v.is_number() ? static_cast<long long>(v.get<double>()) : 0;
  if (!ImGui::InputScalar(s.key.c_str(), ImGuiDataType_S64, &x, nullptr, nullptr, "%lld",
                          ImGuiInputTextFlags_EnterReturnsTrue)) {
    return false;
  }
  x = std::clamp(x, static_cast<long long>(s.min), static_cast<long long>(s.max));
  const bool changed = !v.is_number() || v.get<double>() != static_cast<double>(x);
  v = x;
  return changed;
}

bool draw_number(const ParamSpec& s, exp::Params& v) {
  double x = v.is_number() ? v.get<double>() : 0.0;
  if (!ImGui::InputDouble(s.key.c_str(), &x, 0, 0, "%.6g", ImGuiInputTextFlags_EnterReturnsTrue))
    return false;
  if (!std::isfinite(x)) return false;
  x = std::clamp(x, s.min, s.max);
  const bool changed = !v.is_number() || v.get<double>() != x;
  v = x;
  return changed;
}

bool draw_choice(const ParamSpec& s, exp::Params& v) {
  const std::string cur = v.is_string() ? v.get<std::string>() : std::string();
  bool changed = false;
  if (ImGui::BeginCombo(s.key.c_str(), cur.c_str())) {
    for (const std::string& c : s.choices) {
      if (ImGui::Selectable(c.c_str(), c == cur) && c != cur) {
        v = c;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

bool draw_text(const ParamSpec& s, exp::Params& v) {
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (!ImGui::InputText(s.key.c_str(), &text, ImGuiInputTextFlags_EnterReturnsTrue)) return false;
  exp::Params next = text;
  if (s.kind != ParamKind::kString) {  // lists keep their old value until the text is valid
    try {
      exp::validate_param(s, next);
    } catch (const std::invalid_argument&) {
      return false;
    }
  }
  const bool changed = next != v;
  v = std::move(next);
  return changed;
}

bool draw_one(const ParamSpec& s, exp::Params& v) {
  switch (s.kind) {
    case ParamKind::kInt:
      return draw_int(s, v);
    case ParamKind::kNumber:
      return draw_number(s, v);
    case ParamKind::kBool: {
      bool b = v.is_boolean() && v.get<bool>();
      if (!ImGui::Checkbox(s.key.c_str(), &b)) return false;
      v = b;
      return true;
    }
    case ParamKind::kChoice:
      return draw_choice(s, v);
    case ParamKind::kRecipe: {
      std::string spec = v.is_string() ? v.get<std::string>() : std::string();
      if (!draw_recipe_combo(s.key.c_str(), spec, exp::recipe_presets())) return false;
      v = spec;
      return true;
    }
    case ParamKind::kString:
    case ParamKind::kNumberList:
    case ParamKind::kStringList:
    case ParamKind::kRecipeList:
      return draw_text(s, v);
  }
  return false;
}

}  // namespace

bool draw_params(const char* id, const exp::ParamSpecs& specs, exp::Params& values) {
  ImGui::PushID(id);
  bool changed = false;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const ImGuiStyle& style = ImGui::GetStyle();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const ParamSpec& s = specs[i];
    const float w = field_width(s.kind);
    if (i > 0) {
      ImGui::SameLine();
      const float need = w + style.ItemInnerSpacing.x + ImGui::CalcTextSize(s.key.c_str()).x;
      if (ImGui::GetCursorScreenPos().x + need > right) ImGui::NewLine();
    }
    if (!values.contains(s.key)) values[s.key] = s.default_value;
    ImGui::SetNextItemWidth(w);
    changed |= draw_one(s, values[s.key]);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", exp::help_line(s).c_str());
  }
  ImGui::PopID();
  return changed;
}

void load_params(const exp::ParamSpecs& specs, const nlohmann::json& j, exp::Params& values) {
  if (!j.is_object()) return;
  for (const ParamSpec& s : specs) {
    if (!j.contains(s.key)) continue;
    exp::Params v = j.at(s.key);
    try {
      exp::validate_param(s, v);
    } catch (const std::invalid_argument&) {
      continue;  // a stale or hand-edited value: keep the current one
    }
    if (s.kind == ParamKind::kInt) v = static_cast<long long>(v.get<double>());
    if (s.kind == ParamKind::kNumber) v = v.get<double>();
    values[s.key] = std::move(v);
  }
}

bool draw_source_params(const char* id, const exp::ParamSpecs& specs, exp::Params& values) {
  std::string label = "Source";
  if (values.contains("input") && values["input"].is_string() && !values["input"].get<std::string>().empty()) {
    label += ": " + values["input"].get<std::string>();
  } else if (values.contains("distribution") && values.contains("rows") && values.contains("cols")) {
    const nlohmann::json& d = values["distribution"];
    label += ": " + (d.is_string() ? d.get<std::string>() : d.dump()) + " " + values["rows"].dump() + " x " +
             values["cols"].dump();
  }
  label += "###" + std::string(id) + "_header";
  ImGui::SetNextItemOpen(ImGui::GetContentRegionAvail().y >= 600, ImGuiCond_Once);
  if (!ImGui::CollapsingHeader(label.c_str())) return false;
  return draw_params(id, specs, values);
}

bool draw_recipe_combo(const char* label, std::string& spec,
                       const std::vector<std::string>& presets) {
  ImGui::PushID(label);
  const float w = ImGui::CalcItemWidth();
  bool changed = false;
  ImGui::SetNextItemWidth(
      std::max(40.0f, w - ImGui::GetFrameHeight() - ImGui::GetStyle().ItemInnerSpacing.x));
  changed |= ImGui::InputText("##spec", &spec, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
  if (ImGui::BeginCombo("##presets", nullptr,
                        ImGuiComboFlags_NoPreview | ImGuiComboFlags_HeightLarge)) {
    for (const std::string& p : presets) {
      if (ImGui::Selectable(p.c_str(), spec == p)) {
        spec = p;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
  ImGui::TextUnformatted(label);
  ImGui::PopID();
  return changed;
}

bool draw_recipe_list(const char* id, std::vector<std::string>& recipes) {
  ImGui::PushID(id);
  bool changed = false;
  ImGui::SetNextItemWidth(130);
  if (ImGui::BeginCombo("recipes", (std::to_string(recipes.size()) + " selected").c_str(),
                        ImGuiComboFlags_HeightLarge)) {
    for (const std::string& p : exp::recipe_presets()) {
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
  ImGui::SetNextItemWidth(400);
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

}  // namespace fp4lab::gui
