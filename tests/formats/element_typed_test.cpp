// Typed tests over every element type (E2M1, INT4, E4M3, UE4M3, E5M2, UE8M0, E2M3, E3M2, E2M0,
// INT3, INT6): the properties
// FORMATS.md §1 states for all of them, checked per type with the same code: every code round
// trips, ties go to the even code, overflow saturates, NaN gives the documented code, and the
// fp16/bf16 overloads agree with the float path on all 2^16 inputs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "formats/element_of.hpp"
#include "formats/ieee.hpp"

namespace {

using namespace fp4lab::formats;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

/// What each type's default encoder must give, written out from FORMATS.md §1 (not read from
/// the implementation): how many codes there are, the NaN code, the codes of +-overflow and of
/// -0, and whether ties go to the even code (E8M0's default rounds toward zero).
template <class T>
struct Expect;
template <>
struct Expect<fp4_e2m1> {
  static constexpr ElementType kType = ElementType::kE2M1;
  static constexpr int kCodes = 16, kNan = 0x7, kPosOverflow = 0x7, kNegOverflow = 0xF, kNegZero = 0x8;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<int4> {
  static constexpr ElementType kType = ElementType::kINT4;
  static constexpr int kCodes = 16, kNan = 0x0, kPosOverflow = 0x7, kNegOverflow = 0x8, kNegZero = 0x0;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<fp8_e4m3> {
  static constexpr ElementType kType = ElementType::kE4M3;
  static constexpr int kCodes = 256, kNan = 0x7F, kPosOverflow = 0x7E, kNegOverflow = 0xFE, kNegZero = 0x80;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<ue4m3> {
  static constexpr ElementType kType = ElementType::kUE4M3;
  static constexpr int kCodes = 128, kNan = 0x7F, kPosOverflow = 0x7E, kNegOverflow = 0x7E, kNegZero = 0x00;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<fp8_e5m2> {
  static constexpr ElementType kType = ElementType::kE5M2;
  static constexpr int kCodes = 256, kNan = 0x7F, kPosOverflow = 0x7B, kNegOverflow = 0xFB, kNegZero = 0x80;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<ue8m0> {
  static constexpr ElementType kType = ElementType::kUE8M0;
  static constexpr int kCodes = 256, kNan = 0xFF, kPosOverflow = 0xFE, kNegOverflow = 0xFE, kNegZero = 0x00;
  static constexpr bool kTiesToEven = false;
};

template <>
struct Expect<fp6_e2m3> {
  static constexpr ElementType kType = ElementType::kE2M3;
  static constexpr int kCodes = 64, kNan = 0x1F, kPosOverflow = 0x1F, kNegOverflow = 0x3F, kNegZero = 0x20;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<fp6_e3m2> {
  static constexpr ElementType kType = ElementType::kE3M2;
  static constexpr int kCodes = 64, kNan = 0x1F, kPosOverflow = 0x1F, kNegOverflow = 0x3F, kNegZero = 0x20;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<fp3_e2m0> {
  static constexpr ElementType kType = ElementType::kE2M0;
  static constexpr int kCodes = 8, kNan = 0x3, kPosOverflow = 0x3, kNegOverflow = 0x7, kNegZero = 0x4;
  static constexpr bool kTiesToEven = true;
};
template <>
struct Expect<int3_sym> {
  static constexpr ElementType kType = ElementType::kINT3;
  static constexpr int kCodes = 8, kNan = 0x0, kPosOverflow = 0x3, kNegOverflow = 0x7, kNegZero = 0x0;
  static constexpr bool kTiesToEven = true;
  static constexpr int kAliasCode = 0x4;  ///< sign-magnitude -0: decodes to -0, never written
};
template <>
struct Expect<int6_sym> {
  static constexpr ElementType kType = ElementType::kINT6;
  static constexpr int kCodes = 64, kNan = 0x0, kPosOverflow = 0x1F, kNegOverflow = 0x3F, kNegZero = 0x0;
  static constexpr bool kTiesToEven = true;
  static constexpr int kAliasCode = 0x20;  ///< sign-magnitude -0: decodes to -0, never written
};

/// A code that decodes to the value of another code and is never written (-1: none).
template <class T>
constexpr int alias_code() {
  if constexpr (requires { Expect<T>::kAliasCode; }) {
    return Expect<T>::kAliasCode;
  } else {
    return -1;
  }
}

/// True for the types whose encoder takes (x, Rounding, random bits, ...) with no saturation
/// or range argument: the always-saturating minifloats and the symmetric integers.
template <class T>
constexpr bool takes_rounding_first() {
  constexpr ElementType t = Expect<T>::kType;
  return t == ElementType::kE2M1 || t == ElementType::kE2M3 || t == ElementType::kE3M2 ||
         t == ElementType::kE2M0 || t == ElementType::kINT3 || t == ElementType::kINT6;
}

/// The code of x under T's default policies, as int so that doctest prints numbers.
template <class T, class In>
int code_of(In x) {
  return T::from(x).bits;
}

template <class T>
float value_of(int code) {
  return T{static_cast<std::uint8_t>(code)}.to_float();
}

/// The finite codes of T with a nonnegative value, in increasing value order (the magnitude
/// codes of the minifloats; 0..7 for INT4).
template <class T>
std::vector<int> nonnegative_codes() {
  std::vector<int> out;
  const int n = Expect<T>::kCodes;
  for (int c = 0; c < n; ++c) {
    const float v = value_of<T>(c);
    if (std::isfinite(v) && v >= 0.0f && !(v == 0.0f && std::signbit(v))) out.push_back(c);
  }
  return out;
}

}  // namespace

#define FP4LAB_ELEMENT_TYPES fp4_e2m1, int4, fp8_e4m3, ue4m3, fp8_e5m2, ue8m0, fp6_e2m3, fp6_e3m2, fp3_e2m0, int3_sym, int6_sym

TEST_SUITE("formats.element_types") {
  TEST_CASE_TEMPLATE("the facts table agrees with the type's codes and limits", T, FP4LAB_ELEMENT_TYPES) {
    const ElementTraits t = element_traits(Expect<T>::kType);
    CHECK(t.type == Expect<T>::kType);
    CHECK(Expect<T>::kCodes <= (1 << t.bits));
    CHECK(t.max == T::kMax);
    CHECK(value_of<T>(Expect<T>::kPosOverflow) == t.max);
    CHECK(element_value(Expect<T>::kType, static_cast<std::uint8_t>(Expect<T>::kPosOverflow)) == t.max);
    CHECK(element_type_named(t.name) == Expect<T>::kType);
  }

  TEST_CASE_TEMPLATE("every finite code round trips through its value", T, FP4LAB_ELEMENT_TYPES) {
    int checked = 0;
    for (int c = 0; c < Expect<T>::kCodes; ++c) {
      const float v = value_of<T>(c);
      if (!std::isfinite(v)) continue;
      INFO("code " << c << " value " << v);
      if (c == alias_code<T>()) {  // the integers' -0: same value as code 0, encodes to 0
        CHECK(v == 0.0f);
        CHECK(code_of<T>(v) == 0);
        continue;
      }
      CHECK(code_of<T>(v) == c);
      CHECK(code_of<T>(static_cast<double>(v)) == c);
      CHECK(element_value(Expect<T>::kType, static_cast<std::uint8_t>(c)) == v);
      ++checked;
    }
    CHECK(checked >= Expect<T>::kCodes - 16);  // at most a few NaN/Inf codes are skipped
  }

  TEST_CASE_TEMPLATE("a value halfway between two codes goes to the even code", T, FP4LAB_ELEMENT_TYPES) {
    const std::vector<int> codes = nonnegative_codes<T>();
    // every 3-bit type has four nonnegative codes, every wider one at least eight
    REQUIRE(codes.size() >= static_cast<std::size_t>(Expect<T>::kCodes >= 16 ? 8 : 4));
    for (std::size_t i = 0; i + 1 < codes.size(); ++i) {
      const float lo = value_of<T>(codes[i]), hi = value_of<T>(codes[i + 1]);
      const float mid = lo + (hi - lo) * 0.5f;  // exact: one more bit than the grid
      INFO("between " << lo << " and " << hi);
      REQUIRE(mid > lo);
      REQUIRE(mid < hi);
      if constexpr (Expect<T>::kTiesToEven) {
        const int even = (codes[i] % 2 == 0) ? codes[i] : codes[i + 1];
        CHECK(code_of<T>(mid) == even);
        if (Expect<T>::kNegZero != 0 && lo > 0.0f) {  // signed minifloats: same magnitude code
          CHECK(code_of<T>(-mid) == (even | Expect<T>::kNegZero));
        }
      } else {  // E8M0: toward zero by default, ties away from zero when asked
        CHECK(code_of<T>(mid) == codes[i]);
        CHECK(T::from(mid, Saturation::kSatFinite, E8m0Rounding::kNearestTiesAway).bits == codes[i + 1]);
      }
    }
  }

  TEST_CASE_TEMPLATE("values past the largest and infinities saturate by default", T, FP4LAB_ELEMENT_TYPES) {
    const float max = element_traits(Expect<T>::kType).max;
    CHECK(code_of<T>(kInf) == Expect<T>::kPosOverflow);
    CHECK(code_of<T>(-kInf) == Expect<T>::kNegOverflow);
    if (max < 1e30f) {
      CHECK(code_of<T>(max * 4.0f) == Expect<T>::kPosOverflow);
      CHECK(code_of<T>(-max * 4.0f) == Expect<T>::kNegOverflow);
    }
    CHECK(code_of<T>(std::numeric_limits<float>::max()) == Expect<T>::kPosOverflow);
  }

  TEST_CASE_TEMPLATE("NaN of either sign gives the documented code and NaN codes decode positive", T,
                     FP4LAB_ELEMENT_TYPES) {
    CHECK(code_of<T>(kNan) == Expect<T>::kNan);
    CHECK(code_of<T>(-kNan) == Expect<T>::kNan);
    CHECK(code_of<T>(static_cast<double>(kNan)) == Expect<T>::kNan);
    for (int c = 0; c < Expect<T>::kCodes; ++c) {
      const float v = value_of<T>(c);
      if (std::isnan(v)) {
        INFO("code " << c);
        CHECK(!std::signbit(v));
      }
    }
  }

  TEST_CASE_TEMPLATE("zero and negative zero give the documented codes", T, FP4LAB_ELEMENT_TYPES) {
    if constexpr (Expect<T>::kType == ElementType::kUE8M0) {
      CHECK(code_of<T>(0.0f) == 0x00);  // no zero: the smallest code, 2^-127
    } else {
      CHECK(code_of<T>(0.0f) == 0x00);
      CHECK(value_of<T>(0) == 0.0f);
    }
    CHECK(code_of<T>(-0.0f) == Expect<T>::kNegZero);
  }

  TEST_CASE_TEMPLATE("fp16 and bf16 inputs encode as their exact float values, all 2^16 of each", T,
                     FP4LAB_ELEMENT_TYPES) {
    int fp16_differ = 0, bf16_differ = 0;
    for (std::uint32_t b = 0; b < (1u << 16); ++b) {
      const fp16 h{static_cast<std::uint16_t>(b)};
      const bf16 g{static_cast<std::uint16_t>(b)};
      if (T::from(h).bits != T::from(to_float(h)).bits) ++fp16_differ;
      if (T::from(g).bits != T::from(to_float(g)).bits) ++bf16_differ;
    }
    CHECK(fp16_differ == 0);
    CHECK(bf16_differ == 0);
  }

  TEST_CASE_TEMPLATE("fp16 and bf16 overloads take the same policies as the float path", T, FP4LAB_ELEMENT_TYPES) {
    // Every 7th bf16 under a non-default rounding (and saturation or range): the policies must
    // reach the float encoder unchanged.
    int checked = 0;
    for (std::uint32_t b = 0; b < (1u << 16); b += 7) {
      const bf16 g{static_cast<std::uint16_t>(b)};
      const float x = to_float(g);
      if constexpr (takes_rounding_first<T>()) {
        CHECK(T::from(g, Rounding::kTowardZero).bits == T::from(x, Rounding::kTowardZero).bits);
        const std::uint32_t bits = b * 0x9E3779B9u;  // stochastic rounding's random bits reach it too
        CHECK(T::from(g, Rounding::kStochastic, bits).bits == T::from(x, Rounding::kStochastic, bits).bits);
      } else if constexpr (Expect<T>::kType == ElementType::kINT4) {
        CHECK(T::from(g, Int4Range::kSymmetric, Rounding::kTowardZero).bits ==
              T::from(x, Int4Range::kSymmetric, Rounding::kTowardZero).bits);
      } else if constexpr (Expect<T>::kType == ElementType::kUE8M0) {
        CHECK(T::from(g, Saturation::kNoSat, E8m0Rounding::kUp).bits == T::from(x, Saturation::kNoSat, E8m0Rounding::kUp).bits);
      } else {
        CHECK(T::from(g, Saturation::kNoSat, Rounding::kTowardZero).bits ==
              T::from(x, Saturation::kNoSat, Rounding::kTowardZero).bits);
      }
      ++checked;
    }
    CHECK(checked > 9000);
  }
}
