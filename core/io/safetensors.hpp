// Reader and writers for .safetensors files (huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__"}, data.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/mapped_file.hpp"
#include "core/tensor.hpp"

namespace fp4lab::core {

/// Bits per element of a safetensors dtype string ("F32" -> 32, "F4" -> 4), 0 if unknown.
/// Known: BOOL U8 I8 F8_E5M2 F8_E4M3 F8_E8M0 F8_E4M3FNUZ F8_E5M2FNUZ I16 U16 F16 BF16 I32 U32
/// F32 C64 F64 I64 U64 (whole bytes) and F4 F6_E2M3 F6_E3M2 (packed; a tensor's bits must
/// fill whole bytes, as the reference implementation requires).
int safetensors_dtype_bits(std::string_view dtype);

/// Whether `text` matches the glob `pattern`: `*` any run of characters (`.` and `/` too),
/// `?` exactly one byte, every other character literal.
bool glob_match(std::string_view pattern, std::string_view text);

/// One tensor's header entry.
struct SafetensorsInfo {
  std::string dtype;                ///< The dtype string as in the file, e.g. "BF16".
  std::vector<std::int64_t> shape;  ///< As in the file; [] is a scalar.
  std::uint64_t begin = 0;          ///< data_offsets[0], relative to the data section.
  std::uint64_t end = 0;            ///< data_offsets[1] (exclusive).
  /// Number of elements (1 for a scalar).
  std::int64_t numel() const;
};

/// A parsed safetensors file. Tensors are views into the bytes it was parsed from (the mapping
/// for open_safetensors, the caller's span for parse_safetensors), never copies.
/// As the reference reader (huggingface/safetensors): a repeated key, overlapping tensors, a
/// gap between tensors and bytes after the last one are all rejected.
class SafetensorsFile {
 public:
  SafetensorsFile() = default;
  SafetensorsFile(SafetensorsFile&&) noexcept = default;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;

  /// The file name used in messages ("<memory>" unless given).
  const std::string& source() const { return source_; }
  /// Tensor names, sorted by byte-wise string order (not the order of the JSON header).
  std::vector<std::string> names() const;
  /// Number of tensors.
  std::size_t size() const { return tensors_.size(); }
  /// Whether a tensor named `name` exists.
  bool contains(std::string_view name) const;
  /// The header entry of `name`; throws FormatError listing existing names when absent.
  const SafetensorsInfo& info(std::string_view name) const;
  /// A float view of an F32, F16 or BF16 tensor (a scalar is seen as shape [1]); throws
  /// FormatError for other dtypes or an unknown name.
  TensorView view(std::string_view name) const;
  /// The tensor's bytes, any dtype; throws FormatError for an unknown name.
  std::span<const std::uint8_t> raw(std::string_view name) const;
  /// The "__metadata__" map (empty when absent).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// Sorted names matching the glob `pattern` (see glob_match).
  std::vector<std::string> select(std::string_view pattern) const;

 private:
  friend SafetensorsFile parse_safetensors(std::span<const std::uint8_t>, std::string);
  friend SafetensorsFile open_safetensors(const std::string&);

  std::string source_ = "<memory>";
  MappedFile file_;
  std::span<const std::uint8_t> data_;
  std::map<std::string, SafetensorsInfo, std::less<>> tensors_;
  std::map<std::string, std::string> metadata_;
};

/// Parses safetensors bytes held by the caller (they must outlive the result); `source` names
/// them in messages. Throws FormatError, and nothing else for any input.
SafetensorsFile parse_safetensors(std::span<const std::uint8_t> bytes,
                                  std::string source = "<memory>");
/// Memory-maps and parses `path`; throws IoError or FormatError.
SafetensorsFile open_safetensors(const std::string& path);

/// One tensor to write: `bytes` must hold exactly numel * bits / 8 bytes of `dtype`.
struct SafetensorsEntry {
  std::string name;                     ///< Unique, not "__metadata__".
  std::string dtype;                    ///< A dtype string safetensors_dtype_bits knows.
  std::vector<std::int64_t> shape;      ///< [] for a scalar.
  std::span<const std::uint8_t> bytes;  ///< Row-major little-endian data.
};

/// An entry viewing `view`'s bytes (its dtype spelled as safetensors does).
SafetensorsEntry safetensors_entry(std::string name, const TensorView& view);

/// The complete file in memory, byte for byte what Python's safetensors writes: compact JSON
/// with "__metadata__" first, padded with spaces to a multiple of 8 bytes; data ordered by
/// dtype (the reference Dtype enum, descending: larger elements first, so aligned), then name.
/// Throws std::invalid_argument for bad entries (duplicate or reserved names, unknown dtype,
/// bad shape, byte size mismatch, names or metadata that are not valid UTF-8).
std::vector<std::uint8_t> serialize_safetensors(
    std::span<const SafetensorsEntry> entries,
    const std::map<std::string, std::string>& metadata = {});
/// Writes the same bytes to `path` atomically (through a SafetensorsStreamWriter).
/// Throws std::invalid_argument (before touching the disk) or IoError.
void write_safetensors(const std::string& path, std::span<const SafetensorsEntry> entries,
                       const std::map<std::string, std::string>& metadata = {});

/// One tensor of a file written by SafetensorsStreamWriter: declared up front, data later.
struct SafetensorsSlot {
  std::string name;                 ///< Unique, not "__metadata__".
  std::string dtype;                ///< A dtype string safetensors_dtype_bits knows.
  std::vector<std::int64_t> shape;  ///< [] for a scalar.
};

class AtomicFile;

/// Writes a safetensors file whose tensors are all declared up front: the header (byte for byte
/// what serialize_safetensors writes for the same entries) goes out first, then each tensor's
/// bytes, in any order and in pieces, land at their offsets (pwrite into an AtomicFile's
/// temporary). commit() renames the file into place; destroyed uncommitted, nothing is left.
class SafetensorsStreamWriter {
 public:
  /// Checks the slots and writes the header. Throws std::invalid_argument (as
  /// serialize_safetensors does, before touching the disk) or IoError.
  SafetensorsStreamWriter(const std::string& path, std::span<const SafetensorsSlot> slots,
                          const std::map<std::string, std::string>& metadata = {});
  /// Removes the temporary file unless committed.
  ~SafetensorsStreamWriter();
  SafetensorsStreamWriter(const SafetensorsStreamWriter&) = delete;
  SafetensorsStreamWriter& operator=(const SafetensorsStreamWriter&) = delete;

  /// Writes `bytes` at byte `at` of tensor `name`'s data; throws std::logic_error past its end.
  void write(std::string_view name, std::span<const std::uint8_t> bytes, std::uint64_t at = 0);
  /// Checks every tensor was written in full (std::logic_error), then renames the file into
  /// place; throws IoError.
  void commit();

 private:
  struct Range {
    std::uint64_t offset = 0, size = 0, written = 0;
  };
  std::unique_ptr<AtomicFile> file_;
  int fd_ = -1;
  std::uint64_t data_start_ = 0;
  std::map<std::string, Range, std::less<>> ranges_;
};

}  // namespace fp4lab::core
