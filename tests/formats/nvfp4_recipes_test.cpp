// The three production NVFP4 recipes of FORMATS.md §2 (te, modelopt, torchao): their order
// of operations decides ties differently, they treat tiny block scales and the all-zero
// tensor differently, and te's tensor scale has its own guards. Every case is hand-checked.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "formats/block.hpp"

namespace {

using namespace fp4lab::formats;

constexpr float kFltMax = std::numeric_limits<float>::max();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct BlockRun {
  BlockRecord rec;
  std::vector<int> codes;  // int, so that doctest prints numbers
  std::vector<float> dequant;
};

Recipe nv(NvRecipe which) {
  Recipe r;
  r.nv = which;
  return r;
}

// Quantizes one block of a tensor whose max |x| is `amax`, under recipe `which`.
BlockRun run_block(NvRecipe which, float amax, std::vector<float> x) {
  const Recipe r = nv(which);
  const TensorScale t = tensor_scale(r, amax);
  std::vector<std::uint8_t> codes(x.size());
  BlockRun out;
  out.dequant.resize(x.size());
  const BlockIO io{x.data(), static_cast<int>(x.size()), nullptr, codes.data(), out.dequant.data()};
  out.rec = quantize_block(r, t, io);
  out.codes.assign(codes.begin(), codes.end());
  // Whatever the recipe, the fake-quantized values are the decoded codes.
  BlockScale bs;
  bs.code = out.rec.scale.code;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float d = dequantize_code(r, t, bs, codes[i]);
    CHECK((d == out.dequant[i] || (std::isnan(d) && std::isnan(out.dequant[i]))));
  }
  return out;
}

const NvRecipe kRecipes[3] = {NvRecipe::kTe, NvRecipe::kModelopt, NvRecipe::kTorchao};

}  // namespace

TEST_SUITE("formats.nvfp4_recipes") {
  TEST_CASE("te's tensor scale is min(2688/amax, FLT_MAX) with S_dec = float(1/double(S_enc))") {
    for (float amax : {1.0f, 0.203125f, 3.7f, 448.0f, 1.0e-30f, 1.0e30f, kFltMax}) {
      CAPTURE(amax);
      const TensorScale t = nvfp4_tensor_scale(NvRecipe::kTe, amax);
      CHECK(t.encode == 2688.0f / amax);
      CHECK(t.decode == static_cast<float>(1.0 / static_cast<double>(t.encode)));
    }
    // S_dec is rounded once from the double quotient: for 2688/0.203125 = 13233.2305 the
    // result is 0x1.3cf3dp-14, which the test recomputes rather than trusting the header.
    CHECK(nvfp4_tensor_scale(NvRecipe::kTe, 0.203125f).decode == 0x1.3cf3dp-14f);
    // Guards: amax = 0 -> S_enc = 1; amax = Inf -> 2688/Inf = 0 -> 1.
    const TensorScale zero = nvfp4_tensor_scale(NvRecipe::kTe, 0.0f);
    CHECK(zero.encode == 1.0f);
    CHECK(zero.decode == 1.0f);
    const TensorScale inf = nvfp4_tensor_scale(NvRecipe::kTe, kInf);
    CHECK(inf.encode == 1.0f);
    CHECK(inf.decode == 1.0f);
    // 2688/1e-38 overflows float: clamped to FLT_MAX, and S_dec is its (subnormal) inverse.
    const TensorScale tiny = nvfp4_tensor_scale(NvRecipe::kTe, 1.0e-38f);
    CHECK(tiny.encode == kFltMax);
    CHECK(tiny.decode == static_cast<float>(1.0 / static_cast<double>(kFltMax)));
    CHECK(tiny.decode > 0.0f);
    // modelopt's w and torchao's p are amax/2688 (no guard).
    CHECK(nvfp4_tensor_scale(NvRecipe::kModelopt, 3.7f).decode == 3.7f / 2688.0f);
    CHECK(nvfp4_tensor_scale(NvRecipe::kTorchao, 3.7f).decode == 3.7f / 2688.0f);
  }

  TEST_CASE("te rounds an exact E2M1 tie the other way because of its reciprocal chain") {
    // amax = 0.203125 and x = amax/8: ideally x scales to 6/8 = 0.75, a tie that round to
    // nearest even sends to 1.0 (code 0x2). All three recipes give the block scale 448.
    // te: S_enc = float(2688/0.203125) = 13233.2305, S_dec = 0x1.3cf3dp-14,
    //     inv_b = 1/(448 * S_dec) = 29.5384598, x * inv_b = 0.74999994 -> 0.5 (code 0x1).
    // modelopt: x / (448 * w) = 0.75 exactly -> 1.0 (code 0x2).
    // torchao: x * ((1/p)/448) = 0.75 exactly -> 1.0 (code 0x2).
    const float amax = 0.203125f, x = 0.025390625f;
    REQUIRE(x == amax / 8.0f);
    const TensorScale te = nvfp4_tensor_scale(NvRecipe::kTe, amax);
    CHECK(x * (1.0f / (448.0f * te.decode)) == std::nextafter(0.75f, 0.0f));
    const float w = amax / 2688.0f;
    CHECK(x / (448.0f * w) == 0.75f);
    CHECK(x * ((1.0f / w) / 448.0f) == 0.75f);
    const BlockRun a = run_block(NvRecipe::kTe, amax, {amax, x});
    const BlockRun b = run_block(NvRecipe::kModelopt, amax, {amax, x});
    const BlockRun c = run_block(NvRecipe::kTorchao, amax, {amax, x});
    CHECK(a.rec.scale.code == 0x7E);
    CHECK(b.rec.scale.code == 0x7E);
    CHECK(c.rec.scale.code == 0x7E);
    CHECK(a.codes == std::vector<int>{0x7, 0x1});
    CHECK(b.codes == std::vector<int>{0x7, 0x2});
    CHECK(c.codes == std::vector<int>{0x7, 0x2});
    CHECK(a.dequant[1] == (0.5f * 448.0f) * te.decode);
    CHECK(b.dequant[1] == 1.0f * (448.0f * w));
  }

  TEST_CASE("torchao rounds a tie that te and modelopt see as just above it") {
    // amax = 0.046875, x = 0x1.000002p-9 (one ulp above 2^-9): ideally x scales to
    // 0.25000003, just above the 0 | 0.5 tie. te: x * 128 = 0.25000003 -> 0.5 (0x1);
    // modelopt: x / 2^-7 = 0.25000003 -> 0x1; torchao: (1/p)/448 = 0x1.fffffep+6, so
    // x * that = 0.25 exactly, a tie that goes to the even 0 (code 0x0).
    const float amax = 0.046875f, x = 0x1.000002p-9f;
    const float w = amax / 2688.0f;
    CHECK((1.0f / w) / 448.0f == 0x1.fffffep+6f);
    CHECK(x * ((1.0f / w) / 448.0f) == 0.25f);
    CHECK(x / (448.0f * w) == 0x1.000002p-2f);
    CHECK(run_block(NvRecipe::kTe, amax, {amax, x}).codes == std::vector<int>{0x7, 0x1});
    CHECK(run_block(NvRecipe::kModelopt, amax, {amax, x}).codes == std::vector<int>{0x7, 0x1});
    CHECK(run_block(NvRecipe::kTorchao, amax, {amax, x}).codes == std::vector<int>{0x7, 0x0});
  }

  TEST_CASE("modelopt's division misses a tie that te's and torchao's products hit") {
    // amax = 2^-6, x = 0x1.2aaaaap-8: te and torchao scale by exactly 384 and land on the
    // 1.5 | 2 tie at 1.75 (-> 2, code 0x4); modelopt divides by 448 * w and gets 1.74999988
    // (-> 1.5, code 0x3).
    const float amax = 0x1p-6f, x = 0x1.2aaaaap-8f;
    const float w = amax / 2688.0f;
    CHECK(x / (448.0f * w) == std::nextafter(1.75f, 0.0f));
    CHECK(run_block(NvRecipe::kTe, amax, {amax, x}).codes == std::vector<int>{0x7, 0x4});
    CHECK(run_block(NvRecipe::kModelopt, amax, {amax, x}).codes == std::vector<int>{0x7, 0x3});
    CHECK(run_block(NvRecipe::kTorchao, amax, {amax, x}).codes == std::vector<int>{0x7, 0x4});
  }

  TEST_CASE("the recipes' block scales differ at E4M3 ties") {
    // amax = 2^-6 (another block holds it), bmax = 0x1.5b6db6p-16. te's argument
    // bmax * (S_enc * float(1/6)) is exactly 0.59375, the tie between 0.5625 (0x31) and
    // 0.625 (0x32), which goes to the even 0x32; modelopt's bmax/(6w) and torchao's
    // bmax/6/p are one ulp below it and give 0x31.
    const float amax = 0x1p-6f, bmax = 0x1.5b6db6p-16f;
    const TensorScale te = nvfp4_tensor_scale(NvRecipe::kTe, amax);
    const float w = amax / 2688.0f;
    CHECK(bmax * (te.encode * (1.0f / 6.0f)) == 0.59375f);
    CHECK(bmax / (6.0f * w) == std::nextafter(0.59375f, 0.0f));
    CHECK(run_block(NvRecipe::kTe, amax, {bmax}).rec.scale.code == 0x32);
    CHECK(run_block(NvRecipe::kModelopt, amax, {bmax}).rec.scale.code == 0x31);
    CHECK(run_block(NvRecipe::kTorchao, amax, {bmax}).rec.scale.code == 0x31);
  }

  TEST_CASE("a small grid search finds blocks where every pair of recipes disagrees") {
    // Deterministic scan: amax = k/64, x placed within 3 ulps of each E2M1 tie (scale 448).
    // Each pair (te/modelopt, te/torchao, modelopt/torchao) must disagree somewhere.
    const float ties[7] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};
    int differ[3] = {0, 0, 0};
    for (int k = 1; k <= 256; ++k) {
      const float amax = static_cast<float>(k) / 64.0f;
      const float step = 448.0f * nvfp4_tensor_scale(NvRecipe::kTe, amax).decode;
      for (float tau : ties) {
        float x = tau * step;
        for (int i = 0; i < 3; ++i) x = std::nextafter(x, 0.0f);
        for (int i = 0; i < 7; ++i, x = std::nextafter(x, 1.0f)) {
          int code[3];
          for (int q = 0; q < 3; ++q) {
            float in[2] = {amax, x}, out[2];
            std::uint8_t c[2];
            quantize_block(nv(kRecipes[q]), tensor_scale(nv(kRecipes[q]), amax),
                           BlockIO{in, 2, nullptr, c, out});
            code[q] = c[1];
          }
          differ[0] += code[0] != code[1];
          differ[1] += code[0] != code[2];
          differ[2] += code[1] != code[2];
        }
      }
    }
    CHECK(differ[0] > 0);
    CHECK(differ[1] > 0);
    CHECK(differ[2] > 0);
  }

  TEST_CASE("tiny block scales: te flushes to 0, modelopt clamps to 2^-9, torchao to 2^-6") {
    // amax = 1, so S_enc = 2688 and every recipe's block-scale argument is bmax * 448.
    // bmax = 1e-6: the argument 4.48e-4 is below half of E4M3's smallest subnormal (2^-10),
    // so te's scale rounds to 0 (code 0x00). Its reciprocal is clamped to FLT_MAX, the
    // nonzero inputs saturate to code +-6, and every value decodes to 0 (6 x 0 x S_dec).
    // modelopt clamps the ratio to 2^-9 (code 0x01); torchao clamps it to 2^-6 (code 0x08).
    const float b = 1.0e-6f;
    const std::vector<float> x = {b, -b / 2.0f, 0.3f * b, 0.0f};
    const BlockRun te = run_block(NvRecipe::kTe, 1.0f, x);
    CHECK(te.rec.scale.code == 0x00);
    CHECK(te.codes == std::vector<int>{0x7, 0xF, 0x7, 0x0});
    for (float d : te.dequant) CHECK(d == 0.0f);
    const BlockRun mo = run_block(NvRecipe::kModelopt, 1.0f, x);
    CHECK(mo.rec.scale.code == 0x01);
    CHECK(ue4m3{mo.rec.scale.code}.to_float() == 0x1p-9f);
    // b / (2^-9 * w) = 1e-6 * 512 * 2688 = 1.376 -> 1.5 (code 0x3).
    CHECK(mo.codes[0] == 0x3);
    CHECK(mo.dequant[0] == 1.5f * (0x1p-9f * (1.0f / 2688.0f)));
    const BlockRun ta = run_block(NvRecipe::kTorchao, 1.0f, x);
    CHECK(ta.rec.scale.code == 0x08);
    CHECK(ue4m3{ta.rec.scale.code}.to_float() == 0x1p-6f);
    // b * 2688 * 64 = 0.172 -> 0 (code 0x0): torchao's larger floor loses the block.
    CHECK(ta.codes[0] == 0x0);
    CHECK(ta.dequant[0] == 0.0f);

    // bmax = 1e-5: the argument 0.00448 = 2.29 x 2^-9 is a subnormal E4M3 value for te and
    // modelopt (code 0x02, no clamp), while torchao still clamps to 2^-6 (code 0x08).
    const std::vector<float> y = {1.0e-5f, 0.0f};
    CHECK(run_block(NvRecipe::kTe, 1.0f, y).rec.scale.code == 0x02);
    CHECK(run_block(NvRecipe::kModelopt, 1.0f, y).rec.scale.code == 0x02);
    CHECK(run_block(NvRecipe::kTorchao, 1.0f, y).rec.scale.code == 0x08);
  }

  TEST_CASE("an all-zero tensor is guarded in te and gives NaN scales in modelopt and torchao") {
    const std::vector<float> x = {0.0f, -0.0f, 0.0f, 0.0f};
    // te: S_enc = S_dec = 1, s_b = e4m3(0) = 0, inv_b = FLT_MAX, 0 * FLT_MAX = 0.
    const BlockRun te = run_block(NvRecipe::kTe, 0.0f, x);
    CHECK(te.rec.scale.code == 0x00);
    for (int c : te.codes) CHECK((c & 0x7) == 0);  // +-0 (the sign of -0 is kept)
    for (float d : te.dequant) CHECK(d == 0.0f);   // false for NaN
    // modelopt: w = 0, ratio = 0/0 = NaN (not the zero ratio it replaces by 1) -> 0x7F.
    // torchao: p = 0, 0/6/0 = NaN passes its NaN-propagating clamp -> 0x7F.
    // Both then scale by NaN: the elements are NaN, encoded +6, and decode to NaN.
    for (NvRecipe which : {NvRecipe::kModelopt, NvRecipe::kTorchao}) {
      const BlockRun r = run_block(which, 0.0f, x);
      CHECK(r.rec.scale.code == 0x7F);
      CHECK(std::isnan(ue4m3{r.rec.scale.code}.to_float()));
      for (int c : r.codes) CHECK(c == 0x7);
      for (float d : r.dequant) CHECK(std::isnan(d));
    }
  }

  TEST_CASE("modelopt maps -0 to code 0x0 where te and torchao keep the sign") {
    // modelopt takes the sign from (v < 0): an input of -0 gives +0, while a negative value
    // that rounds to zero (-0.01 scales to -0.06) keeps its sign as in the other recipes.
    const std::vector<float> x = {1.0f, -0.0f, -0.01f};
    CHECK(run_block(NvRecipe::kModelopt, 1.0f, x).codes == std::vector<int>{0x7, 0x0, 0x8});
    CHECK(run_block(NvRecipe::kTe, 1.0f, x).codes == std::vector<int>{0x7, 0x8, 0x8});
    CHECK(run_block(NvRecipe::kTorchao, 1.0f, x).codes == std::vector<int>{0x7, 0x8, 0x8});
  }
}
