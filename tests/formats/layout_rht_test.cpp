// Storage layouts (FORMATS.md §7: nibble packing, row-major and 128x4 swizzled scales), the
// 16-point random Hadamard transform (§6) and Philox4x32-10 against Random123's known
// answers, which make the stochastic-rounding bits reproducible on CPU and GPU.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "formats/layout.hpp"
#include "formats/philox.hpp"
#include "formats/rht.hpp"

namespace {

using namespace fp4lab::formats;

// The §7 formula, written out independently of the header.
std::size_t swizzle(std::size_t r, std::size_t c, std::size_t padded_cols) {
  return ((r / 128) * (padded_cols / 4) + c / 4) * 512 + (r % 32) * 16 + ((r % 128) / 32) * 4 +
         (c % 4);
}

}  // namespace

TEST_SUITE("formats.layout") {
  TEST_CASE("byte j packs code 2j in the low nibble and code 2j+1 in the high nibble") {
    CHECK(pack_pair(0x1, 0xA) == 0xA1);
    CHECK(pack_pair(0xF, 0x0) == 0x0F);
    CHECK(pack_pair(0x13, 0x25) == 0x53);  // only the low nibbles count
    std::vector<std::uint8_t> codes, packed;
    for (int i = 0; i < 256; ++i) {  // every ordered pair of codes
      codes.push_back(static_cast<std::uint8_t>(i & 0xF));
      codes.push_back(static_cast<std::uint8_t>(i >> 4));
    }
    for (std::size_t j = 0; j < codes.size() / 2; ++j) {
      packed.push_back(pack_pair(codes[2 * j], codes[2 * j + 1]));
      CHECK(packed[j] == static_cast<std::uint8_t>(j));  // (hi << 4) | lo enumerates bytes
    }
    for (std::size_t i = 0; i < codes.size(); ++i) CHECK(unpack_code(packed.data(), i) == codes[i]);
  }

  TEST_CASE("row-major scale offsets are r * cols + c with no padding") {
    CHECK(scale_offset(0, 0, 5, ScaleLayout::kRowMajor) == 0);
    CHECK(scale_offset(3, 2, 5, ScaleLayout::kRowMajor) == 17);
    CHECK(padded_scale_rows(300, ScaleLayout::kRowMajor) == 300);
    CHECK(padded_scale_cols(5, ScaleLayout::kRowMajor) == 5);
  }

  TEST_CASE("the 128x4 swizzle pads rows to 128 and columns to 4") {
    CHECK(padded_scale_rows(1, ScaleLayout::kSwizzled128x4) == 128);
    CHECK(padded_scale_rows(128, ScaleLayout::kSwizzled128x4) == 128);
    CHECK(padded_scale_rows(300, ScaleLayout::kSwizzled128x4) == 384);
    CHECK(padded_scale_cols(4, ScaleLayout::kSwizzled128x4) == 4);
    CHECK(padded_scale_cols(5, ScaleLayout::kSwizzled128x4) == 8);
  }

  TEST_CASE("the 128x4 swizzle places hand-computed scales where cuBLAS expects them") {
    const auto off = [](std::size_t r, std::size_t c, std::size_t cols) {
      return scale_offset(r, c, cols, ScaleLayout::kSwizzled128x4);
    };
    CHECK(off(0, 0, 8) == 0);
    CHECK(off(0, 3, 8) == 3);       // c % 4
    CHECK(off(1, 0, 8) == 16);      // (r % 32) * 16
    CHECK(off(32, 0, 8) == 4);      // ((r % 128) / 32) * 4
    CHECK(off(127, 3, 8) == 511);   // 31 * 16 + 3 * 4 + 3: the last of the first tile
    CHECK(off(0, 4, 8) == 512);     // the next column tile
    CHECK(off(128, 0, 8) == 1024);  // the next row tile, after 8/4 = 2 column tiles
    CHECK(off(128, 0, 5) == 1024);  // 5 columns pad to 8
  }

  TEST_CASE("the 128x4 swizzle is a bijection on padded grids") {
    const std::size_t shapes[][2] = {{128, 4}, {256, 8}, {300, 5}, {1, 1}, {129, 12}};
    for (const auto& s : shapes) {
      const std::size_t rows = s[0], cols = s[1];
      const std::size_t pr = padded_scale_rows(rows, ScaleLayout::kSwizzled128x4);
      const std::size_t pc = padded_scale_cols(cols, ScaleLayout::kSwizzled128x4);
      CAPTURE(rows);
      CAPTURE(cols);
      std::vector<int> hits(pr * pc, 0);
      bool in_range = true, matches = true;
      for (std::size_t r = 0; r < pr; ++r) {
        for (std::size_t c = 0; c < pc; ++c) {
          const std::size_t o = scale_offset(r, c, cols, ScaleLayout::kSwizzled128x4);
          matches = matches && o == swizzle(r, c, pc);
          if (o >= hits.size()) {
            in_range = false;
            continue;
          }
          ++hits[o];
        }
      }
      CHECK(in_range);
      CHECK(matches);
      int once = 0;
      for (int h : hits) once += h == 1;
      CHECK(once == static_cast<int>(pr * pc));  // every offset hit exactly once
    }
  }
}

TEST_SUITE("formats.rht") {
  TEST_CASE("the transform of e0 is 0.25 everywhere") {
    float e0[16] = {1.0f}, y[16];
    rht16_forward(e0, y);
    for (float v : y) CHECK(v == 0.25f);
  }

  TEST_CASE("the transform of all ones matches FORMATS.md §6") {
    float ones[16], y[16];
    for (float& v : ones) v = 1.0f;
    rht16_forward(ones, y);
    const float want[16] = {-1, 0, 1, 0, 1, 0, -1, 0, 1, 2, 1, 0, 1, 0, 1, -2};
    for (int j = 0; j < 16; ++j) {
      CAPTURE(j);
      CHECK(y[j] == want[j]);  // exact: sums of +-1 times 0.25
    }
  }

  TEST_CASE("the sign vector is TransformerEngine's and H16 is Sylvester's") {
    const int signs[16] = {1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1, -1, 1, -1, -1};
    for (int i = 0; i < 16; ++i) CHECK(kRhtSigns[i] == signs[i]);
    CHECK(hadamard16(0, 15) == 1);
    CHECK(hadamard16(1, 1) == -1);
    CHECK(hadamard16(3, 3) == 1);
    CHECK(hadamard16(15, 7) == -1);
    for (int i = 0; i < 16; ++i) {  // rows are orthogonal: H H^T = 16 I
      for (int k = 0; k < 16; ++k) {
        int dot = 0;
        for (int j = 0; j < 16; ++j) dot += hadamard16(i, j) * hadamard16(k, j);
        CHECK(dot == (i == k ? 16 : 0));
      }
    }
  }

  TEST_CASE("the inverse undoes the forward transform within FP32 rounding") {
    // Each output is a 16-term FP32 sum, scaled exactly by 1/4, so forward then inverse errs
    // by at most about 2 x 15 units of roundoff (u = 2^-24) times sum |x_i| (|y_j| <= sum|x|/4,
    // sum |y| <= 4 sum |x|): the bound below, 32 u sum |x_i|, covers it.
    std::mt19937 gen(20251105u);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (int trial = 0; trial < 1000; ++trial) {
      float x[16], y[16], back[16];
      float l1 = 0.0f, norm_x = 0.0f, norm_y = 0.0f;
      const float mag = std::ldexp(1.0f, trial % 40 - 20);
      for (float& v : x) {
        v = dist(gen) * mag;
        l1 += std::fabs(v);
      }
      rht16_forward(x, y);
      rht16_inverse(y, back);
      const float tol = 32.0f * 0x1p-24f * l1;
      for (int i = 0; i < 16; ++i) {
        CHECK(std::fabs(back[i] - x[i]) <= tol);
        norm_x += x[i] * x[i];
        norm_y += y[i] * y[i];
      }
      // Orthogonal: the norm is kept. Roundoff in y (15 u l1 / 4 each) moves sum y^2 by at
      // most 2 sum|y| 15 u l1 / 4 <= 30 u l1^2, and each 16-term sum of squares adds 16 u l1^2;
      // 128 u l1^2 is a safe margin over that ~62 u l1^2.
      CHECK(std::fabs(norm_y - norm_x) <= 128.0f * 0x1p-24f * l1 * l1);
    }
  }
}

TEST_SUITE("formats.philox") {
  TEST_CASE("philox4x32_10 matches Random123's known-answer vectors") {
    // Random123 kat_vectors, "philox4x32 10": counter (4 words), key (2 words) -> output.
    const Philox4 zeros = philox4x32_10(0, 0, 0, 0, 0, 0);
    CHECK(zeros.v[0] == 0x6627e8d5u);
    CHECK(zeros.v[1] == 0xe169c58du);
    CHECK(zeros.v[2] == 0xbc57ac4cu);
    CHECK(zeros.v[3] == 0x9b00dbd8u);
    const std::uint32_t f = 0xffffffffu;
    const Philox4 ones = philox4x32_10(f, f, f, f, f, f);
    CHECK(ones.v[0] == 0x408f276du);
    CHECK(ones.v[1] == 0x41c83b0eu);
    CHECK(ones.v[2] == 0xa20bc7c6u);
    CHECK(ones.v[3] == 0x6d5451fdu);
    const Philox4 pi =
        philox4x32_10(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u);
    CHECK(pi.v[0] == 0xd16cfe09u);
    CHECK(pi.v[1] == 0x94fdccebu);
    CHECK(pi.v[2] == 0x5001e420u);
    CHECK(pi.v[3] == 0x24126ea1u);
  }

  TEST_CASE("rounding bits are a pure function of the seed and the element index") {
    static_assert(rounding_bits(1, 2) == rounding_bits(1, 2));
    CHECK(rounding_bits(7, 12345) == philox4x32_10(12345, 0, 0x46503446u, 0, 7, 0).v[0]);
    CHECK(rounding_bits(7, 1ull << 33) == philox4x32_10(0, 2, 0x46503446u, 0, 7, 0).v[0]);
    CHECK(rounding_bits(0x100000002ull, 5) == philox4x32_10(5, 0, 0x46503446u, 0, 2, 1).v[0]);
    CHECK(rounding_bits(7, 0) != rounding_bits(8, 0));
    CHECK(rounding_bits(7, 0) != rounding_bits(7, 1));
  }
}
