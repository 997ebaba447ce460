// The plot model's description of one figure, built from a Result's histogram or curve (or a
// grouped bar chart): title,
// axis labels, fitted axes with their ticks, and the visible series in legend order with their
// colours and the data runs to draw. No pixels yet (layout.hpp places it), no ImGui, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/plot/axis.hpp"
#include "experiments/plot/palette.hpp"
#include "experiments/result.hpp"

namespace fp4lab::exp::plot {

/// Values beyond this magnitude are treated like non-finite ones (their ranges would overflow).
inline constexpr double kHuge = 1e300;
/// Series of at most this many plottable points get a marker on every point.
inline constexpr std::size_t kMarkerMaxPoints = 50;
/// Histograms of at most this many series are filled under their outlines (more overlap and
/// are drawn as outlines only, so they do not blend into one mass).
inline constexpr std::size_t kFillMaxSeries = 1;
/// Legend labels are cut to this many characters (with "...").
inline constexpr std::size_t kLegendMaxChars = 40;

/// A point in data units (or pixels, after layout).
struct Point {
  double x = 0, y = 0;  ///< coordinates
};

/// One histogram bin in data units: [x0, x1) with its count.
struct Bin {
  double x0 = 0, x1 = 0, count = 0;  ///< edges and height
};

/// How a figure draws its series.
enum class SeriesKind {
  line,   ///< polylines through points (curves)
  steps,  ///< step outlines over bins (histograms)
  bars,   ///< one solid bar from zero per bin (grouped bar charts)
};

/// One visible series: its legend label, its style, and its data split into runs (a point
/// or bin that cannot be drawn ends a run).
struct FigureSeries {
  std::string label;                      ///< legend text ("series N" when the source has none)
  std::size_t index = 0;                  ///< position in the source; decides colour and dash
  Rgb colour;                             ///< series_colour(index)
  std::size_t dash = 0;                   ///< series_dash(index)
  bool fill = false;                      ///< steps: filled under the outline
  bool markers = false;                   ///< line: a dot on every point
  std::size_t points = 0;                 ///< plottable points (line) or bins (steps)
  std::vector<std::size_t> same;          ///< source indices drawn by this series (equal data)
  std::vector<std::vector<Point>> lines;  ///< line: runs of plottable points, data units
  std::vector<std::vector<Bin>> steps;    ///< steps and bars: runs of drawable bins, data units
};

/// Everything a renderer needs to draw one plot, before pixels.
struct Figure {
  std::string title, xlabel, ylabel;   ///< texts (title falls back to the source id)
  SeriesKind kind = SeriesKind::line;  ///< how the series are drawn
  bool has_data = false;               ///< false: draw a titled "no data" plot
  Axis x, y;                           ///< fitted axes with ticks and labels
  std::vector<FigureSeries> series;    ///< visible series, in source (= legend) order
};

/// The opacity of a filled series and its legend swatch: solid bars, translucent histograms.
inline double fill_opacity(SeriesKind k) { return k == SeriesKind::bars ? 1.0 : kFillOpacity; }

/// Whether v can be placed on an axis (finite, not huge, and > 0 on a log axis).
bool usable(double v, bool log);

/// At most `n` code points of `s`, with "..." when cut (never splitting a UTF-8 sequence).
std::string truncate_utf8(std::string_view s, std::size_t n);

/// Code points of a UTF-8 string.
std::size_t utf8_length(std::string_view s);

/// One legend label for series with equal data: "a = b = c", with a prefix and suffix common
/// to all (cut at ':' boundaries) written once: "nvfp4:te = modelopt = torchao:bs=16".
std::string equal_label(const std::vector<std::string>& labels);

/// The figure of a curve: x fitted to the data (4% margin in log units on a log axis), y with
/// value_axis; hidden series (visible[i] false) are left out but keep their colour; series
/// whose points equal an earlier visible one's are drawn once, labelled with equal_label.
Figure curve_figure(const Curve& c, const std::vector<bool>& visible = {});

/// The figure of a histogram: x over the drawable bins, y from 0 with 5% headroom (log:
/// log_count_axis; counts <= 0 skipped); hidden series are left out but keep their colour;
/// series with equal counts are drawn once, labelled with equal_label.
Figure histogram_figure(const Histogram& h, const std::vector<bool>& visible = {});

/// The figure of a grouped bar chart: group g (x = g) holds one bar per series, side by side
/// over 80% of the group's width; y from zero; non-finite values are left out.
Figure bar_figure(std::string title, std::string xlabel, std::string ylabel,
                  const std::vector<std::string>& series_labels,
                  const std::vector<std::vector<double>>& values);

}  // namespace fp4lab::exp::plot
