// Tests of core/io: mapped files, atomic writes, .safetensors and .npy readers and writers
// (round trips, Python-made golden files in data/golden, and every malformed-input error).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/io/atomic_write.hpp"
#include "core/io/mapped_file.hpp"
#include "core/io/npy.hpp"
#include "core/io/safetensors.hpp"
#include "core/tensor.hpp"
#include "tests/core/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace fp4lab::core;
using Bytes = std::vector<std::uint8_t>;

using fp4lab::testing::TempDir;

void write_raw(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  REQUIRE(f.good());
}

Bytes read_raw(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

template <class T>
Bytes bytes_of(const std::vector<T>& v) {
  Bytes b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// An 8-byte little-endian length, the header text, then `data`.
Bytes st_file(std::string_view header, const Bytes& data = {}) {
  Bytes b(8 + header.size() + data.size());
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(header.size() >> (8 * i));
  if (!header.empty()) std::memcpy(b.data() + 8, header.data(), header.size());
  if (!data.empty()) std::memcpy(b.data() + 8 + header.size(), data.data(), data.size());
  return b;
}

// The magic, version major.0, the header length (2 bytes for 1.x, 4 otherwise), the header,
// then `data_bytes` zero bytes.
Bytes npy_file(int major, std::string_view header, std::size_t data_bytes) {
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  Bytes b(8 + len_bytes + header.size() + data_bytes, 0);
  const std::uint8_t magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major),
                                 0};
  std::memcpy(b.data(), magic, 8);
  for (std::size_t i = 0; i < len_bytes; ++i) {
    b[8 + i] = static_cast<std::uint8_t>(header.size() >> (8 * i));
  }
  if (!header.empty()) std::memcpy(b.data() + 8 + len_bytes, header.data(), header.size());
  return b;
}

// The what() of the exception E that f throws ("<no exception>" when it returns).
template <class E = FormatError, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

#define CHECK_HAS(message, needle) \
  CHECK_MESSAGE((message).find(needle) != std::string::npos, (message))

std::string st_error(std::string_view header, const Bytes& data = {}) {
  const Bytes b = st_file(header, data);
  return message_of([&] { parse_safetensors(b, "bad.safetensors"); });
}

std::string npy_error(const Bytes& b) {
  return message_of([&] { parse_npy(b, "bad.npy"); });
}

// data/golden, found from this file's path (CMake compiles it by absolute path); the
// FP4LAB_DATA_DIR environment variable overrides it.
std::string golden(const std::string& name) {
  if (const char* d = std::getenv("FP4LAB_DATA_DIR"))
    return (fs::path(d) / "golden" / name).string();
  return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "data" / "golden" / name)
      .string();
}

std::vector<float> floats_of(const TensorView& v) {
  std::vector<float> out(static_cast<std::size_t>(v.numel()));
  v.to_float(0, out);
  return out;
}

// Test data of every dtype: bit patterns chosen to include signs, subnormals, Inf and NaN.
const std::vector<float> kF32 = {0.0f, -0.0f, 1.5f, -3.25e-3f, 1e30f, 1.4e-45f, 65504.0f, 7.0f};
const std::vector<std::uint16_t> kF16 = {0x0000, 0x8000, 0x3c00, 0x0001, 0x7bff, 0x7c00, 0x7e00};
const std::vector<std::uint16_t> kBF16 = {0x3f80, 0xbf80, 0x0001, 0x7f7f, 0xff80, 0x7fc0};
const std::vector<std::uint8_t> kU8 = {0, 1, 7, 8, 15, 0x80, 0xff, 0x5a, 0xa5};

}  // namespace

TEST_SUITE("core.io.mapped_file") {
  TEST_CASE("a file's bytes are mapped, and an empty file maps to an empty span") {
    TempDir dir;
    write_raw(dir.file("a.bin"), {1, 2, 3});
    write_raw(dir.file("empty.bin"), {});
    MappedFile a(dir.file("a.bin"));
    CHECK(Bytes(a.bytes().begin(), a.bytes().end()) == Bytes{1, 2, 3});
    MappedFile e(dir.file("empty.bin"));
    CHECK(e.size() == 0);
    CHECK(e.bytes().empty());
  }

  TEST_CASE("moving keeps the mapping at the same address") {
    TempDir dir;
    write_raw(dir.file("a.bin"), {9, 8, 7, 6});
    MappedFile a(dir.file("a.bin"));
    const std::uint8_t* p = a.data();
    MappedFile b(std::move(a));
    CHECK(b.data() == p);
    CHECK(a.size() == 0);
    MappedFile c;
    c = std::move(b);
    CHECK(c.data() == p);
    CHECK(c.bytes()[3] == 6);
  }

  TEST_CASE("a missing file or a directory throws IoError naming the path and the reason") {
    TempDir dir;
    const std::string missing = dir.file("missing.bin");
    std::string m = message_of<IoError>([&] { MappedFile f(missing); });
    CHECK_HAS(m, missing);
    CHECK_HAS(m, "No such file or directory");
    m = message_of<IoError>([&] { MappedFile f(dir.file("")); });
    CHECK_HAS(m, "not a regular file");
  }
}

TEST_SUITE("core.io.atomic_write") {
  TEST_CASE("commit replaces the destination and leaves no temporary file") {
    TempDir dir;
    const std::string path = dir.file("out.bin");
    write_raw(path, {1, 1, 1, 1, 1});
    {
      AtomicFile f(path);
      CHECK(f.temp_path().rfind(path + ".tmp.", 0) == 0);
      f.write(Bytes{4, 5});
      f.write(std::string_view("xy"));
      CHECK(read_raw(path) == Bytes{1, 1, 1, 1, 1});  // untouched until commit
      f.commit();
      CHECK(f.committed());
    }
    CHECK(read_raw(path) == Bytes{4, 5, 'x', 'y'});
    CHECK(dir.listing() == std::vector<std::string>{"out.bin"});
  }

  TEST_CASE("an AtomicFile destroyed without commit removes its temporary file") {
    TempDir dir;
    const std::string path = dir.file("out.bin");
    write_raw(path, {1, 2, 3});
    {
      AtomicFile f(path);
      f.write(Bytes(1000, 0xee));
      CHECK(fs::exists(f.temp_path()));
    }
    CHECK(read_raw(path) == Bytes{1, 2, 3});
    CHECK(dir.listing() == std::vector<std::string>{"out.bin"});
  }

  TEST_CASE("a destination in a missing directory throws IoError and creates nothing") {
    TempDir dir;
    const std::string path = dir.file("no/such/dir/out.bin");
    const std::string m = message_of<IoError>([&] { write_file_atomic(path, Bytes{1}); });
    CHECK_HAS(m, path);
    CHECK_HAS(m, "No such file or directory");
    CHECK(dir.listing().empty());
  }

  TEST_CASE("a replaced file keeps its permission bits") {
    TempDir dir;
    const std::string path = dir.file("out.bin");
    write_raw(path, {1});
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    write_file_atomic(path, Bytes{2});
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    CHECK(read_raw(path) == Bytes{2});
  }
}

TEST_SUITE("core.io.safetensors") {
  TEST_CASE("F32, F16, BF16 and U8 tensors round-trip bit for bit through a file") {
    TempDir dir;
    const std::string path = dir.file("t.safetensors");
    const Bytes f32 = bytes_of(kF32), f16 = bytes_of(kF16), bf16 = bytes_of(kBF16),
                u8 = bytes_of(kU8);
    const std::vector<SafetensorsEntry> entries = {
        {"model.w", "F32", {2, 4}, f32},
        {"half", "F16", {7}, f16},
        {"brain", "BF16", {3, 2}, bf16},
        {"codes", "U8", {3, 3}, u8},
    };
    write_safetensors(path, entries, {{"format", "pt"}, {"recipe", "nvfp4"}});
    const SafetensorsFile f = open_safetensors(path);
    CHECK(f.source() == path);
    CHECK(f.names() == std::vector<std::string>{"brain", "codes", "half", "model.w"});
    for (const SafetensorsEntry& e : entries) {
      CAPTURE(e.name);
      const SafetensorsInfo& i = f.info(e.name);
      CHECK(i.dtype == e.dtype);
      CHECK(i.shape == e.shape);
      const auto raw = f.raw(e.name);
      CHECK(Bytes(raw.begin(), raw.end()) == Bytes(e.bytes.begin(), e.bytes.end()));
      CHECK((i.begin % (e.dtype == "F32" ? 4 : e.dtype == "U8" ? 1 : 2)) == 0);  // aligned
    }
    const TensorView w = f.view("model.w");
    CHECK(w.dtype() == DType::kF32);
    CHECK(w.shape() == std::vector<std::int64_t>{2, 4});
    for (std::size_t k = 0; k < kF32.size(); ++k) {
      CHECK(std::memcmp(&kF32[k], static_cast<const std::uint8_t*>(w.data()) + 4 * k, 4) == 0);
    }
    CHECK(f.view("half").dtype() == DType::kF16);
    CHECK(f.view("half").at(2) == 1.0f);
    CHECK(f.view("brain").dtype() == DType::kBF16);
    CHECK(f.view("brain").at(1) == -1.0f);
    CHECK(f.metadata() ==
          std::map<std::string, std::string>{{"format", "pt"}, {"recipe", "nvfp4"}});
  }

  TEST_CASE("the file's bytes equal serialize_safetensors, with the header padded to 8 bytes") {
    TempDir dir;
    const Bytes u8 = bytes_of(kU8);
    const std::vector<SafetensorsEntry> entries = {{"x", "U8", {9}, u8}};
    write_safetensors(dir.file("t.safetensors"), entries);
    const Bytes b = read_raw(dir.file("t.safetensors"));
    CHECK(b == serialize_safetensors(entries));
    std::uint64_t n = 0;
    std::memcpy(&n, b.data(), 8);
    CHECK(n % 8 == 0);
    CHECK(b.size() == 8 + n + 9);
    CHECK(parse_safetensors(b).metadata().empty());
  }

  TEST_CASE("tensors from TensorViews, a scalar, an empty tensor and packed F4 round-trip") {
    const Tensor t =
        Tensor::from_floats(std::vector<float>{1, 2, 3, 4, 5, 6}, DType::kBF16, {2, 3});
    const float scalar = 2.5f;
    const Bytes f4 = {0x21, 0x43};  // four E2M1 codes packed two to a byte
    const std::vector<SafetensorsEntry> entries = {
        safetensors_entry("t", t.view()),
        {"scalar", "F32", {}, {reinterpret_cast<const std::uint8_t*>(&scalar), 4}},
        {"empty", "F16", {0, 5}, {}},
        {"packed", "F4", {4}, f4},
    };
    const Bytes b = serialize_safetensors(entries);
    const SafetensorsFile f = parse_safetensors(b);
    CHECK(floats_of(f.view("t")) == std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(f.info("scalar").shape.empty());
    CHECK(f.info("scalar").numel() == 1);
    CHECK(f.view("scalar").shape() == std::vector<std::int64_t>{1});  // documented: [] -> [1]
    CHECK(f.view("scalar").at(0) == 2.5f);
    CHECK(f.view("empty").numel() == 0);
    CHECK(f.raw("empty").empty());
    CHECK(f.raw("packed").size() == 2);
    CHECK(f.raw("packed")[1] == 0x43);
  }

  TEST_CASE("select matches glob patterns over sorted names") {
    const Bytes one = {0};
    std::vector<SafetensorsEntry> entries;
    for (const char* n : {"layers.0.mlp.weight", "layers.0.attn.weight", "layers.1.mlp.weight",
                          "layers.10.mlp.bias", "embed"}) {
      entries.push_back({n, "U8", {1}, one});
    }
    const Bytes b = serialize_safetensors(entries);
    const SafetensorsFile f = parse_safetensors(b);
    using V = std::vector<std::string>;
    CHECK(f.select("*") == f.names());
    CHECK(f.select("layers.?.mlp.weight") == V{"layers.0.mlp.weight", "layers.1.mlp.weight"});
    CHECK(f.select("*.weight") ==
          V{"layers.0.attn.weight", "layers.0.mlp.weight", "layers.1.mlp.weight"});
    CHECK(f.select("layers.1*") == V{"layers.1.mlp.weight", "layers.10.mlp.bias"});
    CHECK(f.select("embed") == V{"embed"});
    CHECK(f.select("nothing*").empty());
    CHECK(glob_match("", ""));
    CHECK(glob_match("**", ""));
    CHECK_FALSE(glob_match("?", ""));
    CHECK(glob_match("a*b*c", "aXbYbZc"));
    CHECK_FALSE(glob_match("a*b*c", "aXbYbZ"));
    CHECK(glob_match("*a", "aaaa"));
    CHECK_FALSE(glob_match("a", "A"));
  }

  TEST_CASE("a file written by Python's safetensors reads back exactly, and we write it alike") {
    const SafetensorsFile f = open_safetensors(golden("golden.safetensors"));
    CHECK(f.names() == std::vector<std::string>{"act.bf16", "codes.u8", "scale.f16", "weight.f32"});
    CHECK(f.metadata() == std::map<std::string, std::string>{{"source", "python-safetensors"}});
    CHECK(f.info("weight.f32").shape == std::vector<std::int64_t>{2, 3});
    CHECK(floats_of(f.view("weight.f32")) ==
          std::vector<float>{0.0f, 1.0f, -2.5f, 3.140625f, 0.001f, -65504.0f});
    CHECK(f.info("scale.f16").dtype == "F16");
    CHECK(floats_of(f.view("scale.f16")) == std::vector<float>{1.0f, -0.5f, 65504.0f, 0x1p-14f});
    CHECK(f.info("act.bf16").shape == std::vector<std::int64_t>{2, 2});
    CHECK(floats_of(f.view("act.bf16")) == std::vector<float>{1.0f, -2.0f, 0.15625f, 256.0f});
    const auto codes = f.raw("codes.u8");
    CHECK(Bytes(codes.begin(), codes.end()) == Bytes{0, 7, 255});

    // Our writer produces the same bytes from the same tensors.
    std::vector<SafetensorsEntry> entries;
    for (const std::string& n : f.names()) {
      entries.push_back({n, f.info(n).dtype, f.info(n).shape, f.raw(n)});
    }
    CHECK(serialize_safetensors(entries, f.metadata()) == read_raw(golden("golden.safetensors")));
  }

  TEST_CASE("short files and bad header lengths are rejected") {
    TempDir dir;
    write_raw(dir.file("short.safetensors"), {1, 2, 3, 4, 5});
    std::string m = message_of([&] { open_safetensors(dir.file("short.safetensors")); });
    CHECK_HAS(m, dir.file("short.safetensors"));
    CHECK_HAS(m, "5 bytes is too short");
    m = message_of([&] { parse_safetensors(Bytes{}, "x"); });
    CHECK_HAS(m, "0 bytes is too short");

    Bytes huge = st_file("{}");
    const std::uint64_t n = 200'000'000;
    std::memcpy(huge.data(), &n, 8);
    m = message_of([&] { parse_safetensors(huge, "bad.safetensors"); });
    CHECK_HAS(m, "bad.safetensors: header length 200000000 is absurd");

    Bytes past = st_file("{}");
    past[0] = 50;
    m = message_of([&] { parse_safetensors(past, "bad.safetensors"); });
    CHECK_HAS(m, "header length 50 runs past the end of the file (10 bytes)");
  }

  TEST_CASE("bad JSON is rejected with nlohmann's message") {
    const std::string m = st_error("{\"a\": {\"dtype\": \"F32\",");
    CHECK_HAS(m, "bad.safetensors: header is not valid JSON");
    CHECK_HAS(m, "parse error");
    CHECK_HAS(st_error("[1, 2]"), "header is a JSON array, expected an object");
    CHECK_HAS(st_error(""), "not valid JSON");
    CHECK_HAS(st_error("{\"a\": 1e999}"), "not valid JSON");
  }

  TEST_CASE("malformed entries are rejected naming the tensor and the problem") {
    CHECK_HAS(st_error(R"({"w": [1]})"), "tensor 'w': entry is a JSON array, expected an object");
    CHECK_HAS(st_error(R"({"w": {"shape": [1], "data_offsets": [0, 4]}})"),
              "tensor 'w': missing \"dtype\"");
    CHECK_HAS(st_error(R"({"w": {"dtype": "F32", "data_offsets": [0, 4]}})"), "missing \"shape\"");
    CHECK_HAS(st_error(R"({"w": {"dtype": "F32", "shape": [1]}})"), "missing \"data_offsets\"");
    CHECK_HAS(st_error(R"({"w": {"dtype": 3, "shape": [1], "data_offsets": [0, 4]}})"),
              "\"dtype\" is a JSON number, expected a string");
    CHECK_HAS(st_error(R"({"w": {"dtype": "F32", "shape": 1, "data_offsets": [0, 4]}})"),
              "\"shape\" is a JSON number, expected an array");
    CHECK_HAS(st_error(R"({"__metadata__": {"k": 1}})"), "value of 'k' is a JSON number");
    CHECK_HAS(st_error(R"({"__metadata__": [1]})"), "\"__metadata__\" is a JSON array");
  }

  TEST_CASE("unknown dtypes, bad shapes and bad offsets are rejected") {
    const Bytes four(4);
    CHECK_HAS(st_error(R"({"w": {"dtype": "F128", "shape": [1], "data_offsets": [0, 4]}})", four),
              "tensor 'w': unknown dtype 'F128'");
    CHECK_HAS(st_error(R"({"w": {"dtype": "f32", "shape": [1], "data_offsets": [0, 4]}})", four),
              "unknown dtype 'f32'");
    CHECK_HAS(st_error(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", four),
              "negative or too large dimension");
    CHECK_HAS(st_error(R"({"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", four),
              "shape holds a JSON number, expected integers");
    CHECK_HAS(st_error(R"({"w": {"dtype": "U8", "shape": [4294967296, 4294967296],
                                 "data_offsets": [0, 4]}})",
                       four),
              "has too many elements");
    CHECK_HAS(st_error(R"({"w": {"dtype": "U8", "shape": [4], "data_offsets": [0]}})", four),
              "must be an array of two non-negative integers");
    CHECK_HAS(st_error(R"({"w": {"dtype": "U8", "shape": [4], "data_offsets": [0, -4]}})", four),
              "must be an array of two non-negative integers");
    CHECK_HAS(st_error(R"({"w": {"dtype": "U8", "shape": [4], "data_offsets": [3, 1]}})", four),
              "data_offsets [3, 1] decrease");
    CHECK_HAS(st_error(R"({"w": {"dtype": "U8", "shape": [8], "data_offsets": [0, 8]}})", four),
              "end 8 is past the end of the data (4 bytes after the header)");
    CHECK_HAS(st_error(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", four),
              "hold 4 bytes but F32 [2] needs 8");
    CHECK_HAS(st_error(R"({"w": {"dtype": "F4", "shape": [3], "data_offsets": [0, 2]}})", four),
              "3 elements of F4 (4 bits each) do not fill whole bytes");
  }

  TEST_CASE("overlapping byte ranges are rejected; gaps and empty tensors are not overlaps") {
    const Bytes eight(8);
    const std::string m = st_error(R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
        "b": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]}})",
                                   eight);
    CHECK_HAS(m, "tensors 'a' [0, 4) and 'b' [2, 6) overlap");
    // tensors in any header order that tile the data exactly, an empty one between two others
    const Bytes ok = st_file(R"({"a": {"dtype": "U8", "shape": [5], "data_offsets": [3, 8]},
                                 "b": {"dtype": "U8", "shape": [0], "data_offsets": [3, 3]},
                                 "c": {"dtype": "U8", "shape": [3], "data_offsets": [0, 3]}})",
                             eight);
    CHECK(parse_safetensors(ok).size() == 3);
  }

  // issue 14: as the reference reader (huggingface/safetensors), which rejects these
  TEST_CASE("a repeated key, a gap between tensors and bytes no tensor owns are rejected") {
    const Bytes eight(8);
    CHECK_HAS(st_error(R"({"a": {"dtype": "U8", "shape": [8], "data_offsets": [0, 8]},
                           "a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}})",
                       eight),
              "header repeats the key 'a'");
    CHECK_HAS(st_error(R"({"__metadata__": {"k": "1", "k": "2"}})"), "repeats the key 'k'");
    // the same key in two different objects is no repetition
    CHECK(parse_safetensors(st_file(R"({"__metadata__": {"a": "x"},
                                        "a": {"dtype": "U8", "shape": [8], "data_offsets": [0, 8]}})",
                                    eight))
              .size() == 1);
    CHECK_HAS(st_error(R"({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                           "b": {"dtype": "U8", "shape": [2], "data_offsets": [6, 8]}})",
                       eight),
              "bytes [2, 6) of the data belong to no tensor (before 'b' [6, 8))");
    CHECK_HAS(st_error(R"({"a": {"dtype": "U8", "shape": [2], "data_offsets": [2, 4]}})", Bytes(4)),
              "bytes [0, 2) of the data belong to no tensor");
    CHECK_HAS(st_error(R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}})", eight),
              "the data holds 8 bytes but the tensors cover 4");
    CHECK_HAS(st_error("{}", eight), "the data holds 8 bytes but the tensors cover 0");
  }

  TEST_CASE("an unknown tensor name lists the first 20 names and the count") {
    const Bytes one = {0};
    std::vector<SafetensorsEntry> entries;
    for (int i = 0; i < 25; ++i) {
      std::string name = "t";
      name += std::to_string(100 + i);
      entries.push_back({name, "U8", {1}, one});
    }
    const Bytes b = serialize_safetensors(entries);
    const SafetensorsFile f = parse_safetensors(b, "m.safetensors");
    std::string m = message_of([&] { f.view("nope"); });
    CHECK_HAS(m, "m.safetensors: no tensor named 'nope'; the file holds 25 tensors: 't100', ");
    CHECK_HAS(m, "'t119', ... (first 20 of 25)");
    CHECK(m.find("t120") == std::string::npos);
    m = message_of([&] { f.info("nope"); });
    CHECK_HAS(m, "'t100'");
    m = message_of([&] { f.raw("nope"); });
    CHECK_HAS(m, "'t100'");
    CHECK_FALSE(f.contains("nope"));
    CHECK(f.contains("t100"));
  }

  TEST_CASE("view() of a non-float dtype says the dtype is unsupported; raw() still works") {
    const Bytes u8 = bytes_of(kU8);
    const std::vector<SafetensorsEntry> entries = {{"codes", "U8", {9}, u8}};
    const Bytes b = serialize_safetensors(entries);
    const SafetensorsFile f = parse_safetensors(b, "q.safetensors");
    const std::string m = message_of([&] { f.view("codes"); });
    CHECK_HAS(m, "q.safetensors: tensor 'codes' has dtype U8, unsupported for float views");
    CHECK(f.raw("codes").size() == 9);
  }

  TEST_CASE("bad entries are refused before the destination is touched, leaving no temp files") {
    TempDir dir;
    const std::string path = dir.file("keep.safetensors");
    write_raw(path, {'o', 'l', 'd'});
    const Bytes four(4), three(3);
    using Entries = std::vector<SafetensorsEntry>;
    std::string m = message_of<std::invalid_argument>([&] {
      write_safetensors(path, Entries{{"a", "U8", {4}, four}, {"a", "U8", {4}, four}});
    });
    CHECK_HAS(m, "'a': duplicate name");
    m = message_of<std::invalid_argument>([&] {
      write_safetensors(path, Entries{{"a", "F32", {1}, three}});
    });
    CHECK_HAS(m, "F32 [1] needs 4 bytes, got 3");
    m = message_of<std::invalid_argument>([&] {
      write_safetensors(path, Entries{{"__metadata__", "U8", {4}, four}});
    });
    CHECK_HAS(m, "reserved");
    m = message_of<std::invalid_argument>([&] {
      write_safetensors(path, Entries{{"a", "Q4", {4}, four}});
    });
    CHECK_HAS(m, "unknown dtype 'Q4'");
    m = message_of<std::invalid_argument>([&] {
      write_safetensors(path, Entries{{"a", "U8", {-4}, four}});
    });
    CHECK_HAS(m, "negative dimension");
    m = message_of<std::invalid_argument>([&] {
      write_safetensors(path, Entries{{"bad\xff", "U8", {4}, four}});
    });
    CHECK_HAS(m, "UTF-8");
    CHECK(read_raw(path) == Bytes{'o', 'l', 'd'});
    CHECK(dir.listing() == std::vector<std::string>{"keep.safetensors"});

    m = message_of<IoError>([&] {
      write_safetensors(dir.file("missing/x.safetensors"), Entries{{"a", "U8", {4}, four}});
    });
    CHECK_HAS(m, "missing/x.safetensors");
    CHECK(dir.listing() == std::vector<std::string>{"keep.safetensors"});
  }
}

TEST_SUITE("core.io.npy") {
  TEST_CASE("F32, F16, BF16 and U8 arrays round-trip bit for bit through a file") {
    TempDir dir;
    const Bytes scalar = {0, 0, 0x20, 0x40};  // 2.5f
    struct Case {
      NpyDType dtype;
      std::vector<std::int64_t> shape;
      Bytes bytes;
      const char* descr;
    };
    const std::vector<Case> cases = {
        {NpyDType::kF32, {2, 4}, bytes_of(kF32), "<f4"},
        {NpyDType::kF16, {7}, bytes_of(kF16), "<f2"},
        {NpyDType::kBF16, {3, 1, 2}, bytes_of(kBF16), "<V2"},
        {NpyDType::kU8, {3, 3}, bytes_of(kU8), "|u1"},
        {NpyDType::kF32, {0, 3}, {}, "<f4"},
        {NpyDType::kF32, {}, scalar, "<f4"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.descr);
      CAPTURE(shape_string(c.shape));
      const std::string path = dir.file("a.npy");
      write_npy(path, c.dtype, c.shape, c.bytes);
      const Bytes file = read_raw(path);
      CHECK(file == serialize_npy(c.dtype, c.shape, c.bytes));
      CHECK((file.size() - c.bytes.size()) % 64 == 0);  // data aligned as numpy aligns it
      const NpyArray a = read_npy(path);
      CHECK(a.source() == path);
      CHECK(a.dtype() == c.dtype);
      CHECK(a.descr() == c.descr);
      CHECK(a.shape() == c.shape);
      CHECK(Bytes(a.raw().begin(), a.raw().end()) == c.bytes);
    }
    CHECK(dir.listing() == std::vector<std::string>{"a.npy"});
  }

  TEST_CASE("a 0-d array keeps shape () and is viewed as shape [1]") {
    const float v = -1.75f;
    const Bytes b =
        serialize_npy(NpyDType::kF32, {}, {reinterpret_cast<const std::uint8_t*>(&v), 4});
    const NpyArray a = parse_npy(b);
    CHECK(a.shape().empty());
    CHECK(a.numel() == 1);
    CHECK(a.view().shape() == std::vector<std::int64_t>{1});
    CHECK(a.view().at(0) == -1.75f);
  }

  TEST_CASE("a TensorView is written with its dtype and read back as the same floats") {
    TempDir dir;
    for (DType d : {DType::kF32, DType::kF16, DType::kBF16}) {
      CAPTURE(dtype_name(d));
      const Tensor t = Tensor::from_floats(std::vector<float>{0.5f, -2, 3, 1024}, d, {2, 2});
      write_npy(dir.file("t.npy"), t.view());
      const NpyArray a = read_npy(dir.file("t.npy"));
      CHECK(a.view().dtype() == d);
      CHECK(a.view().shape() == std::vector<std::int64_t>{2, 2});
      CHECK(floats_of(a.view()) == std::vector<float>{0.5f, -2, 3, 1024});
    }
  }

  TEST_CASE("files written by numpy read back exactly, and we write the same bytes") {
    const NpyArray f32 = read_npy(golden("golden_f32.npy"));
    CHECK(f32.shape() == std::vector<std::int64_t>{2, 3});
    CHECK(floats_of(f32.view()) ==
          std::vector<float>{0.0f, 1.0f, -2.5f, 3.140625f, 0.001f, -65504.0f});
    const NpyArray f16 = read_npy(golden("golden_f16.npy"));
    CHECK(f16.dtype() == NpyDType::kF16);
    CHECK(floats_of(f16.view()) == std::vector<float>{1.0f, -0.5f, 65504.0f, 0x1p-14f});
    const NpyArray bf16 = read_npy(golden("golden_bf16.npy"));  // ml_dtypes.bfloat16 -> '<V2'
    CHECK(bf16.dtype() == NpyDType::kBF16);
    CHECK(floats_of(bf16.view()) == std::vector<float>{1.0f, -2.0f, 0.15625f, 256.0f});
    const NpyArray u8 = read_npy(golden("golden_u8.npy"));
    CHECK(u8.descr() == "|u1");
    CHECK(Bytes(u8.raw().begin(), u8.raw().end()) == Bytes{0, 7, 255});
    for (const char* name :
         {"golden_f32.npy", "golden_f16.npy", "golden_bf16.npy", "golden_u8.npy"}) {
      CAPTURE(name);
      const NpyArray a = read_npy(golden(name));
      CHECK(serialize_npy(a.dtype(), a.shape(), a.raw()) == read_raw(golden(name)));
    }
  }

  TEST_CASE("versions 2.0 and 3.0, double quotes, lists and Python 2 longs are read") {
    const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
    CHECK(parse_npy(npy_file(2, h, 24)).shape() == std::vector<std::int64_t>{2, 3});
    CHECK(parse_npy(npy_file(3, h, 24)).numel() == 6);
    const NpyArray a =
        parse_npy(npy_file(1, R"({"shape": [3L], "fortran_order": False, "descr": "|u1",})", 3));
    CHECK(a.shape() == std::vector<std::int64_t>{3});
    CHECK(parse_npy(npy_file(1, "{'descr':'<f2','fortran_order':False,'shape':()}", 2)).numel() ==
          1);
  }

  TEST_CASE("bad magic, versions and header lengths are rejected") {
    const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    Bytes b = npy_file(1, h, 8);
    b[1] = 'X';
    CHECK_HAS(npy_error(b), "bad.npy: not a .npy file: it does not start with the magic");
    CHECK_HAS(npy_error(Bytes{0x93, 'N', 'U'}), "not a .npy file");
    b = npy_file(4, h, 8);
    CHECK_HAS(npy_error(b), "unsupported .npy format version 4.0");
    b = npy_file(1, h, 8);
    b[8] = b[9] = 0xff;
    CHECK_HAS(npy_error(b), "header length 65535 runs past the end of the file");
    b = npy_file(2, h, 0);
    b.resize(11);
    CHECK_HAS(npy_error(b), "file ends inside the header length");
  }

  TEST_CASE("Fortran order, big-endian and other dtypes are rejected naming the descr") {
    CHECK_HAS(
        npy_error(npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24)),
        "bad.npy: Fortran-order (column-major) arrays are not supported");
    CHECK_HAS(
        npy_error(npy_file(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8)),
        "big-endian dtype '>f4' is not supported");
    CHECK_HAS(
        npy_error(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16)),
        "unsupported dtype '<f8'");
    CHECK_HAS(
        npy_error(npy_file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 8)),
        "unsupported dtype '<i4'");
    CHECK_HAS(npy_error(npy_file(
                  1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8)),
              "structured dtypes");
  }

  TEST_CASE("truncated data reports the bytes expected and found") {
    const std::string m =
        npy_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20));
    CHECK_HAS(m, "bad.npy: truncated data: <f4 [2, 3] needs 24 bytes, the file has 20");
    // Bytes after the data are ignored, as np.load ignores them.
    CHECK(parse_npy(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 30))
              .raw()
              .size() == 24);
  }

  TEST_CASE("malformed headers are rejected") {
    auto err = [](std::string_view h) { return npy_error(npy_file(1, h, 64)); };
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': False}"), "header has no 'shape' key");
    CHECK_HAS(err("{'shape': (1,), 'fortran_order': False}"), "header has no 'descr' key");
    CHECK_HAS(err("{'descr': '<f4', 'shape': (1,)}"), "no 'fortran_order' key");
    CHECK_HAS(err("('descr', '<f4')"), "header is a tuple, expected a dict");
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}"),
              "'fortran_order' is an integer, expected a bool");
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': False, 'shape': 3}"),
              "'shape' is an integer, expected a tuple");
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}"),
              "'shape' is an integer");  // (3) is 3 in Python
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}"),
              "'shape' must hold non-negative integers");
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}"),
              "integer too large");
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}"),
              "has too many elements");
    CHECK_HAS(err("{'descr': '<f4"), "malformed .npy header: unterminated string");
    CHECK_HAS(err("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x"),
              "unexpected text after the header's dict");
    CHECK_HAS(err("{'descr' '<f4'}"), "expected ':'");
    CHECK_HAS(err("{'descr': @}"), "unexpected character '@'");
    CHECK_HAS(err(""), "unexpected end");
    CHECK_HAS(err(std::string(100, '(')), "nested too deeply");
  }

  TEST_CASE("view() of '|u1' data throws; write_npy refuses a byte-size mismatch") {
    const NpyArray a = parse_npy(serialize_npy(NpyDType::kU8, {3}, Bytes{1, 2, 3}), "c.npy");
    CHECK_HAS(message_of([&] { a.view(); }), "c.npy: dtype '|u1' is unsupported for float views");

    TempDir dir;
    const std::string path = dir.file("keep.npy");
    write_raw(path, {'o', 'l', 'd'});
    const std::string m = message_of<std::invalid_argument>([&] {
      write_npy(path, NpyDType::kF32, {2, 2}, Bytes(12));
    });
    CHECK_HAS(m, "<f4 [2, 2] needs 16 bytes, got 12");
    CHECK_HAS(message_of<IoError>(
                  [&] { write_npy(dir.file("missing/a.npy"), NpyDType::kU8, {1}, Bytes{1}); }),
              "No such file or directory");
    CHECK(read_raw(path) == Bytes{'o', 'l', 'd'});
    CHECK(dir.listing() == std::vector<std::string>{"keep.npy"});
  }
}
