// libFuzzer target for read_quantized: any input reads as a quantized file or throws FormatError,
// and every tensor it accepts has arrays of the planned sizes, so slicing its rows stays inside.
// Not part of the CMake build; tests/fuzz/run_fuzzers.sh builds and runs it.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"

// Build from the repository root (run with e.g. -max_total_time=60 CORPUS_DIR):
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined
//     -fno-sanitize-recover=all -I. tests/fuzz/quantized_file_fuzz.cpp core/io/*.cpp
//     core/tensor.cpp core/recipe_spec.cpp -o /tmp/quantized_file_fuzz
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fp4lab::core;
  QuantizedFile q;
  try {
    q = read_quantized(parse_safetensors({data, size}, "fuzz"));
  } catch (const FormatError&) {
    return 0;
  }
  if (q.tensors.empty()) std::abort();  // a file listing no tensors is refused
  for (const StoredQuantized& s : q.tensors) {
    const QuantizedPlan& p = s.plan;
    if (q.find(s.name) == nullptr || p.rows <= 0 || p.cols <= 0) std::abort();
    if (static_cast<std::int64_t>(s.codes.size()) != p.rows * p.padded_cols / 2) std::abort();
    // a slice of at most two tiles of rows from the start and from the last whole tile
    const std::int64_t last = (p.rows - 1) / 128 * 128;
    for (const std::int64_t r0 : {std::int64_t{0}, last}) {
      const std::int64_t r1 = std::min(p.rows, r0 + 256);
      const QuantizedTensor t = s.slice_rows(r0, r1);
      if (static_cast<std::int64_t>(t.codes.size()) != (r1 - r0) * p.padded_cols / 2) std::abort();
    }
  }
  return 0;
}
