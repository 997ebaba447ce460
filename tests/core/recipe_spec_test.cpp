// Tests of the recipe spec strings (core/recipe_spec.hpp): every accepted form, canonical
// strings, a round trip over a systematic enumeration of recipes, and every kind of bad input.
#include "core/recipe_spec.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace fp4lab::formats;
using fp4lab::core::parse_recipe;
using fp4lab::core::recipe_title;
using fp4lab::core::recipe_to_spec;
using fp4lab::core::recipes_equal;
using fp4lab::core::RecipeSpecError;

/// A recipe as parse_recipe builds it: defaults everywhere, the format's block size.
Recipe base(BlockFormat f) {
  Recipe r;
  r.format = f;
  r.block_size = default_block_size(f);
  return r;
}

Recipe nv(NvRecipe n, FourSixRule rule = FourSixRule::kMse) {
  Recipe r = base(BlockFormat::kNVFP4);
  r.nv = n;
  r.rule = rule;
  return r;
}

Recipe mx(MxScaleMode m) {
  Recipe r = base(BlockFormat::kMXFP4);
  r.mx = m;
  return r;
}

Recipe int4(int group, Int4Scheme scheme = Int4Scheme::kSymmetric,
            ScaleDtype dtype = ScaleDtype::kFP32) {
  Recipe r = base(BlockFormat::kINT4);
  r.block_size = group;
  r.int4 = scheme;
  r.int4_scale = dtype;
  return r;
}

/// Checks that `spec` parses to `want` (on failure doctest prints both specs).
void check_parses_to(const std::string& spec, const Recipe& want) {
  CAPTURE(spec);
  Recipe got;
  REQUIRE_NOTHROW(got = parse_recipe(spec));
  const std::string got_spec = recipe_to_spec(got);
  const std::string want_spec = recipe_to_spec(want);
  CAPTURE(got_spec);
  CAPTURE(want_spec);
  CHECK(recipes_equal(got, want));
}

/// The message of the RecipeSpecError that parsing `spec` throws ("" and a failed check if none).
std::string error_of(const std::string& spec) {
  try {
    (void)parse_recipe(spec);
  } catch (const RecipeSpecError& e) {
    return e.what();
  }
  FAIL_CHECK("no RecipeSpecError for '" << spec << "'");
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("core.recipe_spec") {
  TEST_CASE("every accepted NVFP4 form parses to its recipe, rule and defaults") {
    check_parses_to("nvfp4", nv(NvRecipe::kTe));
    check_parses_to("nvfp4:te", nv(NvRecipe::kTe));
    check_parses_to("nvfp4:modelopt", nv(NvRecipe::kModelopt));
    check_parses_to("nvfp4:torchao", nv(NvRecipe::kTorchao));
    check_parses_to("nvfp4:4over6", nv(NvRecipe::kFourOverSix, FourSixRule::kMse));
    check_parses_to("nvfp4:4over6:mse", nv(NvRecipe::kFourOverSix, FourSixRule::kMse));
    check_parses_to("nvfp4:4over6:mae", nv(NvRecipe::kFourOverSix, FourSixRule::kMae));
    check_parses_to("nvfp4:4over6:abs_max", nv(NvRecipe::kFourOverSix, FourSixRule::kAbsMax));
    check_parses_to("nvfp4:static_6", nv(NvRecipe::kFourOverSix, FourSixRule::kStatic6));
    check_parses_to("nvfp4:static_4", nv(NvRecipe::kFourOverSix, FourSixRule::kStatic4));
    CHECK(parse_recipe("nvfp4").block_size == 16);
  }

  TEST_CASE("every accepted MXFP4, NVINT4 and INT4 form parses to its fields") {
    check_parses_to("mxfp4", mx(MxScaleMode::kFloor));
    check_parses_to("mxfp4:floor", mx(MxScaleMode::kFloor));
    check_parses_to("mxfp4:ceil", mx(MxScaleMode::kCeil));
    check_parses_to("mxfp4:even", mx(MxScaleMode::kEven));
    check_parses_to("mxfp4:rceil", mx(MxScaleMode::kRceil));
    CHECK(parse_recipe("mxfp4").block_size == 32);
    check_parses_to("nvint4", base(BlockFormat::kNVINT4));
    CHECK(parse_recipe("nvint4").block_size == 16);

    check_parses_to("int4", int4(128));
    check_parses_to("int4:g32", int4(32));
    check_parses_to("int4:g64", int4(64));
    check_parses_to("int4:g128", int4(128));
    check_parses_to("int4:g8", int4(8));
    check_parses_to("int4:g32:sym", int4(32));
    check_parses_to("int4:g32:asym", int4(32, Int4Scheme::kAsymmetric));
    check_parses_to("int4:g128:asym:fp16", int4(128, Int4Scheme::kAsymmetric, ScaleDtype::kFP16));
    check_parses_to("int4:g64:sym:bf16", int4(64, Int4Scheme::kSymmetric, ScaleDtype::kBF16));
    check_parses_to("int4:g64:sym:fp32", int4(64));
    // int4's own tokens are unambiguous, so they may come in any order and be left out
    check_parses_to("int4:asym", int4(128, Int4Scheme::kAsymmetric));
    check_parses_to("int4:fp16", int4(128, Int4Scheme::kSymmetric, ScaleDtype::kFP16));
    check_parses_to("int4:bf16:asym:g32", int4(32, Int4Scheme::kAsymmetric, ScaleDtype::kBF16));
    check_parses_to("int4:bs=64", int4(64));
    check_parses_to("int4:g64:bs=64", int4(64));
  }

  TEST_CASE("options set their fields in any order after the format's own tokens") {
    Recipe want = nv(NvRecipe::kFourOverSix, FourSixRule::kMae);
    want.block_size = 32;
    want.shape = BlockShape::k2D;
    want.transform = Transform::kRht16;
    want.rounding = ElementRounding::kStochastic;
    want.seed = 7;
    want.overflow = Fp4Overflow::kReferenceUnclamped;
    check_parses_to("nvfp4:4over6:mae:bs=32:2d:rht:sr:seed=7:ref_unclamped", want);
    check_parses_to("nvfp4:4over6:mae:ref_unclamped:seed=7:sr:rht:2d:bs=32", want);
    check_parses_to("nvfp4:4over6:mae:seed=7:2d:ref_unclamped:bs=32:sr:rht", want);

    // a recipe token may be left out: the options then follow the format directly
    Recipe te = nv(NvRecipe::kTe);
    te.shape = BlockShape::k2D;
    check_parses_to("nvfp4:2d", te);
    Recipe fos = nv(NvRecipe::kFourOverSix);
    fos.overflow = Fp4Overflow::kReferenceUnclamped;
    check_parses_to("nvfp4:4over6:ref_unclamped", fos);
    Recipe st = nv(NvRecipe::kFourOverSix, FourSixRule::kStatic4);
    st.overflow = Fp4Overflow::kReferenceUnclamped;
    check_parses_to("nvfp4:static_4:ref_unclamped", st);

    Recipe mxr = mx(MxScaleMode::kFloor);
    mxr.block_size = 64;
    mxr.rounding = ElementRounding::kStochasticUnbiased;
    mxr.seed = std::numeric_limits<std::uint64_t>::max();
    check_parses_to("mxfp4:bs=64:sr_unbiased:seed=18446744073709551615", mxr);

    Recipe ni = base(BlockFormat::kNVINT4);
    ni.block_size = 8;
    ni.rounding = ElementRounding::kStochastic;
    check_parses_to("nvint4:bs=8:sr", ni);  // seed defaults to 0

    Recipe i4 = int4(32, Int4Scheme::kAsymmetric, ScaleDtype::kFP16);
    i4.shape = BlockShape::k2D;
    i4.transform = Transform::kRht16;
    check_parses_to("int4:rht:fp16:2d:asym:g32", i4);

    // repeating a token with the same meaning is harmless; leading zeros are decimal
    check_parses_to("nvfp4:te:2d:2d:bs=16:bs=16", te);
    Recipe bs8 = nv(NvRecipe::kTe);
    bs8.block_size = 8;
    check_parses_to("nvfp4:bs=008", bs8);
    check_parses_to("int4:g32:bs=32:g32", int4(32));
  }

  TEST_CASE("canonical specs are fully explicit and stable") {
    const std::pair<const char*, const char*> cases[] = {
        {"nvfp4", "nvfp4:te:bs=16"},
        {"nvfp4:modelopt", "nvfp4:modelopt:bs=16"},
        {"nvfp4:torchao:bs=32", "nvfp4:torchao:bs=32"},
        {"nvfp4:4over6", "nvfp4:4over6:mse:bs=16"},
        {"nvfp4:4over6:abs_max", "nvfp4:4over6:abs_max:bs=16"},
        {"nvfp4:static_6", "nvfp4:static_6:bs=16"},
        {"nvfp4:static_4:ref_unclamped", "nvfp4:static_4:bs=16:ref_unclamped"},
        {"if4:ref_unclamped", "if4:mse:bs=16:ref_unclamped"},
        {"nvfp4:4over6:seed=7:sr:rht:2d", "nvfp4:4over6:mse:bs=16:2d:rht:sr:seed=7"},
        {"nvfp4:te:sr", "nvfp4:te:bs=16:sr:seed=0"},
        {"mxfp4", "mxfp4:floor:bs=32"},
        {"mxfp4:rceil", "mxfp4:rceil:bs=32"},
        {"mxfp4:even:bs=16:sr_unbiased:seed=3", "mxfp4:even:bs=16:sr_unbiased:seed=3"},
        {"nvint4", "nvint4:bs=16"},
        {"int4", "int4:g128:sym:fp32"},
        {"int4:g128:asym:fp16", "int4:g128:asym:fp16"},
        {"int4:bs=32:bf16", "int4:g32:sym:bf16"},
        {"int4:g64:2d:sr:seed=1", "int4:g64:sym:fp32:2d:sr:seed=1"},
    };
    for (const auto& [in, canonical] : cases) {
      CAPTURE(in);
      CHECK(recipe_to_spec(parse_recipe(in)) == canonical);
      CHECK(recipe_to_spec(parse_recipe(canonical)) == canonical);
    }
    // the default Recipe{} is TE NVFP4 with 16-value blocks
    CHECK(recipe_to_spec(Recipe{}) == "nvfp4:te:bs=16");
  }

  TEST_CASE("the seed is printed only with stochastic rounding") {
    Recipe r = nv(NvRecipe::kTe);
    r.seed = 42;  // irrelevant under round-to-nearest: not printed, parses back as 0
    CHECK(recipe_to_spec(r) == "nvfp4:te:bs=16");
    CHECK(parse_recipe(recipe_to_spec(r)).seed == 0);
    r.rounding = ElementRounding::kStochastic;
    CHECK(recipe_to_spec(r) == "nvfp4:te:bs=16:sr:seed=42");
    CHECK(recipes_equal(parse_recipe(recipe_to_spec(r)), r));
  }

  TEST_CASE("every enumerated recipe round-trips through its canonical spec") {
    // Every format x recipe/rule/mode/scheme/dtype x block sizes x 1D/2D x RHT x rounding x
    // overflow (4/6 only), with fields that do not apply at their defaults.
    std::vector<Recipe> heads;
    for (const NvRecipe n : {NvRecipe::kTe, NvRecipe::kModelopt, NvRecipe::kTorchao}) {
      heads.push_back(nv(n));
    }
    for (const FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax,
                                   FourSixRule::kStatic6, FourSixRule::kStatic4}) {
      heads.push_back(nv(NvRecipe::kFourOverSix, rule));
    }
    for (const MxScaleMode m :
         {MxScaleMode::kFloor, MxScaleMode::kCeil, MxScaleMode::kEven, MxScaleMode::kRceil}) {
      heads.push_back(mx(m));
    }
    heads.push_back(base(BlockFormat::kNVINT4));
    for (const Int4Scheme s : {Int4Scheme::kSymmetric, Int4Scheme::kAsymmetric}) {
      for (const ScaleDtype d : {ScaleDtype::kFP32, ScaleDtype::kFP16, ScaleDtype::kBF16}) {
        heads.push_back(int4(128, s, d));
      }
    }
    REQUIRE(heads.size() == 19);

    std::set<std::string> specs;
    int count = 0;
    for (const Recipe& head : heads) {
      const bool fos = head.nv == NvRecipe::kFourOverSix && head.format == BlockFormat::kNVFP4;
      for (const int bs : {8, 10, 16, 24, 32, 48, 64, 126, 128}) {
        for (const BlockShape shape : {BlockShape::k1D, BlockShape::k2D}) {
          for (const Transform tr : {Transform::kNone, Transform::kRht16}) {
            if (tr == Transform::kRht16 && bs % 16 != 0) continue;
            for (int rd = 0; rd < 4; ++rd) {
              for (const Fp4Overflow ov :
                   {Fp4Overflow::kSaturate, Fp4Overflow::kReferenceUnclamped}) {
                if (ov == Fp4Overflow::kReferenceUnclamped && !fos) continue;
                Recipe r = head;
                r.block_size = bs;
                r.shape = shape;
                r.transform = tr;
                r.overflow = ov;
                // nearest; sr with seed 0; sr with 7; sr_unbiased with the largest seed
                r.rounding = rd == 0   ? ElementRounding::kNearestEven
                             : rd == 3 ? ElementRounding::kStochasticUnbiased
                                       : ElementRounding::kStochastic;
                r.seed = rd == 2 ? 7 : (rd == 3 ? std::numeric_limits<std::uint64_t>::max() : 0);
                const std::string spec = recipe_to_spec(r);
                CAPTURE(spec);
                Recipe back;
                REQUIRE_NOTHROW(back = parse_recipe(spec));
                CHECK(recipes_equal(back, r));
                CHECK(recipe_to_spec(back) == spec);
                CHECK(!recipe_title(r).empty());
                specs.insert(spec);
                ++count;
              }
            }
          }
        }
      }
    }
    // 19 heads (5 of them 4/6, doubled by ref_unclamped) x (9 sizes + 5 with RHT) x 2 shapes
    // x 4 roundings
    CHECK(count == (19 + 5) * (9 + 5) * 2 * 4);
    CHECK(specs.size() == static_cast<std::size_t>(count));  // distinct recipes, distinct specs
  }

  TEST_CASE("titles are short human labels") {
    CHECK(recipe_title(parse_recipe("nvfp4")) == "NVFP4 te");
    CHECK(recipe_title(parse_recipe("nvfp4:modelopt")) == "NVFP4 modelopt");
    CHECK(recipe_title(parse_recipe("nvfp4:4over6")) == "NVFP4 4/6 (MSE)");
    CHECK(recipe_title(parse_recipe("nvfp4:4over6:mae")) == "NVFP4 4/6 (MAE)");
    CHECK(recipe_title(parse_recipe("nvfp4:4over6:abs_max")) == "NVFP4 4/6 (abs max)");
    CHECK(recipe_title(parse_recipe("nvfp4:static_6")) == "NVFP4 4/6 static 6");
    CHECK(recipe_title(parse_recipe("mxfp4:rceil")) == "MXFP4 rceil");
    CHECK(recipe_title(parse_recipe("nvint4")) == "NVINT4");
    CHECK(recipe_title(parse_recipe("int4:g128:asym")) == "INT4 g128 asym");
    CHECK(recipe_title(parse_recipe("int4:g32:fp16")) == "INT4 g32 sym fp16");
    CHECK(recipe_title(parse_recipe("nvfp4:4over6:bs=32:2d:rht:sr_unbiased:seed=9")) ==
          "NVFP4 4/6 (MSE) bs=32 2D RHT SR unbiased");
    CHECK(recipe_title(parse_recipe("mxfp4:bs=32:sr")) == "MXFP4 floor SR");
  }

  TEST_CASE("recipes_equal notices a difference in any single field") {
    const Recipe a;
    CHECK(recipes_equal(a, a));
    std::vector<Recipe> changed(15, a);
    changed[0].format = BlockFormat::kMXFP4;
    changed[1].nv = NvRecipe::kTorchao;
    changed[2].rule = FourSixRule::kMae;
    changed[3].mx = MxScaleMode::kRceil;
    changed[4].int4 = Int4Scheme::kAsymmetric;
    changed[5].int4_scale = ScaleDtype::kBF16;
    changed[6].block_size = 32;
    changed[7].shape = BlockShape::k2D;
    changed[8].transform = Transform::kRht16;
    changed[9].rounding = ElementRounding::kStochastic;
    changed[10].overflow = Fp4Overflow::kReferenceUnclamped;
    changed[11].seed = 1;
    changed[12].sum = fp4lab::formats::SumOrder::kTree;
    changed[13].const_div = fp4lab::formats::ConstDivision::kReciprocal;
    changed[14].levels = fp4lab::formats::ScaleLevels::kOne;
    for (std::size_t i = 0; i < changed.size(); ++i) {
      CAPTURE(i);
      CHECK(!recipes_equal(a, changed[i]));
      CHECK(!recipes_equal(changed[i], a));
    }
  }

  TEST_CASE("the message of a bad recipe token quotes it, gives its position and the choices") {
    CHECK_THROWS_WITH_AS(
        parse_recipe("nvfp4:tee"),
        "bad recipe spec 'nvfp4:tee': token 2 'tee' is not an NVFP4 recipe; accepted: te, "
        "modelopt, torchao, torchao_1level, 4over6[:mse|mae|abs_max], static_6, static_4, or an "
        "option (bs=N, 2d, rht, sr, sr_unbiased, seed=N, ref_unclamped, sum=seq|pairs|tree)",
        RecipeSpecError);
    // RecipeSpecError is an std::invalid_argument, so generic handlers catch it
    CHECK_THROWS_AS(parse_recipe("bogus"), std::invalid_argument);
  }

  TEST_CASE("every kind of bad spec is rejected with a message naming the offending token") {
    struct Bad {
      const char* spec;
      const char* token;  // the quoted token and its position must appear in the message
      int position;
      const char* reason;  // a further part of the message
    };
    const Bad cases[] = {
        // formats and recipe/mode/rule tokens
        {"nvfp5", "nvfp5", 1, "is not a block format; accepted: nvfp4, mxfp4, nvint4, int4"},
        {"NVFP4", "NVFP4", 1, "lowercase"},
        {"nvfp4:TE", "TE", 2, "lowercase"},
        {"fp4", "fp4", 1, "not a block format"},
        {" nvfp4", " nvfp4", 1, "not a block format"},
        {"nvfp4:tee", "tee", 2, "not an NVFP4 recipe"},
        {"nvfp4:4over6:l1", "l1", 3, "not a 4/6 rule; accepted: mse, mae, abs_max"},
        {"nvfp4:static_6:mse", "mse", 3, "must directly follow 4over6"},
        {"nvfp4:te:mse", "mse", 3, "must directly follow nvfp4:4over6"},
        {"nvfp4:mse", "mse", 2, "not an NVFP4 recipe"},
        {"mxfp4:round", "round", 2, "not an MXFP4 scale mode; accepted: floor, ceil, even, rceil"},
        {"mxfp4:floor:ceil", "ceil", 3, "must be token 2"},
        {"mxfp4:te", "te", 2, "not an MXFP4 scale mode"},
        {"nvint4:te", "te", 2, "NVFP4 recipe, but the format is NVINT4"},
        {"nvint4:floor", "floor", 2, "MXFP4 scale mode, but the format is NVINT4"},
        {"nvfp4:te:modelopt", "modelopt", 3, "must be token 2"},
        {"nvfp4:te:nvfp4", "nvfp4", 3, "is a format"},
        {"int4:g32:nvint4", "nvint4", 3, "is a format"},
        {"int4:g32:floor", "floor", 3, "the format is INT4"},
        {"int4:sign", "sign", 2, "not an option of INT4; accepted: gN"},
        {"int4:g", "g", 2, "not an option of INT4"},
        {"nvfp4:te:asym", "asym", 3, "only to int4"},
        {"mxfp4:g32", "g32", 2, "not an MXFP4 scale mode"},
        {"mxfp4:floor:g32", "g32", 3, "only to int4"},
        {"nvint4:fp16", "fp16", 2, "only to int4"},
        {"nvfp4:te:rht16", "rht16", 3, "not an option of NVFP4"},
        {"nvfp4:te:2D", "2D", 3, "lowercase"},
        {"nvfp4:te:bs", "bs", 3, "not an option"},
        // empty specs and empty tokens
        {"nvfp4::te", "", 2, "is empty"},
        {"nvfp4:", "", 2, "is empty"},
        {":nvfp4", "", 1, "is empty"},
        {"nvfp4:te:", "", 3, "is empty"},
        {"nvfp4:4over6:", "", 3, "is empty"},
        {"int4:g32::asym", "", 3, "is empty"},
        {":", "", 1, "is empty"},
        // numbers
        {"nvfp4:bs=abc", "bs=abc", 2, "not a decimal number"},
        {"nvfp4:bs=", "bs=", 2, "no number after 'bs='"},
        {"nvfp4:bs=99999999999999999999", "bs=99999999999999999999", 2, "out of range"},
        {"nvfp4:bs=4294967312", "bs=4294967312", 2, "not even or not in [8, 128]"},
        {"nvfp4:bs=-16", "bs=-16", 2, "not a decimal number"},
        {"nvfp4:bs=+16", "bs=+16", 2, "not a decimal number"},
        {"nvfp4:bs=16 ", "bs=16 ", 2, "not a decimal number"},
        {"nvfp4:bs=0x10", "bs=0x10", 2, "not a decimal number"},
        {"nvfp4:bs=15", "bs=15", 2, "not even or not in [8, 128]; accepted: bs=N with N even"},
        {"nvfp4:bs=6", "bs=6", 2, "not even or not in [8, 128]"},
        {"nvfp4:bs=130", "bs=130", 2, "not even or not in [8, 128]"},
        {"nvfp4:bs=0", "bs=0", 2, "not even or not in [8, 128]"},
        {"int4:g33", "g33", 2, "accepted: gN or bs=N with N even in [8, 128]"},
        {"int4:g256", "g256", 2, "not even or not in [8, 128]"},
        {"int4:g32x", "g32x", 2, "not a decimal number"},
        {"nvfp4:sr:seed=-1", "seed=-1", 3, "not a decimal number"},
        {"nvfp4:sr:seed=", "seed=", 3, "no number after 'seed='"},
        {"nvfp4:sr:seed=1.5", "seed=1.5", 3, "not a decimal number"},
        {"nvfp4:sr:seed=18446744073709551616", "seed=18446744073709551616", 3, "out of range"},
        // conflicts
        {"nvfp4:bs=16:bs=32", "bs=32", 3, "conflicts with token 2 'bs=16'"},
        {"nvfp4:sr:sr_unbiased", "sr_unbiased", 3, "conflicts with token 2 'sr'"},
        {"nvfp4:sr:seed=1:seed=2", "seed=2", 4, "conflicts with token 3 'seed=1'"},
        {"int4:g32:bs=64", "bs=64", 3, "conflicts with token 2 'g32'"},
        {"int4:bs=64:g32", "g32", 3, "conflicts with token 2 'bs=64'"},
        {"int4:sym:asym", "asym", 3, "conflicts with token 2 'sym'"},
        {"int4:fp16:bf16", "bf16", 3, "conflicts with token 2 'fp16'"},
        {"int4:g32:g64", "g64", 3, "conflicts with token 2 'g32'"},
        // combinations
        {"nvfp4:bs=8:rht", "rht", 3, "multiple of 16, but the block size is 8"},
        {"nvfp4:rht:bs=24", "rht", 2, "accepted: rht with a block size of 16, 32, 48, 64"},
        {"int4:g40:rht", "rht", 3, "multiple of 16"},
        {"nvfp4:te:ref_unclamped", "ref_unclamped", 3, "only to the NVFP4 4/6 recipes"},
        {"nvfp4:ref_unclamped", "ref_unclamped", 2, "only to the NVFP4 4/6 recipes"},
        {"mxfp4:ref_unclamped", "ref_unclamped", 2, "only to the NVFP4 4/6 recipes"},
        {"nvint4:ref_unclamped", "ref_unclamped", 2, "only to the NVFP4 4/6 recipes"},
        {"if3:ref_unclamped", "ref_unclamped", 2, "only to the NVFP4 4/6 recipes (4over6, static_6, static_4) and IF4"},
        {"nvfp4:seed=3", "seed=3", 2, "no effect without stochastic rounding"},
        {"int4:seed=3:g32", "seed=3", 2, "accepted: seed=N together with sr or sr_unbiased"},
    };
    for (const Bad& b : cases) {
      CAPTURE(b.spec);
      CHECK_THROWS_AS(parse_recipe(b.spec), RecipeSpecError);
      const std::string msg = error_of(b.spec);
      CAPTURE(msg);
      CHECK(contains(msg, "bad recipe spec '"));
      CHECK(contains(msg, "token " + std::to_string(b.position) + " '" + b.token + "'"));
      CHECK(contains(msg, b.reason));
      CHECK(contains(msg, "; accepted: "));
    }
  }

  TEST_CASE("an empty spec and unprintable bytes give readable messages") {
    const std::string empty = error_of("");
    CHECK(contains(empty, "bad recipe spec '': the spec is empty; accepted: a format (nvfp4, "));
    const std::string nul = error_of(std::string("nvfp4:t\0e", 9));
    CHECK(contains(nul, "token 2 't\\x00e' is not an NVFP4 recipe"));
    const std::string quote = error_of("nvfp4:'te'");
    CHECK(contains(quote, "token 2 '\\x27te\\x27'"));
  }

  TEST_CASE("recipe_to_spec rejects enum values outside their enumerators") {
    Recipe r;
    r.format = static_cast<BlockFormat>(200);
    CHECK_THROWS_AS((void)recipe_to_spec(r), std::invalid_argument);
    r = Recipe{};
    r.nv = static_cast<NvRecipe>(9);
    CHECK_THROWS_AS((void)recipe_to_spec(r), std::invalid_argument);
    r = mx(static_cast<MxScaleMode>(9));
    CHECK_THROWS_AS((void)recipe_to_spec(r), std::invalid_argument);
  }
}
