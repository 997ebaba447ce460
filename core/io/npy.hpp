// Reader and writer for NumPy .npy files (format versions 1.0, 2.0 and 3.0: magic \x93NUMPY,
// a Python-dict header {'descr', 'fortran_order', 'shape'}, then the raw C-order data).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/io/mapped_file.hpp"
#include "core/tensor.hpp"

namespace fp4lab::core {

/// Element types read and written: '<f4', '<f2', '|u1' (codes, scales) and '<V2' for bfloat16,
/// which is what np.save writes for an ml_dtypes.bfloat16 array (NumPy itself has no bfloat16;
/// np.load returns such data as 2-byte voids, `.view(ml_dtypes.bfloat16)` restores it).
enum class NpyDType : std::uint8_t { kF32, kF16, kBF16, kU8 };

/// The descr string written for `d` ("<f4", "<f2", "<V2", "|u1").
const char* npy_descr(NpyDType d);
/// Bytes per element.
std::size_t npy_dtype_size(NpyDType d);

/// A parsed .npy array viewing the bytes it was parsed from (the mapping for read_npy).
/// A 0-d array keeps shape [] here (numel 1) and is seen as shape [1] by view().
/// Bytes after the data are ignored, as np.load ignores them.
class NpyArray {
 public:
  NpyArray() = default;
  NpyArray(NpyArray&&) noexcept = default;
  NpyArray& operator=(NpyArray&&) noexcept = default;

  /// The file name used in messages ("<memory>" unless given).
  const std::string& source() const { return source_; }
  /// Element type.
  NpyDType dtype() const { return dtype_; }
  /// The descr string as in the file.
  const std::string& descr() const { return descr_; }
  /// The shape as in the file; [] for a 0-d array.
  const std::vector<std::int64_t>& shape() const { return shape_; }
  /// Number of elements (1 for a 0-d array).
  std::int64_t numel() const { return numel_; }
  /// The data bytes, row-major.
  std::span<const std::uint8_t> raw() const { return data_; }
  /// A float view of F32, F16 or BF16 data; throws FormatError for '|u1'.
  TensorView view() const;

 private:
  friend NpyArray parse_npy(std::span<const std::uint8_t>, std::string);
  friend NpyArray read_npy(const std::string&);

  std::string source_ = "<memory>";
  MappedFile file_;
  NpyDType dtype_ = NpyDType::kF32;
  std::string descr_;
  std::vector<std::int64_t> shape_;
  std::int64_t numel_ = 0;
  std::span<const std::uint8_t> data_;
};

/// Parses .npy bytes held by the caller (they must outlive the result); `source` names them in
/// messages. Throws FormatError (bad magic or version, malformed header, Fortran order,
/// big-endian or other dtypes, truncated data), and nothing else for any input.
NpyArray parse_npy(std::span<const std::uint8_t> bytes, std::string source = "<memory>");
/// Memory-maps and parses `path`; throws IoError or FormatError.
NpyArray read_npy(const std::string& path);

/// The complete .npy file in memory, byte for byte what np.save writes (version 1.0, or 2.0
/// when the header needs it; data starting at a multiple of 64 bytes). Throws
/// std::invalid_argument when bytes.size() != numel * element size or the shape is invalid.
std::vector<std::uint8_t> serialize_npy(NpyDType dtype, const std::vector<std::int64_t>& shape,
                                        std::span<const std::uint8_t> bytes);
/// Writes the same bytes to `path` atomically; throws std::invalid_argument or IoError.
void write_npy(const std::string& path, NpyDType dtype, const std::vector<std::int64_t>& shape,
               std::span<const std::uint8_t> bytes);
/// Writes a float tensor view (F32 -> '<f4', F16 -> '<f2', BF16 -> '<V2').
void write_npy(const std::string& path, const TensorView& view);

}  // namespace fp4lab::core
