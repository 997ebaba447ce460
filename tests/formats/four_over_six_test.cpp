// Four Over Six (FORMATS.md §3): the paper's Table 1 and Table 2 line by line (with its
// line-11 erratum documented), tie and rule selection, static rules, the 1.5x hp4 scale,
// the tensor-level scale, uniform decoding and the reference's unclamped FP4 cast.
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

// Printed values in the paper have two decimals: a value matches when it is within half a
// unit of the last printed digit.
constexpr double kPrinted = 0.005;
constexpr float kInf = std::numeric_limits<float>::infinity();

struct BlockRun {
  BlockRecord rec;
  std::vector<int> codes;  // int, so that doctest prints numbers
  std::vector<float> dequant;
};

BlockRun run_block(const Recipe& r, const TensorScale& t, std::vector<float> x) {
  std::vector<std::uint8_t> codes(x.size());
  BlockRun out;
  out.dequant.resize(x.size());
  const BlockIO io{x.data(), static_cast<int>(x.size()), nullptr, codes.data(), out.dequant.data()};
  out.rec = quantize_block(r, t, io);
  out.codes.assign(codes.begin(), codes.end());
  return out;
}

Recipe four_six(FourSixRule rule) {
  Recipe r;
  r.nv = NvRecipe::kFourOverSix;
  r.rule = rule;
  return r;
}

std::vector<float> code_values(const std::vector<int>& codes) {
  std::vector<float> v;
  for (int c : codes) v.push_back(e2m1_value(static_cast<std::uint8_t>(c)));
  return v;
}

// x * float(1 / float(decode * s)) with alpha = 1: the scaled values of Table 2 lines 3 and 9.
std::vector<float> scaled(const std::vector<float>& x, float s) {
  std::vector<float> v;
  for (float xi : x) v.push_back(xi * (1.0f / s));
  return v;
}

void check_printed(const std::vector<float>& got, const std::vector<double>& printed) {
  REQUIRE(got.size() == printed.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", printed " << printed[i]);
    CHECK(std::fabs(got[i] - printed[i]) <= kPrinted);  // false for NaN
  }
}

float mean_squared(const std::vector<float>& d, const std::vector<float>& x) {
  float s = 0.0f;
  for (std::size_t i = 0; i < d.size(); ++i) s += (d[i] - x[i]) * (d[i] - x[i]);
  return s / static_cast<float>(d.size());
}

int ue4m3_code(float x) { return ue4m3::from(x).bits; }

using fp4lab::test::Xorshift;  // seeded from the clock (printed by the tests that use it)

}  // namespace

/// The plain scalar twin of the 4/6 block quantizer: FORMATS.md §3 written out with the
/// per-element decode ((q * s) * amax) / divisor, no decode table, adaptive rules only.
struct ReferenceBlock {
  std::uint8_t code6, code4, chosen;
  float err6, err4;
  std::vector<std::uint8_t> codes;
  std::vector<float> dequant;
};

ReferenceBlock reference_four_over_six(const Recipe& r, const TensorScale& t, const std::vector<float>& x,
                                       const std::vector<std::uint32_t>& bits) {
  float bmax = 0.0f;
  for (float v : x) bmax = std::isnan(v) ? bmax : std::fmax(bmax, std::fabs(v));
  const Rounding rounding = r.rounding == ElementRounding::kNearestEven ? Rounding::kNearestEven
                                                                         : Rounding::kStochastic;
  const float stretch = r.rounding == ElementRounding::kStochasticUnbiased ? 17.0f / 16.0f : 1.0f;
  const float hp6 = (bmax / 6.0f) * t.encode * stretch, hp4 = hp6 * 1.5f;
  struct Cand {
    std::uint8_t code;
    float scale, mul, err;
  };
  auto candidate = [&](float hp) {
    Cand c{ue4m3::from(hp).bits, 0.0f, 0.0f, 0.0f};
    c.scale = ue4m3{c.code}.to_float();
    const float rcp = 1.0f / (t.decode * c.scale);
    c.mul = rcp > std::numeric_limits<float>::max() ? std::numeric_limits<float>::max() : rcp;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float q = fp4_e2m1::from(x[i] * c.mul, rounding, bits[i]).to_float();
      const float d = ((q * c.scale) * t.amax) / t.divisor - x[i];
      if (r.rule == FourSixRule::kMae) {
        c.err += std::fabs(d);
      } else if (r.rule == FourSixRule::kAbsMax) {
        c.err = (std::fabs(d) > c.err || std::isnan(d)) ? std::fabs(d) : c.err;
      } else {
        c.err += d * d;
      }
    }
    return c;
  };
  const Cand c6 = candidate(hp6), c4 = candidate(hp4);
  const Cand& k = c4.err < c6.err ? c4 : c6;
  ReferenceBlock out{c6.code, c4.code, static_cast<std::uint8_t>(c4.err < c6.err ? 4 : 6), c6.err, c4.err, {}, {}};
  for (std::size_t i = 0; i < x.size(); ++i) {
    const fp4_e2m1 q = fp4_e2m1::from(x[i] * k.mul, rounding, bits[i]);
    out.codes.push_back(q.bits);
    out.dequant.push_back(((q.to_float() * k.scale) * t.amax) / t.divisor);
  }
  return out;
}

std::uint32_t float_bits(float f) { return bit_cast<std::uint32_t>(f); }

TEST_SUITE("formats.four_over_six") {
  TEST_CASE("Table 1: [10, 20, 30, 40] is 6.5 x [1.5, 3, 4, 6] at M=6 and 10 x [1..4] at M=4") {
    const std::vector<float> x = {10, 20, 30, 40};
    const BlockRun m6 = run_block(four_six(FourSixRule::kStatic6), unit_tensor_scale(), x);
    const BlockRun m4 = run_block(four_six(FourSixRule::kStatic4), unit_tensor_scale(), x);
    CHECK(ue4m3{m6.rec.scale.code}.to_float() == 6.5f);
    CHECK(code_values(m6.codes) == std::vector<float>{1.5f, 3, 4, 6});
    CHECK(std::fabs(mean_squared(m6.dequant, x) - 4.33) <= kPrinted);
    CHECK(ue4m3{m4.rec.scale.code}.to_float() == 10.0f);
    CHECK(code_values(m4.codes) == std::vector<float>{1, 2, 3, 4});
    CHECK(mean_squared(m4.dequant, x) == 0.0f);
    // The adaptive rule keeps M=4, whose error is zero.
    const BlockRun ad = run_block(four_six(FourSixRule::kMse), unit_tensor_scale(), x);
    CHECK(ad.rec.chosen_max == 4);
    CHECK(ad.dequant == x);
  }

  TEST_CASE("Table 2, block [10, 20, 30, 40], reproduces every line") {
    const std::vector<float> x = {10, 20, 30, 40};
    const float n = 4.0f;
    const BlockRun ad = run_block(four_six(FourSixRule::kMse), unit_tensor_scale(), x);
    // The candidates on their own (alpha = 1, so static_6's scale is hp6 and static_4's is
    // bmax/4, which here equals 1.5 * hp6: checked below through the scale codes).
    const BlockRun m6 = run_block(four_six(FourSixRule::kStatic6), unit_tensor_scale(), x);
    const BlockRun m4 = run_block(four_six(FourSixRule::kStatic4), unit_tensor_scale(), x);
    REQUIRE(m6.rec.scale.code == ad.rec.scale_code_6);
    REQUIRE(m4.rec.scale.code == ad.rec.scale_code_4);

    // 1: Δ6 = max / 6 = 6.67; 2: fp8_e4m3 -> 6.5.
    const float hp6 = 40.0f / 6.0f;
    CHECK(std::fabs(hp6 - 6.67) <= kPrinted);
    CHECK(ue4m3_code(hp6) == ad.rec.scale_code_6);
    CHECK(ue4m3{ad.rec.scale_code_6}.to_float() == 6.5f);
    // 3: scaled [1.54, 3.08, 4.62, 6.15]; 4: FP4 [1.5, 3, 4, 6].
    check_printed(scaled(x, 6.5f), {1.54, 3.08, 4.62, 6.15});
    CHECK(code_values(m6.codes) == std::vector<float>{1.5f, 3, 4, 6});
    // 5: D6 = [9.75, 19.5, 26, 39] (exact: small dyadic products).
    CHECK(m6.dequant == std::vector<float>{9.75f, 19.5f, 26, 39});
    // 6: E6 = (0.25² + 0.5² + 4² + 1²) / 4 = 4.328125, printed 4.33. err6 is the sum.
    CHECK(ad.rec.err6 == 17.3125f);
    CHECK(ad.rec.err6 / n == 4.328125f);
    CHECK(std::fabs(ad.rec.err6 / n - 4.33) <= kPrinted);
    // 7: Δ4 = max / 4 = 10, here computed as 1.5 x the unrounded Δ6; 8: fp8_e4m3 -> 10.
    CHECK(hp6 * 1.5f == 10.0f);
    CHECK(ue4m3{ad.rec.scale_code_4}.to_float() == 10.0f);
    // 9: scaled [1, 2, 3, 4]; 10: FP4 [1, 2, 3, 4]; 11: D4 = [10, 20, 30, 40]; 12: E4 = 0.
    check_printed(scaled(x, 10.0f), {1, 2, 3, 4});
    CHECK(code_values(m4.codes) == std::vector<float>{1, 2, 3, 4});
    CHECK(m4.dequant == x);
    CHECK(ad.rec.err4 == 0.0f);
    // 13: E4 < E6, so Δ = Δ4 = 10; 14: X̄ = [1, 2, 3, 4].
    CHECK(ad.rec.chosen_max == 4);
    CHECK(static_cast<int>(ad.rec.scale.code) == ad.rec.scale_code_4);
    CHECK(ue4m3{ad.rec.scale.code}.to_float() == 10.0f);
    CHECK(code_values(ad.codes) == std::vector<float>{1, 2, 3, 4});
    CHECK(ad.dequant == x);
  }

  TEST_CASE("Table 2, block [15, 30, 120, 180], reproduces every line but the line-11 typo") {
    const std::vector<float> x = {15, 30, 120, 180};
    const float n = 4.0f;
    const BlockRun ad = run_block(four_six(FourSixRule::kMse), unit_tensor_scale(), x);
    const BlockRun m6 = run_block(four_six(FourSixRule::kStatic6), unit_tensor_scale(), x);
    const BlockRun m4 = run_block(four_six(FourSixRule::kStatic4), unit_tensor_scale(), x);
    REQUIRE(m6.rec.scale.code == ad.rec.scale_code_6);
    REQUIRE(m4.rec.scale.code == ad.rec.scale_code_4);

    // 1: Δ6 = 30; 2: fp8_e4m3(30) = 30 (exact in E4M3).
    const float hp6 = 180.0f / 6.0f;
    CHECK(hp6 == 30.0f);
    CHECK(ue4m3_code(hp6) == ad.rec.scale_code_6);
    CHECK(ue4m3{ad.rec.scale_code_6}.to_float() == 30.0f);
    // 3: scaled [0.5, 1, 4, 6]; 4: FP4 [0.5, 1, 4, 6]; 5: D6 = X; 6: E6 = 0.
    check_printed(scaled(x, 30.0f), {0.5, 1, 4, 6});
    CHECK(code_values(m6.codes) == std::vector<float>{0.5f, 1, 4, 6});
    CHECK(m6.dequant == x);
    CHECK(ad.rec.err6 == 0.0f);
    // 7: Δ4 = 45; 8: fp8_e4m3(45) = 44 (the E4M3 step in [32, 64) is 4).
    CHECK(hp6 * 1.5f == 45.0f);
    CHECK(ue4m3{ad.rec.scale_code_4}.to_float() == 44.0f);
    // 9: scaled [0.34, 0.68, 2.73, 4.09]; 10: FP4 [0.5, 0.5, 3, 4].
    check_printed(scaled(x, 44.0f), {0.34, 0.68, 2.73, 4.09});
    CHECK(code_values(m4.codes) == std::vector<float>{0.5f, 0.5f, 3, 4});
    // 11: D4 = [0.5, 0.5, 3, 4] x 44 = [22, 22, 132, 176];
    // 12: E4 = (7² + 8² + 12² + 4²) / 4 = 273 / 4 = 68.25.
    CHECK(m4.dequant == std::vector<float>{22, 22, 132, 176});
    CHECK(ad.rec.err4 == 273.0f);
    CHECK(ad.rec.err4 / n == 68.25f);
    // Erratum: the paper prints D4 = [22, 22, 136, 176] and E4 = 96.25. Its own lines 8 and
    // 10 give 3 x 44 = 132, not 136; 96.25 is the mean squared error of the misprinted 136
    // ((49 + 64 + 256 + 16) / 4), so line 12 inherits the typo. The choice is unchanged.
    const std::vector<float> paper_d4 = {22, 22, 136, 176};
    const float paper_e4 = 96.25f;
    CHECK(paper_d4[2] != 3.0f * 44.0f);
    CHECK(mean_squared(paper_d4, x) == paper_e4);
    CHECK(paper_e4 > ad.rec.err6 / n);  // the misprint still picks M=6
    // 13: E4 > E6, so Δ = Δ6 = 30; 14: X̄ = [0.5, 1, 4, 6].
    CHECK(ad.rec.chosen_max == 6);
    CHECK(ue4m3{ad.rec.scale.code}.to_float() == 30.0f);
    CHECK(code_values(ad.codes) == std::vector<float>{0.5f, 1, 4, 6});
    CHECK(ad.dequant == x);
  }

  TEST_CASE("the decode-table block quantizer equals its plain scalar twin bit for bit") {
    // fresh blocks of normals at scales 2^-30..2^30 (block scales flush, go subnormal, saturate),
    // with NaN, Inf, zeros and E2M1 ties mixed in, for every adaptive rule, both roundings
    const std::uint64_t seed = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(std::time(nullptr));
    MESSAGE("xorshift seed " << seed);
    Xorshift next{seed};
    int blocks = 0;
    for (FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax}) {
      for (ElementRounding er : {ElementRounding::kNearestEven, ElementRounding::kStochastic,
                                 ElementRounding::kStochasticUnbiased}) {
        Recipe r = four_six(rule);
        r.rounding = er;
        for (int b = 0; b < 2000; ++b) {
          const float amax = std::ldexp(1.0f, static_cast<int>(next() % 61) - 30);
          const TensorScale t = tensor_scale(r, amax * (1.0f + static_cast<float>(next() % 8)));
          std::vector<float> x(16);
          std::vector<std::uint32_t> bits(16);
          for (int i = 0; i < 16; ++i) {
            const std::uint64_t u = next();
            const float unit = static_cast<float>(static_cast<double>(u >> 11) / 9007199254740992.0) * 2.0f - 1.0f;
            x[i] = unit * amax;
            if (u % 97 == 0) x[i] = std::copysign(std::numeric_limits<float>::quiet_NaN(), u & 4 ? -1.0f : 1.0f);  // +6 either sign
            if (u % 89 == 0) x[i] = (u & 1 ? -1.0f : 1.0f) * kInf;
            if (u % 13 == 0) x[i] = (u & 2 ? -0.0f : 0.0f);
            if (u % 11 == 0) x[i] = amax / 6.0f * 2.5f;  // an E2M1 tie when bmax maps to 6
            bits[i] = static_cast<std::uint32_t>(next());
          }
          std::vector<std::uint8_t> codes(16);
          std::vector<float> dq(16);
          const BlockRecord rec = quantize_block(r, t, BlockIO{x.data(), 16, bits.data(), codes.data(), dq.data()});
          const ReferenceBlock ref = reference_four_over_six(r, t, x, bits);
          ++blocks;
          REQUIRE(rec.scale_code_6 == ref.code6);
          REQUIRE(rec.scale_code_4 == ref.code4);
          // a NaN error (a NaN in the block) may differ in its sign only: -NaN inputs enter as |x|
          const auto same_error = [](float a, float b) { return std::isnan(a) ? std::isnan(b) : float_bits(a) == float_bits(b); };
          REQUIRE(same_error(rec.err6, ref.err6));
          REQUIRE(same_error(rec.err4, ref.err4));
          REQUIRE(static_cast<int>(rec.chosen_max) == static_cast<int>(ref.chosen));
          for (int i = 0; i < 16; ++i) {
            REQUIRE(codes[i] == ref.codes[i]);
            // NaN outputs may differ in sign only (negation of a NaN table entry)
            if (std::isnan(dq[i])) {
              REQUIRE(std::isnan(ref.dequant[i]));
            } else {
              REQUIRE(float_bits(dq[i]) == float_bits(ref.dequant[i]));
            }
          }
        }
      }
    }
    MESSAGE(blocks << " blocks compared");
  }

  TEST_CASE("the two-division decode table equals eight divisions bit for bit") {
    // every UE4M3 scale code (zero, subnormal, NaN included) against amax and divisors across
    // the whole float range, so both the scaled entries and the guarded fallback are compared
    const std::uint64_t seed = 0xD1B54A32D192ED03ull ^ static_cast<std::uint64_t>(std::time(nullptr));
    MESSAGE("xorshift seed " << seed);
    Xorshift next{seed};
    std::vector<float> amaxes = {0.0f, std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::min(),
                                 1.0f, 448.0f, 1536.0f, std::numeric_limits<float>::max()};
    for (int e = -149; e <= 127; ++e) amaxes.push_back(std::ldexp(1.0f, e));
    for (int i = 0; i < 2000; ++i) amaxes.push_back(bit_cast<float>(static_cast<std::uint32_t>(next() % 0x7F800000u)));
    const float divisors[] = {1.0f, 1536.0f, 1792.0f, 2688.0f, 3.0f, 1e-30f, 1e30f};
    long compared = 0, by_scaling = 0;
    for (int code = 0; code < 128; ++code) {
      const float scale = ue4m3{static_cast<std::uint8_t>(code)}.to_float();
      for (float amax : amaxes) {
        for (float div : divisors) {
          TensorScale t;
          t.amax = amax;
          t.divisor = div;
          fp4lab::test::require_same_table(detail::decode_table(scale, t), detail::decode_table_by_division(scale, t));
          ++compared;
          const float y2 = scale * amax;
          if (y2 >= 0x1p-124f && y2 / div >= 0x1p-124f && (1.5f * scale) * amax < 0x1p124f) ++by_scaling;
        }
      }
    }
    MESSAGE(compared << " tables compared, " << by_scaling << " of them built by scaling");
    CHECK(by_scaling > compared / 4);  // the fast branch is really exercised
    CHECK(by_scaling < compared);      // and so is the fallback
  }

  TEST_CASE("packed code output equals the byte codes for every 4/6 rule and rounding") {
    Xorshift next{0x2545F4914F6CDD1Dull ^ static_cast<std::uint64_t>(std::time(nullptr))};
    for (FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax, FourSixRule::kStatic6,
                             FourSixRule::kStatic4}) {
      for (ElementRounding er : {ElementRounding::kNearestEven, ElementRounding::kStochastic}) {
        for (int n : {16, 32, 64}) {
          Recipe r = four_six(rule);
          r.rounding = er;
          const TensorScale t = tensor_scale(r, 10.0f);
          for (int b = 0; b < 200; ++b) {
            std::vector<float> x(n);
            std::vector<std::uint32_t> bits(n);
            for (int i = 0; i < n; ++i) {
              x[i] = static_cast<float>(static_cast<std::int64_t>(next() % 20001) - 10000) / 1000.0f;
              bits[i] = static_cast<std::uint32_t>(next());
            }
            std::vector<std::uint8_t> codes(n);
            std::vector<std::uint32_t> packed(n / 8, 0u);
            std::vector<float> dq1(n), dq2(n);
            quantize_block(r, t, BlockIO{x.data(), n, bits.data(), codes.data(), dq1.data()});
            quantize_block(r, t, BlockIO{x.data(), n, bits.data(), nullptr, dq2.data(), packed.data()});
            for (int i = 0; i < n; ++i) {
              REQUIRE(((packed[i / 8] >> (4 * (i % 8))) & 0xFu) == codes[i]);
              REQUIRE(float_bits(dq1[i]) == float_bits(dq2[i]));
            }
          }
        }
      }
    }
  }

  TEST_CASE("a tie between the candidates keeps M=6") {
    // All zeros: both errors are 0.
    const BlockRun zeros =
        run_block(four_six(FourSixRule::kMse), unit_tensor_scale(), std::vector<float>(16, 0.0f));
    CHECK(zeros.rec.err6 == 0.0f);
    CHECK(zeros.rec.err4 == 0.0f);
    CHECK(zeros.rec.chosen_max == 6);
    // [6, 3, 1.5, 0] is exact both ways: 1 x [6, 3, 1.5, 0] and 1.5 x [4, 2, 1, 0].
    for (FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax}) {
      const BlockRun b = run_block(four_six(rule), unit_tensor_scale(), {6, 3, 1.5f, 0});
      CHECK(ue4m3{b.rec.scale_code_6}.to_float() == 1.0f);
      CHECK(ue4m3{b.rec.scale_code_4}.to_float() == 1.5f);
      CHECK(b.rec.err6 == 0.0f);
      CHECK(b.rec.err4 == 0.0f);
      CHECK(b.rec.chosen_max == 6);
      CHECK(b.codes == std::vector<int>{0x7, 0x5, 0x3, 0x0});
    }
    // A nonzero tie: [6, 5, 1, 1] under mae. M=6 errs |4-5| = 1; M=4 (scale 1.5, grid
    // 1.5 x E2M1) errs |4.5-5| + 2 x |0.75-1| = 1. Equal sums keep M=6.
    const BlockRun mae = run_block(four_six(FourSixRule::kMae), unit_tensor_scale(), {6, 5, 1, 1});
    CHECK(mae.rec.err6 == 1.0f);
    CHECK(mae.rec.err4 == 1.0f);
    CHECK(mae.rec.chosen_max == 6);
  }

  TEST_CASE("a NaN in the block gives a NaN error and keeps M=6") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const BlockRun b =
        run_block(four_six(FourSixRule::kMse), unit_tensor_scale(), {10, 20, nan, 40});
    CHECK(b.rec.nonfinite == 1);
    CHECK(std::isnan(b.rec.err6));
    CHECK(std::isnan(b.rec.err4));
    CHECK(b.rec.chosen_max == 6);
  }

  TEST_CASE("mse, mae and abs_max pick the candidates a hand computation predicts") {
    // alpha = 1 and bmax = 6: M=6 uses scale 1 (grid {0,.5,1,1.5,2,3,4,6}), M=4 uses scale
    // 1.5 (grid {0,.75,1.5,2.25,3,4.5,6}). Zeros pad each block to 16 and err 0 both ways.
    struct Case {
      std::vector<float> head;
      float e6[3], e4[3];  // errors under mse, mae, abs_max
      int chosen[3];
    };
    const Case cases[] = {
        // A: 5 -> 4 | 4.5; 1 -> 1 | 0.75 (x3).
        {{6, 5, 1, 1, 1}, {1, 1, 1}, {0.4375f, 1.25f, 0.5f}, {4, 6, 4}},
        // B: 5 -> 4 | 4.5; 4 -> 4 | 4.5 (x4).
        {{6, 5, 4, 4, 4, 4}, {1, 1, 1}, {1.25f, 2.5f, 0.5f}, {6, 6, 4}},
        // C: 4 -> 4 | 4.5; 2.25 -> 2 | 2.25 (x3).
        {{6, 4, 2.25f, 2.25f, 2.25f}, {0.1875f, 0.75f, 0.25f}, {0.25f, 0.5f, 0.5f}, {6, 4, 6}},
    };
    const FourSixRule rules[3] = {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax};
    for (const Case& c : cases) {
      std::vector<float> x = c.head;
      x.resize(16, 0.0f);
      for (int k = 0; k < 3; ++k) {
        CAPTURE(k);
        CAPTURE(x[1]);
        const BlockRun b = run_block(four_six(rules[k]), unit_tensor_scale(), x);
        CHECK(b.rec.err6 == c.e6[k]);  // exact: every error and sum is dyadic
        CHECK(b.rec.err4 == c.e4[k]);
        CHECK(b.rec.chosen_max == c.chosen[k]);
        CHECK(ue4m3{b.rec.scale.code}.to_float() == (c.chosen[k] == 4 ? 1.5f : 1.0f));
      }
    }
  }

  TEST_CASE("static_6 and static_4 use the tensor scales amax/2688 and amax/1792") {
    const float amax = 10.0f;
    const TensorScale t6 = four_over_six_tensor_scale(FourSixRule::kStatic6, amax);
    const TensorScale t4 = four_over_six_tensor_scale(FourSixRule::kStatic4, amax);
    CHECK(t6.encode == 2688.0f / amax);
    CHECK(t6.divisor == 2688.0f);
    CHECK(t4.encode == 1792.0f / amax);
    CHECK(t4.divisor == 1792.0f);
    CHECK(tensor_scale(four_six(FourSixRule::kStatic6), amax).encode == t6.encode);
    CHECK(tensor_scale(four_six(FourSixRule::kStatic4), amax).encode == t4.encode);

    // A block holding amax maps it to 448 x 6 (static_6) and 448 x 4 (static_4).
    const std::vector<float> x = {10, 7, -2.5f, 0.1f};
    const BlockRun s6 = run_block(four_six(FourSixRule::kStatic6), t6, x);
    CHECK(s6.rec.chosen_max == 6);
    CHECK(static_cast<int>(s6.rec.scale.code) == 0x7E);  // (10/6) * 268.8 = 448
    CHECK(static_cast<int>(s6.rec.scale.code) == ue4m3_code((10.0f / 6.0f) * t6.encode));
    CHECK(s6.codes[0] == 0x7);  // 6
    CHECK(s6.dequant[0] == ((6.0f * 448.0f) * amax) / 2688.0f);
    const BlockRun s4 = run_block(four_six(FourSixRule::kStatic4), t4, x);
    CHECK(s4.rec.chosen_max == 4);
    CHECK(static_cast<int>(s4.rec.scale.code) == 0x7E);  // (10/4) * 179.2 = 448
    CHECK(s4.codes[0] == 0x6);                           // 4: static_4 never reaches 6
    CHECK(s4.dequant[0] == ((4.0f * 448.0f) * amax) / 1792.0f);
    for (int c : s4.codes) CHECK(e2m1_value(static_cast<std::uint8_t>(c)) <= 4.0f);
    // Every value decodes uniformly as ((q * s) * amax) / divisor.
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto c6 = static_cast<std::uint8_t>(s6.codes[i]);
      const auto c4 = static_cast<std::uint8_t>(s4.codes[i]);
      CHECK(s6.dequant[i] == four_over_six_dequantize(t6, s6.rec.scale.code, c6));
      CHECK(s4.dequant[i] == four_over_six_dequantize(t4, s4.rec.scale.code, c4));
    }
  }

  TEST_CASE("the M=4 scale is 1.5 times the unrounded M=6 scale, not bmax/4 rounded alone") {
    // Hand-found: amax = 1 (encode 1536), bmax = 0x1.955552p-6. hp6 * 1.5 = 9.5 exactly, an
    // E4M3 tie that goes to the even 10 (0x52); bmax/4 * encode = 9.49999905 rounds to 9 (0x51).
    const TensorScale t = four_over_six_tensor_scale(FourSixRule::kMse, 1.0f);
    const float bmax = 0x1.955552p-6f;
    const float hp6 = (bmax / 6.0f) * t.encode;
    CHECK(hp6 * 1.5f == 9.5f);
    CHECK(ue4m3_code(hp6 * 1.5f) == 0x52);
    CHECK(ue4m3_code((bmax / 4.0f) * t.encode) == 0x51);
    const BlockRun b = run_block(four_six(FourSixRule::kMse), t, {bmax, bmax / 3.0f, 0, 0});
    CHECK(b.rec.scale_code_4 == 0x52);

    // And a search: near every E4M3 midpoint (amax = 1), wherever the two ways differ, the
    // quantizer takes 1.5 x hp6. At least one such bmax must exist in the scanned range.
    int differing = 0;
    for (int code = 1; code < 0x7E; ++code) {
      const float lo = ue4m3{static_cast<std::uint8_t>(code)}.to_float();
      const float hi = ue4m3{static_cast<std::uint8_t>(code + 1)}.to_float();
      float v = 0.5f * (lo + hi) * 4.0f / t.encode;
      for (int i = 0; i < 8; ++i) v = std::nextafter(v, 0.0f);
      for (int i = 0; i < 16; ++i, v = std::nextafter(v, 1.0f)) {
        const float h6 = (v / 6.0f) * t.encode;
        const int via_hp6 = ue4m3_code(h6 * 1.5f);
        const int separate = ue4m3_code((v / 4.0f) * t.encode);
        if (via_hp6 == separate) continue;
        ++differing;
        const BlockRun r = run_block(four_six(FourSixRule::kMse), t, {v, 0, 0, 0});
        CAPTURE(v);
        CHECK(r.rec.scale_code_4 == via_hp6);
        CHECK(r.rec.scale_code_6 == ue4m3_code(h6));
      }
    }
    CHECK(differing > 0);
  }

  TEST_CASE("the adaptive tensor scale is encode = 1536/amax and decode = 1/encode") {
    for (float amax : {1.0f, 3.7f, 448.0f, 6.0e4f, 1.0e-30f, 0x1.fffffep+127f}) {
      CAPTURE(amax);
      for (FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax}) {
        const TensorScale t = tensor_scale(four_six(rule), amax);
        CHECK(t.amax == amax);
        CHECK(t.encode == 1536.0f / amax);
        CHECK(t.decode == 1.0f / t.encode);
        CHECK(t.divisor == 1536.0f);
      }
    }
    // Guards: a zero amax (and an infinite one, whose encode would be 0) give encode 1.
    CHECK(four_over_six_tensor_scale(FourSixRule::kMse, 0.0f).encode == 1.0f);
    CHECK(four_over_six_tensor_scale(FourSixRule::kMse, kInf).encode == 1.0f);
    // 1536/1e-38 overflows float: clamped to FLT_MAX.
    CHECK(four_over_six_tensor_scale(FourSixRule::kMse, 1.0e-38f).encode == 0x1.fffffep+127f);
  }

  TEST_CASE("decoding is uniform: ((q * s) * amax) / 1536 whichever candidate was kept") {
    const float amax = 3.7f;
    const Recipe r = four_six(FourSixRule::kMse);
    const TensorScale t = tensor_scale(r, amax);
    for (int s = 0; s < 0x7F; ++s) {
      for (int c = 0; c < 16; ++c) {
        const auto sc = static_cast<std::uint8_t>(s);
        const auto cc = static_cast<std::uint8_t>(c);
        const float want = ((e2m1_value(cc) * ue4m3{sc}.to_float()) * amax) / 1536.0f;
        BlockScale bs;
        bs.code = sc;
        CHECK(four_over_six_dequantize(t, sc, cc) == want);
        CHECK(dequantize_code(r, t, bs, cc) == want);
      }
    }
    // Blocks that keep M=4 and M=6: the fake-quantized values equal the decoded codes.
    // Table 2's blocks scaled so that their max is the tensor's amax.
    const float k1 = amax / 40.0f, k2 = amax / 180.0f;
    const std::vector<float> four = {10 * k1, 20 * k1, 30 * k1, 40 * k1};
    const std::vector<float> six = {15 * k2, 30 * k2, -120 * k2, 180 * k2};
    for (const std::vector<float>& x : {four, six}) {
      const BlockRun b = run_block(r, t, x);
      BlockScale bs;
      bs.code = b.rec.scale.code;
      for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(b.dequant[i] == dequantize_code(r, t, bs, static_cast<std::uint8_t>(b.codes[i])));
      }
    }
    CHECK(run_block(r, t, four).rec.chosen_max == 4);
    CHECK(run_block(r, t, six).rec.chosen_max == 6);
  }

  TEST_CASE("the reference's unclamped FP4 cast gives 8 x scale where saturation gives 6") {
    // static_6, amax = 1 (encode 2688). bmax = 0.0029 * 6 / 2688 puts hp6 at 0.0029 =
    // 1.48 x 2^-9, in E4M3's subnormal range, which rounds it down to 2^-9 (code 0x01).
    // Scaled, bmax becomes 6 x 1.48 = 8.9: saturation gives 6, the reference rounds to 8.
    const TensorScale t = four_over_six_tensor_scale(FourSixRule::kStatic6, 1.0f);
    const float b = 0.0029f * 6.0f / t.encode;
    const std::vector<float> x = {b, b / 2.0f, -b, 0.0f};
    Recipe sat = four_six(FourSixRule::kStatic6);
    Recipe ref = sat;
    ref.overflow = Fp4Overflow::kReferenceUnclamped;
    const BlockRun s = run_block(sat, t, x);
    const BlockRun u = run_block(ref, t, x);
    REQUIRE(s.rec.scale.code == 0x01);  // subnormal: below 0x08
    REQUIRE(u.rec.scale.code == 0x01);
    const float scale = ue4m3{0x01}.to_float();  // 2^-9
    CHECK(b * (1.0f / (t.decode * scale)) > 7.0f);
    CHECK(s.dequant[0] == ((6.0f * scale) * 1.0f) / 2688.0f);
    CHECK(u.dequant[0] == ((8.0f * scale) * 1.0f) / 2688.0f);
    CHECK(u.dequant[2] == -((8.0f * scale) * 1.0f) / 2688.0f);
    CHECK(u.dequant[1] == s.dequant[1]);  // b/2 scales to 4.45 -> 4 either way
    // The codes cannot hold 8: they saturate in both cases.
    CHECK(s.codes == u.codes);
    CHECK(u.codes[0] == 0x7);

    // Under mse the bug also changes the decision: saturated, M=4 wins (the M=6 candidate
    // loses its top value to the clamp); unclamped, the errors tie and M=6 is kept.
    const TensorScale ta = four_over_six_tensor_scale(FourSixRule::kMse, 1.0f);
    const float ba = 0.0029f * 6.0f / ta.encode;
    const std::vector<float> xa = {ba, ba / 2.0f, -ba, 0.0f};
    Recipe ref_mse = four_six(FourSixRule::kMse);
    ref_mse.overflow = Fp4Overflow::kReferenceUnclamped;
    const BlockRun sa = run_block(four_six(FourSixRule::kMse), ta, xa);
    const BlockRun ua = run_block(ref_mse, ta, xa);
    CHECK(sa.rec.scale_code_6 == 0x01);
    CHECK(sa.rec.chosen_max == 4);
    CHECK(ua.rec.chosen_max == 6);
    CHECK(ua.dequant[0] == ((8.0f * scale) * 1.0f) / 1536.0f);
  }
}
