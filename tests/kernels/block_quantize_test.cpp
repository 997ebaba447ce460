// The CUDA block quantizer against its CPU twin (formats::quantize_block), bit for bit,
// for every recipe on random blocks and edge values; skipped with a message without a GPU.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "core/random.hpp"
#include "formats/philox.hpp"
#include "kernels/block_quantize.hpp"

using namespace fp4lab;

namespace {

std::vector<formats::Recipe> all_recipes() {
  std::vector<formats::Recipe> out;
  for (auto nv : {formats::NvRecipe::kTe, formats::NvRecipe::kModelopt, formats::NvRecipe::kTorchao}) {
    formats::Recipe r;
    r.nv = nv;
    out.push_back(r);
  }
  for (auto rule : {formats::FourSixRule::kMse, formats::FourSixRule::kMae, formats::FourSixRule::kAbsMax,
                    formats::FourSixRule::kStatic6, formats::FourSixRule::kStatic4}) {
    formats::Recipe r;
    r.nv = formats::NvRecipe::kFourOverSix;
    r.rule = rule;
    out.push_back(r);
  }
  for (auto mode : {formats::MxScaleMode::kFloor, formats::MxScaleMode::kCeil, formats::MxScaleMode::kEven,
                    formats::MxScaleMode::kRceil}) {
    formats::Recipe r;
    r.format = formats::BlockFormat::kMXFP4;
    r.mx = mode;
    r.block_size = 32;
    out.push_back(r);
  }
  formats::Recipe nvint4;
  nvint4.format = formats::BlockFormat::kNVINT4;
  out.push_back(nvint4);
  formats::Recipe sr;
  sr.rounding = formats::ElementRounding::kStochastic;
  sr.seed = 99;
  out.push_back(sr);
  return out;
}

}  // namespace

TEST_SUITE("kernels.block_quantize") {
  TEST_CASE("the GPU block quantizer matches the CPU bit for bit") {
    if (kernels::device_count() == 0) {
      MESSAGE("no CUDA device: GPU-vs-CPU comparison skipped");
      return;
    }
    std::vector<float> x(32 * 4096);
    core::fill_normal(x, 7);
    const float edges[] = {0.0f, -0.0f, 1e-40f, 448.0f, 464.0f, 5.0f, 2.5f, 0.25f, -6.0f, 1e30f};
    for (std::size_t i = 0; i < std::size(edges); ++i) x[i] = edges[i];
    float amax = 0.0f;
    for (float v : x) amax = formats::fmax_nan_ignoring(amax, formats::abs_bits(v));
    for (const formats::Recipe& r : all_recipes()) {
      const formats::TensorScale ts = formats::tensor_scale(r, amax);
      std::vector<std::uint8_t> codes, scales;
      std::vector<float> deq;
      REQUIRE_NOTHROW(kernels::fake_quantize_blocks(r, ts, x, codes, deq, scales));
      std::int64_t mismatches = 0;
      std::vector<std::uint32_t> bits(static_cast<std::size_t>(r.block_size));
      for (std::size_t b = 0; b * r.block_size < x.size(); ++b) {
        std::vector<std::uint8_t> c(static_cast<std::size_t>(r.block_size));
        std::vector<float> d(static_cast<std::size_t>(r.block_size));
        for (int i = 0; i < r.block_size; ++i) bits[i] = formats::rounding_bits(r.seed, b * r.block_size + i);
        formats::BlockIO io{x.data() + b * r.block_size, r.block_size, bits.data(), c.data(), d.data()};
        const formats::BlockRecord rec = formats::quantize_block(r, ts, io);
        if (rec.scale.code != scales[b]) ++mismatches;
        for (int i = 0; i < r.block_size; ++i) {
          const std::size_t k = b * r.block_size + i;
          if (c[i] != codes[k] || std::memcmp(&d[i], &deq[k], 4) != 0) ++mismatches;
        }
      }
      CHECK(mismatches == 0);
    }
  }
}
