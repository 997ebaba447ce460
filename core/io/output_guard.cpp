// The output guard (see output_guard.hpp): checks before computing, --force, manifests.
#include "core/io/output_guard.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <system_error>

#include "core/io/atomic_write.hpp"
#include "core/io/mapped_file.hpp"

namespace fp4lab::core {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kManifestKey = "fp4lab_manifest";

/// "a, b, c" of at most 10 names, then "... (N in all)".
std::string short_list(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 10; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 10) s += ", ... (" + std::to_string(names.size()) + " in all)";
  return s;
}

/// Throws IoError unless `dir` is a folder this process may create files in.
void check_writable_dir(const std::string& dir, const std::string& what) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) throw IoError(io_error_message(dir, what, errno));
  if (!S_ISDIR(st.st_mode)) throw IoError(dir + ": " + what + ": it is not a folder");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) throw IoError(io_error_message(dir, what, errno));
}

/// The nearest existing ancestor of `p` (itself if it exists); "." for a relative name.
fs::path nearest_existing(fs::path p) {
  std::error_code ec;
  while (!p.empty() && !fs::exists(fs::symlink_status(p, ec))) p = p.parent_path();
  return p.empty() ? fs::path(".") : p;
}

/// Whether `rel` is a plain relative path inside the folder (no root, no "..", not empty).
bool safe_relative(const std::string& rel) {
  const fs::path p(rel);
  if (rel.empty() || p.is_absolute() || p.has_root_name()) return false;
  for (const fs::path& part : p) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

void check_output_file(const std::string& path, Overwrite mode, std::string_view extension,
                       std::string_view option) {
  const std::string opt(option);
  if (path.empty()) throw IoError(opt + " is empty: name the file to write");
  if (!extension.empty() &&
      (path.size() <= extension.size() ||
       path.compare(path.size() - extension.size(), extension.size(), extension) != 0)) {
    throw IoError(opt + " " + path + ": this command writes a " + std::string(extension) +
                  " file; name it OUT" + std::string(extension) +
                  " (the writer follows the extension, and no other writer is offered)");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw IoError(opt + " " + path + " is a folder; name a file");
    if (mode == Overwrite::kRefuse) {
      throw IoError(opt + " " + path + " exists; pass --force to overwrite it");
    }
  }
  const fs::path parent = fs::path(path).parent_path();
  check_writable_dir(parent.empty() ? "." : parent.string(),
                     "cannot write " + path + " into this folder");
}

std::vector<std::string> read_manifest(const std::string& dir) {
  const std::string file = (fs::path(dir) / kManifestName).string();
  std::ifstream in(file);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<std::string> files;
  try {
    const json j = json::parse(ss.str());
    if (!j.is_object() || !j.contains(kManifestKey) || !j.contains("files") ||
        !j["files"].is_array())
      throw std::invalid_argument("not an fp4lab manifest");
    for (const json& f : j["files"]) {
      if (!f.is_string() || !safe_relative(f.get<std::string>()))
        throw std::invalid_argument("entry " + f.dump() + " is not a relative path inside it");
      files.push_back(f.get<std::string>());
    }
  } catch (const std::exception& e) {
    throw FormatError(file + ": " + e.what() + "; nothing was deleted");
  }
  return files;
}

std::map<std::string, OutputDir::Stamp> OutputDir::scan(const std::string& dir) {
  std::map<std::string, Stamp> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    if (ec || rel == kManifestName) continue;
    out[rel] = Stamp{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                     static_cast<std::uint64_t>(st.st_size),
                     std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
  }
  return out;
}

OutputDir::OutputDir(std::string dir, Overwrite mode, std::string_view option)
    : dir_(std::move(dir)) {
  const std::string opt(option);
  if (dir_.empty()) throw IoError(opt + " is empty: name the folder to write");
  std::error_code ec;
  const fs::file_status st = fs::status(dir_, ec);
  if (!fs::exists(st)) {
    const fs::path base = nearest_existing(fs::path(dir_));
    check_writable_dir(base.string(), "cannot create " + opt + " " + dir_ + " under it");
    return;
  }
  if (!fs::is_directory(st)) throw IoError(opt + " " + dir_ + " exists and is not a folder");
  check_writable_dir(dir_, "cannot write " + opt + " into it");
  std::vector<std::string> entries;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(it->path().filename().string());
  std::sort(entries.begin(), entries.end());
  if (entries.empty()) return;
  if (mode == Overwrite::kRefuse) {
    throw IoError(opt + " " + dir_ + " is not empty (" + short_list(entries) +
                  "); pass --force to replace the files of the previous fp4lab run (listed in " +
                  std::string(kManifestName) + "; other files stay), or choose another folder");
  }
  const std::vector<std::string> listed = read_manifest(dir_);
  for (const std::string& rel : listed) {
    const fs::path p = fs::path(dir_) / rel;
    struct stat fst {};
    if (::lstat(p.c_str(), &fst) != 0 || !S_ISREG(fst.st_mode)) continue;
    if (::unlink(p.c_str()) != 0) throw IoError(io_error_message(p.string(), "cannot delete", errno));
    removed_.push_back(rel);
    // sub-folders the previous run made, once empty, go too
    for (fs::path sub = p.parent_path(); sub != fs::path(dir_) && sub.has_relative_path();
         sub = sub.parent_path()) {
      if (::rmdir(sub.c_str()) != 0) break;
    }
  }
  ::unlink((fs::path(dir_) / kManifestName).c_str());
  before_ = scan(dir_);
  for (const auto& [rel, stamp] : before_) kept_.push_back(rel);
}

std::vector<std::string> OutputDir::commit(const std::string& command) {
  std::vector<std::string> files;
  for (const auto& [rel, stamp] : scan(dir_)) {
    const auto it = before_.find(rel);
    if (it == before_.end() || !(it->second == stamp)) files.push_back(rel);
  }
  const json j = {{kManifestKey, 1}, {"command", command}, {"files", files}};
  std::error_code ec;
  fs::create_directories(dir_, ec);
  const std::string text = j.dump(2) + "\n";
  write_file_atomic((fs::path(dir_) / kManifestName).string(),
                    std::span<const std::uint8_t>(
                        reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  return files;
}

std::string OutputDir::note() const {
  std::string s;
  if (!removed_.empty()) {
    s += "--force: deleted " + std::to_string(removed_.size()) + " file" +
         (removed_.size() == 1 ? "" : "s") + " of the previous run in " + dir_;
  }
  if (!kept_.empty()) {
    s += std::string(s.empty() ? "" : "; ") + "kept " + std::to_string(kept_.size()) + " file" +
         (kept_.size() == 1 ? "" : "s") + " no fp4lab manifest lists: " + short_list(kept_);
  }
  return s;
}

}  // namespace fp4lab::core
