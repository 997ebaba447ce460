// GGUF reader: the gguf package's dequantization as oracle (data/golden/gguf, made by
// tests/model/make_gguf_golden.py), metadata, unsupported types refused by name, and every
// malformed input rejected with a FormatError naming the problem.
#include <doctest/doctest.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/io/gguf.hpp"
#include "core/io/safetensors.hpp"

namespace fs = std::filesystem;
using namespace fp4lab::core;

namespace {

std::string golden_gguf(const std::string& name) {
  if (const char* d = std::getenv("FP4LAB_DATA_DIR")) return (fs::path(d) / "golden" / "gguf" / name).string();
  return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "data" / "golden" / "gguf" / name).string();
}

// A tiny GGUF built by hand: one F32 tensor [2, 32] after `kv` metadata bytes.
struct Builder {
  std::vector<std::uint8_t> b;
  template <class T>
  void put(T v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof(T));
  }
  void str(const std::string& s) {
    put<std::uint64_t>(s.size());
    b.insert(b.end(), s.begin(), s.end());
  }
};

std::vector<std::uint8_t> tiny(std::uint32_t type = 0, std::uint64_t offset = 0, std::uint32_t version = 3,
                               std::uint64_t cols = 32) {
  Builder g;
  g.b = {'G', 'G', 'U', 'F'};
  g.put<std::uint32_t>(version);
  g.put<std::uint64_t>(1);  // tensors
  g.put<std::uint64_t>(2);  // kv
  g.str("general.architecture");
  g.put<std::uint32_t>(8);
  g.str("llama");
  g.str("x.list");
  g.put<std::uint32_t>(9);
  g.put<std::uint32_t>(5);  // i32 array
  g.put<std::uint64_t>(3);
  for (std::int32_t v : {1, -2, 3}) g.put(v);
  g.str("w");
  g.put<std::uint32_t>(2);
  g.put<std::uint64_t>(cols);
  g.put<std::uint64_t>(2);
  g.put<std::uint32_t>(type);
  g.put<std::uint64_t>(offset);
  while (g.b.size() % 32) g.b.push_back(0);
  for (std::uint64_t i = 0; i < 2 * cols; ++i) g.put<float>(static_cast<float>(i) - 10.5f);
  return g.b;
}

std::string error_of(const std::vector<std::uint8_t>& bytes) {
  try {
    parse_gguf(bytes, "bad.gguf");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("core.gguf") {
  TEST_CASE("every tensor type is dequantized bit for bit as gguf.quants.dequantize") {
    const GgufFile g = open_gguf(golden_gguf("types.gguf"));
    const SafetensorsFile expected = open_safetensors(golden_gguf("types_expected.safetensors"));
    int checked = 0;
    for (const char* name : {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1"}) {
      CAPTURE(name);
      const GgufTensorInfo& t = g.tensor(name);
      CHECK(t.shape == std::vector<std::int64_t>{4, 64});
      const std::vector<float> got = g.dequantize(t);
      const TensorView want = expected.view(name);
      REQUIRE(static_cast<std::int64_t>(got.size()) == want.numel());
      std::int64_t differ = 0;
      for (std::int64_t i = 0; i < want.numel(); ++i) {
        differ += std::bit_cast<std::uint32_t>(got[static_cast<std::size_t>(i)]) !=
                  std::bit_cast<std::uint32_t>(want.at(i));
      }
      CHECK(differ == 0);
      ++checked;
    }
    CHECK(checked == 6);
    CHECK(g.metadata()["test.name"] == "fp4lab golden");
    CHECK(g.metadata()["test.u32"] == 7);
    CHECK(g.metadata()["test.list"] == nlohmann::json::array({"a", "b c"}));
  }

  TEST_CASE("a type fp4lab does not read is refused by its ggml name") {
    const GgufFile g = open_gguf(golden_gguf("types.gguf"));
    const GgufTensorInfo& t = g.tensor("q6_k");
    CHECK(ggml_type_name(t.type) == "Q6_K");
    try {
      g.dequantize(t);
      FAIL("no error");
    } catch (const FormatError& e) {
      CHECK(std::string(e.what()).find("type Q6_K, which fp4lab does not read") != std::string::npos);
    }
    CHECK(ggml_type_name(200) == "type 200");
  }

  TEST_CASE("a hand-built file parses: metadata, shape reversed to row-major, values") {
    const auto bytes = tiny();
    const GgufFile g = parse_gguf(bytes, "tiny.gguf");
    CHECK(g.version() == 3);
    CHECK(g.string_value("general.architecture") == "llama");
    CHECK(g.metadata()["x.list"] == nlohmann::json::array({1, -2, 3}));
    const auto& t = g.tensor("w");
    CHECK(t.shape == std::vector<std::int64_t>{2, 32});
    const auto v = g.dequantize(t);
    CHECK(v[0] == -10.5f);
    CHECK(v[63] == 52.5f);
    CHECK_THROWS_AS(g.tensor("missing"), FormatError);
    CHECK_THROWS_AS(g.number_value("general.architecture"), FormatError);
  }

  TEST_CASE("malformed files are rejected with a message naming the problem") {
    auto has = [](const std::string& msg, const char* what) {
      CAPTURE(msg);
      CHECK(msg.find(what) != std::string::npos);
    };
    const auto good = tiny();
    has(error_of({}), "missing the 'GGUF' magic");
    has(error_of({'G', 'G', 'U', 'X', 3, 0, 0, 0}), "missing the 'GGUF' magic");
    has(error_of(tiny(0, 0, 7)), "unsupported version 7");
    for (std::size_t cut : {std::size_t{5}, std::size_t{30}, std::size_t{90}, good.size() - 1}) {
      CAPTURE(cut);
      const std::vector<std::uint8_t> t(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
      CHECK(error_of(t).find("not a valid GGUF file") != std::string::npos);
    }
    has(error_of(tiny(0, 4)), "offset is not aligned");
    has(error_of(tiny(0, 32)), "runs past the end");
    has(error_of(tiny(8, 0, 3, 33)), "not a multiple of its block of 32");
    auto absurd = good;
    std::memset(absurd.data() + 8, 0xFF, 8);  // tensor count
    has(error_of(absurd), "absurd tensor count");
  }

  TEST_CASE("dequantize_ggml checks the byte count against the values asked for") {
    std::vector<std::uint8_t> q(34, 0);
    std::vector<float> out(32);
    CHECK_NOTHROW(dequantize_ggml(8, q, out));
    std::vector<float> wrong(64);
    CHECK_THROWS_AS(dequantize_ggml(8, q, wrong), FormatError);
    CHECK_THROWS_AS(dequantize_ggml(14, q, out), FormatError);
  }
}
