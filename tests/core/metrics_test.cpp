// core::error_metrics over inputs and results that hold NaN/Inf, and the degenerate cases of
// the cosine similarity (README "Metrics over non-finite inputs", "Cosine similarity").
#include "core/metrics.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"

namespace {

using namespace fp4lab;

core::Tensor f32(const std::vector<float>& v) {
  return core::Tensor::from_floats(v, core::DType::kF32, {static_cast<std::int64_t>(v.size())});
}

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST_SUITE("core.metrics") {
  TEST_CASE("NaN/Inf inputs and results are counted and left out, so MSE and SQNR agree") {
    // one 16-block with a NaN and an Inf, one clean block; MXFP4 turns the first block's x_hat
    // into NaN (scale 0xFF), so 14 finite inputs there have a NaN result
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i) x[i] = 0.25f * float(i + 1);
    x[3] = kNan;
    x[7] = kInf;
    const core::Tensor t = f32(x);
    const core::Tensor fake =
        core::fake_quantize(t.view(), core::parse_recipe("mxfp4:rceil:bs=16"));
    const core::ErrorMetrics m = core::error_metrics(t.view(), fake.view(), 16, 1);
    CHECK(m.nonfinite == 2);
    CHECK(m.nonfinite_results == 14);
    CHECK(m.count == 16);
    CHECK(std::isfinite(m.mse));
    CHECK(std::isfinite(m.sqnr_db));
    CHECK(m.mse > 0);
    CHECK(m.sqnr_db == doctest::Approx(10 * std::log10([&] {
                                         double sx = 0;
                                         for (int i = 16; i < 32; ++i) sx += double(x[i]) * x[i];
                                         return sx / (m.mse * 16);
                                       }())));
    CHECK(m.cosine > 0.99);
    CHECK(m.cosine <= 1.0);
  }

  TEST_CASE("with no finite pair every figure is NaN, never a misleading 0") {
    const core::Tensor x = f32({kNan, kInf, -kInf, kNan});
    const core::ErrorMetrics m = core::error_metrics(x.view(), x.view(), 2, 1);
    CHECK(m.count == 0);
    CHECK(m.nonfinite == 4);
    CHECK(std::isnan(m.mse));
    CHECK(std::isnan(m.sqnr_db));
    CHECK(std::isnan(m.cosine));
  }

  TEST_CASE("an exact all-zero result has cosine 1, SQNR +inf and MSE 0") {
    const core::Tensor z = f32(std::vector<float>(16, 0.0f));
    const core::ErrorMetrics m = core::error_metrics(z.view(), z.view(), 16, 1);
    CHECK(m.cosine == 1.0);
    CHECK(m.mse == 0.0);
    CHECK(m.rel_rmse == 0.0);
    CHECK(m.sqnr_db == INFINITY);
  }

  TEST_CASE("a zero reference with a nonzero result: cosine 0, SQNR -inf, rel RMSE +inf") {
    const core::Tensor z = f32({0, 0, 0, 0});
    const core::Tensor q = f32({0, 1, 0, 0});
    const core::ErrorMetrics m = core::error_metrics(z.view(), q.view(), 4, 1);
    CHECK(m.cosine == 0.0);
    CHECK(m.sqnr_db == -INFINITY);
    CHECK(m.rel_rmse == INFINITY);
    CHECK(m.mse == doctest::Approx(0.25));
  }

  TEST_CASE("a nonzero reference flushed to all zero: cosine 0, SQNR 0 dB") {
    const core::Tensor x = f32({1, 2, 0, 0});
    const core::Tensor z = f32({0, 0, 0, 0});
    const core::ErrorMetrics m = core::error_metrics(x.view(), z.view(), 4, 1);
    CHECK(m.cosine == 0.0);
    CHECK(m.sqnr_db == 0.0);
    CHECK(m.frac_flushed == doctest::Approx(0.5));
  }

  TEST_CASE("cosine_similarity: degenerate cases, opposite vectors, clamping and NaN") {
    CHECK(core::cosine_similarity(0, 0, 0) == 1.0);
    CHECK(core::cosine_similarity(0, 0, 5) == 0.0);
    CHECK(core::cosine_similarity(0, 5, 0) == 0.0);
    CHECK(core::cosine_similarity(-4, 4, 4) == -1.0);
    CHECK(core::cosine_similarity(4.0000001, 4, 4) == 1.0);  // rounding past 1 is clamped
    CHECK(std::isnan(core::cosine_similarity(NAN, 1, 1)));
  }
}

}  // namespace
