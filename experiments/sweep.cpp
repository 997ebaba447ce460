// `sweep`: block size (8 to 128) x format on one tensor (FORMATS.md §5: block size is a
// research parameter of every block format): MSE, SQNR, bits per value, and how many UE4M3
// block scales land in the E4M3 subnormal range or flush to zero.
#include <fmt/format.h>

#include <cmath>

#include "core/metrics.hpp"
#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/tensor_source.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

/// Block-scale outcomes of one quantization (UE4M3-scaled formats only).
struct ScaleCounts {
  std::int64_t blocks = 0;
  std::int64_t subnormal = 0;  ///< UE4M3 code in [0x01, 0x07]: an E4M3 subnormal
  std::int64_t flushed = 0;    ///< code 0x00 while the block holds a nonzero value
};

ScaleCounts count_scales(const std::vector<BlockRecord>& records) {
  ScaleCounts c;
  c.blocks = static_cast<std::int64_t>(records.size());
  for (const BlockRecord& r : records) {
    const unsigned code = r.scale.code & 0x7Fu;  // IF formats (FORMATS.md §9) flag INT in bit 7
    if (code == 0) {
      if (r.bmax > 0.0f) ++c.flushed;  // bmax ignores NaN: an all-NaN block is not "flushed"
    } else if (code < 0x08) {
      ++c.subnormal;
    }
  }
  return c;
}

/// True when the recipe's block scale is a UE4M3 code (NVFP4, NVINT4).
bool has_ue4m3_scale(const Recipe& r) {
  return format_traits(r.format).scale == ScaleType::kUE4M3;
}

class Sweep : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"sweep", "Block size x format sweep",
            "MSE, SQNR, bits/value and subnormal or flushed block scales for block sizes 8..128"};
  }
  ParamSpecs params() const override {
    return source_params() +
           ParamSpecs{recipe_list_param("formats", "nvfp4:te,nvfp4:4over6:mse,mxfp4:floor,nvint4,int4:sym", 1, 0,
                                        "comma-separated recipe specs without a block size; each is run "
                                        "at every block size"),
                      number_list_param("block_sizes", "8,16,32,64,128", kMinBlockSize, kMaxBlockSize, 1, 0,
                                        "comma-separated block sizes, even"),
                      threads_param()};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const std::vector<std::string> specs = read_string_list(p, "formats");
    std::vector<Recipe> bases;
    for (const std::string& s : specs) {
      bases.push_back(core::parse_recipe(s));
      for (std::size_t at = 0; at != std::string::npos; at = s.find(':', at + 1)) {
        const std::string_view tok = std::string_view(s).substr(at == 0 ? 0 : at + 1);
        const bool group = bases.back().format == BlockFormat::kINT4 && tok.size() > 1 &&
                           tok[0] == 'g' && tok[1] >= '0' && tok[1] <= '9';
        if (tok.substr(0, 3) == "bs=" || group) {
          throw std::invalid_argument(
              "parameter 'formats': '" + s +
              "' sets a block size; the sweep sets it (parameter block_sizes)");
        }
      }
    }
    std::vector<int> sizes;
    for (const float b : read_float_list(p, "block_sizes")) {
      if (b != std::floor(b) || b < kMinBlockSize || b > kMaxBlockSize ||
          static_cast<int>(b) % 2 != 0) {
        throw std::invalid_argument(
            fmt::format("parameter 'block_sizes': {} is not an even size in [{}, {}]", b,
                        kMinBlockSize, kMaxBlockSize));
      }
      sizes.push_back(static_cast<int>(b));
    }
    if (bases.empty() || sizes.empty() || bases.size() * sizes.size() > 400) {
      throw std::invalid_argument(
          "sweep: give 1 or more formats and block sizes (at most 400 runs)");
    }
    std::vector<Recipe> runs;
    for (const Recipe& base : bases) {
      for (const int bs : sizes) {
        Recipe r = base;
        r.block_size = bs;
        core::validate_recipe(r);  // e.g. rht with bs=8 is refused here, before any work
        if (r.overflow != Fp4Overflow::kSaturate) {
          throw std::invalid_argument("sweep: " + core::recipe_to_spec(r) +
                                      " has no stored codes (ref_unclamped)");
        }
        runs.push_back(r);
      }
    }
    if (progress && !progress(0.0, "tensor")) throw Cancelled();
    const SourceTensor src = load_source(p, threads);
    const core::TensorView x = src.tensor.view();

    Result res = source_result("sweep", p, src);
    Table t{"sweep",
            "Block size x format",
            {"format", "block size", "recipe", "bits/value", "MSE", "SQNR dB", "blocks",
             "subnormal scales", "flushed scales", "subnormal frac", "flushed frac"},
            {}};
    Curve c{"sqnr_vs_block_size",
            "SQNR against block size",
            "block size",
            "SQNR (dB)",
            true,
            false,
            {}};
    std::string text = fmt::format("{}\n{:<34} {:>8} {:>11} {:>8} {:>10} {:>10}\n", src.description,
                                   "recipe", "bits/val", "MSE", "SQNR dB", "subnormal", "flushed");
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const Recipe& r = runs[k];
      const std::string spec = core::recipe_to_spec(r);
      if (progress && !progress(0.02 + 0.98 * double(k) / runs.size(), spec)) throw Cancelled();
      const core::QuantizedTensor q =
          core::quantize(x, core::QuantizeOptions{r, ScaleLayout::kRowMajor, threads, true});
      const core::Tensor xq = core::dequantize(q, core::DType::kF32, threads);
      const core::ErrorMetrics m = core::error_metrics(x, xq.view(), r.block_size, threads);
      const std::size_t fi = k / sizes.size();
      const std::string& label = specs[fi];
      const double bits = core::bits_per_value(r, ScaleLayout::kRowMajor, x.rows(), x.cols());
      std::vector<Cell> row{label, double(r.block_size), spec, bits, m.mse, m.sqnr_db};
      std::string sub = "n/a", fl = "n/a";
      if (has_ue4m3_scale(r)) {
        const ScaleCounts sc = count_scales(q.records);
        row.insert(row.end(), {double(sc.blocks), double(sc.subnormal), double(sc.flushed),
                               double(sc.subnormal) / sc.blocks, double(sc.flushed) / sc.blocks});
        sub = std::to_string(sc.subnormal);
        fl = std::to_string(sc.flushed);
        res.scalars["subnormal_scales:" + spec] = double(sc.subnormal);
        res.scalars["flushed_scales:" + spec] = double(sc.flushed);
      } else {
        // E8M0 and FP32/FP16/BF16 group scales have no E4M3 subnormal range
        row.insert(row.end(), {double(q.records.size()), std::string("n/a"), std::string("n/a"),
                               std::string("n/a"), std::string("n/a")});
      }
      t.rows.push_back(std::move(row));
      if (k % sizes.size() == 0) c.series.push_back({label, {}, {}});
      c.series.back().x.push_back(r.block_size);
      c.series.back().y.push_back(m.sqnr_db);
      res.scalars["mse:" + spec] = m.mse;
      res.scalars["sqnr_db:" + spec] = m.sqnr_db;
      res.provenance.recipes.push_back(spec);
      text += fmt::format("{:<34} {:>8.3f} {:>11.4e} {:>8.2f} {:>10} {:>10}\n", spec,
                          bits, m.mse, m.sqnr_db, sub, fl);
    }
    res.tables.push_back(std::move(t));
    res.curves.push_back(std::move(c));
    return finish(std::move(res), std::move(text), progress);
  }
};

}  // namespace

std::unique_ptr<Experiment> make_sweep() { return std::make_unique<Sweep>(); }

}  // namespace fp4lab::exp
