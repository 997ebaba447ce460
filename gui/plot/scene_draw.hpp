// The GUI's renderer of the plot model (experiments/plot/): a Scene placed for ImGui's font and
// drawn into an ImDrawList. It draws the model's ticks, labels, colours and legend; it fits,
// ticks and colours nothing itself, so on-screen plots match the exported figures.
#pragma once

#include <imgui.h>

#include "experiments/plot/layout.hpp"

namespace fp4lab::gui {

/// An ImGui colour of a model colour with alpha `a` in [0, 1].
ImU32 to_imgui(exp::plot::Rgb c, float a = 1.0f);

/// The GUI's measures for a plot in the screen rectangle [pos, pos + size]: compact margins,
/// ImGui's current font for tick and legend labels (so it needs a current ImGui context).
exp::plot::Style gui_style(ImVec2 pos, ImVec2 size);

/// Whether draw_scene draws the legend too.
enum class LegendPass {
  with_scene,  ///< draw the legend with the rest
  later,       ///< leave it for draw_legend (after the caller's own overlays)
};

/// Draws a placed figure: grid, the data clipped to the plot area, frame, tick marks and
/// labels, title, axis labels (or "no data"), and the legend unless it is left for later.
void draw_scene(ImDrawList* dl, const exp::plot::Scene& sc,
                LegendPass legend = LegendPass::with_scene);

/// Draws the scene's legend: its box, one swatch and label per series, in series order.
void draw_legend(ImDrawList* dl, const exp::plot::Scene& sc);

}  // namespace fp4lab::gui
