// Atomic whole-file writes for the exporters: write `path.tmp` in the same directory, fsync,
// then rename over `path`, so `path` never holds a half-written file.
#pragma once

#include <string>
#include <string_view>

namespace fp4lab::exp {

/// Replaces `path` with `contents` via a unique temporary file and a rename (core::AtomicFile);
/// on failure leaves `path` as it was and throws (core::IoError, a std::runtime_error).
void write_file_atomic(const std::string& path, std::string_view contents);

}  // namespace fp4lab::exp
