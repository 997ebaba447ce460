// The plain-data Result every experiment returns (scalars, tables, histograms, curves, and
// provenance), with JSON round-trip. The CLI writes it, the GUI draws it, tests compare it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace fp4lab::exp {

/// One table cell: text or a number.
using Cell = std::variant<std::string, double>;

/// A titled table with named columns.
struct Table {
  std::string id;
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

/// One labelled line of a curve plot.
struct Series {
  std::string label;
  std::vector<double> x, y;
};

/// A line plot: several series over shared axes.
struct Curve {
  std::string id;
  std::string title;
  std::string xlabel, ylabel;
  bool log_x = false, log_y = false;
  std::vector<Series> series;
};

/// One labelled set of bin counts of a histogram.
struct HistogramSeries {
  std::string label;
  std::vector<double> counts;  ///< one per bin (edges.size() - 1)
};

/// A histogram: shared bin edges, one or more overlaid series.
struct Histogram {
  std::string id;
  std::string title;
  std::string xlabel;
  bool log_y = false;
  std::vector<double> edges;
  std::vector<HistogramSeries> series;
};

/// Where a result came from.
struct Provenance {
  std::string tool = "fp4lab";
  std::string version;
  std::string git_revision;
  std::string experiment;
  std::vector<std::string> recipes;  ///< full canonical recipe specs
  std::uint64_t seed = 0;
  std::string input;       ///< what was quantized (synthetic description or file and tensor)
  std::string input_hash;  ///< FNV-1a 64 of the input's bytes, hex
  nlohmann::json params;   ///< the parameters the experiment ran with
};

/// Everything an experiment reports.
struct Result {
  std::string experiment;
  std::string summary;  ///< a readable console summary
  std::map<std::string, double> scalars;
  std::vector<Table> tables;
  std::vector<Histogram> histograms;
  std::vector<Curve> curves;
  Provenance provenance;
};

/// JSON of a result. Every number stays a JSON number except non-finite ones: those are null,
/// and the top-level object "nonfinite" maps each one's JSON Pointer (RFC 6901) to "NaN",
/// "+Infinity" or "-Infinity", e.g. {"scalars": {"sqnr_db": null}, "nonfinite":
/// {"/scalars/sqnr_db": "+Infinity"}} (absent when every number is finite).
nlohmann::json to_json(const Result& r);
/// Reads a result back (restoring the numbers "nonfinite" names; other nulls read as NaN, and
/// the strings "nan", "inf", "-inf" of older files are accepted); throws std::invalid_argument on
/// a malformed document.
Result result_from_json(const nlohmann::json& j);

/// FNV-1a 64-bit hash of bytes, as 16 hex digits.
std::string fnv1a_hex(const void* data, std::size_t size);

}  // namespace fp4lab::exp
