// Heat maps and bar charts from tables (see chart.hpp).
#include "experiments/plot/chart.hpp"

#include <algorithm>
#include <cmath>

#include "experiments/plot/figure.hpp"

namespace fp4lab::exp::plot {
namespace {

std::string cell_text(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  return std::to_string(std::get<double>(c));
}

}  // namespace

bool is_heat_map_table(const Table& t) {
  if (t.id.size() < 4 || t.id.compare(t.id.size() - 4, 4, "_map") != 0) return false;
  if (t.columns.size() < 2 || t.rows.empty()) return false;
  for (const auto& row : t.rows) {
    if (row.size() != t.columns.size()) return false;
    for (std::size_t j = 1; j < row.size(); ++j) {
      if (!std::holds_alternative<double>(row[j])) return false;
    }
  }
  return true;
}

std::optional<HeatMap> heat_map_from_table(const Table& t, std::string value_label) {
  if (!is_heat_map_table(t)) return std::nullopt;
  HeatMap m;
  m.title = t.title.empty() ? t.id : t.title;
  m.xlabel = t.columns.size() > 1 ? "columns (elements)" : "";
  m.ylabel = t.columns.empty() ? "" : t.columns[0];
  m.value_label = std::move(value_label);
  m.rows = t.rows.size();
  m.cols = t.columns.size() - 1;
  m.col_labels.assign(t.columns.begin() + 1, t.columns.end());
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& row : t.rows) {
    m.row_labels.push_back(cell_text(row[0]));
    for (std::size_t j = 1; j < row.size(); ++j) {
      const double v = std::get<double>(row[j]);
      m.cells.push_back(v);
      if (usable(v, false)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  if (!(lo <= hi)) lo = hi = 0;
  m.scale = linear_axis(lo, hi, false);
  return m;
}

std::optional<BarChart> bar_chart_from_table(const Table& t, std::size_t value_column) {
  if (value_column >= t.columns.size() || value_column == 0) return std::nullopt;
  BarChart b;
  b.title = t.title.empty() ? t.id : t.title;
  b.value_label = t.columns[value_column];
  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& row : t.rows) {
    if (row.size() <= value_column) continue;
    const auto* v = std::get_if<double>(&row[value_column]);
    b.labels.push_back(row.empty() ? std::string() : cell_text(row[0]));
    b.values.push_back(v ? *v : NAN);
    if (v && usable(*v, false)) {
      any = true;
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
    }
  }
  if (!any) return std::nullopt;
  b.axis = value_axis(lo, hi, false);
  return b;
}

}  // namespace fp4lab::exp::plot
