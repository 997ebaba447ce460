// `threshold`: the 4/6 paper's Fig. 2b on a tensor. Thresholded simulated quantization
// (FORMATS.md §8, formats/simulate.hpp) swept over t in [0, 6]: error and share of the full
// NVFP4 error per t, and where the error concentrates along the scaled magnitude.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/recipe_spec.hpp"
#include "core/simulate.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/tensor_source.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

/// The FP4 E2M1 magnitudes: an element with m in (kGrid[j], kGrid[j+1]] rounds to one of the
/// two, with the largest error at the midpoint (0.25, 0.75, ..., 2.5, 3.5, 5).
constexpr float kGrid[] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
constexpr int kGaps = 7;

/// The t grid: 0, step, 2 step, ... and 6 last (t_k = float(k * step) in double).
std::vector<float> make_grid(double step) {
  const double ratio = 6.0 / step;
  const double near = std::round(ratio);
  const auto n = static_cast<long long>(std::fabs(ratio - near) < 1e-9 ? near : std::ceil(ratio));
  std::vector<float> t;
  for (long long k = 0; k < n; ++k) {
    const float v = static_cast<float>(static_cast<double>(k) * step);
    if (v < 6.0f && (t.empty() || v > t.back())) t.push_back(v);
  }
  t.push_back(6.0f);
  return t;
}

/// The FP4 gap holding value v (an interval midpoint), 0..6.
int gap_of(double v) {
  for (int j = 0; j < kGaps; ++j) {
    if (v <= kGrid[j + 1]) return j;
  }
  return kGaps - 1;
}

std::string gap_name(int j) { return fmt::format("({:g}, {:g}]", kGrid[j], kGrid[j + 1]); }

/// One direction's figures: error per t, share of the full error, slope per interval.
struct Direction {
  std::string id, label, reading;
  bool below = true;
  std::vector<double> sse, quantized;
  double full = 0;               ///< the error with every element in FP4 (t=6 below, t=0 above)
  std::vector<double> slope;     ///< share of the full error per unit t over (t_{k-1}, t_k]
  double gap_share[kGaps] = {};  ///< share of the full error added within each FP4 gap
  int gap_peak[kGaps] = {};      ///< the steepest interval k within each gap (0: none)
};

Direction analyse(const core::ThresholdSweep& s, bool below) {
  Direction d;
  d.below = below;
  d.id = below ? "below" : "above";
  d.label = below ? "quantize m <= t (caption, default)" : "quantize m >= t (text)";
  d.reading = below
                  ? "the caption's reading: m <= t cast to FP4, t=0 is high precision, t=6 is NVFP4"
                  : "the text's reading: m >= t cast to FP4, t=0 is NVFP4, t=6 keeps only m = 6";
  d.sse = below ? s.sse_below : s.sse_above;
  d.quantized = below ? s.quantized_below : s.quantized_above;
  d.full = below ? d.sse.back() : d.sse.front();
  const std::size_t n = s.thresholds.size();
  d.slope.assign(n, 0.0);
  for (std::size_t k = 1; k < n; ++k) {
    // error added by the elements with m in (t_{k-1}, t_k] (below) or [t_{k-1}, t_k) (above)
    const double added = below ? d.sse[k] - d.sse[k - 1] : d.sse[k - 1] - d.sse[k];
    const double share = d.full > 0 ? added / d.full : 0.0;
    d.slope[k] = share / (double(s.thresholds[k]) - s.thresholds[k - 1]);
    const int g = gap_of(0.5 * (double(s.thresholds[k]) + s.thresholds[k - 1]));
    d.gap_share[g] += share;
    if (d.gap_peak[g] == 0 || d.slope[k] > d.slope[static_cast<std::size_t>(d.gap_peak[g])]) {
      d.gap_peak[g] = static_cast<int>(k);
    }
  }
  return d;
}

/// Gaps ranked by their steepest interval (one peak per gap, so neighbours of one peak do
/// not crowd out the others).
std::vector<int> ranked_gaps(const Direction& d) {
  std::vector<int> g;
  for (int j = 0; j < kGaps; ++j) {
    if (d.gap_peak[j] > 0) g.push_back(j);
  }
  std::stable_sort(g.begin(), g.end(), [&](int a, int b) {
    return d.slope[static_cast<std::size_t>(d.gap_peak[a])] >
           d.slope[static_cast<std::size_t>(d.gap_peak[b])];
  });
  return g;
}

/// An empty linear curve over t.
Curve curve(const char* id, const char* title, const char* ylabel) {
  Curve c;
  c.id = id;
  c.title = title;
  c.xlabel = "threshold t on m = min(|scaled|, 6)";
  c.ylabel = ylabel;
  return c;
}

class Threshold : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"threshold", "Thresholded simulated quantization (Fig. 2b)",
            "error when only scaled values on one side of t in [0, 6] are cast to FP4"};
  }
  ParamSpecs params() const override {
    return source_params() +
           ParamSpecs{
               recipe_param(
                   "recipe", "nvfp4:te",
                   "NVFP4 recipe to simulate: nvfp4:te or a 4/6 one (4over6[:rule], static_6, static_4)"),
               choice_param("direction", "below", {"below", "above", "both"},
                            "below (|scaled| <= t quantized: the caption, t=6 is NVFP4), above (the "
                            "text) or both"),
               number_param("step", 0.05, 0.001, 6, "spacing of t over [0, 6]"), threads_param()};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const std::string dir = p.at("direction").get<std::string>();
    const double step = read_double(p, "step");
    const Recipe recipe =
        read_recipe(p.at("recipe").get<std::string>(), "recipe", RecipeUse::kSimulate);
    const std::string spec = core::recipe_to_spec(recipe);
    if (progress && !progress(0.0, "tensor")) throw Cancelled();
    const SourceTensor src = load_source(p, threads);
    if (progress && !progress(0.2, "sweep")) throw Cancelled();
    const std::vector<float> grid = make_grid(step);
    const core::ThresholdSweep s =
        core::threshold_sweep(src.tensor.view(), recipe, grid, SimulateOptions{}, threads);
    if (progress && !progress(0.9, "report")) throw Cancelled();

    Result res = source_result("threshold", p, src);
    res.provenance.recipes = {spec};
    std::vector<Direction> dirs;
    if (dir != "above") dirs.push_back(analyse(s, true));
    if (dir != "below") dirs.push_back(analyse(s, false));
    const double count = s.count > 0 ? double(s.count) : 1.0;
    const double full_mse = dirs.front().full / count;
    const double rel = s.sum_x2 > 0 ? std::sqrt(dirs.front().full / s.sum_x2) : 0.0;
    res.scalars["mse_nvfp4"] = full_mse;
    res.scalars["rel_rmse_nvfp4"] = rel;
    res.scalars["mse_high_precision"] = s.sse_high_precision / count;
    res.scalars["nonfinite_inputs"] = double(s.nonfinite);
    res.scalars["points"] = double(grid.size());

    Curve err = curve("error", "Error of thresholded simulated quantization", "MSE");
    Curve share =
        curve("share", "Cumulative share of the full NVFP4 error", "error(t) / NVFP4 error");
    Curve slope = curve("slope", "Where the error concentrates: share of NVFP4 error per unit t",
                        "d share / dt");
    slope.xlabel = "scaled magnitude m (interval midpoints)";
    Table t{"sweep", "Error against the threshold t", {"t"}, {}};
    for (const Direction& d : dirs) {
      for (const char* c : {"MSE", "rel RMSE", "share", "quantized"})
        t.columns.push_back(fmt::format("{} ({})", c, d.id));
    }
    for (std::size_t k = 0; k < grid.size(); ++k) {
      std::vector<Cell> row{double(grid[k])};
      for (const Direction& d : dirs) {
        row.push_back(d.sse[k] / count);
        row.push_back(s.sum_x2 > 0 ? std::sqrt(d.sse[k] / s.sum_x2) : 0.0);
        row.push_back(d.full > 0 ? d.sse[k] / d.full : 0.0);
        row.push_back(d.quantized[k] / count);
      }
      t.rows.push_back(std::move(row));
    }
    Table gaps{"gaps",
               "Share of the NVFP4 error added within each FP4 gap (elements round to its ends)",
               {"direction", "gap", "midpoint", "share of error", "share of elements",
                "steepest interval", "slope"},
               {}};
    Table peaks{"peaks",
                "Steepest increase of the error with t (one peak per FP4 gap)",
                {"direction", "rank", "interval", "slope (share per unit t)", "gap", "gap share"},
                {}};
    std::string text = fmt::format("{} | {} | t = 0 .. 6 step {:g} ({} points)\n", src.description,
                                   spec, step, grid.size());
    text += fmt::format(
        "m = min(|x| / (alpha * Delta), 6), the scaled magnitude. Every element in FP4: MSE "
        "{:.4e}, rel RMSE "
        "{:.5f}; every element in HP: MSE {:.4e}\n",
        full_mse, rel, s.sse_high_precision / count);
    for (const Direction& d : dirs) {
      Series se{d.label, {}, {}}, ss{d.label, {}, {}}, sl{d.label, {}, {}};
      for (std::size_t k = 0; k < grid.size(); ++k) {
        se.x.push_back(grid[k]);
        se.y.push_back(d.sse[k] / count);
        ss.x.push_back(grid[k]);
        ss.y.push_back(d.full > 0 ? d.sse[k] / d.full : 0.0);
        if (k > 0) {
          sl.x.push_back(0.5 * (double(grid[k]) + grid[k - 1]));
          sl.y.push_back(d.slope[k]);
        }
      }
      err.series.push_back(std::move(se));
      share.series.push_back(std::move(ss));
      slope.series.push_back(std::move(sl));
      // elements per gap, from the quantized counts (below: m in (t_{k-1}, t_k])
      double gap_elems[kGaps] = {};
      for (std::size_t k = 1; k < grid.size(); ++k) {
        const double n =
            d.below ? d.quantized[k] - d.quantized[k - 1] : d.quantized[k - 1] - d.quantized[k];
        gap_elems[gap_of(0.5 * (double(grid[k]) + grid[k - 1]))] += n / count;
      }
      text += fmt::format("\ndirection {}: {}\n", d.id, d.reading);
      text +=
          "  error share by FP4 gap (elements there round to either end; worst at the midpoint):\n";
      for (int j = kGaps - 1; j >= 0; --j) {
        const std::size_t pk = static_cast<std::size_t>(d.gap_peak[j]);
        const std::string interval =
            pk > 0 ? fmt::format("({:g}, {:g}]", grid[pk - 1], grid[pk]) : std::string("-");
        gaps.rows.push_back({d.id, gap_name(j), 0.5 * (kGrid[j] + kGrid[j + 1]), d.gap_share[j],
                             gap_elems[j], interval, pk > 0 ? d.slope[pk] : 0.0});
        const int bar = static_cast<int>(std::lround(std::clamp(d.gap_share[j], 0.0, 1.0) * 40));
        text += fmt::format(
            "    {:<10} around {:<5g} {:>6.2f}% of error  {:>6.2f}% of elements  {}\n", gap_name(j),
            0.5 * (kGrid[j] + kGrid[j + 1]), 100 * d.gap_share[j], 100 * gap_elems[j],
            std::string(static_cast<std::size_t>(std::max(bar, 0)), '#'));
        res.scalars[fmt::format("gap_share_{}:{:g}-{:g}", d.id, kGrid[j], kGrid[j + 1])] =
            d.gap_share[j];
      }
      text += "  steepest increase of the error with t (share of the NVFP4 error per unit t):\n";
      const std::vector<int> ranked = ranked_gaps(d);
      for (std::size_t r = 0; r < ranked.size() && r < 3; ++r) {
        const int j = ranked[r];
        const std::size_t pk = static_cast<std::size_t>(d.gap_peak[j]);
        const double lo = grid[pk - 1], hi = grid[pk];
        const std::string interval =
            d.below ? fmt::format("({:g}, {:g}]", lo, hi) : fmt::format("[{:g}, {:g})", lo, hi);
        peaks.rows.push_back(
            {d.id, double(r + 1), interval, d.slope[pk], gap_name(j), d.gap_share[j]});
        text += fmt::format(
            "    {}. t in {:<14} slope {:>7.3f}  in gap {} around {:g}, which holds {:.1f}% of the "
            "error\n",
            r + 1, interval, d.slope[pk], gap_name(j), 0.5 * (kGrid[j] + kGrid[j + 1]),
            100 * d.gap_share[j]);
        res.scalars[fmt::format("peak{}_t_{}", r + 1, d.id)] = 0.5 * (lo + hi);
      }
      if (!d.below && d.full > 0) {
        text += fmt::format(
            "  elements with m = 6 (block maxima, saturated values) stay in FP4 at every t: "
            "{:.1f}% "
            "of the error\n",
            100 * d.sse.back() / d.full);
      }
      text += "  at integer t:";
      for (std::size_t k = 0; k < grid.size(); ++k) {
        if (grid[k] == std::floor(grid[k])) {
          text +=
              fmt::format("  t={:g}: {:.1f}%", grid[k], d.full > 0 ? 100 * d.sse[k] / d.full : 0.0);
        }
      }
      text += " of the NVFP4 error\n";
    }
    res.curves = {std::move(err), std::move(share), std::move(slope)};
    res.tables = {std::move(t), std::move(gaps), std::move(peaks)};
    return finish(std::move(res), std::move(text), progress);
  }
};

}  // namespace

std::unique_ptr<Experiment> make_threshold() { return std::make_unique<Threshold>(); }

}  // namespace fp4lab::exp
