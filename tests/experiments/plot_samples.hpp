// Small curves and histograms the export and plot-model tests share.
#pragma once

#include "experiments/result.hpp"

namespace fp4lab::exp::test {

/// Two overlaid series over four bins of [-1, 1].
inline Histogram two_series_histogram() {
  Histogram h;
  h.id = "err";
  h.title = "Error histogram";
  h.xlabel = "relative error";
  h.edges = {-1, -0.5, 0, 0.5, 1};
  h.series = {{"NVFP4", {1, 5, 7, 2}}, {"MXFP4", {0, 3, 9, 4}}};
  return h;
}

/// Two rising series of four points each (block sizes 8..64, MSE 0.01..0.04).
inline Curve two_series_curve() {
  Curve c;
  c.id = "mse";
  c.title = "MSE by block size";
  c.xlabel = "block size";
  c.ylabel = "MSE";
  c.series = {{"NVFP4", {8, 16, 32, 64}, {0.01, 0.012, 0.015, 0.02}},
              {"MXFP4", {8, 16, 32, 64}, {0.02, 0.025, 0.03, 0.04}}};
  return c;
}

}  // namespace fp4lab::exp::test
