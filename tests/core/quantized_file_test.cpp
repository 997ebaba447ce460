// Tests of the streaming safetensors writer and the quantized file of core/io: round trips
// through write_quantized / read_quantized, row slices, and files that contradict their metadata.
#include "core/io/quantized_file.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "core/tensor.hpp"
#include "tests/core/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace fp4lab;
using namespace fp4lab::core;
using Bytes = std::vector<std::uint8_t>;

using fp4lab::testing::TempDir;

Bytes read_raw(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// A deterministic tensor with a wide spread of magnitudes and both signs.
Tensor sample(std::vector<std::int64_t> shape, DType dtype) {
  const std::int64_t n = shape_numel(shape);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    v[static_cast<std::size_t>(i)] = std::sin(0.37f * float(i)) * std::exp2(float(i % 11) - 5);
  return Tensor::from_floats(v, dtype, std::move(shape));
}

// Same dtype and element count, and the same bytes (slices are [rows, cols] whatever the shape).
bool same_bits(const TensorView& a, const TensorView& b) {
  return a.dtype() == b.dtype() && a.numel() == b.numel() &&
         (a.numel() == 0 || std::memcmp(a.data(), b.data(), a.numel() * dtype_size(a.dtype())) == 0);
}

Bytes bytes(std::span<const std::uint8_t> s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_SUITE("core.io.safetensors_stream") {
  TEST_CASE("pieces written in any order give serialize_safetensors' bytes") {
    TempDir dir;
    const Bytes a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    const std::vector<SafetensorsEntry> entries = {{"b", "F32", {3}, b}, {"a", "U8", {2, 4}, a}};
    const std::map<std::string, std::string> meta = {{"k", "v"}};
    const std::vector<SafetensorsSlot> slots = {{"b", "F32", {3}}, {"a", "U8", {2, 4}}};
    SafetensorsStreamWriter w(dir.file("s.safetensors"), slots, meta);
    w.write("a", std::span(a).subspan(4), 4);
    w.write("b", b);
    w.write("a", std::span(a).first(4));
    w.commit();
    CHECK(read_raw(dir.file("s.safetensors")) == serialize_safetensors(entries, meta));
  }

  TEST_CASE("writes past an entry, unwritten bytes and uncommitted writers leave no file") {
    TempDir dir;
    const Bytes four(4);
    const std::vector<SafetensorsSlot> slots = {{"a", "U8", {4}}};
    {
      SafetensorsStreamWriter w(dir.file("x.safetensors"), slots);
      CHECK_THROWS_AS(w.write("a", four, 1), std::logic_error);
      CHECK_THROWS_AS(w.write("nope", four), std::logic_error);
      w.write("a", std::span(four).first(3));
      CHECK_THROWS_WITH_AS(w.commit(), doctest::Contains("3 of 4 bytes written"), std::logic_error);
    }
    CHECK(dir.listing().empty());
    const std::vector<SafetensorsSlot> twice = {{"a", "U8", {4}}, {"a", "U8", {4}}};
    CHECK_THROWS_WITH_AS(SafetensorsStreamWriter(dir.file("y.safetensors"), twice),
                         doctest::Contains("duplicate name"), std::invalid_argument);
    CHECK(dir.listing().empty());
  }
}

TEST_SUITE("core.io.quantized_file") {
  TEST_CASE("write_quantized then read_quantized gives back every array and the tensor scale") {
    TempDir dir;
    const Tensor w = sample({130, 72}, DType::kBF16), b = sample({40}, DType::kF32);
    for (const char* spec : {"nvfp4:te", "mxfp4:rceil", "int4:g32:asym:fp16", "nvint4:rht"}) {
      for (const auto layout :
           {formats::ScaleLayout::kRowMajor, formats::ScaleLayout::kSwizzled128x4}) {
        const formats::Recipe r = parse_recipe(spec);
        if (r.format == formats::BlockFormat::kINT4 && layout != formats::ScaleLayout::kRowMajor)
          continue;
        const std::string what = std::string(spec) + " " + scale_layout_name(layout);
        CAPTURE(what);
        const QuantizedTensor qw = quantize(w.view(), QuantizeOptions{r, layout, 1, false});
        const QuantizedTensor qb = quantize(b.view(), QuantizeOptions{r, layout, 1, false});
        const float amax_w = tensor_amax(w.view(), r, 1), amax_b = tensor_amax(b.view(), r, 1);
        const std::vector<QuantizedOutput> out = {{"layer.w", DType::kBF16, &qw, amax_w},
                                                  {"layer.b", DType::kF32, &qb, amax_b}};
        write_quantized(dir.file("q.safetensors"), out);

        const QuantizedFile f = read_quantized(dir.file("q.safetensors"));
        CHECK(is_quantized_file(f.file));
        REQUIRE(f.tensors.size() == 2);
        CHECK(f.file.metadata().at("fp4lab.tensors") == "[\"layer.w\",\"layer.b\"]");
        CHECK(f.file.metadata().at("layer.w.dtype") == "BF16");
        CHECK(f.find("nope") == nullptr);
        for (const auto& [name, q, x] :
             {std::tuple{"layer.w", &qw, &w}, std::tuple{"layer.b", &qb, &b}}) {
          const StoredQuantized* s = f.find(name);
          REQUIRE(s != nullptr);
          CHECK(s->spec == recipe_to_spec(r));
          CHECK(s->layout == layout);
          CHECK(s->shape == x->shape());
          CHECK(bytes(s->codes) == q->codes);
          CHECK(bytes(s->scales) == q->scales);
          CHECK(bytes(s->zero_points) == q->zero_points);
          REQUIRE(s->group_scales.size() == q->group_scales.size() * 4);
          if (!s->group_scales.empty()) {  // no memcmp on the null data() of empty arrays
            CHECK(std::memcmp(s->group_scales.data(), q->group_scales.data(),
                              s->group_scales.size()) == 0);
          }
          CHECK(formats::bit_cast<std::uint32_t>(s->tensor_scale.decode) ==
                formats::bit_cast<std::uint32_t>(q->tensor_scale.decode));
          // the whole tensor, and the rows from 128 on, dequantize to the same bits
          CHECK(same_bits(dequantize(s->slice_rows(0, s->plan.rows), DType::kF32, 1).view(),
                          dequantize(*q, DType::kF32, 1).view()));
          if (s->plan.rows > 128) {
            const Tensor tail = dequantize(s->slice_rows(128, s->plan.rows), DType::kF32, 1);
            const Tensor all = dequantize(*q, DType::kF32, 1);
            CHECK(std::memcmp(tail.data(), all.data() + 128 * s->plan.cols * 4,
                              tail.size_bytes()) == 0);
          }
        }
      }
    }
    CHECK(dir.listing() == std::vector<std::string>{"q.safetensors"});
  }

  TEST_CASE("a file that contradicts its metadata is a FormatError naming the problem") {
    TempDir dir;
    const Tensor w = sample({4, 32}, DType::kF32);
    const formats::Recipe r = parse_recipe("nvfp4:te");
    const QuantizedTensor q = quantize(w.view(), QuantizeOptions{r, {}, 1, false});
    const std::vector<QuantizedOutput> out = {{"w", DType::kF32, &q, 6.0f}};
    write_quantized(dir.file("q.safetensors"), out);  // amax 6 is not the one q was made with
    CHECK_THROWS_WITH_AS(read_quantized(dir.file("q.safetensors")),
                         doctest::Contains("does not follow from amax 6 under nvfp4:te"),
                         FormatError);
    const SafetensorsFile f = open_safetensors(dir.file("q.safetensors"));
    std::vector<SafetensorsEntry> entries;
    for (const std::string& n : f.names())
      entries.push_back({n, f.info(n).dtype, f.info(n).shape, f.raw(n)});
    for (const auto& [key, value, message] :
         {std::tuple{"w.shape", "[4,32.5]", "\"w.shape\" is not a shape"},
          std::tuple{"w.shape", "{}", "\"w.shape\" is not a shape"},
          std::tuple{"fp4lab.tensors", "[]", "lists no tensors"},
          std::tuple{"fp4lab.format", "fp4lab.quantized.v0", "expected 'fp4lab.quantized.v1'"},
          // issue 14: an unsupported dtype is refused, not ignored
          std::tuple{"w.dtype", "F64", "\"w.dtype\" is 'F64'; fp4lab quantize stores F32, F16"},
          std::tuple{"w.dtype", "", "\"w.dtype\" is ''"}}) {
      CAPTURE(message);
      auto meta = f.metadata();
      meta[key] = value;
      const Bytes bad = serialize_safetensors(entries, meta);
      CHECK_THROWS_WITH_AS(read_quantized(parse_safetensors(bad, "bad.safetensors")),
                           doctest::Contains(message), FormatError);
    }
  }

  TEST_CASE("the writer refuses int4 in the swizzled layout and tensors of another plan") {
    TempDir dir;
    const std::vector<QuantizedInput> in = {{"w", {4, 32}, DType::kF32, -1, std::nullopt, std::nullopt}};
    CHECK_THROWS_AS(QuantizedWriter(dir.file("q.safetensors"), parse_recipe("int4"),
                                    formats::ScaleLayout::kSwizzled128x4, in),
                    std::invalid_argument);
    const Tensor other = sample({4, 48}, DType::kF32);
    const formats::Recipe r = parse_recipe("nvfp4");
    QuantizedWriter w(dir.file("q.safetensors"), r, formats::ScaleLayout::kRowMajor, in);
    CHECK(w.plan(0).padded_cols == 32);
    CHECK_THROWS_AS(w.write(0, quantize(other.view(), QuantizeOptions{r, {}, 1, false}), 1.0f),
                    std::logic_error);
  }
}
