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

/// The §9 facts of a block format (style kNone for the four original formats).
FP4LAB_HD constexpr FamilyTraits family_traits(BlockFormat f) {
  FamilyTraits t;
  t.mq = format_traits(f).value_max;
  switch (f) {
    case BlockFormat::kNVFP6_E2M3:
      t.style = ScaleStyle::kNv, t.fp = CodeKind::kE2M3;
      break;
    case BlockFormat::kNVFP6_E3M2:
      t.style = ScaleStyle::kNv, t.fp = CodeKind::kE3M2;
      break;
    case BlockFormat::kNVFP3:
      t.style = ScaleStyle::kNv, t.fp = CodeKind::kE2M0;
      break;
    case BlockFormat::kNVINT3:
      t.style = ScaleStyle::kNv, t.fp = CodeKind::kINT3;
      break;
    case BlockFormat::kNVINT6:
      t.style = ScaleStyle::kNv, t.fp = CodeKind::kINT6;
      break;
    case BlockFormat::kMXFP6_E2M3:
      t.style = ScaleStyle::kMx, t.fp = CodeKind::kE2M3, t.emax = 2;
      break;
    case BlockFormat::kMXFP6_E3M2:
      t.style = ScaleStyle::kMx, t.fp = CodeKind::kE3M2, t.emax = 4;
      break;
    case BlockFormat::kMXFP3:
      t.style = ScaleStyle::kMx, t.fp = CodeKind::kE2M0, t.emax = 2;
      break;
    case BlockFormat::kMXFP8_E4M3:
      t.style = ScaleStyle::kMx, t.fp = CodeKind::kE4M3, t.emax = 8;
      break;
    case BlockFormat::kMXFP8_E5M2:
      t.style = ScaleStyle::kMx, t.fp = CodeKind::kE5M2, t.emax = 15;
      break;
    case BlockFormat::kIF4:
      t.style = ScaleStyle::kIntFloat, t.fp = CodeKind::kE2M1, t.alt = CodeKind::kINT4;
      t.int_max = 7.0f, t.factor = kIf4Factor, t.rcp = kIf4Rcp;
      break;
    case BlockFormat::kIF3:
      t.style = ScaleStyle::kIntFloat, t.fp = CodeKind::kE2M0, t.alt = CodeKind::kINT3;
      t.int_max = 3.0f, t.factor = kIf3Factor, t.rcp = kIf3Rcp;
      break;
    case BlockFormat::kIF6_E2M3:
      t.style = ScaleStyle::kIntFloat, t.fp = CodeKind::kE2M3, t.alt = CodeKind::kINT6;
      t.int_max = 31.0f, t.factor = kIf6E2M3Factor, t.rcp = kIf6E2M3Rcp;
      break;
    case BlockFormat::kIF6_E3M2:
      t.style = ScaleStyle::kIntFloat, t.fp = CodeKind::kE3M2, t.alt = CodeKind::kINT6;
      t.int_max = 31.0f, t.factor = kIf6E3M2Factor, t.rcp = kIf6E3M2Rcp;
      break;
    default:
      break;
  }
  return t;
}

/// True for the formats of FORMATS.md §9 (this family's code in nv_family.hpp, mx_family.hpp,
/// intfloat.hpp).
FP4LAB_HD constexpr bool is_family_format(BlockFormat f) { return family_traits(f).style != ScaleStyle::kNone; }

}  // namespace fp4lab::formats
