// libFuzzer target for parse_safetensors: any input parses or throws FormatError, and a
// parsed file survives serialize_safetensors -> parse_safetensors unchanged.
// Not part of the CMake build; the command to build it is above LLVMFuzzerTestOneInput.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "core/io/safetensors.hpp"

namespace {

using fp4lab::core::FormatError;

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

// Build from the repository root (run with e.g. -max_total_time=60 CORPUS_DIR):
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined
//     -fno-sanitize-recover=all -I. tests/fuzz/safetensors_fuzz.cpp core/io/*.cpp core/tensor.cpp
//     core/recipe_spec.cpp
//     -o /tmp/safetensors_fuzz
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fp4lab::core;
  SafetensorsFile f;
  try {
    f = parse_safetensors({data, size}, "fuzz");
  } catch (const FormatError&) {
    return 0;
  }
  std::vector<SafetensorsEntry> entries;
  volatile std::uint8_t sink = 0;
  for (const std::string& name : f.names()) {
    const SafetensorsInfo& info = f.info(name);
    const auto raw = f.raw(name);
    for (std::uint8_t b : raw) sink = sink ^ b;  // ASan flags any byte outside the input
    if (info.dtype == "F32" || info.dtype == "F16" || info.dtype == "BF16") {
      const TensorView v = f.view(name);
      float acc = 0;
      for (std::int64_t i = 0; i < v.numel() && i < 64; ++i) acc += v.at(i);
      sink = sink ^ static_cast<std::uint8_t>(acc == acc);
    } else {
      try {
        f.view(name);
        std::abort();  // non-float dtypes must refuse a float view
      } catch (const FormatError&) {
      }
    }
    entries.push_back({name, info.dtype, info.shape, raw});
  }
  f.select("*");
  f.select("*.?*");
  try {
    f.info(std::string("\x01 no such tensor"));
    std::abort();
  } catch (const FormatError&) {
  }

  // Round trip: what we write must read back as the same tensors and metadata.
  const std::vector<std::uint8_t> again = serialize_safetensors(entries, f.metadata());
  const SafetensorsFile g = parse_safetensors(again, "again");
  if (g.names() != f.names() || g.metadata() != f.metadata()) std::abort();
  for (const std::string& name : f.names()) {
    if (g.info(name).dtype != f.info(name).dtype || g.info(name).shape != f.info(name).shape ||
        !same_bytes(g.raw(name), f.raw(name))) {
      std::abort();
    }
  }
  return 0;
}
