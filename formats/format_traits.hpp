// The facts of every element type and block format in one table (the CUTLASS/ml_dtypes
// model): names, storage bits, value maximum, element and scale types, default block size
// (FORMATS.md §1-5). Code that needs one of these facts reads it here instead of switching;
// element_of.hpp maps the element types to their C++ types and checks the table against them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "formats/common.hpp"

namespace fp4lab::formats {

// ---- element types ----

/// Every element and block-scale type of the block formats.
enum class ElementType : std::uint8_t {
  kE2M1,   ///< fp4_e2m1
  kINT4,   ///< int4
  kE4M3,   ///< fp8_e4m3
  kUE4M3,  ///< ue4m3 (the NVFP4 and NVINT4 block scale)
  kE5M2,   ///< fp8_e5m2
  kUE8M0,  ///< ue8m0 (the MX block scale)
  kE2M3,   ///< fp6_e2m3 (FORMATS.md §9)
  kE3M2,   ///< fp6_e3m2
  kE2M0,   ///< fp3_e2m0 (FP3)
  kINT3,   ///< int3 (symmetric, sign-magnitude)
  kINT6,   ///< int6 (symmetric, sign-magnitude)
};

/// Every element type, in the order of the enum.
inline constexpr ElementType kElementTypes[] = {ElementType::kE2M1, ElementType::kINT4,  ElementType::kE4M3,
                                                ElementType::kUE4M3, ElementType::kE5M2, ElementType::kUE8M0,
                                                ElementType::kE2M3,  ElementType::kE3M2, ElementType::kE2M0,
                                                ElementType::kINT3,  ElementType::kINT6};

/// The facts of one element type (element_of.hpp checks them against the C++ types).
struct ElementTraits {
  ElementType type;
  const char* name;               ///< display name: "E2M1", "INT4", "E4M3", "UE4M3", "E5M2", "E8M0", ...
  int bits;                       ///< storage bits of one code (3, 4, 6 or 8)
  float max;                      ///< largest finite value
  bool is_integer;                ///< INT3, INT4, INT6
  const char* safetensors_dtype;  ///< the 8-bit types' safetensors dtype; "U8" (packed) for narrower ones
};

/// The facts of an element type (the one table).
FP4LAB_HD constexpr ElementTraits element_traits(ElementType t) {
  switch (t) {
    case ElementType::kE2M1:
      return {t, "E2M1", 4, 6.0f, false, "U8"};
    case ElementType::kINT4:
      return {t, "INT4", 4, 7.0f, true, "U8"};
    case ElementType::kE4M3:
      return {t, "E4M3", 8, 448.0f, false, "F8_E4M3"};
    case ElementType::kUE4M3:
      return {t, "UE4M3", 8, 448.0f, false, "F8_E4M3"};
    case ElementType::kE5M2:
      return {t, "E5M2", 8, 57344.0f, false, "F8_E5M2"};
    case ElementType::kUE8M0:
      return {t, "E8M0", 8, exp2i(127), false, "F8_E8M0"};
    case ElementType::kE2M3:
      return {t, "E2M3", 6, 7.5f, false, "U8"};
    case ElementType::kE3M2:
      return {t, "E3M2", 6, 28.0f, false, "U8"};
    case ElementType::kE2M0:
      return {t, "E2M0", 3, 4.0f, false, "U8"};
    case ElementType::kINT3:
      return {t, "INT3", 3, 3.0f, true, "U8"};
    case ElementType::kINT6:
      return {t, "INT6", 6, 31.0f, true, "U8"};
  }
  return {t, "?", 0, 0.0f, false, "?"};
}

/// The element type whose display name is `name` ("E2M1", ...), if any.
inline std::optional<ElementType> element_type_named(std::string_view name) {
  for (const ElementType t : kElementTypes) {
    if (name == element_traits(t).name) return t;
  }
  return std::nullopt;
}

// ---- block formats ----

/// The block format: what the elements and scales are.
enum class BlockFormat : std::uint8_t {
  kNVFP4,  ///< E2M1 elements, UE4M3 block scale, FP32 tensor scale
  kMXFP4,  ///< E2M1 elements, E8M0 block scale (OCP MX v1.0)
  kNVINT4, ///< INT4 (-7..7) elements, UE4M3 block scale, FP32 tensor scale
  kINT4,   ///< classic grouped INT4 with an FP32/FP16/BF16 scale (and optional zero point)
  // FORMATS.md §9 (fouroversix 1.1, OCP MX, torchao): block_family.hpp holds their behaviour
  kNVFP6_E2M3,  ///< E2M3 elements, UE4M3 block scale, FP32 tensor scale (static_6 order)
  kNVFP6_E3M2,  ///< E3M2 elements, as nvfp6:e2m3
  kMXFP6_E2M3,  ///< E2M3 elements, E8M0 block scale (OCP MX)
  kMXFP6_E3M2,  ///< E3M2 elements, E8M0 block scale (OCP MX)
  kMXFP8_E4M3,  ///< E4M3 elements, E8M0 block scale (OCP MX; saturating as torchao)
  kMXFP8_E5M2,  ///< E5M2 elements, E8M0 block scale (OCP MX; saturating as torchao)
  kNVFP3,       ///< E2M0 elements, UE4M3 block scale, FP32 tensor scale
  kMXFP3,       ///< E2M0 elements, E8M0 block scale
  kNVINT3,      ///< INT3 (-3..3) elements, UE4M3 block scale, FP32 tensor scale
  kNVINT6,      ///< INT6 (-31..31) elements, UE4M3 block scale, FP32 tensor scale
  kIF4,         ///< adaptive: per block E2M1 or INT4 (x 0.8571428571), INT flagged in the scale
  kIF3,         ///< adaptive: per block E2M0 or INT3 (x 1.3333333333)
  kIF6_E2M3,    ///< adaptive: per block E2M3 or INT6 (x 0.2419355)
  kIF6_E3M2,    ///< adaptive: per block E3M2 or INT6 (x 0.9032258065)
};

/// Every block format, in the order of the enum (and of the spec grammar's format list).
inline constexpr BlockFormat kBlockFormats[] = {
    BlockFormat::kNVFP4,      BlockFormat::kMXFP4,      BlockFormat::kNVINT4,     BlockFormat::kINT4,
    BlockFormat::kNVFP6_E2M3, BlockFormat::kNVFP6_E3M2, BlockFormat::kMXFP6_E2M3, BlockFormat::kMXFP6_E3M2,
    BlockFormat::kMXFP8_E4M3, BlockFormat::kMXFP8_E5M2, BlockFormat::kNVFP3,      BlockFormat::kMXFP3,
    BlockFormat::kNVINT3,     BlockFormat::kNVINT6,     BlockFormat::kIF4,        BlockFormat::kIF3,
    BlockFormat::kIF6_E2M3,   BlockFormat::kIF6_E3M2};

/// Storage type of a grouped INT4 scale.
enum class ScaleDtype : std::uint8_t { kFP32, kFP16, kBF16 };

/// Bytes of one value of a scale storage dtype (4, 2, 2).
FP4LAB_HD constexpr int scale_dtype_bytes(ScaleDtype d) { return d == ScaleDtype::kFP32 ? 4 : 2; }

/// How a block format stores each block's scale.
enum class ScaleType : std::uint8_t {
  kUE4M3,  ///< one UE4M3 code byte
  kUE8M0,  ///< one E8M0 code byte
  kFloat,  ///< a float rounded to the recipe's ScaleDtype (held as FP32), plus a 4-bit zero
           ///< point for asymmetric schemes
};

/// The facts of one block format.
struct BlockFormatTraits {
  BlockFormat format;
  const char* name;         ///< the recipe-spec name: "nvfp4", "mxfp4", "nvint4", "int4",
                            ///< "nvfp6:e2m3" (two spec tokens), ..., "if4", "if6:e3m2"
  const char* label;        ///< the display name: "NVFP4", "MXFP4", "NVINT4", "INT4", "NVFP6 E2M3", ...
  ElementType element;      ///< the element type (for IF: the FP candidate's)
  float value_max;          ///< largest |element| the quantizer maps a block max to (Mq: 6, 7, 7.5, 28, ...)
  int default_block_size;   ///< 16, 32, 16, 128; §9: 16 for NV/IF, 32 for MX (fouroversix utils.py:47-71)
  ScaleType scale;          ///< the block scale's type
  bool tensor_scale;        ///< true when block scales depend on a tensor-wide amax (FP32 scale)
  int codes_per_byte = 2;   ///< stored codes per byte: 2 (4-bit, low nibble first) or 1 (3/6/8-bit,
                            ///< as fouroversix packs them: utils.py:367-383 packing_factor)
};

/// The facts of a block format (the one table).
FP4LAB_HD constexpr BlockFormatTraits format_traits(BlockFormat f) {
  switch (f) {
    case BlockFormat::kNVFP4:
      return {f, "nvfp4", "NVFP4", ElementType::kE2M1, 6.0f, 16, ScaleType::kUE4M3, true};
    case BlockFormat::kMXFP4:
      return {f, "mxfp4", "MXFP4", ElementType::kE2M1, 6.0f, 32, ScaleType::kUE8M0, false};
    case BlockFormat::kNVINT4:
      return {f, "nvint4", "NVINT4", ElementType::kINT4, 7.0f, 16, ScaleType::kUE4M3, true};
    case BlockFormat::kINT4:
      return {f, "int4", "INT4", ElementType::kINT4, 7.0f, 128, ScaleType::kFloat, false};
    case BlockFormat::kNVFP6_E2M3:
      return {f, "nvfp6:e2m3", "NVFP6 E2M3", ElementType::kE2M3, 7.5f, 16, ScaleType::kUE4M3, true, 1};
    case BlockFormat::kNVFP6_E3M2:
      return {f, "nvfp6:e3m2", "NVFP6 E3M2", ElementType::kE3M2, 28.0f, 16, ScaleType::kUE4M3, true, 1};
    case BlockFormat::kMXFP6_E2M3:
      return {f, "mxfp6:e2m3", "MXFP6 E2M3", ElementType::kE2M3, 7.5f, 32, ScaleType::kUE8M0, false, 1};
    case BlockFormat::kMXFP6_E3M2:
      return {f, "mxfp6:e3m2", "MXFP6 E3M2", ElementType::kE3M2, 28.0f, 32, ScaleType::kUE8M0, false, 1};
    case BlockFormat::kMXFP8_E4M3:
      return {f, "mxfp8:e4m3", "MXFP8 E4M3", ElementType::kE4M3, 448.0f, 32, ScaleType::kUE8M0, false, 1};
    case BlockFormat::kMXFP8_E5M2:
      return {f, "mxfp8:e5m2", "MXFP8 E5M2", ElementType::kE5M2, 57344.0f, 32, ScaleType::kUE8M0, false, 1};
    case BlockFormat::kNVFP3:
      return {f, "nvfp3", "NVFP3", ElementType::kE2M0, 4.0f, 16, ScaleType::kUE4M3, true, 1};
    case BlockFormat::kMXFP3:
      return {f, "mxfp3", "MXFP3", ElementType::kE2M0, 4.0f, 32, ScaleType::kUE8M0, false, 1};
    case BlockFormat::kNVINT3:
      return {f, "nvint3", "NVINT3", ElementType::kINT3, 3.0f, 16, ScaleType::kUE4M3, true, 1};
    case BlockFormat::kNVINT6:
      return {f, "nvint6", "NVINT6", ElementType::kINT6, 31.0f, 16, ScaleType::kUE4M3, true, 1};
    case BlockFormat::kIF4:
      return {f, "if4", "IF4", ElementType::kE2M1, 6.0f, 16, ScaleType::kUE4M3, true, 2};
    case BlockFormat::kIF3:
      return {f, "if3", "IF3", ElementType::kE2M0, 4.0f, 16, ScaleType::kUE4M3, true, 1};
    case BlockFormat::kIF6_E2M3:
      return {f, "if6:e2m3", "IF6 E2M3", ElementType::kE2M3, 7.5f, 16, ScaleType::kUE4M3, true, 1};
    case BlockFormat::kIF6_E3M2:
      return {f, "if6:e3m2", "IF6 E3M2", ElementType::kE3M2, 28.0f, 16, ScaleType::kUE4M3, true, 1};
  }
  return {f, "?", "?", ElementType::kE2M1, 0.0f, 16, ScaleType::kFloat, false};
}

/// The usual block size of a format: 16 (NVFP4, NVINT4), 32 (MXFP4), 128 (grouped INT4).
FP4LAB_HD constexpr int default_block_size(BlockFormat f) { return format_traits(f).default_block_size; }

/// True when the format stores one 8-bit scale code per block (UE4M3 or E8M0); false for
/// grouped INT4's float scales and zero points.
FP4LAB_HD constexpr bool stores_scale_codes(BlockFormat f) { return format_traits(f).scale != ScaleType::kFloat; }

/// The element type of a code scale (kUE4M3 or kUE8M0); meaningless for kFloat.
FP4LAB_HD constexpr ElementType scale_element(ScaleType s) {
  return s == ScaleType::kUE8M0 ? ElementType::kUE8M0 : ElementType::kUE4M3;
}

/// Storage bits of one block's scale: 8 for code scales, else the scale dtype's bits plus 4
/// for a zero point.
FP4LAB_HD constexpr int scale_bits(BlockFormat f, ScaleDtype d, bool zero_point) {
  const ScaleType s = format_traits(f).scale;
  if (s != ScaleType::kFloat) return element_traits(scale_element(s)).bits;
  return 8 * scale_dtype_bytes(d) + (zero_point ? 4 : 0);
}

/// The block format whose spec token is `name` ("nvfp4", ...), if any.
inline std::optional<BlockFormat> block_format_named(std::string_view name) {
  for (const BlockFormat f : kBlockFormats) {
    if (name == format_traits(f).name) return f;
  }
  return std::nullopt;
}

/// The spec names of every block format joined by `sep`: "nvfp4, mxfp4, nvint4, int4, nvfp6:e2m3, ...".
inline std::string block_format_list(std::string_view sep = ", ") {
  std::string s;
  for (const BlockFormat f : kBlockFormats) {
    if (!s.empty()) s += sep;
    s += format_traits(f).name;
  }
  return s;
}

}  // namespace fp4lab::formats
