// MXFP4 (FORMATS.md §4, OCP MX v1.0): 32 E2M1 values sharing an E8M0 scale 2^e, with the
// scale modes floor (default), ceil, even and rceil on hand-computed block maxima, the -127
// clamp, NaN/Inf blocks (scale 0xFF, all NaN) and all-zero blocks (scale 0x00).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "formats/block.hpp"

namespace {

using namespace fp4lab::formats;

constexpr int kBias = 127;  // E8M0: code = e + 127

Recipe mx(MxScaleMode mode) {
  Recipe r;
  r.format = BlockFormat::kMXFP4;
  r.mx = mode;
  r.block_size = 32;
  return r;
}

struct BlockRun {
  BlockRecord rec;
  std::vector<int> codes;
  std::vector<float> dequant;
};

// A 32-value block: `head` followed by zeros.
BlockRun run_block(MxScaleMode mode, std::vector<float> head) {
  std::vector<float> x = head;
  x.resize(32, 0.0f);
  std::vector<std::uint8_t> codes(32);
  BlockRun out;
  out.dequant.resize(32);
  const Recipe r = mx(mode);
  out.rec = quantize_block(r, tensor_scale(r, 0.0f),
                           BlockIO{x.data(), 32, nullptr, codes.data(), out.dequant.data()});
  out.codes.assign(codes.begin(), codes.end());
  return out;
}

// The shared exponent e of a block whose max is bmax.
int exponent(MxScaleMode mode, float bmax) {
  return static_cast<int>(mx_scale_code(mode, bmax)) - kBias;
}

}  // namespace

TEST_SUITE("formats.mxfp4") {
  TEST_CASE("the MX block is 32 values and floor is the default scale mode") {
    CHECK(default_block_size(BlockFormat::kMXFP4) == 32);
    CHECK(Recipe{}.mx == MxScaleMode::kFloor);
  }

  TEST_CASE("bmax = 6: floor and even give e = 0, ceil e = 1, rceil e = 0") {
    // log2(6) = 2.58: floor 2 - 2 = 0, ceil 3 - 2 = 1; 6 = 110b already has two significant
    // bits (even: floor); rceil: RU(6 * float(1/6)) = RU(1.0) = 1 = 2^0.
    CHECK(exponent(MxScaleMode::kFloor, 6.0f) == 0);
    CHECK(exponent(MxScaleMode::kCeil, 6.0f) == 1);
    CHECK(exponent(MxScaleMode::kEven, 6.0f) == 0);
    CHECK(exponent(MxScaleMode::kRceil, 6.0f) == 0);
    const BlockRun b = run_block(MxScaleMode::kFloor, {6.0f, -5.0f, 0.75f});
    CHECK(b.rec.scale.code == 127);
    CHECK(b.codes[0] == 0x7);  // 6
    CHECK(b.codes[1] == 0xE);  // -5 is a tie -> -4
    CHECK(b.codes[2] == 0x2);  // 0.75 is a tie -> 1
    CHECK(b.dequant[1] == -4.0f);
    const BlockRun c = run_block(MxScaleMode::kCeil, {6.0f, -5.0f, 0.75f});
    CHECK(c.rec.scale.code == 128);
    CHECK(c.codes[0] == 0x5);     // 6/2 = 3
    CHECK(c.dequant[2] == 1.0f);  // 0.375 -> 0.5, times 2
  }

  TEST_CASE("bmax = 7.5: floor clamps the elements to 6, even, ceil and rceil move to e = 1") {
    // 7.5 = 111.1b: floor(log2) = 2 -> e = 0, and 7.5 clamps to 6 (the (6, 8) x 2^k case).
    // even: 1.111b rounds to 10.0b (next binade) -> floor 3 -> e = 1.
    // rceil: 7.5 * float(1/6) = 1.25 -> RU 2 -> e = 1.
    CHECK(exponent(MxScaleMode::kFloor, 7.5f) == 0);
    CHECK(exponent(MxScaleMode::kEven, 7.5f) == 1);
    CHECK(exponent(MxScaleMode::kCeil, 7.5f) == 1);
    CHECK(exponent(MxScaleMode::kRceil, 7.5f) == 1);
    const BlockRun f = run_block(MxScaleMode::kFloor, {7.5f, -7.0f});
    CHECK(f.codes[0] == 0x7);
    CHECK(f.codes[1] == 0xF);
    CHECK(f.dequant[0] == 6.0f);
    CHECK(f.dequant[1] == -6.0f);
    const BlockRun e = run_block(MxScaleMode::kEven, {7.5f, -7.0f});
    CHECK(e.dequant[0] == 8.0f);   // 3.75 -> 4, times 2
    CHECK(e.dequant[1] == -8.0f);  // 3.5 is a tie -> 4, times 2
  }

  TEST_CASE("an exact power of two gives the same exponent in every mode") {
    // bmax = 1: floor = ceil = 0 -> e = -2; rceil: RU(float(1/6)) = 0.25 = 2^-2.
    for (MxScaleMode m :
         {MxScaleMode::kFloor, MxScaleMode::kCeil, MxScaleMode::kEven, MxScaleMode::kRceil}) {
      CHECK(exponent(m, 1.0f) == -2);
      CHECK(exponent(m, 4.0f) == 0);  // rceil: RU(0.667) = 1
    }
    const BlockRun b = run_block(MxScaleMode::kFloor, {1.0f, 0.3f});
    CHECK(b.codes[0] == 0x6);  // 1 / 2^-2 = 4
    CHECK(b.codes[1] == 0x2);  // 1.2 -> 1
    CHECK(b.dequant[1] == 0.25f);
  }

  TEST_CASE("even rounds bmax to two significant bits with ties to even") {
    // 1.25 = 1.01b: a tie between 1.0b and 1.1b -> 1.0b (even): e = -2, as floor.
    // 1.75 = 1.11b: a tie between 1.1b and 10.0b -> 10.0b (even): next binade, e = -1.
    CHECK(exponent(MxScaleMode::kEven, 1.25f) == -2);
    CHECK(exponent(MxScaleMode::kEven, 1.75f) == -1);
    CHECK(exponent(MxScaleMode::kFloor, 1.75f) == -2);
    CHECK(exponent(MxScaleMode::kCeil, 1.25f) == -1);
    // rceil: 1.25/6 = 0.208 -> RU 0.25 (e = -2); 1.75/6 = 0.292 -> RU 0.5 (e = -1).
    CHECK(exponent(MxScaleMode::kRceil, 1.25f) == -2);
    CHECK(exponent(MxScaleMode::kRceil, 1.75f) == -1);
  }

  TEST_CASE("rceil moves to the next exponent as soon as bmax exceeds 6 x 2^k") {
    CHECK(exponent(MxScaleMode::kRceil, 6.5f) == 1);   // 1.083 -> 2
    CHECK(exponent(MxScaleMode::kFloor, 6.5f) == 0);   // and floor clamps 6.5 to 6
    CHECK(exponent(MxScaleMode::kRceil, 3.0f) == -1);  // 0.5 exactly
    CHECK(exponent(MxScaleMode::kRceil, 96.0f) == 4);  // 16 exactly
  }

  TEST_CASE("a tiny block max clamps the exponent at -127 (code 0x00)") {
    const float tiny = 0x1p-140f;  // a float subnormal: floor(log2) - 2 = -142
    for (MxScaleMode m :
         {MxScaleMode::kFloor, MxScaleMode::kCeil, MxScaleMode::kEven, MxScaleMode::kRceil}) {
      CHECK(mx_scale_code(m, tiny) == 0x00);
    }
    CHECK(exponent(MxScaleMode::kFloor, 0x1p-125f) == -127);
    CHECK(exponent(MxScaleMode::kFloor, 0x1p-124f) == -126);
    // Scale 2^-127: tiny / 2^-127 = 2^-13 rounds to 0, so the block decodes to zeros.
    const BlockRun b = run_block(MxScaleMode::kFloor, {tiny});
    CHECK(b.rec.scale.code == 0x00);
    CHECK(b.dequant[0] == 0.0f);
    // The largest float: floor(log2) = 127 -> e = 125; ceil -> 126. No finite bmax overflows.
    CHECK(exponent(MxScaleMode::kFloor, std::numeric_limits<float>::max()) == 125);
    CHECK(exponent(MxScaleMode::kCeil, std::numeric_limits<float>::max()) == 126);
  }

  TEST_CASE("a NaN or an infinity anywhere in the block gives scale 0xFF and an all-NaN block") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    for (float bad : {nan, inf, -inf}) {
      for (MxScaleMode m : {MxScaleMode::kFloor, MxScaleMode::kRceil}) {
        const BlockRun b = run_block(m, {1.0f, bad, 0.5f});
        CHECK(b.rec.scale.code == 0xFF);
        CHECK(b.rec.nonfinite == 1);
        for (float d : b.dequant) CHECK(std::isnan(d));
        CHECK(std::isnan(mxfp4_dequantize(0xFF, 0x0)));
      }
    }
  }

  TEST_CASE("an all-zero block gets scale 0x00 and decodes to zeros") {
    for (MxScaleMode m :
         {MxScaleMode::kFloor, MxScaleMode::kCeil, MxScaleMode::kEven, MxScaleMode::kRceil}) {
      const BlockRun b = run_block(m, {});
      CHECK(b.rec.scale.code == 0x00);
      for (int c : b.codes) CHECK(c == 0x0);
      for (float d : b.dequant) CHECK(d == 0.0f);
    }
  }

  TEST_CASE("decoding is the E2M1 value times 2^e, the same as the fake-quantized block") {
    const BlockRun b = run_block(MxScaleMode::kFloor, {48.0f, -20.0f, 13.0f, 0.9f, -3.0f});
    CHECK(exponent(MxScaleMode::kFloor, 48.0f) == 3);  // floor(log2 48) = 5
    const Recipe r = mx(MxScaleMode::kFloor);
    BlockScale s;
    s.code = b.rec.scale.code;
    for (int i = 0; i < 32; ++i) {
      const auto c = static_cast<std::uint8_t>(b.codes[static_cast<std::size_t>(i)]);
      CHECK(b.dequant[static_cast<std::size_t>(i)] == dequantize_code(r, TensorScale{}, s, c));
      CHECK(mxfp4_dequantize(s.code, c) == e2m1_value(c) * 8.0f);
    }
    // 48/8 = 6; -20/8 = -2.5 (tie -> -2); 13/8 = 1.625 -> 1.5; 0.9/8 -> 0; -3/8 -> -0.5.
    CHECK(std::vector<float>(b.dequant.begin(), b.dequant.begin() + 5) ==
          std::vector<float>{48.0f, -16.0f, 12.0f, 0.0f, -4.0f});
  }
}
