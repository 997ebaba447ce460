// libFuzzer target for core/recipe_spec: every input throws RecipeSpecError or parses to a recipe
// whose canonical spec parses back to it and prints identically. Not in CMake; build: clang++-14
// -std=c++20 -fsanitize=fuzzer,address -I. tests/fuzz/recipe_spec_fuzz.cpp core/recipe_spec.cpp
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "core/recipe_spec.hpp"

/// One fuzz input: abort() on any other exception or on a broken round trip.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fp4lab::core;
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  fp4lab::formats::Recipe r;
  try {
    r = parse_recipe(spec);
  } catch (const RecipeSpecError& e) {
    if (std::string_view(e.what()).find("bad recipe spec '") != 0) std::abort();
    return 0;
  } catch (...) {
    std::abort();  // only RecipeSpecError may escape the parser
  }
  try {
    const std::string canonical = recipe_to_spec(r);
    const fp4lab::formats::Recipe back = parse_recipe(canonical);
    if (!recipes_equal(back, r) || recipe_to_spec(back) != canonical) {
      std::fprintf(stderr, "round trip broke: '%s'\n", canonical.c_str());
      std::abort();
    }
    if (recipe_title(r).empty()) std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "canonical spec did not parse: %s\n", e.what());
    std::abort();
  }
  return 0;
}
