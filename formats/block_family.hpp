// The NV-, MX- and IF-scaled block formats of FORMATS.md §9 (fouroversix 1.1, OCP MX, torchao):
// per format its scale style, element code kinds, Mq and the IF expansion constants, each
// cited to the reference file and line it follows.
#pragma once

#include "formats/block_codes.hpp"
#include "formats/format_traits.hpp"

namespace fp4lab::formats {

/// How a §9 block format scales its blocks.
enum class ScaleStyle : std::uint8_t {
  kNone,       ///< not a §9 format (NVFP4, MXFP4, NVINT4, INT4 keep their own code)
  kNv,         ///< UE4M3 block scale + FP32 tensor scale in the static_6 order
  kMx,         ///< E8M0 block scale (OCP MX)
  kIntFloat,   ///< as kNv, then per block an FP and an INT candidate; INT flagged by +128
};

/// The behaviour facts of one §9 block format.
struct FamilyTraits {
  ScaleStyle style = ScaleStyle::kNone;
  CodeKind fp = CodeKind::kE2M1;    ///< the element code (the FP candidate's for IF)
  CodeKind alt = CodeKind::kINT4;   ///< IF only: the INT candidate's code
  float mq = 0.0f;                  ///< the value type's max (reference utils.py:353-365)
  float int_max = 0.0f;             ///< IF only: INTMAX of the INT candidate (7, 3, 31)
  float factor = 0.0f;              ///< IF only: INT dequant factor (kernels/constants.py)
  float rcp = 0.0f;                 ///< IF only: INT scale-in factor (kernels/constants.py)
  int emax = 0;                     ///< MX only: the element's largest exponent (OCP MX)
};

// The IF expansion constants exactly as written in fouroversix kernels/constants.py:1-11, as
// FP32 (a Python float multiplied into an FP32 tensor is used in FP32; not 6/7 etc. exactly).
inline constexpr float kIf3Factor = 1.3333333333f;      ///< constants.py:1 (4/3)
inline constexpr float kIf3Rcp = 0.75f;                 ///< constants.py:2
inline constexpr float kIf4Factor = 0.8571428571f;      ///< constants.py:4 (6/7)
inline constexpr float kIf4Rcp = 1.16666666f;           ///< constants.py:5
inline constexpr float kIf6E2M3Factor = 0.2419355f;     ///< constants.py:7 (7.5/31)
inline constexpr float kIf6E2M3Rcp = 4.1333333333f;     ///< constants.py:8
inline constexpr float kIf6E3M2Factor = 0.9032258065f;  ///< constants.py:10 (28/31)
inline constexpr float kIf6E3M2Rcp = 1.1071428571f;     ///< constants.py:11

namespace detail {

/// A row of the §9 table below: style kNv with element `fp`.
FP4LAB_HD constexpr FamilyTraits nv_row(FamilyTraits t, CodeKind fp) {
  t.style = ScaleStyle::kNv, t.fp = fp;
  return t;
}
/// A row of style kMx: element `fp` with largest exponent `emax`.
FP4LAB_HD constexpr FamilyTraits mx_row(FamilyTraits t, CodeKind fp, int emax) {
  t.style = ScaleStyle::kMx, t.fp = fp, t.emax = emax;
  return t;
}
/// A row of style kIntFloat: FP candidate `fp`, INT candidate `alt` with INTMAX `int_max` and
/// the expansion constants `factor` and `rcp`.
FP4LAB_HD constexpr FamilyTraits if_row(FamilyTraits t, CodeKind fp, CodeKind alt, float int_max,
                                        float factor, float rcp) {
  t.style = ScaleStyle::kIntFloat, t.fp = fp, t.alt = alt;
  t.int_max = int_max, t.factor = factor, t.rcp = rcp;
  return t;
}

}  // namespace detail

/// The §9 facts of a block format (style kNone for the four original formats).
FP4LAB_HD constexpr FamilyTraits family_traits(BlockFormat f) {
  FamilyTraits t;
  t.mq = format_traits(f).value_max;
  switch (f) {
    case BlockFormat::kNVFP6_E2M3:
      return detail::nv_row(t, CodeKind::kE2M3);
    case BlockFormat::kNVFP6_E3M2:
      return detail::nv_row(t, CodeKind::kE3M2);
    case BlockFormat::kNVFP3:
      return detail::nv_row(t, CodeKind::kE2M0);
    case BlockFormat::kNVINT3:
      return detail::nv_row(t, CodeKind::kINT3);
    case BlockFormat::kNVINT6:
      return detail::nv_row(t, CodeKind::kINT6);
    case BlockFormat::kMXFP6_E2M3:
      return detail::mx_row(t, CodeKind::kE2M3, 2);
    case BlockFormat::kMXFP6_E3M2:
      return detail::mx_row(t, CodeKind::kE3M2, 4);
    case BlockFormat::kMXFP3:
      return detail::mx_row(t, CodeKind::kE2M0, 2);
    case BlockFormat::kMXFP8_E4M3:
      return detail::mx_row(t, CodeKind::kE4M3, 8);
    case BlockFormat::kMXFP8_E5M2:
      return detail::mx_row(t, CodeKind::kE5M2, 15);
    case BlockFormat::kIF4:
      return detail::if_row(t, CodeKind::kE2M1, CodeKind::kINT4, 7.0f, kIf4Factor, kIf4Rcp);
    case BlockFormat::kIF3:
      return detail::if_row(t, CodeKind::kE2M0, CodeKind::kINT3, 3.0f, kIf3Factor, kIf3Rcp);
    case BlockFormat::kIF6_E2M3:
      return detail::if_row(t, CodeKind::kE2M3, CodeKind::kINT6, 31.0f, kIf6E2M3Factor,
                            kIf6E2M3Rcp);
    case BlockFormat::kIF6_E3M2:
      return detail::if_row(t, CodeKind::kE3M2, CodeKind::kINT6, 31.0f, kIf6E3M2Factor,
                            kIf6E3M2Rcp);
    default:
      return t;
  }
}

/// True for the formats of FORMATS.md §9 (this family's code in nv_family.hpp, mx_family.hpp,
/// intfloat.hpp).
FP4LAB_HD constexpr bool is_family_format(BlockFormat f) { return family_traits(f).style != ScaleStyle::kNone; }

}  // namespace fp4lab::formats
