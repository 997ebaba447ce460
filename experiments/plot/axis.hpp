// Axis fitting and "nice" ticks of the plot model: linear axes on 1/2/5 x 10^k steps, log axes
// on decades (or nice values placed logarithmically when under two decades fit), tick labels.
#pragma once

#include <string>
#include <vector>

namespace fp4lab::exp::plot {

/// A tick label: `base`, then `sup` as a superscript (log decades: base "10", sup the exponent).
struct TickLabel {
  std::string base;  ///< the label, or "10" of a decade
  std::string sup;   ///< the decade's exponent, empty on a linear label
  /// The label as plain text: base, or "base^sup" when there is a superscript.
  std::string text() const { return sup.empty() ? base : base + "^" + sup; }
  bool operator==(const TickLabel&) const = default;
};

/// An axis in its own coordinate t: the value, or log10 of it on a log axis.
struct Axis {
  bool log = false;               ///< logarithmic (t = log10 v)
  double lo = 0, hi = 1;          ///< the visible range, in t
  std::vector<double> major;      ///< labelled tick positions, in t, ascending
  std::vector<double> minor;      ///< unlabelled tick positions (2..9 x 10^k), in t
  std::vector<TickLabel> labels;  ///< one per major tick
  /// The axis coordinate of value v.
  double t(double v) const;
  /// The value at axis coordinate t.
  double value(double t) const;
  /// Where value v falls in [lo, hi]: 0 at lo, 1 at hi.
  double frac(double v) const { return (t(v) - lo) / (hi - lo); }
};

/// The step of 1, 2 or 5 x 10^k nearest above `raw` (thresholds 1.5, 3 and 7).
double nice_step(double raw);

/// Tick text for v on a grid of `step`: fixed-point with the step's decimals, or scientific
/// ("2.5e6") when the axis reaches 1e6 or stays below 1e-3 (`max_abs` is the axis' extent).
std::string tick_text(double v, double step, double max_abs);

/// A linear axis over [dmin, dmax] with about 6 intervals; `pad` widens it out to whole ticks.
/// An empty range (dmin == dmax) is widened by 10% of |dmin| (by 1 around zero).
Axis linear_axis(double dmin, double dmax, bool pad);

/// A log axis over [tlo, thi] in log10 units: decades labelled 10^k when two or more fall
/// inside (at most ~8 labelled; minor ticks at 2..9 x 10^k up to 6.5 decades), else nice
/// linear values placed logarithmically so a narrow range still gets labels.
Axis log_axis(double tlo, double thi);

/// A log axis around data in [dmin, dmax] (both > 0) with a 4% margin each side in log units.
Axis log_axis_around(double dmin, double dmax);

/// A log count axis of a histogram: from a whole decade at least 0.3 decades below the
/// smallest count (bins of count 1 stay visible) to 4% above the largest.
Axis log_count_axis(double cmin, double cmax);

/// A value axis around data in [dmin, dmax]: 4% margin each side, not crossing zero (data
/// that is >= 0 gets an axis from 0), padded out to whole ticks; log: log_axis_around.
Axis value_axis(double dmin, double dmax, bool log);

}  // namespace fp4lab::exp::plot
