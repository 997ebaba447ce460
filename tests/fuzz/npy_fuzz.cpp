// libFuzzer target for parse_npy: any input parses or throws FormatError, and a parsed
// array survives serialize_npy -> parse_npy unchanged.
// Not part of the CMake build; the command to build it is above LLVMFuzzerTestOneInput.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/io/npy.hpp"

// Build from the repository root (run with e.g. -max_total_time=60 CORPUS_DIR):
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined
//     -fno-sanitize-recover=all -I. tests/fuzz/npy_fuzz.cpp core/io/*.cpp core/tensor.cpp
//     core/recipe_spec.cpp
//     -o /tmp/npy_fuzz
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fp4lab::core;
  NpyArray a;
  try {
    a = parse_npy({data, size}, "fuzz");
  } catch (const FormatError&) {
    return 0;
  }
  volatile std::uint8_t sink = 0;
  for (std::uint8_t b : a.raw()) sink = sink ^ b;  // ASan flags any byte outside the input
  if (a.raw().size() != static_cast<std::size_t>(a.numel()) * npy_dtype_size(a.dtype())) {
    std::abort();
  }
  if (a.dtype() == NpyDType::kU8) {
    try {
      a.view();
      std::abort();  // '|u1' must refuse a float view
    } catch (const FormatError&) {
    }
  } else {
    const TensorView v = a.view();
    float acc = 0;
    for (std::int64_t i = 0; i < v.numel() && i < 64; ++i) acc += v.at(i);
    sink = sink ^ static_cast<std::uint8_t>(acc == acc);
  }

  // Round trip: what we write must read back as the same array.
  const std::vector<std::uint8_t> again = serialize_npy(a.dtype(), a.shape(), a.raw());
  const NpyArray b = parse_npy(again, "again");
  if (b.dtype() != a.dtype() || b.shape() != a.shape() ||
      !std::equal(b.raw().begin(), b.raw().end(), a.raw().begin(), a.raw().end())) {
    std::abort();
  }
  return 0;
}
