// `select`: the per-block decisions of an adaptive format on a tensor: 4/6 (FORMATS.md §3, the
// paper's §3.1: M=4 against M=6) or an IF format (§9: INT against FP). Per rule (mse, mae,
// abs_max) the share of blocks that chose the alternative, how often rules agree, the error each
// choice saves against the default candidate in every metric (and each candidate's error),
// bmax/amax per decision, and a map of the decisions.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/tensor_source.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

constexpr int kRules = 3;
constexpr std::array<const char*, kRules> kRuleNames = {"mse", "mae", "abs_max"};
constexpr std::array<FourSixRule, kRules> kRuleValues = {FourSixRule::kMse, FourSixRule::kMae,
                                                         FourSixRule::kAbsMax};
constexpr std::array<const char*, kRules> kMetricNames = {"SSE", "L1", "abs-max"};

/// The lowest binade of the bmax/amax histogram: ratios below 2^-kLowBinade go to bin 0.
constexpr double kLowBinade = 16;

class Select : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {
        "select", "4/6 and IF decisions per rule",
        "share of blocks scaled to 4 (or IF blocks that chose INT), rule agreement, error saved against M=6 "
        "(or FP), and a decision map"};
  }
  ParamSpecs params() const override {
    return source_params() +
           ParamSpecs{choice_param("family", "4over6", {"4over6", "if4", "if3", "if6:e2m3", "if6:e3m2"},
                                   "the adaptive format: nvfp4 4/6 (M=4 vs M=6) or an IF format (INT vs FP)"),
                      int_param("bins", 64, 4, 1024, "bins of the log2(bmax / amax) histogram over [-16, 0]"),
                      int_param("map_size", 64, 1, 64, "the decision map's largest side in cells"),
                      threads_param()};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const int bins = static_cast<int>(read_int(p, "bins"));
    const int map_size = static_cast<int>(read_int(p, "map_size"));
    const std::string family = p.at("family").get<std::string>();
    const bool four_six = family == "4over6";
    // the two candidates' names: the default one (kept on ties) and the alternative
    const char* base = four_six ? "M=6" : "FP";
    const char* alt = four_six ? "M=4" : "INT";
    const std::string alt_blocks = four_six ? "M=4 blocks" : "INT blocks";
    const BlockChoice choice_kind = four_six ? BlockChoice::kFourOverSix : BlockChoice::kIntOrFloat;
    const auto chose_alt = [choice_kind](const BlockRecord& b) { return chose_alternative(b, choice_kind); };
    const auto base_err = [four_six](const BlockRecord& b) { return four_six ? b.err6 : b.err_fp; };
    const auto alt_err = [four_six](const BlockRecord& b) { return four_six ? b.err4 : b.err_int; };
    if (progress && !progress(0.0, "tensor")) throw Cancelled();
    const SourceTensor src = load_source(p, threads);
    const core::TensorView x = src.tensor.view();
    Result res = source_result("select", p, src);

    // one quantization per rule; all three share the tensor scale (amax/1536) and so the two
    // candidates of every block: rule m's records hold both candidates' errors in metric m
    std::array<std::vector<BlockRecord>, kRules> rec;
    std::int64_t rows = 0, row_blocks = 0;
    int bs = 16;
    double bits = 0;  // the same for every rule (README "Bits per value")
    for (int r = 0; r < kRules; ++r) {
      if (progress && !progress(0.05 + 0.25 * r, kRuleNames[r])) throw Cancelled();
      Recipe recipe = core::parse_recipe(four_six ? "nvfp4:4over6" : family);
      recipe.rule = kRuleValues[static_cast<std::size_t>(r)];
      core::QuantizedTensor q =
          core::quantize(x, core::QuantizeOptions{recipe, ScaleLayout::kRowMajor, threads, true});
      rec[static_cast<std::size_t>(r)] = std::move(q.records);
      rows = q.rows;
      row_blocks = q.scale_cols;
      bs = recipe.block_size;
      bits = core::bits_per_value(recipe, ScaleLayout::kRowMajor, q.rows, q.cols);
      res.provenance.recipes.push_back(core::recipe_to_spec(recipe));
    }
    if (progress && !progress(0.8, "statistics")) throw Cancelled();
    const std::size_t nb = rec[0].size();

    // per block: the choices, agreement, and the error saved in every metric (double sums in
    // block order: deterministic)
    std::array<double, kRules> m4{}, total6{}, total_alt{};
    std::array<std::array<double, kRules>, kRules> agree{}, saved{};
    std::int64_t finite_blocks = 0, zero_blocks = 0, bad_blocks = 0;
    float amax = 0.0f;
    for (std::size_t b = 0; b < nb; ++b) {
      if (rec[0][b].nonfinite == 0) amax = fmax_nan_ignoring(amax, rec[0][b].bmax);
    }
    std::vector<double> h_all(static_cast<std::size_t>(bins), 0.0), h4 = h_all, h6 = h_all;
    std::array<std::vector<double>, kRules> h_rule4;
    for (auto& h : h_rule4) h.assign(static_cast<std::size_t>(bins), 0.0);
    for (std::size_t b = 0; b < nb; ++b) {
      if (rec[0][b].nonfinite > 0) {
        ++bad_blocks;
        continue;
      }
      ++finite_blocks;
      std::array<bool, kRules> four{};
      for (int r = 0; r < kRules; ++r) four[r] = chose_alt(rec[r][b]);
      for (int r = 0; r < kRules; ++r) {
        m4[r] += four[r];
        for (int o = 0; o < kRules; ++o) agree[r][o] += four[r] == four[o];
        for (int m = 0; m < kRules; ++m) {
          saved[r][m] += base_err(rec[m][b]) - (four[r] ? alt_err(rec[m][b]) : base_err(rec[m][b]));
        }
      }
      for (int m = 0; m < kRules; ++m) {
        total6[m] += base_err(rec[m][b]);
        total_alt[m] += alt_err(rec[m][b]);
      }
      const float bmax = rec[0][b].bmax;
      if (bmax == 0.0f) {
        ++zero_blocks;  // log2(0) is off the axis; the all-zero block is exact under both
        continue;
      }
      // log2(bmax/amax): the ratio spans binades, and the E4M3 block scale (256 bmax/amax for
      // 4/6) has the same relative step in each binade until its subnormals below 2^-14
      const double l = std::log2(double(bmax) / double(amax));
      const int bin = std::clamp(static_cast<int>(std::floor((l + kLowBinade) / kLowBinade * bins)),
                                 0, bins - 1);
      h_all[static_cast<std::size_t>(bin)] += 1;
      (four[0] ? h4 : h6)[static_cast<std::size_t>(bin)] += 1;
      for (int r = 0; r < kRules; ++r) h_rule4[r][static_cast<std::size_t>(bin)] += four[r];
    }
    const double nf = finite_blocks > 0 ? double(finite_blocks) : 1.0;

    Table choice{"choices",
                 fmt::format("{} decisions and the error they save against {} (sums over blocks)",
                             four_six ? std::string("4/6") : family, base),
                 {"rule", alt_blocks, "SSE saved", "SSE saved %", "L1 saved", "L1 saved %",
                  "abs-max saved", "abs-max saved %"},
                 {}};
    Table candidates{"candidate_errors",
                     fmt::format("Each candidate's error summed over blocks, in each rule's metric ({} and {})", base,
                                 alt),
                     {"metric", std::string(base) + " error", std::string(alt) + " error"},
                     {}};
    for (int m = 0; m < kRules; ++m) {
      candidates.rows.push_back({std::string(kMetricNames[m]), total6[m], total_alt[m]});
      res.scalars[fmt::format("err_{}:{}", base, kMetricNames[m])] = total6[m];
      res.scalars[fmt::format("err_{}:{}", alt, kMetricNames[m])] = total_alt[m];
    }
    Table agreement{
        "agreement", "Agreement: fraction of blocks where two rules choose the same", {"rule"}, {}};
    for (const char* n : kRuleNames) agreement.columns.push_back(n);
    std::string text = fmt::format(
        "{} | {} | {} blocks of {} ({} all zero{}) | {:.3f} bits/value | tensor scale amax/{} shared by every "
        "rule\n",
        four_six ? std::string("nvfp4 4/6") : family, src.description, finite_blocks, bs, zero_blocks,
        bad_blocks ? fmt::format(", {} with NaN/Inf left out", bad_blocks) : "", bits,
        four_six ? 1536.0f : family_traits(core::parse_recipe(family).format).mq * 448.0f);
    text += fmt::format("{:<8} {:>10}   error saved against {}, in each metric (% of the {} total)\n", "rule",
                        alt_blocks, base, base);
    text += fmt::format("{:<8} {:>10}   {:>22} {:>22} {:>22}\n", "", "", "SSE", "L1 (sum |e|)",
                        "abs-max (sum of max)");
    for (int r = 0; r < kRules; ++r) {
      std::vector<Cell> row{std::string(kRuleNames[r]), m4[r] / nf};
      std::string line = fmt::format("{:<8} {:>9.2f}%  ", kRuleNames[r], 100 * m4[r] / nf);
      for (int m = 0; m < kRules; ++m) {
        const double rel = total6[m] > 0 ? saved[r][m] / total6[m] : 0.0;
        row.push_back(saved[r][m]);
        row.push_back(100 * rel);
        line += fmt::format(" {:>12.4e} ({:>6.2f}%)", saved[r][m], 100 * rel);
        res.scalars[fmt::format("saved_rel_{}:{}", kMetricNames[m], kRuleNames[r])] = rel;
      }
      choice.rows.push_back(std::move(row));
      text += line + "\n";
      std::vector<Cell> arow{std::string(kRuleNames[r])};
      for (int o = 0; o < kRules; ++o) {
        arow.push_back(agree[r][o] / nf);
        if (o > r) {
          res.scalars[fmt::format("agree:{}:{}", kRuleNames[r], kRuleNames[o])] = agree[r][o] / nf;
        }
      }
      agreement.rows.push_back(std::move(arow));
      res.scalars[fmt::format("{}:{}", four_six ? "frac_m4" : "frac_int", kRuleNames[r])] = m4[r] / nf;
    }
    text +=
        "each rule saves the most in its own metric (it picks the smaller candidate error there)\n";
    text += "agreement (share of blocks where two rules choose the same):";
    for (int r = 0; r < kRules; ++r) {
      for (int o = r + 1; o < kRules; ++o) {
        text +=
            fmt::format("  {}/{} {:.2f}%", kRuleNames[r], kRuleNames[o], 100 * agree[r][o] / nf);
      }
    }
    text += "\n";
    for (int m = 0; m < kRules; ++m) {
      text += fmt::format("{:<8} candidate errors: {} {:.4e}, {} {:.4e}\n", kMetricNames[m], base, total6[m], alt,
                          total_alt[m]);
    }

    Histogram hist;
    hist.id = "bmax_ratio";
    hist.title =
        "Block max relative to the tensor max, log2 (binades; below 2^-16 in the first bin)";
    hist.xlabel = "log2(bmax / amax)";
    for (int k = 0; k <= bins; ++k) hist.edges.push_back(-kLowBinade + kLowBinade * k / bins);
    hist.series = {{"all blocks", h_all}, {fmt::format("{} (mse)", alt), h4}, {fmt::format("{} (mse)", base), h6}};
    Curve frac;
    frac.id = "m4_by_ratio";
    frac.title = fmt::format("Share of blocks choosing {} against log2(bmax / amax)", alt);
    frac.xlabel = "log2(bmax / amax)";
    frac.ylabel = fmt::format("{} share", alt);
    for (int r = 0; r < kRules; ++r) {
      Series s{kRuleNames[r], {}, {}};
      for (int k = 0; k < bins; ++k) {
        if (h_all[static_cast<std::size_t>(k)] == 0) continue;
        s.x.push_back(0.5 * (hist.edges[static_cast<std::size_t>(k)] +
                             hist.edges[static_cast<std::size_t>(k) + 1]));
        s.y.push_back(h_rule4[r][static_cast<std::size_t>(k)] / h_all[static_cast<std::size_t>(k)]);
      }
      frac.series.push_back(std::move(s));
    }
    {
      // the median ratio and the M=4 share in the lower and upper half of the blocks by ratio
      double seen = 0, half = 0, lo4 = 0, lo_n = 0;
      int median_bin = -1;
      for (double c : h_all) half += c;
      half /= 2;
      for (int k = 0; k < bins && median_bin < 0; ++k) {
        seen += h_all[static_cast<std::size_t>(k)];
        lo4 += h4[static_cast<std::size_t>(k)];
        lo_n += h_all[static_cast<std::size_t>(k)];
        if (seen >= half) median_bin = k;
      }
      double all4 = 0;
      for (double c : h4) all4 += c;
      if (median_bin >= 0 && half > 0) {
        const double hi_n = 2 * half - lo_n;
        text += fmt::format(
            "bmax/amax: median about 2^{:.1f}; {} (mse) share {:.1f}% for blocks up to the "
            "median, {:.1f}% above\n",
            0.5 * (hist.edges[static_cast<std::size_t>(median_bin)] +
                   hist.edges[static_cast<std::size_t>(median_bin) + 1]),
            alt, lo_n > 0 ? 100 * lo4 / lo_n : 0.0, hi_n > 0 ? 100 * (all4 - lo4) / hi_n : 0.0);
      }
    }

    res.tables.push_back(std::move(choice));
    res.tables.push_back(std::move(agreement));
    res.tables.push_back(std::move(candidates));
    if (x.shape().size() >= 2) {
      // the decision map: block rows x block columns averaged down to at most map_size cells a side
      const std::int64_t cr = std::min<std::int64_t>(map_size, rows),
                         cc = std::min<std::int64_t>(map_size, row_blocks);
      Table map{"decision_map",
                fmt::format("Decision map (mse): share of blocks choosing {} per cell; {} x {} "
                            "blocks in {} x {} cells",
                            alt, rows, row_blocks, cr, cc),
                {"rows"},
                {}};
      for (std::int64_t j = 0; j < cc; ++j) {
        const std::int64_t b0 = j * row_blocks / cc, b1 = (j + 1) * row_blocks / cc;
        map.columns.push_back(
            fmt::format("cols {}-{}", b0 * bs, std::min<std::int64_t>(b1 * bs, x.cols()) - 1));
      }
      std::vector<std::vector<double>> cells(static_cast<std::size_t>(cr),
                                             std::vector<double>(static_cast<std::size_t>(cc)));
      for (std::int64_t i = 0; i < cr; ++i) {
        const std::int64_t r0 = i * rows / cr, r1 = (i + 1) * rows / cr;
        std::vector<Cell> row{fmt::format("{}-{}", r0, r1 - 1)};
        for (std::int64_t j = 0; j < cc; ++j) {
          const std::int64_t b0 = j * row_blocks / cc, b1 = (j + 1) * row_blocks / cc;
          double n = 0, n4 = 0;
          for (std::int64_t rr = r0; rr < r1; ++rr) {
            for (std::int64_t bb = b0; bb < b1; ++bb) {
              const BlockRecord& br = rec[0][static_cast<std::size_t>(rr * row_blocks + bb)];
              if (br.nonfinite > 0) continue;
              n += 1;
              n4 += chose_alt(br);
            }
          }
          const double f = n > 0 ? n4 / n : std::numeric_limits<double>::quiet_NaN();
          cells[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = f;
          row.push_back(f);
        }
        map.rows.push_back(std::move(row));
      }
      res.tables.push_back(std::move(map));
      // the console gets the map at most 16 rows high, one character per cell
      const char* shades = " .:-=+*#%@";
      const std::int64_t tr = std::min<std::int64_t>(16, cr);
      text += fmt::format(
          "decision map (mse), {} x {} cells of the {} x {} blocks; ' '=0-10% {} ... "
          "'@'=90-100%:\n",
          tr, cc, rows, row_blocks, alt);
      for (std::int64_t i = 0; i < tr; ++i) {
        std::string line = "  |";
        for (std::int64_t j = 0; j < cc; ++j) {
          double sum = 0, n = 0;
          for (std::int64_t k = i * cr / tr; k < (i + 1) * cr / tr; ++k) {
            const double f = cells[static_cast<std::size_t>(k)][static_cast<std::size_t>(j)];
            if (std::isnan(f)) continue;
            sum += f;
            n += 1;
          }
          line += n > 0 ? shades[std::clamp(static_cast<int>(sum / n * 10), 0, 9)] : '?';
        }
        text += line + "|\n";
      }
    } else {
      text += "decision map: only for tensors of rank 2 or more\n";
    }
    res.histograms.push_back(std::move(hist));
    res.curves.push_back(std::move(frac));
    res.scalars["blocks"] = double(finite_blocks);
    res.scalars["zero_blocks"] = double(zero_blocks);
    res.scalars["nonfinite_blocks"] = double(bad_blocks);
    res.scalars["bits_per_value"] = bits;
    return finish(std::move(res), std::move(text), progress);
  }
};

}  // namespace

std::unique_ptr<Experiment> make_select() { return std::make_unique<Select>(); }

}  // namespace fp4lab::exp
