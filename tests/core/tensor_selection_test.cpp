// Tests of core/io/tensor_selection (which tensors `fp4lab quantize` quantizes, with which recipe)
// and of quantized files with per-tensor recipes and pass-through tensors (format version 3).
#include "core/io/tensor_selection.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "core/tensor.hpp"
#include "tests/core/temp_dir.hpp"

namespace {

using namespace fp4lab;
using namespace fp4lab::core;
using fp4lab::testing::TempDir;

const std::vector<std::int64_t> kMatrix = {64, 64};
const std::vector<std::int64_t> kVector = {64};

/// The decision's recipe as a spec, "pass: REASON" when passed through.
std::string outcome(std::string_view name, const std::vector<std::int64_t>& shape, const SelectionRules& rules,
                    const RecipeMap& map = {}, bool is_float = true) {
  const TensorDecision d = decide_tensor(name, shape, is_float, rules, map, parse_recipe("nvfp4:te"));
  return d.quantize ? recipe_to_spec(*d.recipe) : "pass: " + d.reason;
}

std::string error_of(std::string_view json) {
  try {
    parse_recipe_map(json, "map.json");
  } catch (const std::invalid_argument& ex) {
    return ex.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("core.tensor_selection") {
  TEST_CASE("the default exclusions cover Hugging Face and GGUF names and tensors of rank <= 1") {
    const SelectionRules rules;
    for (const char* name : {"model.layers.0.input_layernorm.weight", "model.norm.weight", "blk.3.attn_norm.weight",
                             "blk.3.ffn_norm.weight", "output_norm.weight", "model.layers.0.self_attn.q_proj.bias",
                             "model.embed_tokens.weight", "lm_head.weight", "token_embd.weight", "output.weight"}) {
      CAPTURE(name);
      CHECK(outcome(name, kMatrix, rules).rfind("pass: default exclusion", 0) == 0);
    }
    CHECK(outcome("blk.0.attn_q.weight", kVector, rules) == "pass: default exclusion: rank 1");
    CHECK(outcome("model.layers.0.mlp.down_proj.weight", kMatrix, rules) == "nvfp4:te:bs=16");
    CHECK(outcome("blk.0.ffn_down.weight", kMatrix, rules) == "nvfp4:te:bs=16");
    CHECK(outcome("blk.0.ffn_down.weight", kMatrix, rules, {}, false) == "pass: not float data");
  }

  TEST_CASE("include overrides the default exclusions, an explicit exclude wins over include") {
    SelectionRules rules;
    rules.include = {"token_embd.*", "*norm*"};
    CHECK(outcome("token_embd.weight", kMatrix, rules) == "nvfp4:te:bs=16");
    CHECK(outcome("output_norm.weight", kVector, rules) == "nvfp4:te:bs=16");
    rules.exclude = {"*norm*"};
    CHECK(outcome("output_norm.weight", kVector, rules) == "pass: --exclude *norm*");
    CHECK(outcome("blk.0.attn_q.weight", kMatrix, rules) == "nvfp4:te:bs=16");
  }

  TEST_CASE("--tensors quantizes only what it matches, defaults overridden") {
    SelectionRules rules;
    rules.only = {"blk.*.attn_*"};
    CHECK(outcome("blk.0.attn_q.weight", kMatrix, rules) == "nvfp4:te:bs=16");
    CHECK(outcome("blk.0.attn_norm.weight", kVector, rules) == "nvfp4:te:bs=16");
    CHECK(outcome("blk.0.ffn_up.weight", kMatrix, rules) == "pass: not matched by --tensors");
  }

  TEST_CASE("a recipe map: the first matching rule wins, then the default; skip passes through") {
    const RecipeMap map = parse_recipe_map(R"({"default": "mxfp4", "rules": [
        {"match": "blk.*.ffn_down.weight", "recipe": "nvfp4:4over6:mse"},
        {"match": "*ffn_down*", "recipe": "nvint4"},
        {"match": "*attn_v*", "recipe": "skip"}]})",
                                           "map.json");
    const SelectionRules rules;
    CHECK(outcome("blk.1.ffn_down.weight", kMatrix, rules, map) == "nvfp4:4over6:mse:bs=16");
    CHECK(outcome("x.ffn_down", kMatrix, rules, map) == recipe_to_spec(parse_recipe("nvint4")));
    CHECK(outcome("blk.1.attn_v.weight", kMatrix, rules, map) == "pass: recipe map: skip (*attn_v*)");
    CHECK(outcome("blk.1.attn_q.weight", kMatrix, rules, map) == recipe_to_spec(parse_recipe("mxfp4")));
    CHECK(outcome("blk.1.attn_norm.weight", kVector, rules, map) == "pass: default exclusion *norm*");
    const RecipeMap skip_all = parse_recipe_map(R"({"default": "skip"})", "m");
    CHECK(outcome("blk.1.attn_q.weight", kMatrix, rules, skip_all) == "pass: recipe map: default skip");
  }

  TEST_CASE("bad recipe maps name the problem") {
    CHECK(error_of("{\"default\": \"nvfp4:te\",").find("map.json: not valid JSON") == 0);
    CHECK(error_of(R"({"defualt": "nvfp4:te"})").find("unknown key 'defualt' (accepted: default, rules)") !=
          std::string::npos);
    CHECK(error_of(R"({"rules": [{"match": "*", "recipe": "nvfp4:te", "why": 1}]})")
              .find("rules[0]: unknown key 'why'") != std::string::npos);
    CHECK(error_of(R"({"rules": [{"match": "*", "recipe": "nvfp9"}]})").find("rules[0].recipe 'nvfp9' is not a recipe") !=
          std::string::npos);
    CHECK(error_of(R"({"rules": [{"recipe": "nvfp4"}]})").find("rules[0] needs \"match\"") != std::string::npos);
    CHECK(error_of(R"({"default": 4})").find("\"default\" must be a string") != std::string::npos);
    CHECK(error_of(R"([1, 2])").find("a recipe map is a JSON object") != std::string::npos);
    CHECK(error_of(R"({"rules": {}})").find("\"rules\" must be a JSON array") != std::string::npos);
    CHECK_THROWS_AS(read_recipe_map("/nonexistent/map.json"), std::invalid_argument);
  }

  TEST_CASE("unmatched patterns are listed in order") {
    const std::vector<std::string> names = {"a.weight", "b.bias"};
    const std::vector<std::string> patterns = {"z*", "*.bias", "q"};
    CHECK(unmatched_patterns(patterns, names) == std::vector<std::string>{"z*", "q"});
  }
}

TEST_SUITE("core.quantized_file") {
  TEST_CASE("per-tensor recipes and pass-through tensors round trip (format version 3)") {
    TempDir dir;
    std::vector<float> w(64 * 32);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::sin(0.37f * float(i)) * float(1 + i % 7);
    const Tensor x = Tensor::from_floats(w, DType::kF32, {64, 32});
    const formats::Recipe te = parse_recipe("nvfp4:te"), mx = parse_recipe("mxfp4");
    const std::vector<QuantizedInput> inputs = {{"a", {64, 32}, DType::kF32, -1, te, std::nullopt},
                                                {"b", {64, 32}, DType::kF32, 0, mx, std::nullopt}};
    const std::vector<std::int64_t> ids = {7, -3, 1 << 20};
    std::vector<std::uint8_t> id_bytes(ids.size() * 8);
    std::memcpy(id_bytes.data(), ids.data(), id_bytes.size());
    const std::vector<PassThroughInput> pass = {{"ids", "I64", {3}, "not float data; stored as I64"}};
    const std::string path = dir.file("q.safetensors");
    {
      const QuantizedTensor qa = quantize(x.view(), QuantizeOptions{te});
      QuantizedWriter wr(path, te, formats::ScaleLayout::kRowMajor, inputs, TileScales::kPerRow, pass);
      wr.write(0, qa, qa.tensor_scale.amax);
      wr.write(1, quantize(x.view(), QuantizeOptions{mx, formats::ScaleLayout::kRowMajor, 0, false, 0}), 0);
      wr.write_passthrough(0, id_bytes);
      wr.commit();
    }
    const QuantizedFile f = read_quantized(path);
    CHECK(f.format_version == 3);
    REQUIRE(f.tensors.size() == 2);
    CHECK(f.tensors[0].spec == recipe_to_spec(te));
    CHECK(f.tensors[1].spec == recipe_to_spec(mx));
    CHECK(f.tensors[1].block_axis == 0);
    CHECK(std::stod(f.file.metadata().at("a.bits_per_value")) ==
          doctest::Approx(quantized_sizes(te, formats::ScaleLayout::kRowMajor, 64, 32).bits_per_value()));
    REQUIRE(f.passthrough.size() == 1);
    CHECK(f.passthrough[0].name == "ids");
    CHECK(f.passthrough[0].dtype == "I64");
    CHECK(f.passthrough[0].note == "not float data; stored as I64");
    CHECK(std::vector<std::uint8_t>(f.passthrough[0].bytes.begin(), f.passthrough[0].bytes.end()) == id_bytes);
    CHECK(f.file.metadata().at("ids.bits_per_value") == "64");
    // the dequantized values equal fake quantization under each tensor's own recipe
    CHECK(dequantize(f.tensors[0].whole(), DType::kF32).to_floats() == fake_quantize(x.view(), te).to_floats());
    CHECK(dequantize(f.tensors[1].whole(), DType::kF32).to_floats() ==
          fake_quantize(x.view(), mx, DType::kF32, 0, nullptr, 0).to_floats());
  }
}
