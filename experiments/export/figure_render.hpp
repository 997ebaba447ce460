// The one renderer of exported figures: the plot model's Scene drawn through Cairo onto a PNG,
// PDF or SVG surface by the same drawing code, with real font metrics (DejaVu Sans). The layout
// (axes, ticks, legend place) comes from experiments/plot/; this file only draws it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "experiments/plot/chart.hpp"
#include "experiments/plot/layout.hpp"
#include "experiments/result.hpp"

namespace fp4lab::exp {

/// Width of every exported figure, in pixels (PNG: twice this many device pixels).
inline constexpr int kFigureWidth = 800;
/// Height of every exported figure, in pixels.
inline constexpr int kFigureHeight = 500;
/// Device pixels per figure pixel in PNG output (crisp on high-density screens).
inline constexpr double kPngScale = 2.0;

/// The file formats a figure can be written in.
enum class ImageFormat { svg, png, pdf };

/// The file extension of a format, without the dot ("svg", "png", "pdf").
std::string_view extension(ImageFormat f);

/// Formats from a comma-separated list ("svg,png,pdf"), in the order given, duplicates dropped;
/// throws std::invalid_argument naming an unknown or empty entry.
std::vector<ImageFormat> parse_formats(std::string_view list);

/// The comma-separated names of `formats` (the inverse of parse_formats).
std::string format_list(const std::vector<ImageFormat>& formats);

/// `s` with & < > " ' escaped for XML and HTML; control characters other than TAB, LF, CR
/// (which XML 1.0 cannot hold) are dropped.
std::string xml_escape(std::string_view s);

/// The exported figure's measures: 800 x 500, margins, font sizes, and text widths measured
/// with Cairo's metrics of the font the figure is drawn in.
plot::Style figure_style();

/// A placed figure as a file of `format` (a titled "no data" plot when the figure has none).
/// Throws std::runtime_error when Cairo fails.
std::string render_scene(const plot::Scene& sc, ImageFormat format);

/// A histogram's figure file (layout with figure_style()).
std::string histogram_file(const Histogram& h, ImageFormat format);
/// A curve's figure file (layout with figure_style()).
std::string curve_file(const Curve& c, ImageFormat format);
/// A heat map's figure file (cells, value-labelled colour bar; layout with figure_style()).
std::string heat_map_file(const plot::HeatMap& m, ImageFormat format);
/// A horizontal bar chart's figure file.
std::string bar_chart_file(const plot::BarChart& b, ImageFormat format);

}  // namespace fp4lab::exp
