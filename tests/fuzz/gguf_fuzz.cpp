// libFuzzer target for parse_gguf: any input parses or throws FormatError, and every tensor of a
// parsed file either dequantizes (all values written) or is refused with FormatError.
// Not part of the CMake build; tests/fuzz/run_fuzzers.sh builds and runs it.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/io/gguf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fp4lab::core;
  try {
    const GgufFile g = parse_gguf(std::span<const std::uint8_t>(data, size), "fuzz.gguf");
    for (const GgufTensorInfo& t : g.tensors()) {
      if (!ggml_type_supported(t.type) || t.numel() > (std::int64_t{1} << 22)) continue;
      const std::vector<float> v = g.dequantize(t);
      if (static_cast<std::int64_t>(v.size()) != t.numel()) std::abort();
    }
  } catch (const FormatError&) {
  }
  return 0;
}
