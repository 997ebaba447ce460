// A Result as a folder a researcher opens: result.json, one CSV per table, CSV + SVG per
// histogram and curve, and an index.html tying them together. Every file is written atomically.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "experiments/result.hpp"

namespace fp4lab::exp {

/// `id` reduced to [A-Za-z0-9_-] for file names (other bytes become '_'; empty -> "unnamed").
std::string sanitize_id(std::string_view id);

/// Writes `r` into `dir` (created if missing): result.json, table_<id>.csv, hist_<id>.csv/.svg,
/// curve_<id>.csv/.svg and index.html (written last); ids are sanitised and de-duplicated
/// (`_2`, `_3`, ...). Throws std::runtime_error when `dir` is not a directory or a write fails.
void write_result_dir(const Result& r, const std::string& dir);

/// Writes `dir`/index.html linking each section's `<subfolder>/index.html`, where `sections`
/// holds (subfolder name, title) pairs; creates `dir` if missing; throws std::runtime_error.
void write_index(const std::vector<std::pair<std::string, std::string>>& sections,
                 const std::string& dir, const std::string& title);

}  // namespace fp4lab::exp
