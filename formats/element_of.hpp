// The element types' C++ types (element_of_t<ElementType::kE2M1> is fp4_e2m1) and values by
// ElementType, checked against the facts table of format_traits.hpp at compile time.
#pragma once

#include "formats/e2m1.hpp"
#include "formats/e4m3.hpp"
#include "formats/e5m2.hpp"
#include "formats/e8m0.hpp"
#include "formats/format_traits.hpp"
#include "formats/fp3.hpp"
#include "formats/fp6.hpp"
#include "formats/int4.hpp"
#include "formats/int_symmetric.hpp"

namespace fp4lab::formats {

/// The C++ type of an element type: element_of_t<ElementType::kE2M1> is fp4_e2m1.
template <ElementType E>
struct element_of;
template <>
struct element_of<ElementType::kE2M1> {
  using type = fp4_e2m1;  ///< the element type
};
template <>
struct element_of<ElementType::kINT4> {
  using type = int4;  ///< the element type
};
template <>
struct element_of<ElementType::kE4M3> {
  using type = fp8_e4m3;  ///< the element type
};
template <>
struct element_of<ElementType::kUE4M3> {
  using type = ue4m3;  ///< the element type
};
template <>
struct element_of<ElementType::kE5M2> {
  using type = fp8_e5m2;  ///< the element type
};
template <>
struct element_of<ElementType::kUE8M0> {
  using type = ue8m0;  ///< the element type
};
template <>
struct element_of<ElementType::kE2M3> {
  using type = fp6_e2m3;  ///< the element type
};
template <>
struct element_of<ElementType::kE3M2> {
  using type = fp6_e3m2;  ///< the element type
};
template <>
struct element_of<ElementType::kE2M0> {
  using type = fp3_e2m0;  ///< the element type
};
template <>
struct element_of<ElementType::kINT3> {
  using type = int3_sym;  ///< the element type
};
template <>
struct element_of<ElementType::kINT6> {
  using type = int6_sym;  ///< the element type
};
/// The C++ type of an element type.
template <ElementType E>
using element_of_t = typename element_of<E>::type;

/// The exact value of a code of an element type (NaN codes give the canonical positive NaN).
FP4LAB_HD constexpr float element_value(ElementType t, std::uint8_t code) {
  switch (t) {
    case ElementType::kE2M1:
      return fp4_e2m1{static_cast<std::uint8_t>(code & 0xFu)}.to_float();
    case ElementType::kINT4:
      return int4{static_cast<std::uint8_t>(code & 0xFu)}.to_float();
    case ElementType::kE4M3:
      return fp8_e4m3{code}.to_float();
    case ElementType::kUE4M3:
      return ue4m3{code}.to_float();
    case ElementType::kE5M2:
      return fp8_e5m2{code}.to_float();
    case ElementType::kUE8M0:
      return ue8m0{code}.to_float();
    case ElementType::kE2M3:
      return fp6_e2m3{static_cast<std::uint8_t>(code & 0x3Fu)}.to_float();
    case ElementType::kE3M2:
      return fp6_e3m2{static_cast<std::uint8_t>(code & 0x3Fu)}.to_float();
    case ElementType::kE2M0:
      return fp3_e2m0{static_cast<std::uint8_t>(code & 0x7u)}.to_float();
    case ElementType::kINT3:
      return int3_sym{static_cast<std::uint8_t>(code & 0x7u)}.to_float();
    case ElementType::kINT6:
      return int6_sym{static_cast<std::uint8_t>(code & 0x3Fu)}.to_float();
  }
  return canonical_nan();
}

/// The value of a block's scale code under the format's scale type (kFloat: NaN).
FP4LAB_HD constexpr float scale_code_value(BlockFormat f, std::uint8_t code) {
  const ScaleType s = format_traits(f).scale;
  return s == ScaleType::kFloat ? canonical_nan() : element_value(scale_element(s), code);
}

// The table's value maxima are those of the C++ types.
static_assert(element_traits(ElementType::kE2M1).max == fp4_e2m1::kMax);
static_assert(element_traits(ElementType::kINT4).max == int4::kMax);
static_assert(element_traits(ElementType::kE4M3).max == fp8_e4m3::kMax);
static_assert(element_traits(ElementType::kUE4M3).max == ue4m3::kMax);
static_assert(element_traits(ElementType::kE5M2).max == fp8_e5m2::kMax);
static_assert(element_traits(ElementType::kUE8M0).max == ue8m0::kMax);
static_assert(element_traits(ElementType::kE2M3).max == fp6_e2m3::kMax);
static_assert(element_traits(ElementType::kE3M2).max == fp6_e3m2::kMax);
static_assert(element_traits(ElementType::kE2M0).max == fp3_e2m0::kMax);
static_assert(element_traits(ElementType::kINT3).max == int3_sym::kMax);
static_assert(element_traits(ElementType::kINT6).max == int6_sym::kMax);
// The table's storage bits hold every code of the C++ types.
static_assert(element_traits(ElementType::kE2M3).bits == 6 && fp6_e2m3::kSignBit == 0x20);
static_assert(element_traits(ElementType::kE3M2).bits == 6 && fp6_e3m2::kSignBit == 0x20);
static_assert(element_traits(ElementType::kE2M0).bits == 3 && fp3_e2m0::kSignBit == 0x4);
static_assert(element_traits(ElementType::kINT3).bits == int3_sym::kBits);
static_assert(element_traits(ElementType::kINT6).bits == int6_sym::kBits);

}  // namespace fp4lab::formats
