// Simulated quantization (formats/simulate.hpp, core/simulate.hpp) against the real recipes bit
// for bit, the threshold sweep against the direct path, and the `select`, `threshold` and
// `ablate` experiments: known answers, orderings, JSON round trips and parameter checks.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/io/npy.hpp"
#include "core/metrics.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "core/simulate.hpp"
#include "core/synthetic.hpp"
#include "experiments/experiment.hpp"
#include "tests/experiments/run_experiment.hpp"

using namespace fp4lab;
using namespace fp4lab::exp;
using namespace fp4lab::exp::testing;
using formats::HpReconstruction;
using formats::SimulateOptions;
using formats::ThresholdDirection;

namespace {

double number(const Table& t, std::size_t row, std::size_t col) {
  return std::get<double>(t.rows.at(row).at(col));
}

/// A BF16 tensor with outliers and rows of different scales; cols not a multiple of 16.
core::Tensor llm_like(std::uint64_t seed, double outliers = 0.002) {
  core::SyntheticSpec s;
  s.shape = {96, 200};
  s.dtype = core::DType::kBF16;
  s.seed = seed;
  s.outlier_fraction = outliers;
  s.row_scale_spread = 0.5;
  return core::make_synthetic(s, 2);
}

bool same_bytes(const core::Tensor& a, const core::Tensor& b) {
  return a.size_bytes() == b.size_bytes() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

SimulateOptions at(float t, ThresholdDirection dir = ThresholdDirection::kQuantizeBelow) {
  SimulateOptions o;
  o.threshold = t;
  o.dir = dir;
  return o;
}

/// |a - b| <= tol * max(|a|, |b|), NaN never passes.
bool close(double a, double b, double tol) {
  return std::isfinite(a) && std::isfinite(b) &&
         std::fabs(a - b) <= tol * std::max(std::fabs(a), std::fabs(b));
}

const char* kSimulated[] = {"nvfp4:te",
                            "nvfp4:te:sr:seed=5",
                            "nvfp4:te:sr_unbiased:seed=9",
                            "nvfp4:te:bs=32",
                            "nvfp4:4over6:mse",
                            "nvfp4:4over6:mae",
                            "nvfp4:4over6:abs_max",
                            "nvfp4:static_6",
                            "nvfp4:static_4",
                            "nvfp4:4over6:mse:ref_unclamped"};

}  // namespace

TEST_SUITE("core.simulate") {
  TEST_CASE(
      "t = 6 quantizing below, t = 0 above, and the defaults equal fake_quantize bit for bit") {
    const core::Tensor x = llm_like(11);
    for (const char* spec : kSimulated) {
      CAPTURE(spec);
      const formats::Recipe r = core::parse_recipe(spec);
      for (core::DType dt : {core::DType::kF32, core::DType::kBF16}) {
        const core::Tensor ref = core::fake_quantize(x.view(), r, dt, 3);
        CHECK(same_bytes(core::simulate_quantize(x.view(), r, SimulateOptions{}, dt, 2), ref));
        CHECK(same_bytes(core::simulate_quantize(x.view(), r, at(6.0f), dt, 1), ref));
        CHECK(same_bytes(core::simulate_quantize(
                             x.view(), r, at(0.0f, ThresholdDirection::kQuantizeAbove), dt, 4),
                         ref));
      }
    }
  }
  TEST_CASE("t = 0 quantizing below reproduces the input bit for bit (FP32 and BF16 outputs)") {
    const core::Tensor x = llm_like(12);
    const core::Tensor x32 = core::Tensor::from_floats(x.to_floats(), core::DType::kF32, x.shape());
    for (const char* spec : kSimulated) {
      CAPTURE(spec);
      const formats::Recipe r = core::parse_recipe(spec);
      CHECK(same_bytes(core::simulate_quantize(x.view(), r, at(0.0f), core::DType::kF32, 2), x32));
      CHECK(same_bytes(core::simulate_quantize(x.view(), r, at(0.0f), core::DType::kBF16, 2), x));
      // values in HP: the same, whatever the threshold
      SimulateOptions o;
      o.hp_values = true;
      CHECK(same_bytes(core::simulate_quantize(x.view(), r, o, core::DType::kBF16, 2), x));
      // above t = 6.5 nothing is cast (m is at most 6)
      CHECK(same_bytes(
          core::simulate_quantize(x.view(), r, at(6.5f, ThresholdDirection::kQuantizeAbove),
                                  core::DType::kBF16, 2),
          x));
    }
  }
  TEST_CASE("NaN and Inf inputs: t = 6 saturates them as the recipe does, t = 0 keeps them") {
    std::vector<float> v = llm_like(17).to_floats();
    v[5] = std::numeric_limits<float>::quiet_NaN();  // 0x7FC00000
    v[40] = std::numeric_limits<float>::infinity();
    v[77] = -std::numeric_limits<float>::infinity();
    const core::Tensor x = core::Tensor::from_floats(v, core::DType::kF32, {96, 200});
    // outputs hold the one canonical NaN, 0x7FFFFFFF (formats::canonical_nan), as the GPU's do
    v[5] = formats::bit_cast<float>(0x7FFFFFFFu);
    const core::Tensor kept = core::Tensor::from_floats(v, core::DType::kF32, {96, 200});
    for (const char* spec : {"nvfp4:te", "nvfp4:4over6:mse"}) {
      CAPTURE(spec);
      const formats::Recipe r = core::parse_recipe(spec);
      CHECK(same_bytes(core::simulate_quantize(x.view(), r, at(6.0f)),
                       core::fake_quantize(x.view(), r)));
      CHECK(same_bytes(core::simulate_quantize(x.view(), r, at(0.0f)), kept));
    }
  }
  TEST_CASE("the FP32 round trip stays within 5 FP32 ulp of x and rounds back to the BF16 input") {
    // x_hat = ((x * mul) * s) * decode with mul = RN(1/RN(s*decode)): five roundings of at most
    // 2^-24 relative each, so |x_hat - x| <= 5 * 2^-24 * |x| (+ O(2^-48)) for normal values; far
    // below half a BF16 ulp (>= 2^-9 relative), so BF16 output gives x back exactly
    const core::Tensor x = llm_like(13);
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    SimulateOptions o;
    o.hp_values = true;
    o.reconstruction = HpReconstruction::kFp32RoundTrip;
    const core::Tensor y = core::simulate_quantize(x.view(), r, o, core::DType::kF32, 2);
    int inexact = 0;
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      const double xv = x.at(i), yv = y.at(i);
      if (xv != yv) ++inexact;
      CHECK(std::fabs(yv - xv) <= 5.0 * std::ldexp(1.0, -24) * std::fabs(xv) * (1 + 1e-6));
    }
    CHECK(inexact > 0);  // the mode is a real round trip, not the input copied
    CHECK(same_bytes(core::simulate_quantize(x.view(), r, o, core::DType::kBF16, 2), x));
  }
  TEST_CASE("a block whose E4M3 scale underflows to 0 is lost unless the scales stay in HP") {
    // te: s_b = e4m3(bmax * 2688 / amax / 6); bmax/amax = 1e-10 gives 4.5e-8, below half of
    // E4M3's smallest subnormal 2^-9, so s_b = 0 and the real quantizer zeroes the block
    std::vector<float> v(32, 0.0f);
    v[0] = 1e4f;
    for (int i = 16; i < 32; ++i) v[i] = (i % 2 ? 1e-6f : -1e-6f) * static_cast<float>(i - 15);
    const core::Tensor x = core::Tensor::from_floats(v, core::DType::kF32, {1, 32});
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    SimulateOptions values_hp;
    values_hp.hp_values = true;
    const std::vector<float> lost = core::simulate_quantize(x.view(), r, values_hp).to_floats();
    const std::vector<float> real = core::fake_quantize(x.view(), r).to_floats();
    for (int i = 16; i < 32; ++i) {
      CHECK(lost[i] == 0.0f);
      CHECK(std::signbit(lost[i]) == std::signbit(v[i]));  // x * 0 keeps the sign
      CHECK(real[i] == 0.0f);
    }
    SimulateOptions both = values_hp;
    both.hp_scales = true;
    CHECK(core::simulate_quantize(x.view(), r, both).to_floats() == v);
  }
  TEST_CASE("simulate_quantize does not depend on the thread count") {
    const core::Tensor x = llm_like(14);
    const formats::Recipe r = core::parse_recipe("nvfp4:4over6:mse:sr:seed=3");
    SimulateOptions o = at(3.7f);
    o.hp_scales = true;
    CHECK(same_bytes(core::simulate_quantize(x.view(), r, o, core::DType::kF32, 1),
                     core::simulate_quantize(x.view(), r, o, core::DType::kF32, 5)));
  }
  TEST_CASE("the one-pass threshold sweep equals the direct simulation at every t checked") {
    // Both paths add the same per-element double terms (d*d with d = double(x_hat) - x, x_hat the
    // same FP32 value); only the summation order differs. A double sum of n nonnegative terms
    // is within (n-1) * 2^-53 of the exact sum, so for n = 19200 the two agree to 2 * 19200 *
    // 2^-53 = 4.3e-12 relative: tolerance 5e-12
    const core::Tensor x = llm_like(15);
    const std::vector<float> grid = {0.0f, 0.5f, 1.25f, 2.5f, 3.0f, 3.5f, 4.0f, 5.0f, 5.95f, 6.0f};
    for (const char* spec : {"nvfp4:te", "nvfp4:4over6:mse", "nvfp4:te:sr:seed=2"}) {
      for (bool hp_scales : {false, true}) {
        CAPTURE(spec);
        CAPTURE(hp_scales);
        const formats::Recipe r = core::parse_recipe(spec);
        SimulateOptions base;
        base.hp_scales = hp_scales;
        const core::ThresholdSweep s = core::threshold_sweep(x.view(), r, grid, base, 3);
        CHECK(s.count == x.numel());
        CHECK(s.sse_high_precision == 0.0);  // exact reconstruction, no flushed blocks here
        for (std::size_t k = 0; k < grid.size(); ++k) {
          for (ThresholdDirection dir :
               {ThresholdDirection::kQuantizeBelow, ThresholdDirection::kQuantizeAbove}) {
            SimulateOptions o = base;
            o.threshold = grid[k];
            o.dir = dir;
            const core::Tensor y = core::simulate_quantize(x.view(), r, o, core::DType::kF32, 2);
            const core::ErrorMetrics m = core::error_metrics(x.view(), y.view(), r.block_size, 2);
            const double sse =
                dir == ThresholdDirection::kQuantizeBelow ? s.sse_below[k] : s.sse_above[k];
            const double direct = m.mse * double(m.count);
            CAPTURE(grid[k]);
            if (direct == 0.0) {
              CHECK(sse == 0.0);
            } else {
              CHECK(close(sse, direct, 5e-12));
            }
          }
        }
        CHECK(s.sse_below.front() == 0.0);
        CHECK(close(s.sse_below.back(), s.sse_quantized, 5e-12));
        CHECK(close(s.sse_above.front(), s.sse_below.back(), 5e-12));
        CHECK(s.quantized_below.back() == double(x.numel()));
        CHECK(s.quantized_above.front() == double(x.numel()));
      }
    }
  }
  TEST_CASE("the threshold sweep does not depend on the thread count") {
    core::SyntheticSpec spec;
    spec.shape = {300, 512};  // enough blocks for several chunks
    spec.seed = 4;
    const core::Tensor x = core::make_synthetic(spec, 2);
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    std::vector<float> grid;
    for (int k = 0; k <= 120; ++k) grid.push_back(static_cast<float>(k * 0.05));
    const core::ThresholdSweep a = core::threshold_sweep(x.view(), r, grid, SimulateOptions{}, 1);
    const core::ThresholdSweep b = core::threshold_sweep(x.view(), r, grid, SimulateOptions{}, 7);
    CHECK(a.sse_below == b.sse_below);
    CHECK(a.sse_above == b.sse_above);
    CHECK(a.sse_quantized == b.sse_quantized);
  }
  TEST_CASE("unsupported recipes, a NaN threshold and bad threshold lists are rejected") {
    const core::Tensor x = llm_like(16);
    for (const char* spec : {"mxfp4", "nvint4", "nvfp4:modelopt", "nvfp4:torchao", "nvfp4:te:2d",
                             "nvfp4:te:rht", "int4:g32"}) {
      CAPTURE(spec);
      CHECK_THROWS_AS(
          core::simulate_quantize(x.view(), core::parse_recipe(spec), SimulateOptions{}),
          std::invalid_argument);
    }
    const formats::Recipe te = core::parse_recipe("nvfp4:te");
    CHECK_THROWS_AS(
        core::simulate_quantize(x.view(), te, at(std::numeric_limits<float>::quiet_NaN())),
        std::invalid_argument);
    CHECK_THROWS_AS(core::threshold_sweep(x.view(), te, {1.0f, 1.0f}, SimulateOptions{}),
                    std::invalid_argument);
    CHECK_THROWS_AS(core::threshold_sweep(x.view(), te, {}, SimulateOptions{}),
                    std::invalid_argument);
  }
}

TEST_SUITE("experiments.threshold") {
  TEST_CASE("t = 0 has no error, t = 6 has the NVFP4 error, and the share ends at 1") {
    Params p = {{"rows", 64}, {"cols", 96}, {"seed", 3}, {"direction", "both"}, {"threads", 2}};
    const Result r = run("threshold", p);
    const Table& t = table(r, "sweep");
    REQUIRE(t.rows.size() == 121);
    CHECK(number(t, 0, 0) == 0.0);
    CHECK(number(t, 120, 0) == 6.0);
    CHECK(number(t, 0, 1) == 0.0);    // MSE below at t = 0
    CHECK(number(t, 120, 3) == 1.0);  // share below at t = 6
    CHECK(number(t, 0, 7) == 1.0);    // share above at t = 0
    // t = 6 below is plain NVFP4: the same MSE as error_metrics of fake_quantize (summation
    // order differs: 6144 elements, tolerance 2 * 6144 * 2^-53 < 2e-12 relative)
    core::SyntheticSpec s;
    s.shape = {64, 96};
    s.seed = 3;
    s.outlier_fraction = 0.001;
    s.row_scale_spread = 0.5;
    const core::Tensor x = core::make_synthetic(s, 2);
    const core::Tensor y = core::fake_quantize(x.view(), core::parse_recipe("nvfp4:te"));
    const core::ErrorMetrics m = core::error_metrics(x.view(), y.view(), 16);
    CHECK(close(number(t, 120, 1), m.mse, 2e-12));
    CHECK(close(r.scalars.at("mse_nvfp4"), m.mse, 2e-12));
    CHECK(r.scalars.at("mse_high_precision") == 0.0);
    REQUIRE(r.curves.size() == 3);
    CHECK(r.curves[0].series.size() == 2);
  }
  TEST_CASE("without outliers the error concentrates around 5, 2.5 and 3.5 as the paper finds") {
    const Result r = run("threshold", {{"rows", 512},
                                       {"cols", 512},
                                       {"seed", 7},
                                       {"outlier_fraction", 0.0},
                                       {"row_scale_spread", 0.0}});
    CHECK(r.scalars.at("peak1_t_below") == doctest::Approx(5.0).epsilon(0.03));
    CHECK(r.scalars.at("peak2_t_below") == doctest::Approx(2.5).epsilon(0.05));
    CHECK(r.scalars.at("peak3_t_below") == doctest::Approx(3.5).epsilon(0.05));
    CHECK(r.scalars.at("gap_share_below:4-6") > 0.4);
  }
  TEST_CASE("bad parameters are rejected with the parameter named") {
    const Params small = {{"rows", 16}, {"cols", 32}};
    auto with = [&](const char* k, Params v) {
      Params p = small;
      p[k] = v;
      return p;
    };
    CHECK_THROWS_WITH_AS(run("threshold", with("direction", "sideways")),
                         doctest::Contains("direction"), std::invalid_argument);
    for (double step : {0.0, -0.05, 6.5, 1e-5}) {
      CHECK_THROWS_WITH_AS(run("threshold", with("step", step)), doctest::Contains("step"),
                           std::invalid_argument);
    }
    CHECK_THROWS_WITH_AS(run("threshold", with("step", "x")), doctest::Contains("step"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("threshold", with("recipe", "mxfp4")), doctest::Contains("recipe"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("threshold", with("recipe", "nvfp4:te:2d")),
                         doctest::Contains("recipe"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("threshold", with("recipe", "nvfp4:tee")), doctest::Contains("recipe"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("threshold", with("threads", -1)), doctest::Contains("threads"),
                         std::invalid_argument);
    // a step of 6 is the coarsest grid: t = 0 and 6
    CHECK(table(run("threshold", with("step", 6.0)), "sweep").rows.size() == 2);
    CHECK(table(run("threshold", with("step", 0.07)), "sweep").rows.size() == 87);  // 0 .. 5.95, 6
  }
}

TEST_SUITE("experiments.ablate") {
  TEST_CASE("values in HP are far below NVFP4, scales in HP in between, 4/6 below M=6 and M=4") {
    const Result r = run("ablate", {{"rows", 128}, {"cols", 256}, {"seed", 21}});
    const double nv = r.scalars.at("mse:nvfp4:te:bs=16");
    const double scales = r.scalars.at("mse:nvfp4:te:bs=16 scales in HP");
    const double values = r.scalars.at("mse:nvfp4:te:bs=16 values in HP");
    CHECK(values < 1e-3 * nv);
    CHECK(values < scales);
    CHECK(scales < nv);
    CHECK(scales >
          0.8 * nv);  // E4M3 scale rounding is a small part of the error (the paper's Fig. 2a)
    CHECK(r.scalars.at("mse:nvfp4:4over6:mse:bs=16") < r.scalars.at("mse:nvfp4:static_6:bs=16"));
    CHECK(r.scalars.at("mse:nvfp4:4over6:mse:bs=16") < r.scalars.at("mse:nvfp4:static_4:bs=16"));
    const Table& t = table(r, "metrics");
    CHECK(t.rows.size() == 6);
    CHECK(number(t, 0, 8) == 1.0);
    CHECK(table(r, "bars").rows.size() == 6);
  }
  TEST_CASE("bad parameters are rejected with the parameter named") {
    Params p = {{"rows", 16}, {"cols", 32}, {"recipe", "nvfp4:modelopt"}};
    CHECK_THROWS_WITH_AS(run("ablate", p), doctest::Contains("recipe"), std::invalid_argument);
    p = {{"rows", 16}, {"cols", 32}, {"compare", "nvfp4:te,bogus"}};
    CHECK_THROWS_WITH_AS(run("ablate", p), doctest::Contains("compare"), std::invalid_argument);
    p = {{"rows", 16}, {"cols", 32}, {"compare", ""}};
    CHECK(table(run("ablate", p), "metrics").rows.size() == 3);
  }
}

TEST_SUITE("experiments.select") {
  TEST_CASE(
      "a constructed tensor: the blocks known to prefer M=4 are the ones chosen, under every "
      "rule") {
    // amax = 40, so the 4/6 tensor scale is 40/1536. Block A = [10, 20, 30, 40] x 4: its M=4
    // scale is e4m3(384) = 384 and its values scale to 1, 2, 3, 4 exactly (err4 = 0), while at
    // M=6 30 scales to 4.5 and rounds to 4 (err6 > 0). Block B has bmax 10 (M=6 scale
    // e4m3(64) = 64) and values q*64*40/1536 for q in {0.5, 1, 4, 6}: exact at M=6 (err6 = 0),
    // so M=4 cannot win (it must be strictly better). 11 of the 32 blocks are A.
    const int rows = 8, cols = 64;
    std::vector<float> v;
    const float qs[4] = {0.5f, 1.0f, 4.0f, 6.0f};
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        const bool a = (r * 4 + c / 16) % 3 == 0;
        v.push_back(a ? 10.0f * static_cast<float>(c % 4 + 1)
                      : ((qs[c % 4] * 64.0f) * 40.0f) / 1536.0f);
      }
    }
    const auto path = std::filesystem::temp_directory_path() / "fp4lab_select_test.npy";
    core::write_npy(path.string(),
                    core::Tensor::from_floats(v, core::DType::kF32, {rows, cols}).view());
    const Result res = run("select", {{"input", path.string()}});
    std::filesystem::remove(path);
    for (const char* rule : {"mse", "mae", "abs_max"}) {
      CAPTURE(rule);
      CHECK(res.scalars.at(std::string("frac_m4:") + rule) == 11.0 / 32.0);
    }
    CHECK(res.scalars.at("agree:mse:mae") == 1.0);
    CHECK(res.scalars.at("agree:mse:abs_max") == 1.0);
    // every M=6 error is in the A blocks and M=4 removes all of it
    CHECK(res.scalars.at("saved_rel_SSE:mse") == 1.0);
    CHECK(res.scalars.at("saved_rel_L1:mae") == 1.0);
    const Table& map = table(res, "decision_map");
    REQUIRE(map.rows.size() == 8);
    REQUIRE(map.columns.size() == 5);
    CHECK(map.columns[1] == "cols 0-15");
    for (int r = 0; r < rows; ++r) {
      for (int b = 0; b < 4; ++b)
        CHECK(number(map, r, b + 1) == ((r * 4 + b) % 3 == 0 ? 1.0 : 0.0));
    }
  }
  TEST_CASE("the decision map is at most map_size cells a side, and bad parameters are rejected") {
    const Result r = run("select", {{"rows", 200}, {"cols", 48}, {"map_size", 10}});
    const Table& map = table(r, "decision_map");
    CHECK(map.rows.size() == 10);
    CHECK(map.columns.size() == 4);  // rows + 3 block columns
    double total = 0;
    for (const auto& h : r.histograms.front().series.front().counts) total += h;
    CHECK(total == r.scalars.at("blocks") - r.scalars.at("zero_blocks"));
    CHECK_THROWS_WITH_AS(run("select", {{"rows", 16}, {"map_size", 65}}),
                         doctest::Contains("map_size"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("select", {{"rows", 16}, {"bins", 1}}), doctest::Contains("bins"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("select", {{"rule", "mse"}}), doctest::Contains("rule"),
                         std::invalid_argument);
  }
}

TEST_SUITE("experiments.result") {
  TEST_CASE("select, threshold and ablate Results survive a JSON round trip") {
    const Params small = {{"rows", 48}, {"cols", 80}, {"seed", 9}};
    for (const char* id : {"select", "threshold", "ablate"}) {
      CAPTURE(id);
      Params p = small;
      if (std::string(id) == "threshold") p["direction"] = "both";
      const Result r = run(id, p);
      const auto j = to_json(r);
      const Result back = result_from_json(nlohmann::json::parse(j.dump()));
      CHECK(to_json(back) == j);
      CHECK(back.experiment == id);
      CHECK(back.tables.size() == r.tables.size());
      CHECK(!back.summary.empty());
    }
  }
}
