// Standalone SVG 1.1 plots of a Result's histograms and curves (800 x 500): title, nice-tick
// axes (linear 1/2/5 x 10^k or log decades), light grid, a legend in Okabe-Ito colours.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/result.hpp"

namespace fp4lab::exp {

/// Width of every exported plot, in pixels.
inline constexpr int kSvgWidth = 800;
/// Height of every exported plot, in pixels.
inline constexpr int kSvgHeight = 500;
/// Series with more plottable points than this are decimated (see decimate_indices).
inline constexpr std::size_t kSvgMaxPoints = 2000;

/// `s` with & < > " ' escaped for XML and HTML; control characters other than TAB, LF, CR
/// (which XML 1.0 cannot hold) are dropped.
std::string xml_escape(std::string_view s);

/// The indices of `y` a decimated polyline keeps: every `stride`-th point (the first of each
/// stride), the minimum and maximum of y within each stride, and the last point; ascending.
/// A stride of 0 or 1 keeps every point. Curves of n > kSvgMaxPoints plottable points use
/// stride ceil(3n / kSvgMaxPoints), so at most about kSvgMaxPoints points are drawn.
std::vector<std::size_t> decimate_indices(const std::vector<double>& y, std::size_t stride);

/// The histogram as overlaid step outlines (filled semi-transparently for up to 4 series);
/// with log_y, counts <= 0 are skipped; non-finite values are skipped; empty -> "no data".
std::string histogram_svg(const Histogram& h);
/// The curve as one polyline per series (markers when a series has at most 50 points); points
/// that are non-finite, or non-positive on a log axis, are skipped and break the line.
std::string curve_svg(const Curve& c);

}  // namespace fp4lab::exp
