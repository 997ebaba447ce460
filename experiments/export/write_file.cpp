// Atomic text-file writes for the exporters, over core's AtomicFile (temp file + rename).
#include "experiments/export/write_file.hpp"

#include "core/io/atomic_write.hpp"

namespace fp4lab::exp {

void write_file_atomic(const std::string& path, std::string_view contents) {
  core::write_file_atomic(
      path, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(contents.data()), contents.size()));
}

}  // namespace fp4lab::exp
