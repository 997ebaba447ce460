// Atomic file replacement: write a temporary file beside the destination, fsync, rename.
// A reader of `path` sees the old file or the complete new one, never a partial write.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/io/mapped_file.hpp"

namespace fp4lab::core {

/// A file written to `path + ".tmp.XXXXXX"` (mkstemp, same directory) and renamed over `path`
/// by commit(); destroyed uncommitted, it removes the temporary and leaves `path` untouched.
/// New files get mode 0666 minus the umask; a replaced file keeps its permission bits.
/// While uncommitted the temporary is in the signal registry (temp_registry.hpp): SIGINT,
/// SIGTERM or SIGHUP removes it before the process ends.
class AtomicFile {
 public:
  /// Creates the temporary file; throws IoError (e.g. when the directory does not exist).
  explicit AtomicFile(std::string path);
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Appends bytes; throws IoError on a failed or short write.
  void write(std::span<const std::uint8_t> bytes);
  /// Appends the characters of `text`.
  void write(std::string_view text);
  /// fsyncs, closes and renames the temporary over the destination, then fsyncs the directory.
  void commit();

  /// The destination path.
  const std::string& path() const { return path_; }
  /// The temporary file's path.
  const std::string& temp_path() const { return temp_path_; }
  /// Whether commit() has succeeded.
  bool committed() const { return committed_; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  int temp_slot_ = -1;  // its slot in the signal registry
  bool committed_ = false;
};

/// Replaces `path` with `bytes` through an AtomicFile; throws IoError.
void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);

}  // namespace fp4lab::core
