// Hand-checked unit tests of the element formats (FORMATS.md §1): ties, saturation, NaN and
// Inf policies, decode tables, INT4, element-level stochastic rounding, constexpr use.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "formats/e2m1.hpp"
#include "formats/e4m3.hpp"
#include "formats/e5m2.hpp"
#include "formats/e8m0.hpp"
#include "formats/ieee.hpp"
#include "formats/int4.hpp"

namespace {

using namespace fp4lab::formats;

constexpr Saturation kSat = Saturation::kSatFinite;
constexpr Saturation kNoSat = Saturation::kNoSat;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

// Codes as int, so that doctest prints numbers rather than characters.
int e2m1_code(float x, Rounding r = Rounding::kNearestEven, NanPolicy nan = NanPolicy::kCuda) {
  return fp4_e2m1::from(x, r, 0, nan).bits;
}
int e4m3_code(float x, Saturation s = kSat, NanPolicy nan = NanPolicy::kCuda) {
  return fp8_e4m3::from(x, s, Rounding::kNearestEven, 0, nan).bits;
}
int e5m2_code(float x, Saturation s = kSat) { return fp8_e5m2::from(x, s).bits; }
int e8m0_code(float x, Saturation s, E8m0Rounding r) { return ue8m0::from(x, s, r).bits; }
int int4_value(float x, Int4Range range = Int4Range::kFull) { return int4::from(x, range).value(); }
std::uint32_t float_bits(float x) { return bit_cast<std::uint32_t>(x); }
bool is_positive_nan(float x) { return std::isnan(x) && !std::signbit(x); }

}  // namespace

// Compile-time use: the encoders and decoders are constexpr.
static_assert(fp4_e2m1::from(2.5f).bits == 0x4);
static_assert(fp4_e2m1{0x7}.to_float() == 6.0f);
static_assert(fp4_e2m1{0x1}.to_float() == 0.5f && fp4_e2m1{0x3}.to_float() == 1.5f);
static_assert(fp4_e2m1{0xD}.to_float() == -3.0f && fp4_e2m1{0x0}.to_float() == 0.0f);
static_assert(fp8_e4m3::from(464.0f).bits == 0x7E);
static_assert(fp8_e4m3::from(1000.0f, Saturation::kNoSat).bits == 0x7F);
static_assert(fp8_e5m2::from(61440.0f, Saturation::kNoSat).bits == 0x7C);
static_assert(fp8_e4m3{0x7E}.to_float() == 448.0f);
static_assert(ue8m0::from(1.5f, Saturation::kSatFinite, E8m0Rounding::kUp).bits == 0x80);
static_assert(ue8m0{0x7F}.to_float() == 1.0f);
static_assert(int4::from(2.5f).value() == 2);
static_assert(to_float(bf16{0x3FC0}) == 1.5f);
static_assert(fp16_from_float(1.5f).bits == 0x3E00);
static_assert(fp8_e4m3::from(1.03125f, Saturation::kSatFinite, Rounding::kStochastic, 0u).bits ==
              0x39);

TEST_SUITE("formats.e2m1") {
  TEST_CASE("ties round to the even mantissa") {
    CHECK(e2m1_code(0.25f) == 0x0);  // 0 | 0.5  -> 0
    CHECK(e2m1_code(0.75f) == 0x2);  // 0.5 | 1 -> 1
    CHECK(e2m1_code(1.25f) == 0x2);  // 1 | 1.5 -> 1
    CHECK(e2m1_code(1.75f) == 0x4);  // 1.5 | 2 -> 2
    CHECK(e2m1_code(2.5f) == 0x4);   // 2 | 3   -> 2
    CHECK(e2m1_code(3.5f) == 0x6);   // 3 | 4   -> 4
    CHECK(e2m1_code(5.0f) == 0x6);   // 4 | 6   -> 4
    CHECK(e2m1_code(-2.5f) == 0xC);
    CHECK(e2m1_code(-5.0f) == 0xE);
  }

  TEST_CASE("values just past a tie round away from it") {
    CHECK(e2m1_code(std::nextafter(0.25f, 1.0f)) == 0x1);
    CHECK(e2m1_code(std::nextafter(5.0f, 6.0f)) == 0x7);
    CHECK(e2m1_code(std::nextafter(5.0f, 0.0f)) == 0x6);
  }

  TEST_CASE("round toward zero truncates the magnitude") {
    CHECK(e2m1_code(5.99f, Rounding::kTowardZero) == 0x6);
    CHECK(e2m1_code(0.49f, Rounding::kTowardZero) == 0x0);
    CHECK(e2m1_code(-1.9f, Rounding::kTowardZero) == 0xB);
    CHECK(e2m1_code(100.0f, Rounding::kTowardZero) == 0x7);
  }

  TEST_CASE("a negative value that rounds to zero keeps its sign") {
    CHECK(e2m1_code(-0.1f) == 0x8);
    CHECK(e2m1_code(-0.0f) == 0x8);
    CHECK(e2m1_code(0.0f) == 0x0);
  }

  TEST_CASE("infinities and large values saturate to plus or minus six") {
    CHECK(e2m1_code(kInf) == 0x7);
    CHECK(e2m1_code(-kInf) == 0xF);
    CHECK(e2m1_code(7.0f) == 0x7);
    CHECK(e2m1_code(-1e30f) == 0xF);
  }

  TEST_CASE("NaN becomes +6 under kCuda and zero under kToZero") {
    CHECK(e2m1_code(kNan) == 0x7);
    CHECK(e2m1_code(-kNan) == 0x7);
    CHECK(e2m1_code(kNan, Rounding::kNearestEven, NanPolicy::kToZero) == 0x0);
    CHECK(e2m1_code(-kNan, Rounding::kNearestEven, NanPolicy::kKeepSign) == 0xF);
  }

  TEST_CASE("every code decodes to its listed value") {
    const float values[16] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f,  6.0f,
                              -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};
    for (int c = 0; c < 16; ++c) {
      INFO(std::string("code ") << c);
      CHECK(float_bits(fp4_e2m1{static_cast<std::uint8_t>(c)}.to_float()) == float_bits(values[c]));
      CHECK(e2m1_code(values[c]) == c);  // and every value encodes back to its code
    }
    CHECK(e2m1_value(0x5) == 3.0f);
  }
}

TEST_SUITE("formats.e4m3") {
  TEST_CASE("464 is a tie that rounds down to 448") {
    CHECK(e4m3_code(464.0f, kSat) == 0x7E);
    CHECK(e4m3_code(464.0f, kNoSat) == 0x7E);
    CHECK(e4m3_code(-464.0f, kNoSat) == 0xFE);
  }

  TEST_CASE("anything above 464 saturates to 448 or becomes NaN without saturation") {
    CHECK(e4m3_code(464.0001f, kSat) == 0x7E);
    CHECK(e4m3_code(464.0001f, kNoSat) == 0x7F);
    CHECK(e4m3_code(std::nextafter(464.0f, 1000.0f), kNoSat) == 0x7F);
    CHECK(e4m3_code(-1e10f, kSat) == 0xFE);
    CHECK(e4m3_code(-1e10f, kNoSat) == 0xFF);
  }

  TEST_CASE("infinity saturates to 448 or becomes NaN without saturation") {
    CHECK(e4m3_code(kInf, kSat) == 0x7E);
    CHECK(e4m3_code(-kInf, kSat) == 0xFE);
    CHECK(e4m3_code(kInf, kNoSat) == 0x7F);
    CHECK(e4m3_code(-kInf, kNoSat) == 0xFF);
  }

  TEST_CASE("NaN gives 0x7F with its sign dropped unless told otherwise") {
    CHECK(e4m3_code(kNan) == 0x7F);
    CHECK(e4m3_code(-kNan) == 0x7F);
    CHECK(e4m3_code(-kNan, kSat, NanPolicy::kKeepSign) == 0xFF);
    CHECK(e4m3_code(kNan, kSat, NanPolicy::kToZero) == 0x00);
  }

  TEST_CASE("half the smallest subnormal rounds to zero and the subnormals are exact") {
    CHECK(e4m3_code(0x1p-10f) == 0x00);
    CHECK(e4m3_code(-0x1p-10f) == 0x80);
    CHECK(e4m3_code(std::nextafter(0x1p-10f, 1.0f)) == 0x01);
    CHECK(e4m3_code(0x1p-9f) == 0x01);
    CHECK(e4m3_code(0x1.8p-9f) == 0x02);  // tie between 2^-9 and 2^-8 -> even code 0x02
    CHECK(e4m3_code(7 * 0x1p-9f) == 0x07);
    CHECK(e4m3_code(0x1p-6f) == 0x08);
  }

  TEST_CASE("negative zero keeps its sign") {
    CHECK(e4m3_code(-0.0f) == 0x80);
    CHECK(e4m3_code(0.0f) == 0x00);
    CHECK(std::signbit(fp8_e4m3{0x80}.to_float()));
  }

  TEST_CASE("the extreme codes decode to 448, 2^-6 and 2^-9") {
    CHECK(fp8_e4m3{0x7E}.to_float() == 448.0f);
    CHECK(fp8_e4m3{0xFE}.to_float() == -448.0f);
    CHECK(fp8_e4m3{0x08}.to_float() == 0x1p-6f);
    CHECK(fp8_e4m3{0x01}.to_float() == 0x1p-9f);
    CHECK(fp8_e4m3{0x07}.to_float() == 7 * 0x1p-9f);
    CHECK(fp8_e4m3{0x38}.to_float() == 1.0f);
    CHECK(is_positive_nan(fp8_e4m3{0x7F}.to_float()));
    CHECK(is_positive_nan(fp8_e4m3{0xFF}.to_float()));
    CHECK(fp8_e4m3::kMax == 448.0f);
    CHECK(fp8_e4m3::kMinSubnormal == 0x1p-9f);
  }

  TEST_CASE("UE4M3 drops the sign of its input") {
    CHECK(ue4m3::from(-3.0f).bits == ue4m3::from(3.0f).bits);
    CHECK(ue4m3::from(1000.0f).bits == 0x7E);
    CHECK(ue4m3{0xFE}.to_float() == 448.0f);
  }
}

TEST_SUITE("formats.e5m2") {
  TEST_CASE("61440 is a tie that overflows: 57344 saturated, infinity otherwise") {
    CHECK(e5m2_code(61440.0f, kSat) == 0x7B);
    CHECK(e5m2_code(61440.0f, kNoSat) == 0x7C);
    CHECK(e5m2_code(-61440.0f, kNoSat) == 0xFC);
    CHECK(e5m2_code(std::nextafter(61440.0f, 0.0f), kNoSat) == 0x7B);
    CHECK(e5m2_code(57344.0f, kNoSat) == 0x7B);
  }

  TEST_CASE("infinity stays infinite without saturation and NaN gives 0x7F") {
    CHECK(e5m2_code(kInf, kNoSat) == 0x7C);
    CHECK(e5m2_code(-kInf, kNoSat) == 0xFC);
    CHECK(e5m2_code(kInf, kSat) == 0x7B);
    CHECK(e5m2_code(-kNan, kSat) == 0x7F);
  }

  TEST_CASE("the special and extreme codes decode as IEEE-like values") {
    CHECK(fp8_e5m2{0x7B}.to_float() == 57344.0f);
    CHECK(fp8_e5m2{0x04}.to_float() == 0x1p-14f);
    CHECK(fp8_e5m2{0x01}.to_float() == 0x1p-16f);
    CHECK(fp8_e5m2{0x7C}.to_float() == kInf);
    CHECK(fp8_e5m2{0xFC}.to_float() == -kInf);
    for (std::uint8_t c : {0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF}) {
      CHECK(is_positive_nan(fp8_e5m2{c}.to_float()));
    }
  }
}

TEST_SUITE("formats.e8m0") {
  TEST_CASE("zero and everything at or below 2^-127 give code 0x00") {
    for (E8m0Rounding r : {E8m0Rounding::kTowardZero, E8m0Rounding::kUp}) {
      CHECK(e8m0_code(0.0f, kSat, r) == 0x00);
      CHECK(e8m0_code(-0.0f, kNoSat, r) == 0x00);
      CHECK(e8m0_code(0x1p-127f, kSat, r) == 0x00);
      CHECK(e8m0_code(0x1p-149f, kSat, r) == 0x00);
    }
    CHECK(e8m0_code(0x1p-126f, kSat, E8m0Rounding::kTowardZero) == 0x01);
  }

  TEST_CASE("1.5 truncates to 1 and rounds up to 2 under RU and nearest ties away") {
    CHECK(e8m0_code(1.5f, kSat, E8m0Rounding::kTowardZero) == 0x7F);
    CHECK(e8m0_code(1.5f, kSat, E8m0Rounding::kUp) == 0x80);
    CHECK(e8m0_code(1.5f, kSat, E8m0Rounding::kNearestTiesAway) == 0x80);
    CHECK(e8m0_code(1.4f, kSat, E8m0Rounding::kNearestTiesAway) == 0x7F);
    CHECK(e8m0_code(1.0f, kSat, E8m0Rounding::kUp) == 0x7F);           // exact powers never move
    CHECK(e8m0_code(-1.5f, kSat, E8m0Rounding::kTowardZero) == 0x7F);  // the sign is ignored
  }

  TEST_CASE("overflow gives 0xFE saturated and 0xFF without saturation") {
    CHECK(e8m0_code(1.5f * 0x1p127f, kSat, E8m0Rounding::kUp) == 0xFE);
    CHECK(e8m0_code(1.5f * 0x1p127f, kNoSat, E8m0Rounding::kUp) == 0xFF);
    CHECK(e8m0_code(1.5f * 0x1p127f, kNoSat, E8m0Rounding::kTowardZero) == 0xFE);
    CHECK(e8m0_code(0x1p127f, kNoSat, E8m0Rounding::kUp) == 0xFE);
    CHECK(e8m0_code(kInf, kSat, E8m0Rounding::kTowardZero) == 0xFE);
    CHECK(e8m0_code(kInf, kNoSat, E8m0Rounding::kTowardZero) == 0xFF);
    // double inputs past float range (CUDA's double RZ NOSAT quirk gives 0xFE here; we don't)
    CHECK(ue8m0::from(0x1p128, kNoSat, E8m0Rounding::kTowardZero).bits == 0xFF);
    CHECK(ue8m0::from(0x1p128, kSat, E8m0Rounding::kTowardZero).bits == 0xFE);
  }

  TEST_CASE("NaN gives 0xFF") {
    CHECK(e8m0_code(kNan, kSat, E8m0Rounding::kTowardZero) == 0xFF);
    CHECK(e8m0_code(-kNan, kSat, E8m0Rounding::kUp) == 0xFF);
  }

  TEST_CASE("codes decode to powers of two, 0x00 to the float subnormal 2^-127") {
    CHECK(float_bits(ue8m0{0x00}.to_float()) == 0x00400000u);
    CHECK(ue8m0{0x00}.to_float() == 0x1p-127f);
    CHECK(ue8m0{0x7F}.to_float() == 1.0f);
    CHECK(ue8m0{0x80}.to_float() == 2.0f);
    CHECK(ue8m0{0xFE}.to_float() == 0x1p127f);
    CHECK(is_positive_nan(ue8m0{0xFF}.to_float()));
    CHECK(ue8m0{0x7C}.exponent() == -3);
  }
}

TEST_SUITE("formats.int4") {
  TEST_CASE("halves round to the even integer") {
    CHECK(int4_value(2.5f) == 2);
    CHECK(int4_value(3.5f) == 4);
    CHECK(int4_value(-2.5f) == -2);
    CHECK(int4_value(0.5f) == 0);
    CHECK(int4_value(-1.5f) == -2);
    CHECK(int4_value(2.51f) == 3);
  }

  TEST_CASE("the full range clamps to -8..7 and the symmetric range to -7..7") {
    CHECK(int4_value(7.4f) == 7);
    CHECK(int4_value(100.0f) == 7);
    CHECK(int4_value(-7.5f) == -8);
    CHECK(int4_value(-8.0f) == -8);
    CHECK(int4_value(-1e9f) == -8);
    CHECK(int4_value(kInf) == 7);
    CHECK(int4_value(7.6f, Int4Range::kSymmetric) == 7);
    CHECK(int4_value(-7.5f, Int4Range::kSymmetric) == -7);
    CHECK(int4_value(-8.0f, Int4Range::kSymmetric) == -7);
    CHECK(int4_value(-kInf, Int4Range::kSymmetric) == -7);
  }

  TEST_CASE("codes are two's complement nibbles") {
    for (int v = -8; v <= 7; ++v) {
      const int4 q = int4::from(static_cast<float>(v));
      CHECK(q.bits == (v & 0xF));
      CHECK(q.value() == v);
      CHECK(q.to_float() == static_cast<float>(v));
    }
    CHECK(int4_value(kNan) == 0);
  }
}

namespace {

// A value x between two adjacent grid magnitudes lo < hi (x may be negative).
struct Bracket {
  const char* name;
  float x;
  float lo;
  float hi;
};

// Checks that encode(x, random_bits), which rounds stochastically and returns the decoded
// value, gives +-hi with probability (|x| - lo) / (hi - lo) and +-lo otherwise.
template <class Encode>
void check_stochastic_fraction(const Bracket& b, Encode encode) {
  INFO(std::string(b.name) << " x = " << b.x);
  const double frac = (std::fabs(static_cast<double>(b.x)) - b.lo) / (b.hi - b.lo);
  const float sign = b.x < 0 ? -1.0f : 1.0f;
  // (a) all 2^16 values of the top 16 random bits, low 16 bits zero: up iff k < frac * 2^16, so
  // the count is ceil(frac * 2^16) and the fraction is within one step, 2^-16, of frac.
  int up = 0;
  int other = 0;
  for (std::uint32_t k = 0; k < (1u << 16); ++k) {
    const float v = encode(b.x, k << 16);
    if (v == sign * b.hi) {
      ++up;
    } else if (v != sign * b.lo) {
      ++other;
    }
  }
  CHECK(other == 0);
  CHECK(std::fabs(up / 65536.0 - frac) <= 1.0 / 65536.0);
  // (b) 2^20 draws of a fixed-seed mt19937: binomial, so within 5 standard deviations
  // (sqrt(frac (1 - frac) / 2^20) <= 2^-11), plus 2^-32 for the threshold's rounding.
  std::mt19937 gen(20240601u);
  constexpr int kDraws = 1 << 20;
  int drawn_up = 0;
  for (int i = 0; i < kDraws; ++i) {
    if (encode(b.x, static_cast<std::uint32_t>(gen())) == sign * b.hi) ++drawn_up;
  }
  const double sigma = std::sqrt(frac * (1.0 - frac) / kDraws);
  CHECK(std::fabs(static_cast<double>(drawn_up) / kDraws - frac) <= 5 * sigma + 0x1p-32);
}

}  // namespace

TEST_SUITE("formats.stochastic") {
  TEST_CASE("E2M1 rounds up with probability equal to the fractional distance") {
    const auto encode = [](float x, std::uint32_t rb) {
      return fp4_e2m1::from(x, Rounding::kStochastic, rb).to_float();
    };
    check_stochastic_fraction({"E2M1 0 | 0.5", 0.1f, 0.0f, 0.5f}, encode);
    check_stochastic_fraction({"E2M1 1 | 1.5", 1.1f, 1.0f, 1.5f}, encode);
    check_stochastic_fraction({"E2M1 2 | 3", 2.25f, 2.0f, 3.0f}, encode);
    check_stochastic_fraction({"E2M1 4 | 6", 4.5f, 4.0f, 6.0f}, encode);
    check_stochastic_fraction({"E2M1 4 | 6", 5.9f, 4.0f, 6.0f}, encode);
    check_stochastic_fraction({"E2M1 -1 | -1.5", -1.3f, 1.0f, 1.5f}, encode);
  }

  TEST_CASE("E4M3, E5M2 and INT4 round up with probability equal to the fractional distance") {
    const auto e4m3 = [](float x, std::uint32_t rb) {
      return fp8_e4m3::from(x, kSat, Rounding::kStochastic, rb).to_float();
    };
    check_stochastic_fraction({"E4M3 1 | 1.125", 1.03125f, 1.0f, 1.125f}, e4m3);
    check_stochastic_fraction({"E4M3 0 | 2^-9", 0x1.8p-10f, 0.0f, 0x1p-9f}, e4m3);
    check_stochastic_fraction({"E4M3 288 | 320", 300.0f, 288.0f, 320.0f}, e4m3);
    check_stochastic_fraction({"E4M3 416 | 448", -447.0f, 416.0f, 448.0f}, e4m3);
    const auto e5m2 = [](float x, std::uint32_t rb) {
      return fp8_e5m2::from(x, kSat, Rounding::kStochastic, rb).to_float();
    };
    check_stochastic_fraction({"E5M2 1 | 1.25", 1.1f, 1.0f, 1.25f}, e5m2);
    const auto int4_encode = [](float x, std::uint32_t rb) {
      return int4::from(x, Int4Range::kFull, Rounding::kStochastic, rb).to_float();
    };
    check_stochastic_fraction({"INT4 2 | 3", 2.25f, 2.0f, 3.0f}, int4_encode);
    check_stochastic_fraction({"INT4 0 | -1", -0.7f, 0.0f, 1.0f}, int4_encode);
  }

  TEST_CASE("a value exactly on the grid never moves") {
    // every finite code, every value of the top 16 random bits and a few full patterns
    const std::uint32_t extra[] = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu};
    int moved = 0;
    const auto check_all_bits = [&](auto encode_code, float x, int code) {
      for (std::uint32_t k = 0; k < (1u << 16); ++k) moved += encode_code(x, k << 16) != code;
      for (std::uint32_t rb : extra) moved += encode_code(x, rb) != code;
    };
    for (int c = 0; c < 16; ++c) {
      const float x = fp4_e2m1{static_cast<std::uint8_t>(c)}.to_float();
      check_all_bits(
          [](float v, std::uint32_t rb) {
            return static_cast<int>(fp4_e2m1::from(v, Rounding::kStochastic, rb).bits);
          },
          x, c);
    }
    for (int c = 0; c < 256; ++c) {
      if ((c & 0x7F) == 0x7F) continue;  // NaN
      const float x = fp8_e4m3{static_cast<std::uint8_t>(c)}.to_float();
      check_all_bits(
          [](float v, std::uint32_t rb) {
            return static_cast<int>(fp8_e4m3::from(v, kNoSat, Rounding::kStochastic, rb).bits);
          },
          x, c);
    }
    for (int c = 0; c < 256; ++c) {
      if ((c & 0x7F) > 0x7C) continue;  // NaN
      const float x = fp8_e5m2{static_cast<std::uint8_t>(c)}.to_float();
      check_all_bits(
          [](float v, std::uint32_t rb) {
            return static_cast<int>(fp8_e5m2::from(v, kNoSat, Rounding::kStochastic, rb).bits);
          },
          x, c);
    }
    for (int v = -8; v <= 7; ++v) {
      check_all_bits(
          [](float f, std::uint32_t rb) {
            return int4::from(f, Int4Range::kFull, Rounding::kStochastic, rb).value();
          },
          static_cast<float>(v), v);
    }
    CHECK(moved == 0);
  }

  TEST_CASE("random bits of zero round up any value with a nonzero remainder") {
    // The rule is "up iff random_bits < frac * 2^32": with random_bits = 0 every value
    // off the grid goes up, however small frac is, and random_bits = 1 leaves a
    // frac <= 2^-32 value down.
    for (float x : {0x1p-20f, 0x1p-60f, 0x1p-100f, 0x1p-126f, 0x1p-149f}) {
      INFO(std::string("x = ") << x);
      CHECK(fp8_e4m3::from(x, kSat, Rounding::kStochastic, 0u).bits == 0x01);
      CHECK(fp8_e5m2::from(x, kSat, Rounding::kStochastic, 0u).bits == 0x01);
      CHECK(fp4_e2m1::from(x, Rounding::kStochastic, 0u).bits == 0x1);
      CHECK(int4::from(x, Int4Range::kFull, Rounding::kStochastic, 0u).value() == 1);
      if (x <= 0x1p-60f) {
        CHECK(fp8_e4m3::from(x, kSat, Rounding::kStochastic, 1u).bits == 0x00);
      }
    }
    CHECK(fp8_e4m3::from(0x1p-200, kSat, Rounding::kStochastic, 0u).bits == 0x01);  // double
  }
}

TEST_SUITE("formats.ieee") {
  TEST_CASE("fp16 and bf16 round to nearest even from float") {
    CHECK(fp16_from_float(1.0f).bits == 0x3C00);
    CHECK(fp16_from_float(65504.0f).bits == 0x7BFF);
    CHECK(fp16_from_float(65519.996f).bits == 0x7BFF);
    CHECK(fp16_from_float(65520.0f).bits == 0x7C00);  // the tie above the max overflows
    CHECK(fp16_from_float(0x1p-25f).bits == 0x0000);  // half the smallest subnormal: to even
    CHECK(fp16_from_float(0x1.8p-24f).bits == 0x0002);
    CHECK(fp16_from_float(-0.0f).bits == 0x8000);
    CHECK(bf16_from_float(1.00390625f).bits == 0x3F80);  // tie -> even
    CHECK(bf16_from_float(1.01171875f).bits == 0x3F82);  // tie -> even (up)
    CHECK(std::isnan(to_float(bf16_from_float(kNan))));
    CHECK(std::isnan(to_float(fp16_from_float(-kNan))));
  }

  TEST_CASE("fp16 and bf16 widen to float exactly") {
    CHECK(to_float(fp16{0x0001}) == 0x1p-24f);
    CHECK(to_float(fp16{0x7BFF}) == 65504.0f);
    CHECK(to_float(fp16{0xFC00}) == -kInf);
    CHECK(to_float(bf16{0x0040}) == 0x1p-127f);
    CHECK(to_float(bf16{0xBF80}) == -1.0f);
  }
}
