// Read-only memory mapping of a whole file (POSIX mmap), and the error types of core/io.
// Bytes stay valid while the MappedFile lives; a file truncated meanwhile by another process
// can raise SIGBUS on access (POSIX mmap semantics), which no reader here can prevent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace fp4lab::core {

/// An operating-system failure (open, stat, mmap, write, rename...): names the path and errno.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bytes that do not follow a file format (or a request the file cannot answer): names the file.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "path: what: errno text" for an IoError message, from the errno value `err`.
std::string io_error_message(const std::string& path, const std::string& what, int err);

/// A whole regular file mapped read-only; move-only. An empty file maps to an empty span.
class MappedFile {
 public:
  MappedFile() = default;
  /// Maps `path`; throws IoError when it cannot be opened, is not a regular file, or mmap fails.
  explicit MappedFile(std::string path);
  /// Unmaps the file.
  ~MappedFile();
  /// Takes over the mapping; `other` is left empty.
  MappedFile(MappedFile&& other) noexcept;
  /// Unmaps this file's mapping, then takes over `other`'s.
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  /// The file's bytes (the address stays the same when the MappedFile is moved).
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  /// First byte, or nullptr for an empty file.
  const std::uint8_t* data() const { return data_; }
  /// Size in bytes.
  std::size_t size() const { return size_; }
  /// The path given to the constructor.
  const std::string& path() const { return path_; }

 private:
  void release() noexcept;

  std::string path_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Maps `path`, parses its bytes with `parse(bytes, path)` and moves the mapping into the
/// result's member `keep`, so that the views the result holds stay valid (a mapping's address
/// does not change on a move). The one body of read_npy, open_safetensors and open_gguf.
template <class Parsed, class Parse>
Parsed parse_mapped(const std::string& path, Parse parse, MappedFile Parsed::*keep) {
  MappedFile file(path);
  Parsed parsed = parse(file.bytes(), path);
  parsed.*keep = std::move(file);
  return parsed;
}

}  // namespace fp4lab::core
