// The FORMATS.md §9 recipes through core: spec strings (every name, defaults, errors), whole-
// tensor quantize -> dequantize against fake_quantize (one code per byte for 3/6/8-bit codes,
// padding, both scale layouts, bs=8), the quantized file's format version, and version-1 files
// written before the field existed (data/golden/quantized_v1_*).
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/io/quantized_file.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "core/tensor.hpp"
#include "tests/core/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace fp4lab;
using namespace fp4lab::core;
using formats::BlockFormat;

/// Every §9 spec name, as the README's grammar table lists them.
const char* const kFamilySpecs[] = {"nvfp6:e2m3", "nvfp6:e3m2", "mxfp6:e2m3", "mxfp6:e3m2", "mxfp8:e4m3",
                                    "mxfp8:e5m2", "nvfp3",      "mxfp3",      "nvint3",     "nvint6",
                                    "if4",        "if3",        "if6:e2m3",   "if6:e3m2"};

std::string golden(const std::string& name) {
  if (const char* d = std::getenv("FP4LAB_DATA_DIR")) return (fs::path(d) / "golden" / name).string();
  return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "data" / "golden" / name).string();
}

/// A deterministic tensor with both signs, a wide spread and a few exact ties.
Tensor spread(std::int64_t rows, std::int64_t cols) {
  Tensor t(DType::kF32, {rows, cols});
  for (std::int64_t i = 0; i < rows * cols; ++i) {
    const float base = static_cast<float>((i * 37) % 101 - 50) / 8.0f;
    t.set(i, (i % 13 == 0) ? base * 1000.0f : base * std::ldexp(1.0f, static_cast<int>(i % 9) - 4));
  }
  return t;
}

std::uint32_t bits_of(float v) {
  std::uint32_t u;
  std::memcpy(&u, &v, 4);
  return u;
}

}  // namespace

TEST_SUITE("core.block_family") {
  TEST_CASE("every §9 name parses with its defaults and prints back canonically") {
    for (const char* spec : kFamilySpecs) {
      CAPTURE(spec);
      const formats::Recipe r = parse_recipe(spec);
      CHECK(formats::is_family_format(r.format));
      CHECK(std::string(formats::format_traits(r.format).name) == spec);
      CHECK(r.block_size == formats::default_block_size(r.format));
      CHECK(r.mx == formats::MxScaleMode::kFloor);
      CHECK(r.rule == formats::FourSixRule::kMse);
      const std::string canonical = recipe_to_spec(r);
      CHECK(recipes_equal(parse_recipe(canonical), r));
      const formats::Recipe bs8 = parse_recipe(std::string(spec) + ":bs=8");
      CHECK(bs8.block_size == 8);
    }
    CHECK(recipe_to_spec(parse_recipe("if4")) == "if4:mse:bs=16");
    CHECK(recipe_to_spec(parse_recipe("if6:e3m2:abs_max:bs=8")) == "if6:e3m2:abs_max:bs=8");
    CHECK(recipe_to_spec(parse_recipe("mxfp6:e2m3")) == "mxfp6:e2m3:floor:bs=32");
    CHECK(recipe_to_spec(parse_recipe("mxfp8:e5m2:rceil")) == "mxfp8:e5m2:rceil:bs=32");
    CHECK(recipe_to_spec(parse_recipe("nvint6")) == "nvint6:bs=16");
    CHECK(parse_recipe("if3:mae").rule == formats::FourSixRule::kMae);
    CHECK(recipe_title(parse_recipe("if4:mae:bs=8")) == "IF4 mae bs=8");
  }

  TEST_CASE("§9 spec errors name the token") {
    auto message = [](const char* spec) {
      try {
        parse_recipe(spec);
      } catch (const RecipeSpecError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    CHECK(message("nvfp6").find("token 1 'nvfp6' needs an element type; accepted: nvfp6:e2m3, nvfp6:e3m2") !=
          std::string::npos);
    CHECK(message("if6:e4m3").find("is not followed by one of its element types") != std::string::npos);
    CHECK(message("if4:floor").find("token 2 'floor' is not an IF selection rule") != std::string::npos);
    CHECK(message("mxfp8:e4m3:mse").find("token 3 'mse' is not an MXFP8 E4M3 scale mode") != std::string::npos);
    CHECK(message("nvfp3:sr").find("token 2 'sr' is not offered for NVFP3") != std::string::npos);
    CHECK(message("if4:mse:static_6").find("is an NVFP4 recipe, but the format is IF4") != std::string::npos);
  }

  TEST_CASE("quantize -> dequantize equals fake_quantize bit for bit, codes one per byte for 3/6/8 bits") {
    const Tensor x = spread(5, 70);  // 70: padding at every block size
    for (const char* spec : kFamilySpecs) {
      for (const char* bs : {"", ":bs=8"}) {
        for (const formats::ScaleLayout layout : {formats::ScaleLayout::kRowMajor, formats::ScaleLayout::kSwizzled128x4}) {
          const std::string full = std::string(spec) + bs;
          CAPTURE(full);
          QuantizeOptions o;
          o.recipe = parse_recipe(full);
          o.layout = layout;
          o.keep_records = true;
          Tensor direct;
          const QuantizedTensor q = quantize_and_dequantize(x.view(), o, &direct);
          const int per_byte = formats::format_traits(o.recipe.format).codes_per_byte;
          CHECK(q.codes.size() == static_cast<std::size_t>(q.rows * q.padded_cols / per_byte));
          const Tensor back = dequantize(q);
          std::vector<formats::BlockRecord> records;
          const Tensor fake = fake_quantize(x.view(), o.recipe, DType::kF32, 0, &records);
          int differ = 0;
          for (std::int64_t i = 0; i < x.numel(); ++i) {
            differ += bits_of(back.at(i)) != bits_of(fake.at(i));
            differ += bits_of(direct.at(i)) != bits_of(fake.at(i));
            differ += std::isnan(fake.at(i));
          }
          CHECK(differ == 0);
          REQUIRE(records.size() == q.records.size());
          int int_blocks = 0;
          for (std::size_t k = 0; k < records.size(); ++k) {
            CHECK(records[k].scale.code == q.records[k].scale.code);
            int_blocks += q.records[k].chose_int;
            CHECK((q.records[k].chose_int == 1) == (q.records[k].scale.code >= 128 &&
                                                      formats::family_traits(o.recipe.format).style ==
                                                          formats::ScaleStyle::kIntFloat));
          }
          if (formats::family_traits(o.recipe.format).style != formats::ScaleStyle::kIntFloat) CHECK(int_blocks == 0);
          // code() reads the stored layout: 6-bit codes survive whole
          if (per_byte == 1) CHECK(q.code(0, 1) == q.codes[1]);
        }
      }
    }
  }

  TEST_CASE("quantized files: §9 recipes round trip at format version 2") {
    fp4lab::testing::TempDir dir;
    const Tensor x = spread(3, 40);
    for (const char* spec : kFamilySpecs) {
      CAPTURE(spec);
      QuantizeOptions o;
      o.recipe = parse_recipe(spec);
      const QuantizedTensor q = quantize(x.view(), o);
      const QuantizedOutput out[1] = {{"t", DType::kF32, &q, tensor_amax(x.view(), o.recipe)}};
      const std::string path = dir.file("q.safetensors");
      write_quantized(path, out);
      const QuantizedFile f = read_quantized(path);
      CHECK(f.format_version == 2);
      CHECK(f.file.metadata().at("fp4lab.format_version") == "2");
      REQUIRE(f.tensors.size() == 1);
      const QuantizedTensor back = f.tensors[0].slice_rows(0, 3);
      CHECK(back.codes == q.codes);
      CHECK(back.scales == q.scales);
      const Tensor a = dequantize(q), b = dequantize(back);
      for (std::int64_t i = 0; i < x.numel(); ++i) CHECK(bits_of(a.at(i)) == bits_of(b.at(i)));
    }
  }

  TEST_CASE("version-1 files written before the field existed still read and decode the same") {
    struct Golden {
      const char* file;
      const char* spec;
    };
    for (const Golden g : {Golden{"quantized_v1_nvfp4_4over6.safetensors", "nvfp4:4over6:mse"},
                           Golden{"quantized_v1_mxfp4_swizzled.safetensors", "mxfp4"}}) {
      CAPTURE(g.file);
      const QuantizedFile f = read_quantized(golden(g.file));
      CHECK(f.format_version == 1);
      CHECK(f.file.metadata().count("fp4lab.format_version") == 0);
      REQUIRE(f.tensors.size() == 2);
      // the inputs of the generator: ((i * 37) % 101 - 50) / 8 in shapes [4, 40] and [3, 24]
      for (const StoredQuantized& t : f.tensors) {
        Tensor x(DType::kF32, t.shape);
        for (std::int64_t i = 0; i < x.numel(); ++i) x.set(i, static_cast<float>((i * 37) % 101 - 50) / 8.0f);
        const Tensor want = fake_quantize(x.view(), parse_recipe(g.spec));
        const Tensor got = dequantize(t.slice_rows(0, t.plan.rows));
        for (std::int64_t i = 0; i < x.numel(); ++i) CHECK(bits_of(got.at(i)) == bits_of(want.at(i)));
      }
    }
  }
}
