// Standalone SVG 1.1 plots of a Result's histograms and curves (800 x 500). The plot model
// (experiments/plot/) fits the axes, picks ticks, colours and the legend's place; this writer
// only turns its Scene into SVG elements.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/plot/layout.hpp"
#include "experiments/result.hpp"

namespace fp4lab::exp {

/// Width of every exported plot, in pixels.
inline constexpr int kSvgWidth = 800;
/// Height of every exported plot, in pixels.
inline constexpr int kSvgHeight = 500;
/// Series with more plottable points than this are decimated (see plot::decimate_indices).
inline constexpr std::size_t kSvgMaxPoints = plot::kMaxPoints;

/// The decimation of long series (defined in the plot model, kept here for the export API).
using plot::decimate_indices;

/// `s` with & < > " ' escaped for XML and HTML; control characters other than TAB, LF, CR
/// (which XML 1.0 cannot hold) are dropped.
std::string xml_escape(std::string_view s);

/// The SVG writer's measures: the 800 x 500 figure, its margins and font sizes.
plot::Style svg_style();

/// The SVG of a placed figure (a "no data" plot when the figure has none).
std::string scene_svg(const plot::Scene& sc);

/// The histogram as overlaid step outlines (filled semi-transparently for up to 4 series);
/// with log_y, counts <= 0 are skipped; non-finite values are skipped; empty -> "no data".
std::string histogram_svg(const Histogram& h);
/// The curve as one polyline per series (markers when a series has at most 50 points); points
/// that are non-finite, or non-positive on a log axis, are skipped and break the line.
std::string curve_svg(const Curve& c);

}  // namespace fp4lab::exp
