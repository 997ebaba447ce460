// --block-axis in core: moving an axis last and back, quantizing along any axis (the same codes
// as quantizing the moved tensor, values back in the original layout), the bits per value of
// README "Bits per value", and the axis in the quantized file (old files read as the last axis).
#include "core/block_axis.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "tests/core/temp_dir.hpp"

namespace {

using namespace fp4lab;
using fp4lab::testing::TempDir;

/// A [d0, d1, d2] FP32 tensor of distinct values v = 100 d0 + 10 d1 + d2 (scaled a little).
core::Tensor ramp(std::int64_t d0, std::int64_t d1, std::int64_t d2) {
  std::vector<float> v;
  for (std::int64_t a = 0; a < d0; ++a)
    for (std::int64_t b = 0; b < d1; ++b)
      for (std::int64_t c = 0; c < d2; ++c) v.push_back(0.01f * float(100 * a + 10 * b + c) - 3.0f);
  return core::Tensor::from_floats(v, core::DType::kF32, {d0, d1, d2});
}

bool same_bytes(const core::Tensor& a, const core::Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && a.size_bytes() == b.size_bytes() &&
         std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

TEST_SUITE("core.block_axis") {
  TEST_CASE("axes normalize from the end, and a missing axis names the valid range") {
    CHECK(core::normalize_block_axis(-1, 3) == 2);
    CHECK(core::normalize_block_axis(-3, 3) == 0);
    CHECK(core::normalize_block_axis(1, 3) == 1);
    CHECK(core::normalize_block_axis(-1, 0) == 0);  // a scalar counts as rank 1
    CHECK_THROWS_WITH_AS(
        core::normalize_block_axis(3, 3),
        "block axis 3 does not exist in a tensor of rank 3: use -3..2 (negative counts "
        "from the end, -1 is the last)",
        std::invalid_argument);
    CHECK_THROWS_AS(core::normalize_block_axis(-4, 3), std::invalid_argument);
    CHECK(core::blocked_shape({128, 129, 3}, 1) == std::vector<std::int64_t>{128, 3, 129});
    CHECK(core::blocked_shape({128, 129, 3}, -1) == std::vector<std::int64_t>{128, 129, 3});
  }

  TEST_CASE("moving an axis last and back restores every element") {
    const core::Tensor x = ramp(2, 3, 4);
    for (int axis : {0, 1, 2, -2}) {
      const core::Tensor m = core::move_axis_last(x.view(), axis);
      CHECK(m.shape() == core::blocked_shape(x.shape(), axis));
      CHECK(same_bytes(core::restore_axis(m.view(), x.shape(), axis), x));
    }
    const core::Tensor m = core::move_axis_last(x.view(), 1);  // [2, 4, 3]: element (a, c, b)
    CHECK(m.at((1 * 4 + 2) * 3 + 1) == x.at((1 * 3 + 1) * 4 + 2));
  }

  TEST_CASE("quantizing along axis 1 gives the moved tensor's codes and the original layout back") {
    const core::Tensor x = ramp(8, 33, 3);
    for (const char* spec : {"nvfp4:te", "mxfp4:rceil", "int4:g32:asym", "nvfp4:te:rht"}) {
      INFO(spec);
      const formats::Recipe r = core::parse_recipe(spec);
      core::QuantizeOptions o{r, formats::ScaleLayout::kRowMajor, 1, false, 1};
      core::Tensor values;
      const core::QuantizedTensor q = core::quantize_and_dequantize(x.view(), o, &values);
      const core::Tensor moved = core::move_axis_last(x.view(), 1);
      const core::QuantizedTensor ref = core::quantize(
          moved.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 1, false});
      CHECK(q.shape == x.shape());
      CHECK(q.block_axis == 1);
      CHECK(q.rows == 8 * 3);
      CHECK(q.cols == 33);
      CHECK(q.codes == ref.codes);
      CHECK(q.scales == ref.scales);
      const core::Tensor back = core::dequantize(q);
      CHECK(back.shape() == x.shape());
      CHECK(same_bytes(back, values));
      CHECK(same_bytes(back, core::restore_axis(core::dequantize(ref).view(), x.shape(), 1)));
      CHECK(same_bytes(core::fake_quantize(x.view(), r, core::DType::kF32, 1, nullptr, 1), values));
      CHECK(core::tensor_amax(x.view(), r, 1, 1) == core::tensor_amax(moved.view(), r, 1));
    }
    CHECK_THROWS_AS(core::quantize(x.view(), core::QuantizeOptions{core::parse_recipe("nvfp4"),
                                                                   formats::ScaleLayout::kRowMajor,
                                                                   1, false, 3}),
                    std::invalid_argument);
  }

  TEST_CASE(
      "bits per value count padding, scales and the tensor scale: [128, 129, 3] costs ~24 bits") {
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    // along the last axis each row of 3 is padded to 16: 8 code bytes + 1 scale byte per 3 values
    const double last = core::bits_per_value(r, formats::ScaleLayout::kRowMajor, 128 * 129, 3);
    CHECK(last == doctest::Approx((128.0 * 129 * 9 + 8) * 8 / (128 * 129 * 3)));
    CHECK(last > 23.9);
    // along axis 1: rows of 129 padded to 144
    const double axis1 = core::bits_per_value(r, formats::ScaleLayout::kRowMajor, 128 * 3, 129);
    CHECK(axis1 == doctest::Approx((384.0 * 72 + 384 * 9 + 8) * 8 / (128 * 129 * 3)));
    CHECK(axis1 < 5.1);
    // an aligned tensor costs the nominal 4.5 (plus 64 bits for the whole tensor)
    CHECK(core::bits_per_value(r, formats::ScaleLayout::kRowMajor, 4096, 4096) ==
          doctest::Approx(4.5 + 64.0 / (4096.0 * 4096)));
    // the swizzle pads scale rows to 128 and scale columns to 4
    const core::QuantizedSizes sw =
        core::quantized_sizes(r, formats::ScaleLayout::kSwizzled128x4, 1, 16);
    CHECK(sw.scale_bytes == 128 * 4);
    CHECK(sw.total_bytes() == 8 + 512 + 8);
    // grouped INT4: FP32 scales and U8 zero points as stored
    const core::QuantizedSizes g = core::quantized_sizes(core::parse_recipe("int4:g32:asym"),
                                                         formats::ScaleLayout::kRowMajor, 2, 64);
    CHECK(g.total_bytes() == 64 + 4 * 4 + 4 + 8);
  }

  TEST_CASE("the quantized file records the axis; a file without it reads as the last axis") {
    TempDir dir;
    const core::Tensor x = ramp(4, 40, 3);
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    const core::QuantizedTensor q = core::quantize(
        x.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 1, false, -2});
    const core::QuantizedOutput out{"w", core::DType::kF32, &q, q.tensor_scale.amax};
    core::write_quantized(dir.file("q.safetensors"),
                          std::span<const core::QuantizedOutput>(&out, 1));
    const core::QuantizedFile f = core::read_quantized(dir.file("q.safetensors"));
    REQUIRE(f.tensors.size() == 1);
    const core::StoredQuantized& s = f.tensors[0];
    CHECK(f.file.metadata().at("w.block_axis") == "1");
    CHECK(s.block_axis == 1);
    CHECK(s.shape == x.shape());
    CHECK(s.plan.rows == 12);
    CHECK(s.plan.cols == 40);
    CHECK(same_bytes(core::dequantize(s.whole()), core::dequantize(q)));

    // the same file without "w.block_axis" (as written before it existed): the last axis
    const core::QuantizedTensor q_last = core::quantize(
        x.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 1, false});
    const core::QuantizedOutput out_last{"w", core::DType::kF32, &q_last, q_last.tensor_scale.amax};
    core::write_quantized(dir.file("last.safetensors"),
                          std::span<const core::QuantizedOutput>(&out_last, 1));
    const core::SafetensorsFile st = core::open_safetensors(dir.file("last.safetensors"));
    std::map<std::string, std::string> meta = st.metadata();
    CHECK(meta.at("w.block_axis") == "2");
    meta.erase("w.block_axis");
    std::vector<core::SafetensorsEntry> entries;
    for (const std::string& n : st.names())
      entries.push_back({n, st.info(n).dtype, st.info(n).shape, st.raw(n)});
    core::write_safetensors(dir.file("old.safetensors"), entries, meta);
    const core::QuantizedFile old = core::read_quantized(dir.file("old.safetensors"));
    CHECK(old.tensors[0].block_axis == 2);
    CHECK(old.tensors[0].plan.cols == 3);
    CHECK(same_bytes(core::dequantize(old.tensors[0].whole()), core::dequantize(q_last)));

    // an axis the shape does not have is a format error naming it
    meta["w.block_axis"] = "3";
    core::write_safetensors(dir.file("bad.safetensors"), entries, meta);
    CHECK_THROWS_AS(core::read_quantized(dir.file("bad.safetensors")), core::FormatError);
  }
}

}  // namespace
