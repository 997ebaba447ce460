// A Result as a folder a researcher opens: result.json, one CSV per table, CSV + figures (SVG,
// PNG and/or PDF through Cairo) per histogram and curve, heat maps of `*_map` tables, a bar chart
// of a `bars` table, and an index.html that leads with the summary and figures, then the tables
// (long ones collapsed). Every file is written atomically.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "experiments/export/figure_render.hpp"
#include "experiments/result.hpp"

namespace fp4lab::exp {

/// `id` reduced to [A-Za-z0-9_-] for file names (other bytes become '_'; empty -> "unnamed").
std::string sanitize_id(std::string_view id);

/// Tables longer than this many rows are collapsed (<details>) on a report page.
inline constexpr std::size_t kCollapseRows = 20;

/// One figure a report page shows: its file (the first format's, relative to the page's folder)
/// and its title.
struct ReportFigure {
  std::string file;   ///< e.g. "hist_error.svg"
  std::string title;  ///< the figure's title
};

/// Writes `r` into `dir` (created if missing): result.json, table_<id>.csv, hist_<id>.csv and
/// curve_<id>.csv with one figure file per format each (hist_<id>.svg, .png, .pdf), map_<id>.*
/// for `*_map` tables (plot::is_heat_map_table), bars_<id>.* for a table with id "bars", and
/// index.html (written last); ids are sanitised and de-duplicated (`_2`, `_3`, ...). Returns the
/// figures in page order. Throws std::runtime_error when `dir` is not a directory or a write
/// fails.
std::vector<ReportFigure> write_result_dir(const Result& r, const std::string& dir,
                                           const std::vector<ImageFormat>& formats = {
                                               ImageFormat::svg});

/// The HTML of a table (numbers right-aligned, 6 significant digits), collapsed in a <details>
/// when it has more than kCollapseRows rows.
std::string html_table(const Table& t);

/// The page head (title, style sheet) shared by every report page.
std::string html_head(const std::string& title);

/// Writes `dir`/index.html linking each section's `<subfolder>/index.html`, where `sections`
/// holds (subfolder name, title) pairs; creates `dir` if missing; throws std::runtime_error.
void write_index(const std::vector<std::pair<std::string, std::string>>& sections,
                 const std::string& dir, const std::string& title);

/// As write_index, with `lead` (HTML: a headline table, figures) between the title and the
/// section list.
void write_index(const std::vector<std::pair<std::string, std::string>>& sections,
                 const std::string& dir, const std::string& title, const std::string& lead);

}  // namespace fp4lab::exp
