// Format explorer panel: every element format's values on a zoomable number line (linear and
// log), a value <-> bits converter under every rounding and saturation mode (CUDA's marked),
// and the codebook tables of the `formats` experiment (FORMATS.md §1-2, §9).
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "formats/e2m1.hpp"
#include "formats/e4m3.hpp"
#include "formats/e5m2.hpp"
#include "formats/e8m0.hpp"
#include "formats/element_of.hpp"
#include "formats/fp3.hpp"
#include "formats/fp6.hpp"
#include "formats/int4.hpp"
#include "formats/int_symmetric.hpp"
#include "gui/panels/panel.hpp"
#include "gui/plot/plot.hpp"

namespace fp4lab::gui {
namespace {

using namespace fp4lab::formats;

/// One conversion of the converter: a mode, the code it gives, and its value.
struct Conversion {
  std::string format, mode;
  unsigned code = 0;
  int width = 4;
  double value = 0;
  bool cuda = false;  ///< a mode CUDA 13's conversion intrinsics offer
};

const char* rounding_name(Rounding r) {
  switch (r) {
    case Rounding::kNearestEven:
      return "nearest-even";
    case Rounding::kTowardZero:
      return "toward zero";
    case Rounding::kUp:
      return "up (+inf)";
    case Rounding::kNearestTiesAway:
      return "nearest, ties away";
    case Rounding::kNearestTiesToZero:
      return "nearest, ties to zero";
    default:
      return "stochastic";
  }
}

/// Every rounding/saturation mode of every element format applied to x (formats/ functions).
std::vector<Conversion> convert_all(double xd) {
  const float x = static_cast<float>(xd);
  std::vector<Conversion> out;
  const Rounding fp_modes[] = {Rounding::kNearestEven, Rounding::kTowardZero, Rounding::kNearestTiesAway};
  for (Rounding r : fp_modes) {
    const fp4_e2m1 c = fp4_e2m1::from(x, r);
    out.push_back({"E2M1", std::string(rounding_name(r)) + ", satfinite", c.bits, 4, c.to_float(),
                   r == Rounding::kNearestEven});
  }
  for (Saturation s : {Saturation::kSatFinite, Saturation::kNoSat}) {
    for (Rounding r : fp_modes) {
      const char* sn = s == Saturation::kSatFinite ? ", satfinite" : ", nosat";
      const fp8_e4m3 a = fp8_e4m3::from(x, s, r);
      out.push_back({"E4M3", std::string(rounding_name(r)) + sn, a.bits, 8, a.to_float(), r == Rounding::kNearestEven});
      const fp8_e5m2 b = fp8_e5m2::from(x, s, r);
      out.push_back({"E5M2", std::string(rounding_name(r)) + sn, b.bits, 8, b.to_float(), r == Rounding::kNearestEven});
      const ue4m3 u = ue4m3::from(x, s, r);
      out.push_back({"UE4M3", std::string(rounding_name(r)) + sn, u.bits, 8, u.to_float(), false});
    }
    for (E8m0Rounding r : {E8m0Rounding::kTowardZero, E8m0Rounding::kUp, E8m0Rounding::kNearestTiesAway}) {
      const ue8m0 e = ue8m0::from(x, s, r);
      const Rounding shown = r == E8m0Rounding::kTowardZero ? Rounding::kTowardZero
                             : r == E8m0Rounding::kUp       ? Rounding::kUp
                                                            : Rounding::kNearestTiesAway;
      out.push_back({"E8M0", std::string(rounding_name(shown)) + (s == Saturation::kSatFinite ? ", satfinite" : ", nosat"),
                     e.bits, 8, e.to_float(), r != E8m0Rounding::kNearestTiesAway});
    }
  }
  for (Int4Range g : {Int4Range::kFull, Int4Range::kSymmetric}) {
    for (Rounding r : {Rounding::kNearestEven, Rounding::kTowardZero}) {
      const int4 c = int4::from(x, g, r);
      out.push_back({"INT4", std::string(rounding_name(r)) + (g == Int4Range::kFull ? ", -8..7" : ", -7..7"), c.bits, 4,
                     c.to_float(), false});
    }
  }
  // FP6 (cuda_fp6.h offers nearest-even and toward zero) and FP3, always saturating
  for (Rounding r : {Rounding::kNearestEven, Rounding::kTowardZero, Rounding::kUp, Rounding::kNearestTiesAway}) {
    const bool cuda = r == Rounding::kNearestEven || r == Rounding::kTowardZero;
    const fp6_e2m3 a = fp6_e2m3::from(x, r);
    out.push_back({"E2M3", std::string(rounding_name(r)) + ", satfinite", a.bits, 6, a.to_float(), cuda});
    const fp6_e3m2 b = fp6_e3m2::from(x, r);
    out.push_back({"E3M2", std::string(rounding_name(r)) + ", satfinite", b.bits, 6, b.to_float(), cuda});
  }
  for (Rounding r : {Rounding::kNearestEven, Rounding::kNearestTiesToZero, Rounding::kTowardZero, Rounding::kUp}) {
    const fp3_e2m0 c = fp3_e2m0::from(x, r);
    const char* note = r == Rounding::kNearestTiesToZero ? ", satfinite (fouroversix FP3)" : ", satfinite";
    out.push_back({"E2M0", std::string(rounding_name(r)) + note, c.bits, 3, c.to_float(), false});
  }
  for (Rounding r : {Rounding::kNearestEven, Rounding::kTowardZero}) {
    const int3_sym a = int3_sym::from(x, r);
    out.push_back({"INT3", std::string(rounding_name(r)) + ", -3..3", a.bits, 3, a.to_float(), false});
    const int6_sym b = int6_sym::from(x, r);
    out.push_back({"INT6", std::string(rounding_name(r)) + ", -31..31", b.bits, 6, b.to_float(), false});
  }
  std::stable_sort(out.begin(), out.end(), [](const Conversion& a, const Conversion& b) { return a.format < b.format; });
  return out;
}

/// The element type named `format` in the facts table (E8M0 for an unknown name).
ElementType element_named(const std::string& format) {
  return element_type_named(format).value_or(ElementType::kUE8M0);
}

/// The value of a code in each format (formats/ decoders, through the facts table).
double decode(const std::string& format, unsigned code) {
  return element_value(element_named(format), static_cast<std::uint8_t>(code));
}

std::string bits(unsigned code, int width) {
  std::string s;
  for (int b = width - 1; b >= 0; --b) s += ((code >> b) & 1u) ? '1' : '0';
  return s;
}

class FormatExplorer : public JobPanel {
 public:
  explicit FormatExplorer(const exp::Registry& r) : JobPanel(r) {}
  const char* id() const override { return "formats"; }
  const char* title() const override { return "Format explorer"; }
  void run() override { start({{"formats", {{"codebooks", true}}}}); }
  std::vector<NamedResult> results() const override {
    if (!result_) return {};
    return {{"formats", &*result_}};
  }
  nlohmann::json save() const override {
    return {{"value", value_}, {"code", code_}, {"code_format", code_format_}, {"log", view_.log},
            {"lo", view_.lo}, {"hi", view_.hi}, {"codebook", codebook_}};
  }
  void load(const nlohmann::json& j) override {
    if (!j.is_object()) return;
    value_ = j.value("value", value_);
    code_ = j.value("code", code_);
    code_format_ = j.value("code_format", code_format_);
    view_.log = j.value("log", view_.log);
    view_.lo = j.value("lo", view_.lo);
    view_.hi = j.value("hi", view_.hi);
    codebook_ = j.value("codebook", codebook_);
  }
  nlohmann::json probe() const override {
    nlohmann::json conv = nlohmann::json::array();
    for (const Conversion& c : convert_all(value_)) {
      conv.push_back({{"format", c.format}, {"mode", c.mode}, {"code", c.code}, {"value", c.value}, {"cuda", c.cuda}});
    }
    return {{"rows", rows_.size()}, {"conversions", conv}, {"decoded", decode(code_format_, static_cast<unsigned>(code_))},
            {"has_result", result_.has_value()}};
  }

  void draw() override {
    if (never_ran()) run();
    draw_status();
    if (!result_) return;
    if (rows_.empty()) build_rows();
    // number line
    ImGui::Checkbox("log scale (|x|)", &view_.log);
    ImGui::SameLine();
    static const std::pair<const char*, double> kFits[] = {{"fit E2M1/INT4/E2M3", 8}, {"fit E3M2/INT6", 32},
                                                           {"fit E4M3", 480}, {"fit E5M2", 60000}};
    for (const auto& [label, m] : kFits) {
      if (ImGui::SmallButton(label)) {
        view_.lo = view_.log ? std::log10(m) - 4 : -m;
        view_.hi = view_.log ? std::log10(m) + 0.2 : m;
      }
      ImGui::SameLine();
    }
    if (ImGui::SmallButton("fit E8M0 (log)")) {
      view_.log = true;
      view_.lo = -40;
      view_.hi = 40;
    }
    if (view_.log && view_.hi - view_.lo > 100) view_.lo = view_.hi - 100;
    const float avail_h = ImGui::GetContentRegionAvail().y;
    number_line("##numberline", rows_, view_, ImVec2(-1, std::max(160.0f, avail_h * 0.36f)));

    // converter and codebooks side by side
    const float half = ImGui::GetContentRegionAvail().x * 0.55f;
    ImGui::BeginChild("converter", ImVec2(half, 0), true);
    ImGui::TextUnformatted("Value -> bits under every mode (green rows, C: what CUDA 13's intrinsics offer)");
    ImGui::SetNextItemWidth(160);
    ImGui::InputDouble("value", &value_, 0.1, 1.0, "%.9g");
    const std::vector<Conversion> conv = convert_all(value_);
    if (ImGui::BeginTable("conv", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit,
                          ImVec2(0, std::max(120.0f, ImGui::GetContentRegionAvail().y - 60)))) {
      ImGui::TableSetupScrollFreeze(0, 1);
      for (const char* h : {"format", "mode", "code", "bits", "value", "CUDA"}) ImGui::TableSetupColumn(h);
      ImGui::TableHeadersRow();
      for (const Conversion& c : conv) {
        ImGui::TableNextRow();
        if (c.cuda) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(30, 80, 40, 255));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.format.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.mode.c_str());
        ImGui::TableNextColumn();
        ImGui::Text(c.width == 4 ? "0x%X" : "0x%02X", c.code);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(bits(c.code, c.width).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.9g", c.value);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.cuda ? "C" : "");
      }
      note_table("conv", static_cast<int>(conv.size()));
      ImGui::EndTable();
    }
    ImGui::TextUnformatted("Bits -> value:");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    if (ImGui::BeginCombo("##fmt", code_format_.c_str())) {
      for (const ElementType t : kElementTypes) {
        const char* f = element_traits(t).name;
        if (ImGui::Selectable(f, code_format_ == f)) code_format_ = f;
      }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::InputInt("code", &code_, 1, 16, ImGuiInputTextFlags_CharsHexadecimal);
    const int w = element_traits(element_named(code_format_)).bits;
    code_ = std::clamp(code_, 0, (1 << w) - 1);
    ImGui::SameLine();
    ImGui::Text("0x%02X = %s = %.9g", code_, bits(static_cast<unsigned>(code_), w).c_str(),
                decode(code_format_, static_cast<unsigned>(code_)));
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("codebooks", ImVec2(0, 0), true);
    static const char* kBooks[] = {"elements", "e2m1", "int4", "e4m3", "e5m2", "e8m0", "e2m3",
                                   "e3m2",     "e2m0", "int3", "int6", "blocks"};
    for (const char* b : kBooks) {
      if (ImGui::RadioButton(b, codebook_ == b)) codebook_ = b;
      ImGui::SameLine();
    }
    ImGui::NewLine();
    if (const exp::Table* t = find_table(*result_, codebook_)) {
      ImGui::TextUnformatted(t->title.c_str());
      draw_table(*t, ImGui::GetContentRegionAvail().y);
    }
    ImGui::EndChild();
  }

 protected:
  void on_result(std::size_t, const std::string&, exp::Result r) override {
    result_ = std::move(r);
    rows_.clear();
  }

 private:
  void build_rows() {
    static const std::pair<const char*, const char*> kBooks[] = {
        {"e2m1", "E2M1"}, {"int4", "INT4"}, {"e4m3", "E4M3"}, {"e5m2", "E5M2"}, {"e8m0", "E8M0"},
        {"e2m3", "E2M3"}, {"e3m2", "E3M2"}, {"e2m0", "E2M0"}, {"int3", "INT3"}, {"int6", "INT6"}};
    for (const auto& [id, label] : kBooks) {
      const exp::Table* t = find_table(*result_, id);
      if (!t) continue;
      NumberLineRow row{label, {}};
      for (const auto& cells : t->rows) {
        if (cells.size() >= 3) row.values.push_back(cell_number(cells[2]));
      }
      rows_.push_back(std::move(row));
    }
  }

  std::optional<exp::Result> result_;
  std::vector<NumberLineRow> rows_;
  NumberLineView view_{-7, 7, false};
  double value_ = 2.7;
  int code_ = 0x5;
  std::string code_format_ = "E2M1";
  std::string codebook_ = "e2m1";
};

}  // namespace

std::unique_ptr<Panel> make_format_explorer(const exp::Registry& registry) {
  return std::make_unique<FormatExplorer>(registry);
}

}  // namespace fp4lab::gui
