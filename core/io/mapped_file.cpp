// Read-only memory mapping of a whole file (see mapped_file.hpp).
#include "core/io/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <system_error>
#include <utility>

namespace fp4lab::core {

std::string io_error_message(const std::string& path, const std::string& what, int err) {
  return path + ": " + what + ": " + std::generic_category().message(err);
}

namespace {

// Closes a descriptor on every path out of the constructor.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

MappedFile::MappedFile(std::string path) : path_(std::move(path)) {
  int fd;
  do {
    fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw IoError(io_error_message(path_, "cannot open for reading", errno));
  FdGuard guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw IoError(io_error_message(path_, "cannot stat", errno));
  if (!S_ISREG(st.st_mode)) {
    throw IoError(path_ + ": not a regular file (a directory, device or pipe cannot be mapped)");
  }
  if (st.st_size == 0) return;  // mmap of length 0 fails with EINVAL: an empty span instead
  if (static_cast<std::uintmax_t>(st.st_size) > std::numeric_limits<std::size_t>::max()) {
    throw IoError(path_ + ": file too large to map");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) throw IoError(io_error_message(path_, "cannot mmap", errno));
  data_ = static_cast<const std::uint8_t*>(p);
  size_ = size;
}

MappedFile::~MappedFile() { release(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void MappedFile::release() noexcept {
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace fp4lab::core
