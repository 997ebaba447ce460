// Help panel: each format and the 4/6 idea in two lines each (FORMATS.md), and the shortcuts.
#include "gui/panels/panel.hpp"

namespace fp4lab::gui {
namespace {

struct Entry {
  const char* name;
  const char* text;
};

constexpr Entry kEntries[] = {
    {"E2M1 (FP4)", "1 sign, 2 exponent, 1 mantissa bit: +-{0, 0.5, 1, 1.5, 2, 3, 4, 6}; no Inf or NaN.\n"
                   "Rounds to nearest even and saturates at 6; the element type of NVFP4 and MXFP4."},
    {"E4M3 / UE4M3 (FP8)", "1-4-3 bits, bias 7: up to 448, subnormals down to 2^-9, 0x7F/0xFF NaN, no Inf.\n"
                           "UE4M3 is its sign-less use as NVFP4's block scale."},
    {"E5M2 (FP8)", "1-5-2 bits, bias 15: up to 57344, down to 2^-16, with Inf (0x7C) and NaN.\n"
                   "Wider range, half the precision of E4M3."},
    {"E8M0", "8 exponent bits, no sign or mantissa: the powers of two 2^-127 .. 2^127, 0xFF NaN.\n"
             "MXFP4's block scale; floor/ceil/even/rceil name how bmax/6 is rounded to it."},
    {"INT4", "Two's complement -8..7 (symmetric schemes use -7..7).\n"
             "NVINT4 scales blocks of 16 with UE4M3; grouped INT4 uses float scales (and zero points)."},
    {"NVFP4", "Blocks of 16 E2M1 values, each block with a UE4M3 scale, and one FP32 tensor scale.\n"
              "Recipes (te, modelopt, torchao) differ in how the two scales are computed and rounded."},
    {"MXFP4", "OCP microscaling: blocks of 32 E2M1 values sharing a power-of-two E8M0 scale.\n"
              "No tensor scale: coarser scales, so more error than NVFP4 on most tensors."},
    {"4/6 (Four Over Six)", "Each NVFP4 block tries two scales, block max -> 6 (M=6) and block max -> 4 (M=4, a finer grid\n"
                            "near the max), and keeps the one with the smaller error (mse, mae or abs_max rule)."},
};

class HelpPanel : public Panel {
 public:
  const char* id() const override { return "help"; }
  const char* title() const override { return "Help"; }
  nlohmann::json probe() const override { return {{"entries", std::size(kEntries)}}; }
  void draw() override {
    for (const Entry& e : kEntries) {
      ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.3f, 1.0f), "%s", e.name);
      ImGui::Indent();
      ImGui::TextUnformatted(e.text);
      ImGui::Unindent();
    }
    ImGui::Separator();
    ImGui::TextUnformatted(
        "Shortcuts: Ctrl+1..6 panels, Ctrl+R run, Esc cancel, Ctrl+E export (PNG, JSON, CSV),\n"
        "Ctrl+T tile all panels / single panel (View > Free windows: movable), Ctrl+S save settings,\n"
        "F1 help. Diff: N next mismatch, Shift+N previous. The Block lab shows 4/6 step by step.");
    ImGui::TextUnformatted("Every number comes from the same experiments as the fp4lab CLI.");
  }
};

}  // namespace

std::unique_ptr<Panel> make_help_panel() { return std::make_unique<HelpPanel>(); }

}  // namespace fp4lab::gui
