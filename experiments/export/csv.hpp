// CSV writers for a Result's tables, histograms and curves: RFC 4180 quoting, LF line ends,
// numbers printed shortest round-trip (fmt "{}"), non-finite values as nan, inf, -inf.
#pragma once

#include <string>
#include <string_view>

#include "experiments/result.hpp"

namespace fp4lab::exp {

/// A number as CSV text: shortest digits that read back to the same double; "nan", "inf", "-inf".
std::string csv_number(double v);
/// A field as CSV text, quoted (with inner quotes doubled) when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view s);

/// The table: a header row of column names, then one row per table row.
std::string table_csv(const Table& t);
/// The histogram: columns bin_lo, bin_hi, then one column of counts per series label.
std::string histogram_csv(const Histogram& h);
/// The curve in long format: columns series, x, y; one row per point of every series.
std::string curve_csv(const Curve& c);

}  // namespace fp4lab::exp
