// Issue 14's reporting items at the experiment level: compare's metrics over NaN/Inf inputs,
// bits per value with padding (and --block-axis to avoid it), and diff's account of values that
// differ under the same code and block scale.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/npy.hpp"
#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/experiment.hpp"
#include "tests/experiments/run_experiment.hpp"

using namespace fp4lab;
using namespace fp4lab::exp;
using namespace fp4lab::exp::testing;
namespace fs = std::filesystem;

namespace {

/// A fresh folder under /tmp, removed at the end of the test.
struct Folder {
  fs::path path;
  Folder() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("fp4lab_i14_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

/// A [d0, d1, d2] FP32 tensor of deterministic, varied values.
core::Tensor wavy(std::int64_t d0, std::int64_t d1, std::int64_t d2) {
  std::vector<float> v(static_cast<std::size_t>(d0 * d1 * d2));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = std::sin(0.37f * float(i)) * (1.0f + float(i % 7));
  return core::Tensor::from_floats(v, core::DType::kF32, {d0, d1, d2});
}

}  // namespace

TEST_SUITE("experiments.issue14") {
  TEST_CASE("compare over NaN/Inf inputs: MSE and SQNR agree, the left-out elements are counted") {
    Folder dir;
    std::vector<float> v(128);  // [4, 32]: NaN in row 0, Inf in row 1, rows 2 and 3 finite
    for (int i = 0; i < 128; ++i) v[i] = 0.1f * float(i % 61 - 30);
    v[5] = std::numeric_limits<float>::quiet_NaN();
    v[40] = std::numeric_limits<float>::infinity();
    core::write_npy(dir / "nf.npy",
                    core::Tensor::from_floats(v, core::DType::kF32, {4, 32}).view());
    const Result r =
        run("compare", {{"input", dir / "nf.npy"}, {"recipes", "nvfp4:te,mxfp4:rceil"}});
    CHECK(r.scalars.at("nonfinite_inputs") == 2);
    for (const char* spec : {"nvfp4:te:bs=16", "mxfp4:rceil:bs=32"}) {
      INFO(std::string(spec));
      const double mse = r.scalars.at(std::string("mse:") + spec),
                   sqnr = r.scalars.at(std::string("sqnr_db:") + spec);
      CHECK(std::isfinite(mse));
      CHECK(std::isfinite(sqnr));
      CHECK(mse > 0);
    }
    // MXFP4 decodes the two 32-blocks that hold NaN/Inf as NaN: their 62 finite inputs are left out
    CHECK(r.scalars.at("nonfinite_results:mxfp4:rceil:bs=32") == 62);
    CHECK(r.summary.find("62 finite inputs quantize to NaN/Inf") != std::string::npos);
  }

  TEST_CASE("bits per value count the padding: [128, 129, 3] costs ~24 bits, ~5 along axis 1") {
    Folder dir;
    core::write_npy(dir / "t.npy", wavy(128, 129, 3).view());
    const Result last = run("compare", {{"input", dir / "t.npy"}, {"recipes", "nvfp4:te"}});
    const double b_last = last.scalars.at("bits_per_value:nvfp4:te:bs=16");
    CHECK(b_last == doctest::Approx((128.0 * 129 * 9 + 8) * 8 / (128 * 129 * 3)));
    const Result axis1 =
        run("compare", {{"input", dir / "t.npy"}, {"recipes", "nvfp4:te"}, {"block_axis", 1}});
    CHECK(axis1.scalars.at("bits_per_value:nvfp4:te:bs=16") ==
          doctest::Approx((384.0 * 72 + 384 * 9 + 8) * 8 / (128 * 129 * 3)));
    CHECK(axis1.provenance.input.find("blocked along axis 1 (as [128, 3, 129])") !=
          std::string::npos);
    // the same figures as quantizing along axis 1 in core
    const core::Tensor x = wavy(128, 129, 3);
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    core::Tensor fake;
    core::quantize_and_dequantize(
        x.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 1, false, 1}, &fake);
    double se = 0;
    for (std::int64_t i = 0; i < x.numel(); ++i)
      se += double(fake.at(i) - x.at(i)) * (fake.at(i) - x.at(i));
    CHECK(axis1.scalars.at("mse:nvfp4:te:bs=16") ==
          doctest::Approx(se / double(x.numel())).epsilon(1e-12));
    // select and sweep report the same definition: 64 x 100 pads rows to 112
    const Result sel = run("select", {{"rows", 64}, {"cols", 100}});
    CHECK(sel.scalars.at("bits_per_value") == (64.0 * 56 + 64 * 7 + 8) * 8 / (64 * 100));
    CHECK(sel.summary.find("5.050 bits/value") != std::string::npos);
    // a missing axis is refused, naming the range
    CHECK_THROWS_WITH_AS(
        run("compare", {{"input", dir / "t.npy"}, {"recipes", "nvfp4:te"}, {"block_axis", 3}}),
        doctest::Contains("use -3..2"), std::invalid_argument);
  }

  TEST_CASE("diff explains values that differ under the same code and block scale") {
    // te and torchao round the decode product in another order: no code or scale differs
    const Result r = run("diff", {{"rows", 64},
                                  {"cols", 64},
                                  {"seed", 4},
                                  {"recipe_a", "nvfp4:te"},
                                  {"recipe_b", "nvfp4:torchao"}});
    CHECK(r.scalars.at("codes_differ") == 0);
    CHECK(r.scalars.at("scales_differ") == 0);
    const double only = r.scalars.at("values_differ_same_code_and_scale");
    CHECK(only > 0);
    CHECK(only == r.scalars.at("values_differ"));
    const Table& ex = table(r, "examples");
    REQUIRE(ex.rows.size() == 20);
    CHECK(std::get<double>(ex.rows[0][9]) != 0);  // x_hat B - A
    CHECK(r.summary.find("the FP32 decode rounds in another order") != std::string::npos);
  }

  TEST_CASE("diff against a file whose tensor scale is 1 ulp off names both tensor scales") {
    Folder dir;
    const core::Tensor x = wavy(4, 8, 32);
    core::write_npy(dir / "x.npy", x.view());
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    const core::QuantizedTensor q = core::quantize(
        x.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 1, false});
    const float other = std::nextafter(q.tensor_scale.decode, 1.0f);
    std::vector<std::uint8_t> ts(4);
    std::memcpy(ts.data(), &other, 4);
    const std::vector<core::SafetensorsEntry> entries{
        {"w.codes", "U8", {q.rows, q.padded_cols / 2}, q.codes},
        {"w.scales", "U8", {q.rows, q.scale_cols}, q.scales},
        {"w.tensor_scale", "F32", {1}, ts}};
    core::write_safetensors(dir / "ext.safetensors", entries);
    const Result d = run("diff", {{"input", dir / "x.npy"},
                                  {"recipe_a", "nvfp4:te"},
                                  {"external", dir / "ext.safetensors"},
                                  {"prefix", "w"}});
    CHECK(d.scalars.at("codes_differ") == 0);
    CHECK(d.scalars.at("scales_differ") == 0);
    CHECK(d.scalars.at("tensor_scales_equal") == 0);
    CHECK(d.scalars.at("values_differ") > 0);
    CHECK(d.scalars.at("values_differ_same_code_and_scale") == d.scalars.at("values_differ"));
    CHECK_FALSE(table(d, "examples").rows.empty());
    CHECK(d.summary.find("the per-tensor scales differ") != std::string::npos);
  }
}
