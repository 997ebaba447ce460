// Storage choices of the quantized file that follow the peers (README "Semantics"): grouped
// INT4 scales in the recipe's dtype, no zero points for symmetric INT4 (older files with F32
// scales and zero points still read), and one documented element code in MXFP4 NaN blocks.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "tests/core/temp_dir.hpp"

namespace {

using namespace fp4lab;
using core::DType;
using core::Tensor;

Tensor ramp(std::int64_t rows, std::int64_t cols) {
  Tensor t(DType::kF32, {rows, cols});
  for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, std::sin(0.37f * static_cast<float>(i)) * (1.0f + i % 7));
  return t;
}

/// Quantizes x under `spec`, writes a quantized file, returns its path.
std::string write_one(const fp4lab::testing::TempDir& dir, const std::string& file, const std::string& spec,
                      const Tensor& x, core::QuantizedTensor* out = nullptr) {
  core::QuantizeOptions opt;
  opt.recipe = core::parse_recipe(spec);
  const core::QuantizedTensor q = core::quantize(x.view(), opt);
  const core::QuantizedOutput o{"w", DType::kF32, &q, core::tensor_amax(x.view(), opt.recipe)};
  core::write_quantized(dir.file(file), std::span<const core::QuantizedOutput>(&o, 1));
  if (out) *out = q;
  return dir.file(file);
}

std::vector<float> values_of(const core::StoredQuantized& s) {
  return core::dequantize(s.slice_rows(0, s.plan.rows)).to_floats();
}

}  // namespace

TEST_SUITE("core.peer_storage") {
  TEST_CASE("grouped INT4 scales are stored in the recipe's dtype and symmetric INT4 has no zero points") {
    fp4lab::testing::TempDir dir;
    const Tensor x = ramp(4, 64);
    for (const char* spec : {"int4:g32:sym:fp16", "int4:g32:sym:bf16", "int4:g32:asym:bf16", "int4:g32:sym:fp32"}) {
      CAPTURE(spec);
      core::QuantizedTensor q;
      const std::string path = write_one(dir, "q.safetensors", spec, x, &q);
      const core::SafetensorsFile f = core::open_safetensors(path);
      const std::string want = std::string(spec).ends_with("fp16") ? "F16" : (std::string(spec).ends_with("bf16") ? "BF16" : "F32");
      CHECK(f.info("w.group_scales").dtype == want);
      const bool asym = std::string(spec).find("asym") != std::string::npos;
      CHECK(f.contains("w.zero_points") == asym);
      const core::QuantizedFile qf = core::read_quantized(path);
      const core::StoredQuantized& s = qf.tensors.at(0);
      REQUIRE(s.group_scales.size() == q.group_scales.size() * 4);
      CHECK(std::memcmp(s.group_scales.data(), q.group_scales.data(), s.group_scales.size()) == 0);
      CHECK(std::vector<std::uint8_t>(s.zero_points.begin(), s.zero_points.end()) == q.zero_points);
      CHECK(values_of(s) == core::dequantize(q).to_floats());
    }
  }

  TEST_CASE("a file written before 2026-12 (F32 group scales, zero points for sym) still reads the same") {
    fp4lab::testing::TempDir dir;
    const Tensor x = ramp(3, 96);
    core::QuantizedTensor q;
    const std::string path = write_one(dir, "new.safetensors", "int4:g32:sym:fp16", x, &q);
    const core::SafetensorsFile f = core::open_safetensors(path);
    // rebuild it the old way: F32 scales and an all-zero zero-points array
    std::vector<core::SafetensorsEntry> entries;
    std::vector<std::uint8_t> f32(q.group_scales.size() * 4), zeros(q.zero_points.size(), 0);
    std::memcpy(f32.data(), q.group_scales.data(), f32.size());
    for (const std::string& n : f.names()) {
      if (n == "w.group_scales") continue;
      entries.push_back({n, f.info(n).dtype, f.info(n).shape, f.raw(n)});
    }
    entries.push_back({"w.group_scales", "F32", f.info("w.group_scales").shape, f32});
    entries.push_back({"w.zero_points", "U8", f.info("w.group_scales").shape, zeros});
    core::write_safetensors(dir.file("old.safetensors"), entries, f.metadata());
    const core::QuantizedFile old = core::read_quantized(dir.file("old.safetensors"));
    const core::QuantizedFile now = core::read_quantized(path);
    CHECK(values_of(old.tensors.at(0)) == values_of(now.tensors.at(0)));
  }

  TEST_CASE("2-D tile scales stored once per tile read back as the per-row scales") {
    fp4lab::testing::TempDir dir;
    const Tensor x = ramp(40, 48);  // 3 tile rows, the last one partial (8 rows)
    core::QuantizeOptions opt;
    opt.recipe = core::parse_recipe("nvfp4:4over6:2d");
    const core::QuantizedTensor q = core::quantize(x.view(), opt);
    const core::QuantizedOutput o{"w", DType::kF32, &q, core::tensor_amax(x.view(), opt.recipe)};
    const auto one = std::span<const core::QuantizedOutput>(&o, 1);
    core::write_quantized(dir.file("rows.safetensors"), one);
    core::write_quantized(dir.file("tiles.safetensors"), one, core::TileScales::kPerTile);
    const core::SafetensorsFile f = core::open_safetensors(dir.file("tiles.safetensors"));
    CHECK(f.info("w.scales").shape == std::vector<std::int64_t>{3, 3});
    CHECK(f.metadata().at("w.tile_scales") == "per_tile");
    CHECK(core::open_safetensors(dir.file("rows.safetensors")).info("w.scales").shape == std::vector<std::int64_t>{40, 3});
    const core::QuantizedFile a = core::read_quantized(dir.file("rows.safetensors"));
    const core::QuantizedFile b = core::read_quantized(dir.file("tiles.safetensors"));
    CHECK(b.tensors.at(0).tile_scales == core::TileScales::kPerTile);
    CHECK(std::vector<std::uint8_t>(b.tensors.at(0).scales.begin(), b.tensors.at(0).scales.end()) == q.scales);
    CHECK(values_of(a.tensors.at(0)) == values_of(b.tensors.at(0)));
    // only 2-D recipes in the row-major layout can be stored per tile
    core::QuantizeOptions one_d;
    one_d.recipe = core::parse_recipe("nvfp4:te");
    const core::QuantizedTensor q1 = core::quantize(x.view(), one_d);
    const core::QuantizedOutput o1{"w", DType::kF32, &q1, 1.0f};
    CHECK_THROWS_WITH_AS(core::write_quantized(dir.file("bad.safetensors"), std::span<const core::QuantizedOutput>(&o1, 1),
                                               core::TileScales::kPerTile),
                         doctest::Contains("per-tile scale storage needs a 2-D recipe"), std::invalid_argument);
  }

  TEST_CASE("every element of an MXFP4 NaN/Inf block stores code 0x7, whatever the values") {
    Tensor x(DType::kF32, {2, 32});
    for (std::int64_t i = 0; i < 64; ++i) x.set(i, 0.1f * static_cast<float>(i % 13) - 0.6f);
    x.set(3, std::numeric_limits<float>::quiet_NaN());
    x.set(40, -std::numeric_limits<float>::infinity());
    for (const char* spec : {"mxfp4:floor", "mxfp4:rceil:sr:seed=3"}) {
      core::QuantizeOptions opt;
      opt.recipe = core::parse_recipe(spec);
      const core::QuantizedTensor q = core::quantize(x.view(), opt);
      for (std::int64_t r = 0; r < 2; ++r) {
        CHECK(q.block_scale(r, 0).code == 0xFF);
        for (std::int64_t c = 0; c < 32; ++c) CHECK(q.code(r, c) == formats::kMxNanBlockCode);
      }
      for (const float v : core::dequantize(q).to_floats()) CHECK(std::isnan(v));
    }
  }
}
