// `compare`: one tensor through N recipes named by spec strings: MSE, RMSE, relative RMSE,
// SQNR, max abs error, cosine, fractions flushed and saturated, bits per value; histograms of
// the error (in units of rms(x)), the relative error and the scaled values |x| / (block unit).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/device_quantizer.hpp"
#include "core/metrics.hpp"
#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "core/simd/tensor_paths.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/tensor_source.hpp"

namespace fp4lab::exp {
namespace {

/// x as FP32 (BF16 and F16 widen exactly), made once so that every recipe's metrics and
/// histograms read it instead of widening x again; empty for FP32 inputs and for tensors over
/// 2^26 elements (whose copy would cost more memory than the conversions cost time).
core::Tensor widened_once(const core::TensorView& x, int threads) {
  if (x.dtype() == core::DType::kF32 || x.numel() > (std::int64_t{1} << 26)) return core::Tensor();
  core::Tensor out = core::Tensor::uninitialized(core::DType::kF32, x.shape());
  float* dst = reinterpret_cast<float*>(out.data());
  constexpr std::int64_t kChunk = 1 << 16;
  core::parallel_for((x.numel() + kChunk - 1) / kChunk, threads, [&](std::int64_t cb, std::int64_t ce) {
    for (std::int64_t c = cb; c < ce; ++c) {
      const std::int64_t b = c * kChunk;
      core::simd::load_floats(x, b, std::min(kChunk, x.numel() - b), dst + b);
    }
  });
  return out;
}

using namespace fp4lab::formats;

class Compare : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"compare", "Compare recipes on one tensor",
            "error metrics and histograms of one tensor through several formats and recipes"};
  }
  ParamSpecs params() const override {
    return source_params() +
           ParamSpecs{recipe_list_param("recipes",
                                        "nvfp4:te,nvfp4:modelopt,nvfp4:torchao,nvfp4:4over6:mse,nvfp4:static_4,"
                                        "mxfp4:floor,mxfp4:rceil,nvint4",
                                        1, 64,
                                        "comma-separated recipe specs, e.g. "
                                        "nvfp4:te,nvfp4:4over6:mse,mxfp4:rceil,int4:g128:asym"),
                      int_param("bins", 101, 10, 1000, "histogram bins"), threads_param(),
                      choice_param("device", "cpu", {"cpu", "cuda"},
                                   "where to quantize and measure: cpu, or cuda (quantize, metrics and "
                                   "histograms on the GPU; the same figures, bit for bit)")};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const int bins = static_cast<int>(read_int(p, "bins"));
    std::vector<Recipe> recipes;
    for (const std::string& spec : read_string_list(p, "recipes")) recipes.push_back(core::parse_recipe(spec));
    const core::DeviceQuantizer* device = core::select_device(p.at("device").get<std::string>());
    if (progress && !progress(0.0, "tensor")) throw Cancelled();
    const SourceTensor src = load_source(p, threads);
    const core::TensorView x = src.tensor.view();
    Result res = source_result("compare", p, src);
    const core::TensorStats stats = source_stats(src, threads);
    const double rms = stats.rms > 0 ? stats.rms : 1.0;
    Table t{"metrics", "Error metrics",
            {"recipe", "bits/value", "MSE", "RMSE", "rel RMSE", "SQNR dB", "max abs err", "cosine", "flushed", "saturated"},
            {}};
    Histogram he{"error", "Error (x_hat - x) / rms(x)", "error / rms(x)", true, core::linear_edges(-0.5, 0.5, bins), {}};
    Histogram hr{"relative_error", "Relative error |x_hat - x| / |x|", "relative error", true, core::linear_edges(0, 1, bins), {}};
    Histogram hs{"scaled", "Scaled values |x| / block unit (the paper's x / (alpha * Delta))", "scaled value", true,
                 core::linear_edges(0, 8, bins), {}};
    std::string text = fmt::format("{} | {} nonfinite inputs (left out of every metric)\n{:<28} {:>8} {:>11} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9}\n",
                                   src.description, stats.nonfinite, "recipe", "bits/val", "MSE", "rel RMSE", "SQNR dB",
                                   "max err", "cosine", "flushed", "saturated");
    core::Tensor fake;  // x_hat, one buffer for every recipe that gives codes (quantize_and_dequantize reuses it)
    const core::Tensor x32 = device ? core::Tensor() : widened_once(x, threads);
    const core::TensorView xm = x32.size_bytes() > 0 ? x32.view() : x;  // what metrics and histograms read
    for (std::size_t k = 0; k < recipes.size(); ++k) {
      const Recipe& r = recipes[k];
      const std::string spec = core::recipe_to_spec(r);
      if (progress && !progress(0.05 + 0.95 * double(k) / recipes.size(), spec)) throw Cancelled();
      const bool has_codes = r.overflow == Fp4Overflow::kSaturate;
      core::ErrorMetrics m;
      if (device) {  // quantize, metrics and histograms all on the device: only figures come back
        core::DeviceEvaluation e = device->evaluate(x, r, rms, bins);
        m = e.metrics;
        he.series.push_back({spec, std::move(e.histograms.err)});
        hr.series.push_back({spec, std::move(e.histograms.rel)});
        if (has_codes) hs.series.push_back({spec, std::move(e.histograms.scaled)});
      } else {
        core::QuantizedTensor q;
        if (has_codes) {  // codes and values from one pass
          q = core::quantize_and_dequantize(x, core::QuantizeOptions{r, ScaleLayout::kRowMajor, threads, false}, &fake);
        } else {
          fake = core::fake_quantize(x, r, core::DType::kF32, threads);
        }
        m = core::error_metrics(xm, fake.view(), r.block_size, threads);
        core::ErrorHistograms h = core::error_histograms(xm, fake.view(), has_codes ? &q : nullptr, rms, bins, threads);
        he.series.push_back({spec, std::move(h.err)});
        hr.series.push_back({spec, std::move(h.rel)});
        if (has_codes) hs.series.push_back({spec, std::move(h.scaled)});
      }
      // padding and scales included (README "Bits per value"), for the tensor at hand
      const double bits = core::bits_per_value(r, ScaleLayout::kRowMajor, x.rows(), x.cols());
      t.rows.push_back({spec, bits, m.mse, m.rmse, m.rel_rmse, m.sqnr_db, m.max_abs_err, m.cosine,
                        m.frac_flushed, m.frac_saturated});
      text += fmt::format("{:<28} {:>8.3f} {:>11.4e} {:>9.5f} {:>8.2f} {:>10.4g} {:>9.6f} {:>9.5f} {:>9.6f}\n", spec,
                          bits, m.mse, m.rel_rmse, m.sqnr_db, m.max_abs_err, m.cosine, m.frac_flushed,
                          m.frac_saturated);
      res.scalars["mse:" + spec] = m.mse;
      res.scalars["sqnr_db:" + spec] = m.sqnr_db;
      res.scalars["bits_per_value:" + spec] = bits;
      if (m.nonfinite_results > 0) {  // finite inputs whose x_hat is NaN/Inf: left out, say so
        res.scalars["nonfinite_results:" + spec] = double(m.nonfinite_results);
        text += fmt::format("  {}: {} finite inputs quantize to NaN/Inf (their block holds NaN/Inf); "
                            "metrics over the {} elements where x and x_hat are finite\n",
                            spec, m.nonfinite_results, m.count);
      }
      res.provenance.recipes.push_back(spec);
    }
    res.scalars["nonfinite_inputs"] = double(stats.nonfinite);
    res.tables.push_back(std::move(t));
    res.histograms = {std::move(he), std::move(hr), std::move(hs)};
    return finish(std::move(res), std::move(text), progress);
  }
};

}  // namespace

std::unique_ptr<Experiment> make_compare() { return std::make_unique<Compare>(); }

}  // namespace fp4lab::exp
