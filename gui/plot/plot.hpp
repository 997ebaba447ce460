// ImDrawList plots for the GUI (no ImPlot in Debian): line plots, overlaid histograms, heat
// maps, bar charts and zoomable number lines. Axes, ticks, colours and legends come from the
// plot model shared with the Cairo export (experiments/plot/); these add only the interaction.
#pragma once

#include <imgui.h>

#include <span>
#include <string>
#include <vector>

#include "experiments/result.hpp"

namespace fp4lab::gui {

/// The plot model's series colour `i` (exp::plot::series_colour, cycled), with alpha `a` in [0, 1].
ImU32 series_color(int i, float a = 1.0f);

/// What the mouse did over a plot this frame, in data coordinates.
struct PlotInput {
  bool hovered = false;   ///< the mouse is over the plot area
  bool dragging = false;  ///< the left button is held on the plot area
  double x = 0, y = 0;    ///< the mouse position in data units (valid when hovered or dragging)
  ImVec2 area_min{}, area_max{};  ///< the plot area (inside the axes), screen pixels
};

/// Options of line_plot.
struct LinePlotOptions {
  const double* marker_x = nullptr;  ///< a vertical marker line drawn at this x (e.g. the threshold t)
  bool cursor = true;                ///< draw a cross-hair and the series' values at the mouse x
  std::vector<bool> visible;         ///< per series; empty: all visible
};

/// A line plot of every series of `c` in a `size` region (width/height <= 0: fill); returns the mouse input.
PlotInput line_plot(const char* id, const exp::Curve& c, ImVec2 size, const LinePlotOptions& opt = {});

/// The y of series `s` at x by linear interpolation (x sorted ascending); NaN outside.
double series_value_at(const exp::Series& s, double x);

/// Overlaid semi-transparent step histograms of `h` (log y when h.log_y); returns the mouse input.
PlotInput histogram_plot(const char* id, const exp::Histogram& h, ImVec2 size,
                         const std::vector<bool>& visible = {});

/// The cell of a heat map under the mouse.
struct HeatCell {
  int row = -1, col = -1;  ///< -1 when the mouse is not over a cell
};
/// A heat map of rows x cols cells (row-major) coloured over [lo, hi], NaN cells grey, with a
/// colour bar whose ticks carry the model's value labels and, above it, `bar_label` (what the
/// colour means, with its unit); returns the hovered cell.
HeatCell heat_map(const char* id, std::span<const double> cells, int rows, int cols, double lo, double hi,
                  ImVec2 size, const std::string& bar_label = {});

/// Grouped bars: groups.size() groups of bars (one per series), centred on zero when values are signed.
PlotInput bar_chart(const char* id, const std::vector<std::string>& series_labels,
                    const std::vector<std::vector<double>>& values, ImVec2 size);

/// The visible range and scale of a number line; zoomed with the wheel and panned by dragging.
struct NumberLineView {
  double lo = -7, hi = 7;  ///< visible range (linear) or log10 |x| range (log)
  bool log = false;        ///< log scale of |x| (positive values only)
};

/// One row of a number line: a label and the values to tick.
struct NumberLineRow {
  std::string label;           ///< e.g. "E2M1"
  std::vector<double> values;  ///< every value of the format (non-finite ones are skipped)
};

/// Rows of values on one shared zoomable axis; returns the mouse input (x in value units).
PlotInput number_line(const char* id, const std::vector<NumberLineRow>& rows, NumberLineView& view, ImVec2 size);

/// "1.5", "2e-05": a short label of a number.
std::string short_number(double v);

}  // namespace fp4lab::gui
