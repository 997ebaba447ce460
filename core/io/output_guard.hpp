// The one output guard of every fp4lab command (README "Output safety"): an output file or
// folder is checked before any computation, an existing one is replaced only with --force, and
// each output folder gets a manifest of the files the run wrote, so --force removes only those.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fp4lab::core {

/// What to do with an output that already exists.
enum class Overwrite {
  kRefuse,  ///< fail with a message naming it (the default of every command)
  kForce,   ///< replace it (--force)
};

/// The manifest's name inside an output folder.
inline constexpr std::string_view kManifestName = "fp4lab-manifest.json";

/// Checks, before anything is computed, that `path` can be written as a file: its folder exists
/// and is writable, `path` is not a folder, it ends with `extension` (when not empty; the
/// message names the writer and the extension), and it does not exist unless kForce.
/// `option` names the flag in messages (e.g. "--out"). Throws IoError.
void check_output_file(const std::string& path, Overwrite mode, std::string_view extension = {},
                       std::string_view option = "--out");

/// An output folder for one run: checked on construction (before any computation), cleaned of
/// the previous run's files under kForce, and given a manifest by commit().
class OutputDir {
 public:
  /// Checks `dir`: a missing folder must be creatable (its nearest existing parent writable); an
  /// existing one must be a writable folder and empty, unless kForce, which deletes the files
  /// that the manifest of the previous run lists and keeps every other file (see kept()).
  /// Throws IoError with a message naming the folder and `option`.
  OutputDir(std::string dir, Overwrite mode, std::string_view option = "--out");

  /// Writes DIR/fp4lab-manifest.json listing every file under DIR that is new or replaced since
  /// the constructor ran (relative paths, sorted); `command` is recorded beside them.
  /// Returns those files.
  std::vector<std::string> commit(const std::string& command);

  /// The folder.
  const std::string& path() const { return dir_; }
  /// Files deleted under kForce (relative paths, from the previous manifest).
  const std::vector<std::string>& removed() const { return removed_; }
  /// Files found in the folder that no manifest lists and that stayed (relative paths).
  const std::vector<std::string>& kept() const { return kept_; }
  /// A one-line note on removed and kept files for stderr ("" when there were none).
  std::string note() const;

 private:
  /// Identity of a file at construction: device, inode, size, modification time.
  struct Stamp {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  static std::map<std::string, Stamp> scan(const std::string& dir);

  std::string dir_;
  std::map<std::string, Stamp> before_;
  std::vector<std::string> removed_, kept_;
};

/// The files (relative paths) listed by DIR/fp4lab-manifest.json; empty when there is none.
/// Throws FormatError for a manifest that is not fp4lab's (then nothing is deleted).
std::vector<std::string> read_manifest(const std::string& dir);

}  // namespace fp4lab::core
