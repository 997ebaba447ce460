// The plot model's layout: a Figure placed in a pixel box (y down) for one renderer's fonts:
// the plot area (the left margin fits the y tick labels), the data as pixel primitives
// (polylines decimated to about max_points, dots, step outlines), and the legend, put where
// the data covers least. The Cairo export and the GUI only draw a Scene.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "experiments/plot/figure.hpp"

namespace fp4lab::exp::plot {

/// A rectangle in pixels, y down.
struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  ///< top-left and bottom-right corners
  double width() const { return x1 - x0; }
  double height() const { return y1 - y0; }
};

/// Width in pixels of a text at a font size (in pixels).
using TextWidth = std::function<double(std::string_view text, double font_size)>;

/// An estimate for sans-serif text: 0.62 x font size per code point.
double estimated_text_width(std::string_view text, double font_size);

/// Series with more plottable points than this are decimated (see decimate_indices).
inline constexpr std::size_t kMaxPoints = 2000;

/// A renderer's measures: where the figure goes, its margins and fonts.
struct Style {
  Box figure{0, 0, 800, 500};                   ///< the whole figure
  double top = 52, right = 24, bottom = 62;     ///< margins between the figure and the plot area
  double left = 48;                             ///< left margin beside the widest y tick label
  double tick_font = 11;                        ///< font size of tick labels
  double legend_font = 12;                      ///< font size of legend labels
  TextWidth text_width = estimated_text_width;  ///< how wide a text is
  std::size_t max_points = kMaxPoints;          ///< polyline points kept per series (about)
};

/// A polyline of one series, in pixels.
struct Line {
  std::size_t series = 0;     ///< index into Figure::series
  std::vector<Point> points;  ///< two or more points
};
/// A dot of one series (markers, or a lone point), in pixels.
struct Dot {
  std::size_t series = 0;  ///< index into Figure::series
  Point at;                ///< centre
  double radius = 2.5;     ///< radius
};
/// A bar of a step outline in pixels: from x0 to x1 at height top.
struct Bar {
  double x0 = 0, x1 = 0, top = 0;  ///< pixels
};
/// A run of adjacent bins of one series, drawn as a step outline from and back to `base`
/// (histograms), or bars of one series each from `base` (bar charts).
struct Steps {
  std::size_t series = 0;  ///< index into Figure::series
  double base = 0;         ///< pixel y of the outline's foot (count 0, or the axis bottom)
  std::vector<Bar> bars;   ///< left to right
};
/// One legend row: the swatch's span and the label's left edge, centred on `cy`.
struct LegendRow {
  std::size_t series = 0;               ///< index into Figure::series
  double cy = 0;                        ///< the row's vertical centre
  double swatch_x0 = 0, swatch_x1 = 0;  ///< swatch span
  double text_x = 0;                    ///< where the label starts
};
/// The legend: its box and one row per series, in series order (empty rows: no legend).
struct Legend {
  Box box;                      ///< background box
  std::vector<LegendRow> rows;  ///< in Figure::series order
};

/// Legend metrics shared by both renderers: row height in legend font sizes; the padding
/// inside the box and the swatch width in pixels.
inline constexpr double kLegendRow = 1.5, kLegendPad = 8, kLegendSwatch = 22;

/// A Figure placed in pixels.
struct Scene {
  Figure figure;             ///< what is drawn (texts, axes, series styles)
  Box area;                  ///< the plot area inside the axes
  std::vector<Line> lines;   ///< data polylines
  std::vector<Dot> dots;     ///< data dots
  std::vector<Steps> steps;  ///< histogram outlines and bar runs
  Legend legend;             ///< legend box and rows
  /// Pixel x of axis coordinate t (log10 of the value on a log axis).
  double x_px(double t) const;
  /// Pixel y of axis coordinate t.
  double y_px(double t) const;
  /// The value at pixel x.
  double x_value(double px) const;
  /// The value at pixel y.
  double y_value(double py) const;
};

/// The indices of `y` a decimated polyline keeps: every `stride`-th point (the first of each
/// stride), the minimum and maximum of y within each stride, and the last point; ascending.
/// A stride of 0 or 1 keeps every point.
std::vector<std::size_t> decimate_indices(const std::vector<double>& y, std::size_t stride);

/// The stride that brings n points down to about max_points: 1 when n <= max_points, else
/// ceil(3n / max_points).
std::size_t decimation_stride(std::size_t n, std::size_t max_points);

/// Width and height of the legend of `f` for a style's fonts.
std::pair<double, double> legend_size(const Figure& f, const Style& s);

/// Places a figure. The legend goes in whichever corner (or top/bottom middle) of the plot area
/// the data covers least; when every spot covers more than 2% data cells, the plot narrows and
/// the legend sits to its right (unless it would take more than 40% of the width).
Scene layout(Figure f, const Style& s);

}  // namespace fp4lab::exp::plot
