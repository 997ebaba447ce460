// Integer 4-bit block formats (FORMATS.md §5): NVINT4 (te-style, tensor scale amax/3136,
// codes -7..7) and classic grouped INT4, symmetric and asymmetric, with FP32/FP16/BF16
// scales and a zero point. Every expected code below is computed by hand in a comment.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "formats/block.hpp"

namespace {

using namespace fp4lab::formats;

struct BlockRun {
  BlockRecord rec;
  std::vector<int> codes;  // int, so that doctest prints numbers
  std::vector<float> dequant;
};

BlockRun run_block(const Recipe& r, const TensorScale& t, std::vector<float> x) {
  std::vector<std::uint8_t> codes(x.size());
  BlockRun out;
  out.dequant.resize(x.size());
  out.rec = quantize_block(
      r, t,
      BlockIO{x.data(), static_cast<int>(x.size()), nullptr, codes.data(), out.dequant.data()});
  out.codes.assign(codes.begin(), codes.end());
  // The fake-quantized values are always the decoded codes.
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(out.dequant[i] == dequantize_code(r, t, out.rec.scale, codes[i]));
  }
  return out;
}

Recipe nvint4() {
  Recipe r;
  r.format = BlockFormat::kNVINT4;
  return r;
}

Recipe int4_group(Int4Scheme scheme, ScaleDtype dtype) {
  Recipe r;
  r.format = BlockFormat::kINT4;
  r.int4 = scheme;
  r.int4_scale = dtype;
  r.block_size = 32;
  return r;
}

std::vector<float> times(std::vector<float> v, float k) {
  for (float& x : v) x *= k;
  return v;
}

}  // namespace

TEST_SUITE("formats.nvint4") {
  TEST_CASE("the tensor scale is S_enc = 3136/amax with te's guards") {
    const TensorScale t = nvint4_tensor_scale(3.0625f);  // 3136 / 1024
    CHECK(t.encode == 1024.0f);
    CHECK(t.decode == 0x1p-10f);
    CHECK(tensor_scale(nvint4(), 3.7f).encode == 3136.0f / 3.7f);
    CHECK(tensor_scale(nvint4(), 3.7f).decode ==
          static_cast<float>(1.0 / static_cast<double>(3136.0f / 3.7f)));
    CHECK(nvint4_tensor_scale(0.0f).encode == 1.0f);
    CHECK(nvint4_tensor_scale(std::numeric_limits<float>::infinity()).encode == 1.0f);
    CHECK(uses_tensor_scale(nvint4()));
  }

  TEST_CASE("codes are round-half-even integers in -7..7 in two's complement") {
    // amax = 3.0625: S_enc = 1024, S_dec = 2^-10. A block with bmax = 7/1024 gets
    // s_b = e4m3(7/1024 * 1024/7) = 1 (code 0x38), so x * 1024 is the integer grid exactly.
    const TensorScale t = nvint4_tensor_scale(3.0625f);
    const BlockRun b =
        run_block(nvint4(), t, times({7, -7, 3.5f, 2.5f, -2.5f, 0.5f, 1.5f, -0.4f}, 0x1p-10f));
    CHECK(b.rec.scale.code == 0x38);
    // 7, -7 (0x9), 3.5 -> 4, 2.5 -> 2, -2.5 -> -2 (0xE), 0.5 -> 0, 1.5 -> 2, -0.4 -> 0.
    CHECK(b.codes == std::vector<int>{0x7, 0x9, 0x4, 0x2, 0xE, 0x0, 0x2, 0x0});
    CHECK(b.dequant == times({7, -7, 4, 2, -2, 0, 2, 0}, 0x1p-10f));
  }

  TEST_CASE("values past 7 clamp to 7 and -7, never to -8") {
    // bmax = 7.2/1024: s_b = e4m3(1.0286) = 1, so 7.2 scales to 7.2 and clamps.
    const TensorScale t = nvint4_tensor_scale(3.0625f);
    const BlockRun b = run_block(nvint4(), t, times({7.2f, -7.2f, 6.6f}, 0x1p-10f));
    CHECK(b.rec.scale.code == 0x38);
    CHECK(b.codes == std::vector<int>{0x7, 0x9, 0x7});
  }

  TEST_CASE("the block holding amax gets scale 448 and maps amax to 7") {
    // s_b = e4m3(3.0625 * (1024 * float(1/7))) = 448; inv = 1/(448 * 2^-10) = 2.2857:
    // 3.0625 -> 7; -1 -> -2.29 -> -2 (0xE) -> -2 * 448 / 1024 = -0.875; 0.1 -> 0.23 -> 0.
    const TensorScale t = nvint4_tensor_scale(3.0625f);
    const BlockRun b = run_block(nvint4(), t, {3.0625f, -1.0f, 0.1f});
    CHECK(b.rec.scale.code == 0x7E);
    CHECK(b.codes == std::vector<int>{0x7, 0xE, 0x0});
    CHECK(b.dequant == std::vector<float>{3.0625f, -0.875f, 0.0f});
  }
}

TEST_SUITE("formats.int4") {
  TEST_CASE("rn_magnitude_symmetric is |from(x, kSymmetric)| on every non-NaN float it can round differently") {
    // all floats in [0, 8] with a stride of 3 bit patterns, the 16 patterns either side of every
    // half-integer and integer up to 8, and the whole range with a stride of 2^12 (Inf included),
    // each with both signs; the device form runs over all 2^32 floats in `fp4lab verify`
    long checked = 0;
    auto check = [&checked](std::uint32_t u) {
      const float x = bit_cast<float>(u);
      if (x != x) return;
      const int want = int4::from(x, Int4Range::kSymmetric).value();
      const int got = int4::rn_magnitude_symmetric(x);
      if (got != (want < 0 ? -want : want)) {
        FAIL("x = " << x << " (bits " << u << "): " << got << " != |" << want << "|");
      }
      ++checked;
    };
    const std::uint32_t eight = bit_cast<std::uint32_t>(8.0f);
    for (std::uint32_t u = 0; u <= eight; u += 3) {
      check(u);
      check(u | 0x80000000u);
    }
    for (int h = 1; h <= 16; ++h) {
      const std::uint32_t c = bit_cast<std::uint32_t>(0.5f * static_cast<float>(h));
      for (std::uint32_t d = 0; d <= 16; ++d) {
        for (std::uint32_t u : {c - d, c + d}) {
          check(u);
          check(u | 0x80000000u);
        }
      }
    }
    for (std::uint64_t u = 0; u < (1ull << 32); u += 1ull << 12) check(static_cast<std::uint32_t>(u));
    check(0x7F800000u);
    check(0xFF800000u);
    MESSAGE(checked << " floats checked");
    CHECK(checked > 300000000);
  }
}

TEST_SUITE("formats.int4_group") {
  TEST_CASE("symmetric groups use scale absmax/7 rounded to the scale dtype") {
    // bmax = 1: 1/7 is 0x1.24924ap-3 in FP32, 0x1.248p-3 in FP16 and 0x1.24p-3 in BF16.
    // The rounded scale decides ties: 0.5/s is 3.4999998 (FP32, -> 3) but 3.5009 (FP16)
    // and 3.5068 (BF16) -> 4; 0.2142857 = 1.5/7 scales to 1.4999999 (-> 1) or above 1.5 (-> 2).
    const std::vector<float> x = {1.0f, 0.5f, -1.0f, 0.2142857f, 0.0f};
    struct Case {
      ScaleDtype dtype;
      float scale;
      std::vector<int> codes;
    };
    const Case cases[] = {
        {ScaleDtype::kFP32, 0x1.24924ap-3f, {0x7, 0x3, 0x9, 0x1, 0x0}},
        {ScaleDtype::kFP16, 0x1.248p-3f, {0x7, 0x4, 0x9, 0x2, 0x0}},
        {ScaleDtype::kBF16, 0x1.24p-3f, {0x7, 0x4, 0x9, 0x2, 0x0}},
    };
    for (const Case& c : cases) {
      CAPTURE(static_cast<int>(c.dtype));
      const BlockRun b = run_block(int4_group(Int4Scheme::kSymmetric, c.dtype), {}, x);
      CHECK(b.rec.scale.group_scale == c.scale);
      CHECK(round_to_scale_dtype(1.0f / 7.0f, c.dtype) == c.scale);
      CHECK(b.codes == c.codes);
      for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(b.dequant[i] ==
              static_cast<float>(int4{static_cast<std::uint8_t>(b.codes[i])}.value()) * c.scale);
      }
    }
  }

  TEST_CASE("symmetric codes round half to even and clamp to -7..7") {
    // bmax = 7: scale 1 in every dtype, so the codes are the rounded inputs.
    for (ScaleDtype d : {ScaleDtype::kFP32, ScaleDtype::kFP16, ScaleDtype::kBF16}) {
      const BlockRun b = run_block(int4_group(Int4Scheme::kSymmetric, d), {},
                                   {7, -7, 3.5f, 2.5f, -0.5f, 0.5f, 1.5f, 6.4f});
      CHECK(b.rec.scale.group_scale == 1.0f);
      CHECK(b.codes == std::vector<int>{0x7, 0x9, 0x4, 0x2, 0x0, 0x0, 0x2, 0x6});
    }
  }

  TEST_CASE("asymmetric groups use (max - min)/15 and a zero point that makes 0 exact") {
    // [-5, 10, ...]: range [-5, 10], scale 1, zero point 5. q = rne(x) + 5:
    // -5 -> 0, 10 -> 15, 0 -> 5, 2.4 -> 7, 7.5 -> 8 + 5 = 13 (tie to even), -4.9 -> 0.
    for (ScaleDtype d : {ScaleDtype::kFP32, ScaleDtype::kFP16, ScaleDtype::kBF16}) {
      const BlockRun b =
          run_block(int4_group(Int4Scheme::kAsymmetric, d), {}, {-5, 10, 0, 2.4f, 7.5f, -4.9f});
      CHECK(b.rec.scale.group_scale == 1.0f);
      CHECK(b.rec.scale.zero_point == 5);
      CHECK(b.codes == std::vector<int>{0, 15, 5, 7, 13, 0});
      CHECK(b.dequant == std::vector<float>{-5, 10, 0, 2, 8, -5});
    }
  }

  TEST_CASE("an all-positive asymmetric group keeps 0 in its range with zero point 0") {
    // [0, 1]: scale 1/15 rounded per dtype (FP32 0x1.111112p-4, FP16 0x1.11p-4, BF16
    // 0x1.12p-4); 0.5/s = 7.4999996 (FP32 -> 7), 7.5018 (FP16 -> 8), 7.4745 (BF16 -> 7);
    // 0.3/s = 4.4999998 (-> 4), 4.5012 (-> 5), 4.4847 (-> 4); 0.7/s = 10.4999995 (-> 10),
    // 10.503 (-> 11), 10.464 (-> 10). BF16's scale rounds up, so 1 decodes to 15s = 1.0034.
    const std::vector<float> x = {1.0f, 0.5f, 0.0f, 0.3f, 0.7f};
    struct Case {
      ScaleDtype dtype;
      float scale;
      std::vector<int> codes;
    };
    const Case cases[] = {
        {ScaleDtype::kFP32, 0x1.111112p-4f, {15, 7, 0, 4, 10}},
        {ScaleDtype::kFP16, 0x1.11p-4f, {15, 8, 0, 5, 11}},
        {ScaleDtype::kBF16, 0x1.12p-4f, {15, 7, 0, 4, 10}},
    };
    for (const Case& c : cases) {
      CAPTURE(static_cast<int>(c.dtype));
      const BlockRun b = run_block(int4_group(Int4Scheme::kAsymmetric, c.dtype), {}, x);
      CHECK(b.rec.scale.group_scale == c.scale);
      CHECK(b.rec.scale.zero_point == 0);
      CHECK(b.codes == c.codes);
      CHECK(b.dequant[0] == 15.0f * c.scale);
    }
  }

  TEST_CASE("an all-negative asymmetric group gets zero point 15") {
    // [-3, -1, 0]: range [-3, 0], s = float(3/15) = 0.2; zp = rne(3/s) = rne(14.9999998) = 15;
    // -3 -> rne(-14.9999998) + 15 = 0; -1 -> rne(-4.99999993) + 15 = 10; 0 -> 15.
    const BlockRun b =
        run_block(int4_group(Int4Scheme::kAsymmetric, ScaleDtype::kFP32), {}, {-3, -1, 0});
    CHECK(b.rec.scale.group_scale == 0.2f);
    CHECK(b.rec.scale.zero_point == 15);
    CHECK(b.codes == std::vector<int>{0, 10, 15});
    CHECK(b.dequant[2] == 0.0f);  // zero is exact
  }

  TEST_CASE("an all-zero group has scale 0 and decodes to zeros") {
    for (Int4Scheme s : {Int4Scheme::kSymmetric, Int4Scheme::kAsymmetric}) {
      const BlockRun b =
          run_block(int4_group(s, ScaleDtype::kFP32), {}, std::vector<float>(32, 0.0f));
      CHECK(b.rec.scale.group_scale == 0.0f);
      for (float d : b.dequant) CHECK(d == 0.0f);  // false for NaN
    }
  }

  TEST_CASE("bits per value count the scale dtype and the zero point") {
    CHECK(bits_per_value(int4_group(Int4Scheme::kSymmetric, ScaleDtype::kFP32)) == 4.0 + 32.0 / 32);
    CHECK(bits_per_value(int4_group(Int4Scheme::kSymmetric, ScaleDtype::kFP16)) == 4.0 + 16.0 / 32);
    CHECK(bits_per_value(int4_group(Int4Scheme::kAsymmetric, ScaleDtype::kBF16)) ==
          4.0 + 20.0 / 32);
    CHECK(bits_per_value(nvint4()) == 4.5);
  }
}
