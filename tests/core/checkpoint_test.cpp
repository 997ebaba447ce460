// Checkpoints behind one interface: sharded safetensors (index + shards, and every inconsistency
// between them refused), GGUF (dequantized, unsupported types listed but not loadable), npy.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/io/checkpoint.hpp"
#include "core/io/mapped_file.hpp"
#include "core/io/safetensors.hpp"
#include "tests/core/temp_dir.hpp"

using namespace fp4lab::core;
using fp4lab::testing::TempDir;
namespace fs = std::filesystem;

namespace {

void shard(const std::string& path, const std::vector<std::string>& names) {
  std::vector<Tensor> ts;
  std::vector<SafetensorsEntry> entries;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::vector<float> v = {float(i), 1.5f, -2.0f, 4.0f};
    ts.push_back(Tensor::from_floats(v, DType::kBF16, {2, 2}));
  }
  for (std::size_t i = 0; i < names.size(); ++i) entries.push_back(safetensors_entry(names[i], ts[i].view()));
  write_safetensors(path, entries);
}

void text(const std::string& path, const std::string& body) { std::ofstream(path) << body; }

std::string error_of(const std::string& path) {
  try {
    Checkpoint::open(path);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string golden_gguf() {
  if (const char* d = std::getenv("FP4LAB_DATA_DIR")) return (fs::path(d) / "golden/gguf/types.gguf").string();
  return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "data/golden/gguf/types.gguf").string();
}

}  // namespace

TEST_SUITE("core.checkpoint") {
  TEST_CASE("a sharded safetensors checkpoint reads through its index") {
    TempDir d;
    shard(d.file("model-00001-of-00002.safetensors"), {"a.weight", "b.weight"});
    shard(d.file("model-00002-of-00002.safetensors"), {"c.weight"});
    text(d.file("model.safetensors.index.json"),
         R"({"metadata": {"total_size": 24}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
             "b.weight": "model-00001-of-00002.safetensors", "c.weight": "model-00002-of-00002.safetensors"}})");
    const Checkpoint c = Checkpoint::open(d.file("model.safetensors.index.json"));
    REQUIRE(c.entries().size() == 3);
    CHECK(c.entries()[2].name == "c.weight");
    CHECK(c.entry("b.weight").dtype == "BF16");
    const Tensor t = c.load("b.weight");
    CHECK(t.view().at(0) == 1.0f);
    CHECK(t.view().at(3) == 4.0f);
    CHECK_THROWS_AS(c.entry("d.weight"), FormatError);
  }

  TEST_CASE("an index that disagrees with its shards is refused, naming the problem") {
    TempDir d;
    shard(d.file("s1.safetensors"), {"a", "b"});
    shard(d.file("s2.safetensors"), {"b"});
    auto index = [&](const std::string& map) {
      text(d.file("m.safetensors.index.json"), R"({"weight_map": {)" + map + "}}");
      return error_of(d.file("m.safetensors.index.json"));
    };
    CHECK(index(R"("a": "s1.safetensors")").find("holds 2 tensors, the index lists 1") != std::string::npos);
    CHECK(index(R"("a": "s1.safetensors", "x": "s1.safetensors")").find("'x' is not in its shard") != std::string::npos);
    CHECK(index(R"("a": "s1.safetensors", "b": "s1.safetensors", "c": "s2.safetensors")")
              .find("appears in two shards") != std::string::npos);
    CHECK(index(R"("a": "../s1.safetensors")").find("not a .safetensors file name") != std::string::npos);
    CHECK(index(R"("a": "missing.safetensors")").find("missing.safetensors") != std::string::npos);
    CHECK(index("").find("weight_map is empty") != std::string::npos);
    text(d.file("bad.safetensors.index.json"), "{not json");
    CHECK(error_of(d.file("bad.safetensors.index.json")).find("not a valid index") != std::string::npos);
    CHECK(error_of(d.file("x.bin")).find("expected .safetensors") != std::string::npos);
  }

  TEST_CASE("a GGUF checkpoint lists every tensor and loads the types fp4lab dequantizes") {
    const Checkpoint c = Checkpoint::open(golden_gguf());
    CHECK(c.entries().size() == 7);
    CHECK(c.entry("q4_1").is_float);
    CHECK(c.entry("q4_1").shape == std::vector<std::int64_t>{4, 64});
    CHECK(c.load("q4_1").dtype() == DType::kF32);
    CHECK_FALSE(c.entry("q6_k").is_float);
    try {
      c.load("q6_k");
      FAIL("no error");
    } catch (const FormatError& e) {
      CHECK(std::string(e.what()).find("is Q6_K, not float data") != std::string::npos);
    }
  }
}
