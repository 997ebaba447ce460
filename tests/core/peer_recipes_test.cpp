// The recipe options that reproduce a peer by name (README "Semantics"): their spec tokens,
// and whole tensors where they change the result: 4/6 sum=seq|pairs|tree, torchao's
// torch_cuda tensor scale, torchao_1level.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"

namespace {

using namespace fp4lab;
using core::DType;
using core::Tensor;
using formats::Recipe;
using formats::SumOrder;

Tensor row(const std::vector<float>& v) {
  return Tensor::from_floats(v, DType::kF32, {1, static_cast<std::int64_t>(v.size())});
}

}  // namespace

TEST_SUITE("core.peer_recipes") {
  TEST_CASE("sum=, torchao_1level and torch_cuda parse, print canonically and title") {
    const Recipe tree = core::parse_recipe("nvfp4:4over6:sum=tree");
    CHECK(tree.sum == SumOrder::kTree);
    CHECK(core::recipe_to_spec(tree) == "nvfp4:4over6:mse:bs=16:sum=tree");
    CHECK(core::recipe_title(tree) == "NVFP4 4/6 (MSE) sum=tree");
    CHECK(core::parse_recipe("nvfp4:static_6:sum=pairs").sum == SumOrder::kPairs);
    CHECK(core::recipe_to_spec(core::parse_recipe("nvfp4:4over6:mae:sum=seq")) == "nvfp4:4over6:mae:bs=16");
    const Recipe one = core::parse_recipe("nvfp4:torchao_1level");
    CHECK(one.nv == formats::NvRecipe::kTorchao);
    CHECK(one.levels == formats::ScaleLevels::kOne);
    CHECK(core::recipe_to_spec(one) == "nvfp4:torchao_1level:bs=16");
    CHECK(core::recipe_title(one) == "NVFP4 torchao single-level");
    const Recipe cuda = core::parse_recipe("nvfp4:torchao:torch_cuda");
    CHECK(cuda.const_div == formats::ConstDivision::kReciprocal);
    CHECK(core::recipe_to_spec(cuda) == "nvfp4:torchao:bs=16:torch_cuda");
    CHECK(core::recipe_title(cuda) == "NVFP4 torchao (torch CUDA)");
    CHECK(core::recipes_equal(core::parse_recipe(core::recipe_to_spec(cuda)), cuda));
    CHECK(core::parse_recipe("nvfp4:torchao_1level:torch_cuda").const_div == formats::ConstDivision::kReciprocal);
    CHECK(!core::recipes_equal(core::parse_recipe("nvfp4:4over6:sum=pairs"), core::parse_recipe("nvfp4:4over6")));
    // the IF formats take the same orders (their INT/FP error sums)
    const Recipe if_tree = core::parse_recipe("if6:e2m3:mae:sum=tree");
    CHECK(if_tree.sum == SumOrder::kTree);
    CHECK(core::recipe_to_spec(if_tree) == "if6:e2m3:mae:bs=16:sum=tree");
    CHECK(core::recipes_equal(core::parse_recipe(core::recipe_to_spec(if_tree)), if_tree));
    CHECK(core::parse_recipe("if4:sum=pairs").sum == SumOrder::kPairs);
  }

  TEST_CASE("the new tokens are refused where they do not apply, with the reason") {
    CHECK_THROWS_WITH_AS(core::parse_recipe("nvfp4:te:sum=tree"),
                         doctest::Contains("token 3 'sum=tree' applies only to the NVFP4 4/6 recipes"),
                         core::RecipeSpecError);
    CHECK_THROWS_WITH_AS(core::parse_recipe("nvfp4:4over6:sum=halves"),
                         doctest::Contains("'sum=halves' is not a summation order; accepted: sum=seq, sum=pairs or sum=tree"),
                         core::RecipeSpecError);
    CHECK_THROWS_WITH_AS(core::parse_recipe("nvfp4:4over6:sum=seq:sum=tree"),
                         doctest::Contains("conflicts with token 3 'sum=seq'"), core::RecipeSpecError);
    CHECK_THROWS_WITH_AS(core::parse_recipe("nvfp4:te:torch_cuda"),
                         doctest::Contains("applies only to the NVFP4 torchao recipes (torchao, torchao_1level)"),
                         core::RecipeSpecError);
    CHECK_THROWS_AS(core::parse_recipe("mxfp4:sum=tree"), core::RecipeSpecError);
    CHECK_THROWS_WITH_AS(core::parse_recipe("nvfp6:e2m3:sum=tree"),
                         doctest::Contains("applies only to the NVFP4 4/6 recipes (4over6, static_6, static_4) and the IF formats"),
                         core::RecipeSpecError);
    CHECK_THROWS_AS(core::parse_recipe("nvfp4:4over6:torch_cuda"), core::RecipeSpecError);
  }

  TEST_CASE("a whole tensor with a near-tie block: the order decides its candidate") {
    // seq picks M=4 where pairs and tree pick M=6 (tests/formats/peer_semantics_test.cpp)
    const std::vector<float> block = {
        0x1p+0f,       0x1.5f9dc4p-1f, 0x1.1e3914p-1f,  0x1.dba5bp-3f,  -0x1.e8843ap-1f, -0x1.b42994p-2f,
        0x1.3e1b7p-3f, -0x1.0e00fcp-2f, -0x1.fe5184p-1f, 0x1.8706fp-2f,  0x1.fb018p-6f,   0x1.43c174p-1f,
        0x1.1e4cfp-2f, 0x1.b3dbe4p-1f, 0x1.f14788p-1f,  -0x1.fa2096p-1f};
    const Tensor x = row(block);
    int chosen[3] = {};
    for (int o = 0; o < 3; ++o) {
      core::QuantizeOptions opt;
      opt.recipe = core::parse_recipe(o == 0 ? "nvfp4:4over6" : (o == 1 ? "nvfp4:4over6:sum=pairs" : "nvfp4:4over6:sum=tree"));
      opt.keep_records = true;
      opt.threads = 1;
      const core::QuantizedTensor q = core::quantize(x.view(), opt);
      REQUIRE(q.records.size() == 1);
      chosen[o] = q.records[0].chosen_max;
      // the fake-quantized path makes the same choice
      std::vector<formats::BlockRecord> recs;
      (void)core::fake_quantize(x.view(), opt.recipe, DType::kF32, 1, &recs);
      CHECK(recs.at(0).chosen_max == chosen[o]);
    }
    CHECK(chosen[0] == 4);
    CHECK(chosen[1] == 6);
    CHECK(chosen[2] == 6);
  }

  TEST_CASE("torchao on CPU vs torch_cuda: a tensor whose tensor scale and one block scale differ") {
    // amax = 1 + 2^-23 in block 0; block 1 has bmax 0x1.5b6db8p-7, whose scale code moves
    std::vector<float> v(32, 0.0f);
    v[0] = 0x1.000002p+0f;
    v[16] = 0x1.5b6db8p-7f;
    v[17] = -0.001f;
    const Tensor x = row(v);
    core::QuantizeOptions cpu, cuda;
    cpu.recipe = core::parse_recipe("nvfp4:torchao");
    cuda.recipe = core::parse_recipe("nvfp4:torchao:torch_cuda");
    const core::QuantizedTensor a = core::quantize(x.view(), cpu), b = core::quantize(x.view(), cuda);
    CHECK(a.tensor_scale.decode == 0x1.861864p-12f);  // amax / 2688
    CHECK(b.tensor_scale.decode == 0x1.861866p-12f);  // amax * float(1/2688): one ulp more
    CHECK(a.scales.at(0) == b.scales.at(0));
    CHECK(a.scales.at(1) == 0x4A);
    CHECK(b.scales.at(1) == 0x49);
  }

  TEST_CASE("torchao_1level stores tensor scale 1 and decodes code * block scale") {
    std::vector<float> v(16, 0.0f);
    v[0] = 288.0f;  // bmax/6 = 48 (an E4M3 value): a block scale no tensor scale rescales
    v[1] = -24.0f;
    const Tensor x = row(v);
    core::QuantizeOptions opt;
    opt.recipe = core::parse_recipe("nvfp4:torchao_1level");
    const core::QuantizedTensor q = core::quantize(x.view(), opt);
    CHECK(q.tensor_scale.decode == 1.0f);
    CHECK(q.scales.at(0) == formats::ue4m3::from(48.0f).bits);
    const Tensor d = core::dequantize(q);
    CHECK(d.at(0) == 288.0f);  // 6 * 48
    CHECK(d.at(1) == -24.0f);  // -0.5 * 48
    const Tensor f = core::fake_quantize(x.view(), opt.recipe);
    for (int i = 0; i < 16; ++i) CHECK(f.at(i) == d.at(i));
  }
}
