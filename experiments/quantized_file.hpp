// `fp4lab quantize` and `fp4lab dequantize`: whole .safetensors/.npy files to and from the
// quantized storage of FORMATS.md §7 (packed codes, 8-bit block scales, FP32 tensor scale),
// one tensor at a time through a streaming, atomic safetensors writer.
#pragma once

#include <string_view>

#include "formats/layout.hpp"

namespace fp4lab::exp {

// A quantized file holds, for each quantized tensor NAME (every name listed, in input order,
// by the JSON array in metadata "fp4lab.tensors"):
//   NAME.codes         U8  [rows, padded_cols/2]  two codes per byte, low nibble = even element
//   NAME.scales        U8  [rows, scale_cols] (row_major) or [padded_rows * padded_scale_cols]
//                          (swizzled_128x4); UE4M3 or E8M0 codes; not for grouped INT4
//   NAME.group_scales  F32 [rows, scale_cols]  grouped INT4 only (already rounded to its dtype)
//   NAME.zero_points   U8  [rows, scale_cols]  grouped INT4 only (0 for the symmetric scheme)
//   NAME.tensor_scale  F32 [1]  the decode (second-level) scale; 1 where the recipe has none
//   NAME.amax          F32 [1]  max |x| (after the RHT when the recipe has one), NaN ignored
// rows = product of all dimensions but the last, padded_cols = the last rounded up to the
// block size (zeros). Metadata: "fp4lab.format" = kQuantizedFileFormat, "fp4lab.version", and
// per tensor "NAME.recipe" (canonical spec), "NAME.shape" (JSON array), "NAME.dtype" (F32,
// F16 or BF16), "NAME.scale_layout" (row_major or swizzled_128x4).

/// The value of metadata "fp4lab.format" in a quantized file.
inline constexpr std::string_view kQuantizedFileFormat = "fp4lab.quantized.v1";

/// `fp4lab quantize IN --recipe SPEC --out OUT.safetensors [--tensors GLOB] [--swizzle]
/// [--threads N] [--allow-nonfinite] [--quiet]`, argv[0] being "quantize". Returns the exit
/// status (0 done, 1 failed, 2 bad usage); messages go to stderr; a failure leaves no output.
int run_quantize_command(int argc, char** argv);

/// `fp4lab dequantize IN.safetensors --out OUT.safetensors [--dtype f32|bf16] [--threads N]
/// [--quiet]`, argv[0] being "dequantize": every tensor back to its original shape.
int run_dequantize_command(int argc, char** argv);

/// "row_major" or "swizzled_128x4", as written to metadata.
const char* scale_layout_name(formats::ScaleLayout layout);

/// Parses "row_major", "swizzled_128x4" or "swizzled"; throws std::invalid_argument.
formats::ScaleLayout parse_scale_layout(std::string_view name);

}  // namespace fp4lab::exp
