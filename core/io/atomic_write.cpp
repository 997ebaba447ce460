// Atomic file replacement through mkstemp + fsync + rename (see atomic_write.hpp).
#include "core/io/atomic_write.hpp"

#include "core/io/temp_registry.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace fp4lab::core {
namespace {

// The process umask, read without changing it (umask(2) is set-and-get, racy with threads).
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      try {
        return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8) & 0777);
      } catch (const std::exception&) {
        break;
      }
    }
  }
  return 022;
}

// The directory holding `path` ("." for a bare file name).
std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw IoError("cannot write a file with an empty path");
  std::vector<char> name(path_.begin(), path_.end());
  const std::string suffix = ".tmp.XXXXXX";
  name.insert(name.end(), suffix.begin(), suffix.end());
  name.push_back('\0');
  {
    const SignalBlock block;  // created and registered as one step for the signal handler
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ >= 0) temp_slot_ = register_temp_file(name.data());
  }
  if (fd_ < 0) {
    throw IoError(io_error_message(path_, "cannot create a temporary file beside it", errno));
  }
  temp_path_ = name.data();
  struct stat st {};
  const mode_t mode = ::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode)
                          ? (st.st_mode & 07777)
                          : (0666 & ~current_umask());
  if (::fchmod(fd_, mode) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    const SignalBlock block;
    ::unlink(temp_path_.c_str());
    unregister_temp_file(std::exchange(temp_slot_, -1));
    throw IoError(io_error_message(temp_path_, "cannot set permissions", err));
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) {
    const SignalBlock block;
    ::unlink(temp_path_.c_str());
    unregister_temp_file(temp_slot_);
  }
}

void AtomicFile::write(std::span<const std::uint8_t> bytes) {
  if (fd_ < 0) throw std::logic_error(path_ + ": write after commit or after a failed commit");
  const std::uint8_t* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(io_error_message(temp_path_, "write failed", errno));
    }
    if (n == 0) throw IoError(temp_path_ + ": write made no progress");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::write(std::string_view text) {
  write(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                      text.size()));
}

void AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error(path_ + ": commit called twice or after a failed commit");
  if (::fsync(fd_) != 0) throw IoError(io_error_message(temp_path_, "fsync failed", errno));
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) throw IoError(io_error_message(temp_path_, "close failed", errno));
  {
    const SignalBlock block;  // renamed and forgotten as one step for the signal handler
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      throw IoError(io_error_message(path_, "cannot rename " + temp_path_ + " over it", errno));
    }
    unregister_temp_file(std::exchange(temp_slot_, -1));
    committed_ = true;
  }
  // Make the rename itself durable. Best effort: some file systems refuse fsync on directories,
  // and the new file is already in place.
  const int dir = ::open(parent_directory(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

}  // namespace fp4lab::core
