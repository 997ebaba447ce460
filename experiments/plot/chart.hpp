// The plot model's two table-shaped figures: a heat map (a numeric grid with a value-labelled
// colour bar, e.g. select's decision map) and a horizontal bar chart of labelled values (e.g.
// ablate's Fig. 2a). Built from a Result's Table; no pixels, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "experiments/plot/axis.hpp"
#include "experiments/result.hpp"

namespace fp4lab::exp::plot {

/// A grid of values drawn as coloured cells, row 0 at the top.
struct HeatMap {
  std::string title;                    ///< figure title
  std::string xlabel, ylabel;           ///< axis texts (with units)
  std::string value_label;              ///< the colour bar's text
  std::size_t rows = 0, cols = 0;       ///< grid size
  std::vector<double> cells;            ///< rows x cols, row-major; NaN: no value
  std::vector<std::string> row_labels;  ///< one per row (may be empty)
  std::vector<std::string> col_labels;  ///< one per column (may be empty)
  Axis scale;                           ///< the colour bar's axis over the finite values
};

/// Bars of labelled values, one per category, drawn horizontally (long labels stay readable).
struct BarChart {
  std::string title;                ///< figure title
  std::string value_label;          ///< the value axis' text (with units)
  std::vector<std::string> labels;  ///< category names, top to bottom
  std::vector<double> values;       ///< one per label; non-finite: no bar
  Axis axis;                        ///< the value axis, from zero
};

/// Whether a table is a heat map: its id ends in "_map", it has a label column and at least one
/// more, and every other cell is a number.
bool is_heat_map_table(const Table& t);

/// The heat map of such a table (first column: row labels; other column names: column labels);
/// nullopt when the table is not one. `value_label` names the colour bar.
std::optional<HeatMap> heat_map_from_table(const Table& t, std::string value_label);

/// The bar chart of column `value_column` of a table labelled by its first column; nullopt
/// when that column holds no number.
std::optional<BarChart> bar_chart_from_table(const Table& t, std::size_t value_column);

}  // namespace fp4lab::exp::plot
