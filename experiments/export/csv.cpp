// CSV writers (see csv.hpp): RFC 4180 fields, one record per line, LF line ends.
#include "experiments/export/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fp4lab::exp {
namespace {

void append_record(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  out += '\n';
}

}  // namespace

std::string csv_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  q += '"';
  return q;
}

std::string table_csv(const Table& t) {
  std::string out;
  append_record(out, t.columns);
  std::vector<std::string> fields;
  for (const auto& row : t.rows) {
    fields.clear();
    for (const Cell& c : row) {
      const auto* s = std::get_if<std::string>(&c);
      fields.push_back(s ? *s : csv_number(std::get<double>(c)));
    }
    append_record(out, fields);
  }
  return out;
}

std::string histogram_csv(const Histogram& h) {
  std::string out;
  std::vector<std::string> fields = {"bin_lo", "bin_hi"};
  for (const auto& s : h.series) fields.push_back(s.label);
  append_record(out, fields);
  const std::size_t bins = h.edges.size() < 2 ? 0 : h.edges.size() - 1;
  for (std::size_t b = 0; b < bins; ++b) {
    fields = {csv_number(h.edges[b]), csv_number(h.edges[b + 1])};
    // a series shorter than the edges (malformed) gets empty cells rather than made-up zeros
    for (const auto& s : h.series)
      fields.push_back(b < s.counts.size() ? csv_number(s.counts[b]) : "");
    append_record(out, fields);
  }
  return out;
}

std::string curve_csv(const Curve& c) {
  std::string out = "series,x,y\n";
  for (const Series& s : c.series) {
    const std::string label = csv_field(s.label);
    const std::size_t n = std::min(s.x.size(), s.y.size());
    for (std::size_t i = 0; i < n; ++i) {
      out += label;
      out += ',';
      out += csv_number(s.x[i]);
      out += ',';
      out += csv_number(s.y[i]);
      out += '\n';
    }
  }
  return out;
}

}  // namespace fp4lab::exp
