// The drawing code of exported figures on any Cairo context (PNG, PDF, SVG surfaces alike):
// a placed Scene, a heat map with a value-labelled colour bar, a horizontal bar chart. Colours
// of the chrome come from a Theme; the series' from the plot model's palette.
#pragma once

#include <cairo.h>

#include <string_view>

#include "experiments/plot/chart.hpp"
#include "experiments/plot/layout.hpp"

namespace fp4lab::exp {

/// The font every exported figure is drawn in (Debian fonts-dejavu-core).
inline constexpr const char* kFigureFont = "DejaVu Sans";

/// Colours of a figure's chrome.
struct Theme {
  plot::Rgb background, text, frame, grid_major, grid_minor, legend_fill, legend_edge;  ///< sRGB
};

/// Black on white: the publication style of every exported figure.
Theme light_theme();

/// Width of `text` in kFigureFont at `font_size`, from Cairo's font metrics (advance width).
double cairo_text_width(std::string_view text, double font_size);

/// The marker shape of series i: 0 circle, 1 square, 2 triangle, 3 diamond, 4 cross (cycled).
std::size_t marker_shape(std::size_t series);

/// Draws a marker of `shape` centred at (x, y) with `radius` in the current colour.
void draw_marker(cairo_t* cr, std::size_t shape, double x, double y, double radius);

/// Draws a placed figure (a "no data" plot when it has none); `box` is the figure box of the
/// Style it was laid out with.
void draw_scene(cairo_t* cr, const plot::Scene& sc, const plot::Box& box, const Theme& t);

/// Draws a heat map into `box`: cells, row/column labels, and a colour bar with labelled ticks.
void draw_heat_map(cairo_t* cr, const plot::HeatMap& m, const plot::Box& box, const Theme& t);

/// Draws a horizontal bar chart into `box`: category labels left, value axis below.
void draw_bar_chart(cairo_t* cr, const plot::BarChart& b, const plot::Box& box, const Theme& t);

}  // namespace fp4lab::exp
