// Internals shared by the safetensors reader (safetensors.cpp) and writers
// (safetensors_writer.cpp) of core/io; not for use outside core/io.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fp4lab::core::safetensors_detail {

/// The reference reader's limit on the JSON header.
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

/// A name as it appears in a message: quoted, control bytes escaped, long names shortened.
std::string quote_name(std::string_view s);

/// Bytes of `numel` elements of `bits` each, or -1 when they do not fill whole bytes.
std::int64_t byte_size(std::int64_t numel, int bits);

/// Position of a known dtype in the reference implementation's Dtype enum (the order its writer
/// sorts data by); past the end for an unknown one.
std::size_t dtype_rank(std::string_view dtype);

}  // namespace fp4lab::core::safetensors_detail
