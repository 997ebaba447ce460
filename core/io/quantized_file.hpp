// The quantized file: the storage of FORMATS.md §7 (packed codes, 8-bit block scales, FP32
// tensor scale) for whole tensors in a .safetensors file, written one tensor at a time
// (QuantizedWriter, write_quantized) and read back validated (read_quantized).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/tensor.hpp"
#include "formats/layout.hpp"
#include "formats/recipe.hpp"

namespace fp4lab::core {

// A quantized file holds, for each quantized tensor NAME (every name listed, in input order,
// by the JSON array in metadata "fp4lab.tensors"):
//   NAME.codes         U8  [rows, padded_cols/2]  two codes per byte, low nibble = even element
//                          (3/6/8-bit codes: [rows, padded_cols], one per byte)
//   NAME.scales        U8  [rows, scale_cols] (row_major) or [padded_rows * padded_scale_cols]
//                          (swizzled_128x4); UE4M3 or E8M0 codes; not for grouped INT4
//   NAME.group_scales  F32|F16|BF16 [rows, scale_cols]  grouped INT4 only, in the recipe's
//                          scale dtype (files before 2026-12: F32 for every dtype; both read)
//   NAME.zero_points   U8  [rows, scale_cols]  asymmetric grouped INT4 only (symmetric: none
//                          stored, read as 0; older files store zeros, still read)
//   NAME.tensor_scale  F32 [1]  the decode (second-level) scale; 1 where the recipe has none
//   NAME.amax          F32 [1]  max |x| (after the RHT when the recipe has one), NaN ignored
// rows = product of all dimensions but the block axis, cols = the block axis (the last unless
// "NAME.block_axis" says otherwise: the arrays then hold the tensor with that axis moved last,
// the others in order), padded_cols = cols rounded up to the block size (zeros). Metadata:
// "fp4lab.format" = kQuantizedFileFormat, "fp4lab.version", "fp4lab.format_version"
// (kQuantizedFileVersion; absent in version-1 files), and per tensor "NAME.recipe" (canonical
// spec), "NAME.shape" (JSON array, the original shape), "NAME.dtype" (F32, F16 or BF16),
// "NAME.scale_layout" (row_major or swizzled_128x4), "NAME.block_axis" (an integer in [0, rank),
// or absent in files written before it existed: the last axis), and for 2-D recipes stored
// compactly "NAME.tile_scales" = "per_tile": NAME.scales is then [tile_rows, scale_cols], one
// row per tile of block_size rows (absent or "per_row": repeated on every row of the tile).
// Every tensor carries its own recipe; "NAME.bits_per_value" records the honest bits per value
// of core::quantized_sizes (codes, scales, tensor scale, padding). Pass-through tensors (stored
// as they are, not quantized; format version 3) are listed by metadata "fp4lab.passthrough" (a
// JSON array) and stored under their own name in their own dtype and shape, with
// "NAME.passthrough" saying why and how (e.g. "default exclusion *norm*; stored as F32" or
// "...; dequantized from Q8_0 to F32") and "NAME.bits_per_value" the bits of that dtype.

/// The value of metadata "fp4lab.format" in a quantized file.
inline constexpr std::string_view kQuantizedFileFormat = "fp4lab.quantized.v1";

/// The layout version written to metadata "fp4lab.format_version". 1: the 4-bit formats (files
/// without the field are version 1 and still read); 2: adds the formats of FORMATS.md §9
/// (NAME.codes [rows, padded_cols], one code per byte, for 3/6/8-bit codes; IF scales with
/// the INT flag in bit 7).
inline constexpr int kQuantizedFileVersion = 2;
/// The version written instead when the file holds pass-through tensors (3), which a reader of
/// version 2 would silently miss; read_quantized reads versions 1 to 3.
inline constexpr int kQuantizedFileVersionPassThrough = 3;
/// How the scales of a 2-D (tile) recipe are stored: once per row of the tile (as the GEMMs
/// read them; the default) or once per tile (compact; row-major layout only). Read back, both
/// give the per-row scales of QuantizedTensor.
enum class TileScales : std::uint8_t { kPerRow, kPerTile };

/// "row_major" or "swizzled_128x4", as written to metadata.
const char* scale_layout_name(formats::ScaleLayout layout);

/// Parses "row_major", "swizzled_128x4" or "swizzled"; throws std::invalid_argument.
formats::ScaleLayout parse_scale_layout(std::string_view name);

/// The sizes of one tensor's stored arrays (they follow from the shape and the recipe alone).
struct QuantizedPlan {
  std::int64_t rows = 0;         ///< product of all dimensions but the last
  std::int64_t cols = 0;         ///< the last dimension (1 for a scalar)
  std::int64_t padded_cols = 0;  ///< cols rounded up to the block size
  std::int64_t scale_cols = 0;   ///< padded_cols / block size
  std::int64_t scale_bytes = 0;  ///< 8-bit block scales in the layout (0 for grouped INT4)
};

/// The plan of a tensor of `rows` x `cols` elements under recipe `r` and scale layout `l`.
QuantizedPlan plan_quantized(std::int64_t rows, std::int64_t cols, const formats::Recipe& r,
                             formats::ScaleLayout l);

/// The shape of NAME.scales: [rows, scale_cols] row-major, [scale_bytes] swizzled.
std::vector<std::int64_t> scales_shape(const QuantizedPlan& p, formats::ScaleLayout l);

/// One tensor to store: its name and the input's shape ([] for a scalar, not empty) and dtype.
struct QuantizedInput {
  std::string name;                 ///< NAME of NAME.codes, ...
  std::vector<std::int64_t> shape;  ///< as in the input file
  DType dtype = DType::kF32;        ///< written to metadata "NAME.dtype"
  int block_axis = -1;              ///< the axis of `shape` blocks run along (-1: the last)
  std::optional<formats::Recipe> recipe;       ///< this tensor's recipe (unset: the writer's)
  std::optional<formats::ScaleLayout> layout;  ///< this tensor's scale layout (unset: the writer's)
};

/// One tensor stored as it is (not quantized), under its own name.
struct PassThroughInput {
  std::string name;                 ///< its name in the input and the file
  std::string dtype;                ///< a safetensors dtype string ("F32", "I64", "BOOL", ...)
  std::vector<std::int64_t> shape;  ///< [] for a scalar
  std::string note;                 ///< why and how: written to metadata "NAME.passthrough"
};

/// Writes a quantized file tensor by tensor, holding none of them: the header (every size
/// follows from the shapes) goes out first, each write() places one tensor's arrays, commit()
/// renames the file into place. Destroyed uncommitted, it leaves nothing behind.
class QuantizedWriter {
 public:
  /// Plans the file for `tensors` under one recipe and scale layout, or each tensor's own
  /// (grouped INT4 takes row_major only; TileScales::kPerTile takes a 2-D recipe in row_major;
  /// tensors of other recipes store per-row scales), and the `passthrough` tensors, and writes
  /// its header. Throws std::invalid_argument or IoError.
  QuantizedWriter(const std::string& path, const formats::Recipe& recipe,
                  formats::ScaleLayout layout, std::span<const QuantizedInput> tensors,
                  TileScales tile_scales = TileScales::kPerRow,
                  std::span<const PassThroughInput> passthrough = {});
  /// Removes the temporary file unless committed.
  ~QuantizedWriter();
  QuantizedWriter(const QuantizedWriter&) = delete;
  QuantizedWriter& operator=(const QuantizedWriter&) = delete;

  /// The planned sizes of tensor `k`.
  const QuantizedPlan& plan(std::size_t k) const { return plans_.at(k); }
  /// Stores tensor `k`, quantized under the writer's recipe and layout, and its `amax` (max |x|,
  /// after the RHT when the recipe has one); throws std::logic_error when `q`'s sizes differ
  /// from the plan, IoError when the disk fails.
  void write(std::size_t k, const QuantizedTensor& q, float amax);
  /// Stores pass-through tensor `k` (of the constructor's `passthrough`): exactly its bytes.
  void write_passthrough(std::size_t k, std::span<const std::uint8_t> bytes);
  /// Checks every tensor was written, then renames the file into place; throws IoError.
  void commit();

 private:
  std::vector<formats::Recipe> recipes_;  ///< per tensor
  std::vector<TileScales> tile_scales_;   ///< per tensor
  std::vector<std::string> names_, passthrough_;
  std::vector<QuantizedPlan> plans_;
  std::unique_ptr<SafetensorsStreamWriter> file_;
};

/// One tensor for write_quantized: `q` (the input's name and dtype) and its amax.
struct QuantizedOutput {
  std::string name;           ///< NAME of NAME.codes, ...
  DType dtype = DType::kF32;  ///< the input's dtype
  /// Quantized under one recipe and scale layout, the same for every output.
  const QuantizedTensor* q = nullptr;
  float amax = 0;  ///< max |x| (after the RHT when the recipe has one)
};

/// Writes `tensors` (at least one, all of one recipe and layout) as a quantized file at once.
/// Throws std::invalid_argument or IoError.
void write_quantized(const std::string& path, std::span<const QuantizedOutput> tensors,
                     TileScales tile_scales = TileScales::kPerRow);

/// One tensor of a quantized file, checked against its metadata; its arrays view the file.
struct StoredQuantized {
  std::string name;        ///< NAME of NAME.codes, ...
  formats::Recipe recipe;  ///< parsed from "NAME.recipe"
  std::string spec;        ///< "NAME.recipe" as stored
  /// "NAME.scale_layout"
  formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor;
  std::vector<std::int64_t> shape;             ///< the original shape ("NAME.shape")
  DType dtype = DType::kF32;  ///< the original element type ("NAME.dtype"; others are refused)
  int block_axis = 0;                          ///< "NAME.block_axis" in [0, rank) (the last if absent)
  QuantizedPlan plan;                          ///< the sizes that follow from shape, axis and recipe
  std::span<const std::uint8_t> codes;         ///< NAME.codes
  std::span<const std::uint8_t> scales;        ///< NAME.scales per row (empty for grouped INT4)
  TileScales tile_scales = TileScales::kPerRow;  ///< how the file stored them
  std::span<const std::uint8_t> group_scales;  ///< NAME.group_scales as FP32 (grouped INT4)
  std::span<const std::uint8_t> zero_points;   ///< NAME.zero_points (grouped INT4; 0s if absent)
  /// FP32 group scales widened from an F16/BF16 array, and the zero points of a symmetric
  /// tensor; the spans above view these when the file holds no FP32 bytes to view.
  std::shared_ptr<const std::vector<std::uint8_t>> owned_group_scales, owned_zero_points;
  /// The per-row scales expanded from a per-tile array; `scales` views them then.
  std::shared_ptr<const std::vector<std::uint8_t>> owned_scales;
  /// From NAME.amax under the recipe (bit for bit NAME.tensor_scale, checked on reading).
  formats::TensorScale tensor_scale;

  /// Rows [r0, r1) as a QuantizedTensor of shape [r1 - r0, cols] (a copy, in the blocked
  /// layout); r0 must be a multiple of 128 in the swizzled layout, so that its tiles stay whole.
  QuantizedTensor slice_rows(std::int64_t r0, std::int64_t r1) const;
  /// The whole tensor as a QuantizedTensor of the original shape and block axis (a copy):
  /// core::dequantize gives it back in the original layout.
  QuantizedTensor whole() const;
};

/// One pass-through tensor of a quantized file; its bytes view the file.
struct StoredPassThrough {
  std::string name;                     ///< as in the input
  std::string dtype;                    ///< the stored safetensors dtype
  std::vector<std::int64_t> shape;      ///< as stored
  std::string note;                     ///< "NAME.passthrough"
  std::span<const std::uint8_t> bytes;  ///< the tensor's data
};

/// The pass-through tensors listed by metadata "fp4lab.passthrough" (none when absent), each
/// checked to exist with its note. Throws FormatError.
std::vector<StoredPassThrough> read_passthrough(const SafetensorsFile& f);

/// A quantized file: the parsed safetensors file and its tensors, in the order written.
struct QuantizedFile {
  SafetensorsFile file;                  ///< owns the bytes the tensors view
  int format_version = 1;                ///< "fp4lab.format_version" (1 when absent)
  std::vector<StoredQuantized> tensors;  ///< as listed by "fp4lab.tensors"
  std::vector<StoredPassThrough> passthrough;  ///< as listed by "fp4lab.passthrough"
  /// The tensor named `name`, or nullptr.
  const StoredQuantized* find(std::string_view name) const;
};

/// Whether metadata "fp4lab.format" says kQuantizedFileFormat.
bool is_quantized_file(const SafetensorsFile& f);

/// Reads every tensor of a parsed file, checking each against its metadata (the stored tensor
/// scale must follow from amax). Throws FormatError, and nothing else for any input.
QuantizedFile read_quantized(SafetensorsFile file);
/// Memory-maps `path` and reads it; throws IoError or FormatError.
QuantizedFile read_quantized(const std::string& path);

}  // namespace fp4lab::core
