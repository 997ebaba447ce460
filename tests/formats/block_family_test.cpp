// The block formats of FORMATS.md §9 on hand-derived worked blocks (bs=8): IF4/IF3/IF6 with INT
// winning, FP winning, a tie (abs_max), the +128 sign-bit flag, all-zero and NaN blocks, and
// the NV (nvfp6, nvfp3, nvint3, nvint6) and MX (mxfp6, mxfp3, mxfp8) formats' codes and scales.
// Each tensor scale is chosen so that alpha = amax / (Mq * 448) = 1: the block scale is then
// bmax / Mq rounded to E4M3, and every step below can be followed with pencil and paper.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <ctime>
#include <limits>
#include <vector>

#include "formats/block.hpp"
#include "tests/support/table_checks.hpp"

namespace {

using namespace fp4lab::formats;

Recipe recipe_of(BlockFormat f, FourSixRule rule = FourSixRule::kMse, MxScaleMode mx = MxScaleMode::kFloor) {
  Recipe r;
  r.format = f;
  r.rule = rule;
  r.mx = mx;
  r.block_size = 8;
  return r;
}

struct BlockRun {
  BlockRecord rec;
  std::vector<int> codes;
  std::vector<float> dequant;
};

/// Runs one block of 8 through quantize_block and checks dequantize_code agrees with the
/// fake-quantized values for every element (NaN never passes a numeric check).
BlockRun run(const Recipe& r, float amax, std::vector<float> x) {
  const TensorScale t = tensor_scale(r, amax);
  BlockRun b;
  std::vector<std::uint8_t> codes(x.size());
  b.dequant.resize(x.size());
  BlockIO io{x.data(), static_cast<int>(x.size()), nullptr, codes.data(), b.dequant.data()};
  b.rec = quantize_block(r, t, io);
  for (std::size_t i = 0; i < x.size(); ++i) {
    b.codes.push_back(codes[i]);
    const float d = dequantize_code(r, t, b.rec.scale, codes[i]);
    REQUIRE(!std::isnan(d));
    CHECK(std::signbit(d) == std::signbit(b.dequant[i]));
    CHECK(d == b.dequant[i]);
  }
  return b;
}

constexpr std::uint8_t kScaleOne = 0x38;  // UE4M3 1.0 = 2^(7-7) * 1.0

}  // namespace

TEST_SUITE("formats.intfloat") {
  TEST_CASE("IF4 mse: INT wins on an evenly spaced block and flags the scale's sign bit") {
    // amax 2688 = 6 * 448: encode = decode = 1; bmax 6 -> hp = 6/6 * 1 = 1 -> s = 1.0 (0x38).
    // FP (E2M1, ties to even): 6 5 4 3 2 1 0 0 -> 6 4 4 3 2 1 0 0; only 5 -> 4 errs: mse 1.
    // INT: v * 1.16666666f = 7, 5.833333, 4.6666665, 3.5 (exactly, in FP32), 2.3333333, 1.1666666
    // -> round half even: 7 6 5 4 2 1 0 0 (3.5 is a tie: to 4). Dequant q * 0.8571428571f:
    // 6 (7 * F rounds to exactly 6 in FP32), 5.142857, 4.285714, 3.4285715, 1.7142857, 0.85714287.
    const BlockRun b = run(recipe_of(BlockFormat::kIF4), 2688.0f, {6, 5, 4, 3, 2, 1, 0, 0});
    CHECK(b.rec.chose_int == 1);
    CHECK(b.rec.err_fp == 1.0f);
    float err_int = 0.0f;  // the same sequential FP32 sum the quantizer does
    const float dq[8] = {6.0f, 5.142857074737549f, 4.285714149475098f, 3.4285714626312256f,
                         1.7142857313156128f, 0.8571428656578064f, 0.0f, 0.0f};
    const float x[8] = {6, 5, 4, 3, 2, 1, 0, 0};
    for (int i = 0; i < 8; ++i) err_int += (dq[i] - x[i]) * (dq[i] - x[i]);
    CHECK(b.rec.err_int == err_int);
    CHECK(b.rec.err_int < b.rec.err_fp);
    CHECK(b.rec.scale.code == kScaleOne + 128);  // 0xB8: the reference adds 128 to the byte
    CHECK(b.codes == std::vector<int>{7, 6, 5, 4, 2, 1, 0, 0});  // INT4 two's complement nibbles
    for (int i = 0; i < 8; ++i) CHECK(b.dequant[static_cast<std::size_t>(i)] == dq[i]);
  }

  TEST_CASE("IF4 negative block: INT codes are two's complement, the choice is the same") {
    const BlockRun b = run(recipe_of(BlockFormat::kIF4), 2688.0f, {-6, -5, -4, -3, -2, -1, 0, 0});
    CHECK(b.rec.chose_int == 1);
    CHECK(b.rec.scale.code == 0xB8);
    CHECK(b.codes == std::vector<int>{0x9, 0xA, 0xB, 0xC, 0xE, 0xF, 0, 0});  // -7 .. -1
    CHECK(b.dequant[0] == -6.0f);
  }

  TEST_CASE("IF4 mae: the same block keeps FP (the rule decides)") {
    // mae: FP 1 (5 -> 4); INT |6-6| + .857143 + .285714 + .428571 + .285714 + .142857 = 1.2857141
    const BlockRun b = run(recipe_of(BlockFormat::kIF4, FourSixRule::kMae), 2688.0f, {6, 5, 4, 3, 2, 1, 0, 0});
    CHECK(b.rec.chose_int == 0);
    CHECK(b.rec.err_fp == 1.0f);
    CHECK(b.rec.err_int == 1.2857141494750977f);
    CHECK(b.rec.scale.code == kScaleOne);  // no flag
    CHECK(b.codes == std::vector<int>{0x7, 0x6, 0x6, 0x5, 0x4, 0x2, 0, 0});  // E2M1: 6 4 4 3 2 1 0 0
  }

  TEST_CASE("IF4 abs_max tie: equal errors keep FP") {
    // FP: 6 exact, 0.2 -> 0: max 0.2. INT: 6 -> 7 -> 6 exact, 0.2 * 1.1666666 = 0.23 -> 0: max 0.2.
    const BlockRun b = run(recipe_of(BlockFormat::kIF4, FourSixRule::kAbsMax), 2688.0f, {6, 0.2f, 0, 0, 0, 0, 0, 0});
    CHECK(b.rec.err_fp == 0.2f);
    CHECK(b.rec.err_int == 0.2f);
    CHECK(b.rec.chose_int == 0);
    CHECK(b.rec.scale.code == kScaleOne);
    CHECK(b.codes == std::vector<int>{0x7, 0, 0, 0, 0, 0, 0, 0});
  }

  TEST_CASE("IF4 ref_unclamped: reference.py's unclamped E2M1 cast (8) decides and is the value") {
    // amax 2688: encode = decode = 1. bmax 7.25 * 2^-8 -> hp = bmax / 6 = 2.4167 * 2^-9, a UE4M3
    // subnormal: rounds to 2 * 2^-9, s = 2^-8 (code 0x02), mul = 256. Scaled values v: 7.25, 4.5.
    // Element 0: saturating FP 6 and INT min(round(7.25 * 7/6), 7) = 7 -> 7 * 6/7 = 6 tie
    // (error 1.25 units), reference.py's fake_quantize_to_e2m1 gives 2 * round(7.25 / 2) = 8
    // (error 0.75). Element 1: FP 4 (error 0.5), INT round(4.5 * 7/6 = 5.25) = 5 -> 4.2857
    // (error 0.2143). Squares, units of s^2: saturating FP 1.5625 + 0.25 = 1.8125 > INT 1.5625 +
    // 0.0459 = 1.6084 -> INT (flag); unclamped FP 0.5625 + 0.25 = 0.8125 < 1.6084 -> FP.
    const float s = 1.0f / 256.0f;
    std::vector<float> x{7.25f * s, 4.5f * s, 0, 0, 0, 0, 0, 0};
    Recipe r = recipe_of(BlockFormat::kIF4);
    const TensorScale t = tensor_scale(r, 2688.0f);
    std::vector<std::uint8_t> codes(8);
    std::vector<float> dq(8);
    const BlockRecord sat = quantize_block(r, t, BlockIO{x.data(), 8, nullptr, codes.data(), dq.data()});
    CHECK(sat.chose_int == 1);
    CHECK(sat.scale.code == 0x02 + 128);
    CHECK(dq[0] == 6.0f * s);
    CHECK(dq[1] == 45.0f / 2688.0f);  // ((5 * s) * 2688) * 0.85714287f = 45.0000007 -> 45, / 2688
    r.overflow = Fp4Overflow::kReferenceUnclamped;
    const BlockRecord unc = quantize_block(r, t, BlockIO{x.data(), 8, nullptr, codes.data(), dq.data()});
    CHECK(unc.chose_int == 0);
    CHECK(unc.scale.code == 0x02);
    CHECK(unc.err_fp == (0.75f * s) * (0.75f * s) + (0.5f * s) * (0.5f * s));
    CHECK(dq[0] == 8.0f * s);  // past E2M1's 6: a value no code holds (core refuses to store it)
    CHECK(dq[1] == 4.0f * s);
    CHECK(codes[0] == 0x7);    // the code saturates
    for (int i = 2; i < 8; ++i) CHECK(dq[static_cast<std::size_t>(i)] == 0.0f);
  }

  TEST_CASE("all-zero blocks: scale 0, both errors 0, FP kept; an all-zero tensor decodes to 0") {
    const BlockRun b = run(recipe_of(BlockFormat::kIF4), 2688.0f, std::vector<float>(8, 0.0f));
    CHECK(b.rec.scale.code == 0);
    CHECK(b.rec.err_fp == 0.0f);
    CHECK(b.rec.err_int == 0.0f);
    CHECK(b.rec.chose_int == 0);
    // amax 0: the reference sets every block scale to 0 (reference.py:197-202)
    const BlockRun z = run(recipe_of(BlockFormat::kIF6_E2M3), 0.0f, std::vector<float>(8, 0.0f));
    CHECK(z.rec.scale.code == 0);
    for (float d : z.dequant) CHECK(d == 0.0f);
    const BlockRun n = run(recipe_of(BlockFormat::kNVFP6_E3M2), 0.0f, std::vector<float>(8, 0.0f));
    CHECK(n.rec.scale.code == 0);
  }

  TEST_CASE("a NaN block: bmax ignores NaN, both errors are NaN, FP is kept, NaN encodes as +max") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const Recipe r = recipe_of(BlockFormat::kIF4);
    const TensorScale t = tensor_scale(r, 2688.0f);
    std::vector<float> x = {nan, 1, 6, 0, 0, 0, 0, 0};
    std::vector<std::uint8_t> codes(8);
    std::vector<float> dq(8);
    BlockIO io{x.data(), 8, nullptr, codes.data(), dq.data()};
    const BlockRecord rec = quantize_block(r, t, io);
    CHECK(rec.nonfinite == 1);
    CHECK(rec.bmax == 6.0f);
    CHECK(std::isnan(rec.err_fp));
    CHECK(std::isnan(rec.err_int));
    CHECK(rec.chose_int == 0);
    CHECK(rec.scale.code == kScaleOne);
    CHECK(static_cast<int>(codes[0]) == 0x7);  // NaN -> +6 as CUDA's E2M1 cast
    CHECK(static_cast<int>(codes[1]) == 0x2);
  }

  TEST_CASE("IF3 mse: E2M0 ties toward zero lose to INT3") {
    // amax 1792 = 4 * 448; bmax 4 -> s = 1. FP (E2M0 <= ladder): 4 3 1.5 .5 -> 4 2 1 0: mse 1.5.
    // INT: v * 0.75 = 3 2.25 1.125 .375 -> 3 2 1 0, times 1.3333333333f: 4.0 2.6666667 1.3333334 0
    const BlockRun b = run(recipe_of(BlockFormat::kIF3), 1792.0f, {4, 3, 1.5f, 0.5f, 0, 0, 0, 0});
    CHECK(b.rec.err_fp == 1.5f);
    CHECK(b.rec.err_int == 0.3888888359069824f);
    CHECK(b.rec.chose_int == 1);
    CHECK(b.rec.scale.code == kScaleOne + 128);
    CHECK(b.codes == std::vector<int>{3, 2, 1, 0, 0, 0, 0, 0});  // INT3 sign-magnitude
    CHECK(b.dequant[1] == 2.6666667461395264f);
  }

  TEST_CASE("IF6 E2M3: values on the E2M3 grid keep FP with zero error") {
    // amax 3360 = 7.5 * 448; bmax 7.5 -> s = 1. All of 7.5 7 6.5 5.5 .25 are E2M3 values.
    // INT: v * 4.1333333333f -> 31 29 27 23 1, dequant * 0.2419355f: errors > 0.
    const BlockRun b = run(recipe_of(BlockFormat::kIF6_E2M3), 3360.0f, {7.5f, 7, 6.5f, 5.5f, 0.25f, 0, 0, 0});
    CHECK(b.rec.err_fp == 0.0f);
    CHECK(b.rec.err_int > 0.0f);
    CHECK(b.rec.chose_int == 0);
    CHECK(b.rec.scale.code == kScaleOne);
    // E2M3 codes: 7.5 = 0x1F, 7 = 0x1E, 6.5 = 0x1D, 5.5 = 0x1B, 0.25 = subnormal 2/8 = 0x02
    CHECK(b.codes == std::vector<int>{0x1F, 0x1E, 0x1D, 0x1B, 0x02, 0, 0, 0});
  }

  TEST_CASE("IF6 E3M2: a dense run near the max prefers INT6") {
    // amax 12544 = 28 * 448; bmax 28 -> s = 1. FP: 28 27 26 25 24 23 22 21 -> 28 28 24 24 24 24 24 20
    // (26 and 22 are ties: to the even mantissa): mse 12. INT: v * 1.1071428571f ->
    // 31 30 29 28 27 25 24 23 (30.999998 -> 31), dequant * 0.9032258065f.
    const BlockRun b = run(recipe_of(BlockFormat::kIF6_E3M2), 12544.0f, {28, 27, 26, 25, 24, 23, 22, 21});
    CHECK(b.rec.err_fp == 12.0f);
    CHECK(b.rec.err_int == 0.6118648052215576f);
    CHECK(b.rec.chose_int == 1);
    CHECK(b.rec.scale.code == kScaleOne + 128);
    CHECK(b.codes == std::vector<int>{31, 30, 29, 28, 27, 25, 24, 23});
    CHECK(b.dequant[0] == 28.0f);
  }
}

TEST_SUITE("formats.nv_family") {
  TEST_CASE("NVFP6 E2M3: static_6 scale, RNE with ties to even, sign from v < 0") {
    // amax 3360: alpha 1; bmax 7.5 -> s = 1. 0.0625 is half the subnormal step: tie -> 0 (even);
    // 0.1875 ties between 0.125 (m=1) and 0.25 (m=2): -> 0.25; -0.01 rounds to a negative zero.
    const BlockRun b = run(recipe_of(BlockFormat::kNVFP6_E2M3), 3360.0f, {7.5f, 7.3f, 0.0625f, -0.1875f, -0.01f, 0, 0, 0});
    CHECK(b.rec.scale.code == kScaleOne);
    CHECK(b.codes == std::vector<int>{0x1F, 0x1F, 0x00, 0x22, 0x20, 0, 0, 0});
    CHECK(b.dequant[3] == -0.25f);
    CHECK(std::signbit(b.dequant[4]));
  }

  TEST_CASE("NVFP6 E3M2: the tensor scale is static_6's D / amax with D = 28 * 448") {
    const TensorScale t = tensor_scale(recipe_of(BlockFormat::kNVFP6_E3M2), 1.0f);
    CHECK(t.encode == 12544.0f);
    CHECK(t.decode == 1.0f / 12544.0f);
    CHECK(t.divisor == 12544.0f);
    // a block max 0.5 of a tensor max 1: hp = (0.5 / 28) * 12544 = 224 -> s = 224 (exact E4M3)
    const BlockRun b = run(recipe_of(BlockFormat::kNVFP6_E3M2), 1.0f, {0.5f, 0.25f, 0, 0, 0, 0, 0, 0});
    CHECK(ue4m3{b.rec.scale.code}.to_float() == 224.0f);
    CHECK(b.codes[0] == 0x1F);  // 0.5 scales to 28
    CHECK(b.dequant[0] == 0.5f);
    CHECK(b.dequant[1] == 0.25f);  // 14 = 1.75 * 2^3 is an E3M2 value
  }

  TEST_CASE("NVFP3: E2M0 rounds ties toward zero as the reference's <= ladder") {
    // amax 1792 = 4 * 448, bmax 4 -> s = 1. 3 ties between 2 and 4 -> 2; 1.5 -> 1; 0.5 -> 0;
    // -0.2 -> a negative zero (sign from v < 0). Round to nearest even would give 1.5 -> 2.
    const BlockRun b = run(recipe_of(BlockFormat::kNVFP3), 1792.0f, {4, 3, 1.5f, 0.5f, -1.5f, -0.2f, 2, 0});
    CHECK(b.rec.scale.code == kScaleOne);
    CHECK(b.codes == std::vector<int>{3, 2, 1, 0, 4 | 1, 4, 2, 0});
    CHECK(b.dequant[1] == 2.0f);
    CHECK(std::signbit(b.dequant[5]));
  }

  TEST_CASE("NVINT3 and NVINT6: sign-magnitude codes, round half even, clamp") {
    // NVINT3: amax 1344 = 3 * 448, bmax 3 -> s = 1. 2.5 -> 2 (even), -1.5 -> -2, 0.4 -> 0, -0.4 -> 0.
    const BlockRun b3 = run(recipe_of(BlockFormat::kNVINT3), 1344.0f, {3, 2.5f, -1.5f, 0.4f, -0.4f, -3, 1, 0});
    CHECK(b3.rec.scale.code == kScaleOne);
    CHECK(b3.codes == std::vector<int>{3, 2, 0x6, 0, 0, 0x7, 1, 0});
    // NVINT6: amax 13888 = 31 * 448, bmax 31 -> s = 1. 30.5 -> 30, -0.5 -> 0 (code 0, no -0).
    const BlockRun b6 = run(recipe_of(BlockFormat::kNVINT6), 13888.0f, {31, 30.5f, -0.5f, -17, 0, 0, 0, 0});
    CHECK(b6.codes == std::vector<int>{31, 30, 0, 0x20 | 17, 0, 0, 0, 0});
    CHECK(b6.dequant[3] == -17.0f);
  }
}

TEST_SUITE("formats.mx_family") {
  TEST_CASE("MXFP6 E3M2: floor clamps at 28, the reference's rceil rounds the scale up") {
    // bmax 30: floor(log2 30) - 4 (emax of E3M2) = 0 -> scale 1, 30 saturates to 28.
    const BlockRun fl = run(recipe_of(BlockFormat::kMXFP6_E3M2), 0.0f, {30, 1, 0, 0, 0, 0, 0, 0});
    CHECK(fl.rec.scale.code == 127);
    CHECK(fl.codes[0] == 0x1F);
    CHECK(fl.dequant[0] == 28.0f);
    // rceil: RU(30 / 28) = 2 -> scale 2^1, 30 / 2 = 15 -> 16 (E3M2 at 8..16 steps 2: 14, 16; tie -> 16)
    const BlockRun rc = run(recipe_of(BlockFormat::kMXFP6_E3M2, FourSixRule::kMse, MxScaleMode::kRceil), 0.0f,
                            {30, 1, 0, 0, 0, 0, 0, 0});
    CHECK(rc.rec.scale.code == 128);
    CHECK(rc.dequant[0] == 32.0f);
    CHECK(rc.dequant[1] == 1.0f);
  }

  TEST_CASE("MXFP6 E2M3: emax 2") {
    // bmax 14: floor(log2 14) - 2 = 1 -> scale 2; 14 / 2 = 7 = 0x1E
    const BlockRun b = run(recipe_of(BlockFormat::kMXFP6_E2M3), 0.0f, {14, -0.375f, 0, 0, 0, 0, 0, 0});
    CHECK(b.rec.scale.code == 128);
    CHECK(b.codes[0] == 0x1E);
    CHECK(b.codes[1] == (0x20 | 0x02));  // -0.375 / 2 = -0.1875: tie of 0.125 and 0.25 -> 0.25 (even)
    CHECK(b.dequant[1] == -0.5f);
  }

  TEST_CASE("MXFP8: saturates on overflow (torchao), E8M0 floor with emax 8 and 15") {
    // E4M3: bmax 500: floor(log2 500) - 8 = 0 -> scale 1; 500 saturates to 448 (0x7E).
    const BlockRun e4 = run(recipe_of(BlockFormat::kMXFP8_E4M3), 0.0f, {500, -1, 0, 0, 0, 0, 0, 0});
    CHECK(e4.rec.scale.code == 127);
    CHECK(e4.codes[0] == 0x7E);
    CHECK(e4.codes[1] == 0xB8);
    // E5M2: bmax 1: 0 - 15 -> scale 2^-15; 1 * 2^15 = 32768 = 0x78
    const BlockRun e5 = run(recipe_of(BlockFormat::kMXFP8_E5M2), 0.0f, {1, 0, 0, 0, 0, 0, 0, 0});
    CHECK(e5.rec.scale.code == 127 - 15);
    CHECK(e5.codes[0] == 0x78);
    CHECK(e5.dequant[0] == 1.0f);
  }

  TEST_CASE("MXFP3: E2M0 elements, emax 2, NaN blocks get scale 0xFF") {
    const BlockRun b = run(recipe_of(BlockFormat::kMXFP3), 0.0f, {6, 1, -3, 0, 0, 0, 0, 0});
    CHECK(b.rec.scale.code == 127);  // floor(log2 6) - 2 = 0
    CHECK(b.codes == std::vector<int>{3, 1, 4 | 2, 0, 0, 0, 0, 0});  // 6 -> 4 (saturate), -3 -> -2 (tie toward 0)
    const Recipe r = recipe_of(BlockFormat::kMXFP3);
    std::vector<float> x = {std::numeric_limits<float>::infinity(), 1, 0, 0, 0, 0, 0, 0};
    std::vector<float> dq(8);
    BlockIO io{x.data(), 8, nullptr, nullptr, dq.data()};
    CHECK(quantize_block(r, tensor_scale(r, 0.0f), io).scale.code == 0xFF);
    CHECK(std::isnan(dq[1]));
  }
}

namespace {

/// The three FP32 summation orders of FORMATS.md §3 written out plainly (test-local twins of
/// formats/ordered_sum.hpp): left to right; each half left to right, then added; halving.
float sum_in_order(std::vector<float> t, SumOrder order) {
  const int n = static_cast<int>(t.size());
  if (order == SumOrder::kSeq) {
    float s = 0.0f;
    for (float v : t) s += v;
    return s;
  }
  if (order == SumOrder::kPairs) {
    const int h = n - n / 2;
    float a = 0.0f, b = 0.0f;
    for (int i = 0; i < h; ++i) a += t[i];
    for (int i = h; i < n; ++i) b += t[i];
    return a + b;
  }
  for (int m = n; m > 1;) {
    const int h = (m + 1) / 2;
    for (int i = 0; i + h < m; ++i) t[i] += t[i + h];
    m = h;
  }
  return t[0];
}

/// A near-tie IF block of 16 (found by searching 2e6 standard-normal blocks, tensor amax 6):
/// the candidates' error sums differ by an ulp in one order and tie in another, so the choice
/// follows the order. Checks each order's recorded errors against the element errors summed
/// in that order, and returns the choice per order (seq, pairs, tree).
std::vector<int> near_tie_choices(BlockFormat f, FourSixRule rule, const std::vector<float>& x) {
  std::vector<BlockRecord> recs;
  std::vector<std::vector<float>> deq;
  for (SumOrder order : {SumOrder::kSeq, SumOrder::kPairs, SumOrder::kTree}) {
    Recipe r = recipe_of(f, rule);
    r.block_size = 16;
    r.sum = order;
    const TensorScale t = tensor_scale(r, 6.0f);
    std::vector<float> d(16);
    std::vector<std::uint8_t> codes(16);
    BlockIO io{x.data(), 16, nullptr, codes.data(), d.data()};
    recs.push_back(quantize_block(r, t, io));
    deq.push_back(d);
  }
  // the INT and FP candidates' values, from the orders that chose each
  const std::vector<float>* dq_int = nullptr;
  const std::vector<float>* dq_fp = nullptr;
  for (std::size_t k = 0; k < recs.size(); ++k) (recs[k].chose_int ? dq_int : dq_fp) = &deq[k];
  REQUIRE(dq_int != nullptr);
  REQUIRE(dq_fp != nullptr);
  std::vector<int> choice;
  std::size_t k = 0;
  for (SumOrder order : {SumOrder::kSeq, SumOrder::kPairs, SumOrder::kTree}) {
    std::vector<float> terms_fp, terms_int;
    for (int i = 0; i < 16; ++i) {
      const float a = (*dq_fp)[i] - x[i], b = (*dq_int)[i] - x[i];
      terms_fp.push_back(rule == FourSixRule::kMae ? std::fabs(a) : a * a);
      terms_int.push_back(rule == FourSixRule::kMae ? std::fabs(b) : b * b);
    }
    CHECK(recs[k].err_fp == sum_in_order(terms_fp, order));
    CHECK(recs[k].err_int == sum_in_order(terms_int, order));
    CHECK(recs[k].chose_int == (recs[k].err_int < recs[k].err_fp ? 1 : 0));
    choice.push_back(recs[k].chose_int);
    ++k;
  }
  return choice;
}

}  // namespace

TEST_SUITE("formats.intfloat") {
  TEST_CASE("IF error sums in the named order: sum=seq|pairs|tree decide near-ties") {
    // IF6 E2M3, mse: left to right INT is an ulp better (0.00409613876 < 0.00409613922); the
    // halving tree ties them (0.00409613922 both), so FP is kept
    const std::vector<float> a = {0x1.370d16p+0f, -0x1.7b9d0ap+0f, 0x1.39775p-2f, 0x1.46d2bp+0f, -0x1.031126p-6f,
                                  -0x1.147d82p-1f, 0x1.16c43ep-1f, -0x1.b7c49cp-1f, -0x1.408a02p-1f, 0x1.d5b314p-2f,
                                  -0x1.0739eap-1f, 0x1.318338p+0f, 0x1.4b055ep-1f, 0x1.fde7dcp-3f, 0x1.a6992cp-2f,
                                  -0x1.5c02dap-3f};
    CHECK(near_tie_choices(BlockFormat::kIF6_E2M3, FourSixRule::kMse, a) == std::vector<int>{1, 1, 0});
    // IF6 E3M2, mae: tied left to right and as a tree (FP kept); the two halves make INT smaller
    const std::vector<float> b = {0x1.feddfep-7f, -0x1.00dae4p+0f, 0x1.1e6e04p-3f, 0x1.9a183ap-1f, -0x1.ae71cap-2f,
                                  -0x1.1e0b9cp-1f, 0x1.ce7596p-2f, -0x1.8a6712p-2f, 0x1.9cd622p-5f, 0x1.357eaap-6f,
                                  0x1.efeb64p-2f, -0x1.8a94e4p-1f, 0x1.4a80cep-2f, 0x1.4b82d4p-2f, -0x1.7c29e2p-8f,
                                  0x1.33d526p+1f};
    CHECK(near_tie_choices(BlockFormat::kIF6_E3M2, FourSixRule::kMae, b) == std::vector<int>{0, 1, 0});
  }
}

namespace {

std::uint32_t bits_of(float f) { return bit_cast<std::uint32_t>(f); }

/// The plain scalar twin of an IF4 block (FORMATS.md §9 written out): per element the codes
/// through encode_code, the values by division ((v * s) * amax) / D and (((q * s) * amax) *
/// FACTOR) / D, the rule's error left to right, INT only if strictly smaller.
struct If4Reference {
  float err_fp = 0.0f, err_int = 0.0f;
  std::uint8_t scale = 0;
  std::vector<std::uint8_t> codes;
  std::vector<float> dequant;
};

If4Reference reference_if4(FourSixRule rule, const TensorScale& t, const std::vector<float>& x) {
  float bmax = 0.0f;
  for (float v : x) bmax = std::isnan(v) ? bmax : std::fmax(bmax, std::fabs(v));
  float hp = (bmax / 6.0f) * t.encode;
  if (std::isnan(hp)) hp = 0.0f;
  const std::uint8_t scode = ue4m3::from(hp).bits;
  const float s = ue4m3{scode}.to_float();
  const float mul = s == 0.0f ? 0.0f : 1.0f / (t.decode * s);
  auto add = [rule](float& err, float d) {
    if (rule == FourSixRule::kMae) {
      err += std::fabs(d);
    } else if (rule == FourSixRule::kAbsMax) {
      if (!std::isnan(err) && (std::fabs(d) > err || std::isnan(d))) err = std::fabs(d);
    } else {
      err += d * d;
    }
  };
  If4Reference out;
  std::vector<std::uint8_t> cf, ci;
  std::vector<float> vf, vi;
  for (float xi : x) {
    const float v = mul == 0.0f ? 0.0f : xi * mul;
    cf.push_back(encode_code(CodeKind::kE2M1, v));
    ci.push_back(encode_code(CodeKind::kINT4, v * kIf4Rcp));
    vf.push_back(((decode_code(CodeKind::kE2M1, cf.back()) * s) * t.amax) / t.divisor);
    vi.push_back((((decode_code(CodeKind::kINT4, ci.back()) * s) * t.amax) * kIf4Factor) / t.divisor);
    add(out.err_fp, vf.back() - xi);
    add(out.err_int, vi.back() - xi);
  }
  const bool use_int = out.err_int < out.err_fp;
  out.scale = static_cast<std::uint8_t>(scode + (use_int ? 128 : 0));
  out.codes = use_int ? ci : cf;
  out.dequant = use_int ? vi : vf;
  return out;
}

}  // namespace

TEST_SUITE("formats.intfloat") {
  TEST_CASE("IF4 by magnitudes equals its plain scalar twin bit for bit") {
    // fresh blocks of 8, 10, 16, 26 and 32 values at scales 2^-40..2^40 (block scales flush, go
    // subnormal, saturate), with NaN, Inf, +-0, subnormals whose scaled value underflows to -0,
    // E2M1 ties and INT ties (v * RCP a half-integer) mixed in, under every rule: the fast path
    // (finite blocks) and the general one (the rest) against reference_if4
    const std::uint64_t seed = 0xA0761D6478BD642Full ^ static_cast<std::uint64_t>(std::time(nullptr));
    MESSAGE("xorshift seed " << seed);
    fp4lab::test::Xorshift next{seed};
    long blocks = 0, fast = 0, chose_int = 0;
    for (FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax}) {
      for (int n : {8, 10, 16, 26, 32}) {  // 10 and 26: a partly filled last word of codes
        Recipe r = recipe_of(BlockFormat::kIF4, rule);
        r.block_size = n;
        for (int b = 0; b < 3000; ++b) {
          const float amax = std::ldexp(1.0f, static_cast<int>(next() % 81) - 40);
          const TensorScale t = tensor_scale(r, amax * (1.0f + static_cast<float>(next() % 8)));
          std::vector<float> x(static_cast<std::size_t>(n));
          const bool edgy = next() % 4 == 0;  // a quarter of the blocks get edge values
          for (int i = 0; i < n; ++i) {
            const std::uint64_t u = next();
            const float unit = static_cast<float>(static_cast<double>(u >> 11) / 9007199254740992.0) * 2.0f - 1.0f;
            x[i] = unit * amax;
            if (!edgy) continue;
            const float sign = (u & 1) ? -1.0f : 1.0f;
            switch ((u >> 1) % 16) {
              case 0: x[i] = std::copysign(std::numeric_limits<float>::quiet_NaN(), sign); break;
              case 1: x[i] = sign * std::numeric_limits<float>::infinity(); break;
              case 2: x[i] = sign * 0.0f; break;
              case 3: x[i] = sign * std::numeric_limits<float>::denorm_min() * static_cast<float>(1 + (u >> 8) % 5); break;
              case 4: x[i] = sign * amax / 6.0f * 2.5f; break;                       // an E2M1 tie at bmax -> 6
              case 5: x[i] = sign * amax / 7.0f * (0.5f + static_cast<float>((u >> 8) % 7)); break;  // near INT ties
              case 6: x[i] = sign * amax; break;
              default: break;
            }
          }
          std::vector<std::uint8_t> codes(x.size());
          std::vector<float> dq(x.size());
          std::vector<std::uint32_t> packed((x.size() + 7) / 8, 0u);
          BlockIO io{x.data(), n, nullptr, codes.data(), dq.data()};
          io.packed = packed.data();
          const BlockRecord rec = quantize_block(r, t, io);
          const If4Reference ref = reference_if4(rule, t, x);
          ++blocks;
          fast += rec.nonfinite == 0 ? 1 : 0;
          chose_int += rec.chose_int;
          INFO("block " << blocks << " rule " << static_cast<int>(rule) << " n " << n);
          const auto same = [](float a, float c) { return std::isnan(a) ? std::isnan(c) : bits_of(a) == bits_of(c); };
          REQUIRE(same(rec.err_fp, ref.err_fp));
          REQUIRE(same(rec.err_int, ref.err_int));
          REQUIRE(static_cast<int>(rec.scale.code) == static_cast<int>(ref.scale));
          for (int i = 0; i < n; ++i) {
            INFO("element " << i << " x " << x[i]);
            REQUIRE(static_cast<int>(codes[i]) == static_cast<int>(ref.codes[i]));
            REQUIRE(((packed[i / 8] >> (4 * (i % 8))) & 0xFu) == ref.codes[i]);
            REQUIRE(same(dq[i], ref.dequant[i]));
          }
        }
      }
    }
    MESSAGE(blocks << " blocks compared, " << fast << " of them finite, " << chose_int << " chose INT");
    CHECK(fast > blocks / 2);       // the fast path is exercised
    CHECK(fast < blocks);           // and so is the general one
    CHECK(chose_int > blocks / 20);  // and both candidates win
  }

  TEST_CASE("the four-division INT decode table equals eight divisions bit for bit") {
    // every UE4M3 scale code (zero, subnormal, NaN included) against amax and divisors across the
    // whole float range, for each IF type's FACTOR, so both the scaled entries and the fallback run
    const std::uint64_t seed = 0xE7037ED1A0B428DBull ^ static_cast<std::uint64_t>(std::time(nullptr));
    MESSAGE("xorshift seed " << seed);
    fp4lab::test::Xorshift next{seed};
    std::vector<float> amaxes = {0.0f, std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::min(),
                                 1.0f, 448.0f, 2688.0f, std::numeric_limits<float>::max(),
                                 std::numeric_limits<float>::infinity()};
    for (int e = -149; e <= 127; e += 2) amaxes.push_back(std::ldexp(1.0f, e));
    for (int i = 0; i < 400; ++i) amaxes.push_back(bit_cast<float>(static_cast<std::uint32_t>(next() % 0x7F800000u)));
    const float divisors[] = {2688.0f, 1344.0f, 3360.0f, 12544.0f, 1.0f, 1e-30f, 1e30f};
    const float factors[] = {kIf4Factor, kIf3Factor, kIf6E2M3Factor, kIf6E3M2Factor};
    long compared = 0, by_scaling = 0;
    for (int code = 0; code < 128; ++code) {
      const float s = ue4m3{static_cast<std::uint8_t>(code)}.to_float();
      for (float amax : amaxes) {
        for (float div : divisors) {
          for (float f : factors) {
            TensorScale t;
            t.amax = amax;
            t.divisor = div;
            fp4lab::test::require_same_table(detail::int_decode_table(s, f, t),
                                             detail::int_decode_table_by_division(s, f, t));
            ++compared;
            const float a1 = s * amax, y1 = a1 * f;
            if (a1 >= detail::kTableLo && y1 >= detail::kTableLo && y1 / div >= detail::kTableLo &&
                (((7.0f * s) * amax) * f) / div < detail::kTableHi && ((7.0f * s) * amax) * f < detail::kTableHi &&
                (7.0f * s) * amax < detail::kTableHi) {
              ++by_scaling;
            }
          }
        }
      }
    }
    MESSAGE(compared << " tables compared, " << by_scaling << " of them built by scaling");
    CHECK(by_scaling > compared / 4);
    CHECK(by_scaling < compared);
  }
}
