// `error-profile`: the 4/6 paper's Fig. 1a/1b. For a value v in a block with max bmax, the
// error relative to bmax as a function of v/bmax when the block max maps to 6 (M=6) or to 4
// (M=4), beside MXFP4 (floor scale; bmax/2^e = 4, 6, 7.5) and symmetric INT4. Block scales are
// exact here (no E4M3 rounding): these are the format's own curves.
#include <fmt/format.h>

#include <cmath>

#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "formats/block.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

class ErrorProfile : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"error-profile", "Error against value / block max (Fig. 1)",
            "exact quantization error relative to the block max for M=6, M=4, MXFP4 and INT4"};
  }
  ParamSpecs params() const override {
    return {int_param("points", 1201, 11, 1000001, "samples of value/bmax over [0, 1]")};
  }
  Result run(const Params& given, const Progress&) const override {
    const Params p = merge(given);
    const int n = static_cast<int>(read_int(p, "points"));
    struct Line {
      std::string label;
      float (*quantize)(float r, float m);  // returns the dequantized value relative to bmax
      float m;
    };
    const Line lines[] = {
        {"NVFP4 M=6", [](float r, float m) { return fp4_e2m1::from(r * m).to_float() / m; }, 6.0f},
        {"NVFP4 M=4", [](float r, float m) { return fp4_e2m1::from(r * m).to_float() / m; }, 4.0f},
        {"MXFP4 bmax=4*2^e", [](float r, float m) { return fp4_e2m1::from(r * m).to_float() / m; }, 4.0f},
        {"MXFP4 bmax=6*2^e", [](float r, float m) { return fp4_e2m1::from(r * m).to_float() / m; }, 6.0f},
        {"MXFP4 bmax=7.5*2^e", [](float r, float m) { return fp4_e2m1::from(r * m).to_float() / m; }, 7.5f},
        {"INT4 sym", [](float r, float m) { return int4::from(r * m, Int4Range::kSymmetric).to_float() / m; }, 7.0f},
    };
    Result res;
    res.experiment = "error-profile";
    res.provenance = make_provenance("error-profile", p);
    res.provenance.input = fmt::format("value/bmax on {} points over [0, 1]", n);
    Curve c{"error_profile", "Quantization error relative to the block max", "value / block max",
            "|error| / block max", false, false, {}};
    Table t{"summary", "Error relative to bmax over value/bmax in [0, 1]", {"format", "max error", "mean error", "worst value/bmax"}, {}};
    std::string text = fmt::format("{:<20} {:>10} {:>10} {:>16}\n", "format", "max err", "mean err", "worst v/bmax");
    for (const Line& line : lines) {
      Series s{line.label, {}, {}};
      double worst = 0, worst_at = 0, sum = 0;
      for (int i = 0; i < n; ++i) {
        const float r = static_cast<float>(i) / static_cast<float>(n - 1);
        const float e = std::fabs(line.quantize(r, line.m) - r);
        s.x.push_back(r);
        s.y.push_back(e);
        sum += e;
        if (e > worst) {
          worst = e;
          worst_at = r;
        }
      }
      t.rows.push_back({line.label, worst, sum / n, worst_at});
      text += fmt::format("{:<20} {:>10.4f} {:>10.4f} {:>16.4f}\n", line.label, worst, sum / n, worst_at);
      res.scalars["max_error_" + line.label] = worst;
      c.series.push_back(std::move(s));
    }
    res.curves.push_back(std::move(c));
    res.tables.push_back(std::move(t));
    res.summary = text;
    return res;
  }
};

}  // namespace

std::unique_ptr<Experiment> make_error_profile() { return std::make_unique<ErrorProfile>(); }

}  // namespace fp4lab::exp
