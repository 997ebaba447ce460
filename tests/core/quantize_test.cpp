// Whole-tensor quantize/dequantize/fake_quantize (core/quantize.hpp) for every recipe: the two
// paths agree bit for bit, thread counts and scale layouts do not matter, padding, 2-D tiles,
// the RHT, stochastic rounding, edge inputs, argument checks and 4/6 records.
#include "core/quantize.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "formats/rht.hpp"

namespace {

using namespace fp4lab;
using core::DType;
using core::Tensor;
using formats::BlockFormat;
using formats::ElementRounding;
using formats::FourSixRule;
using formats::MxScaleMode;
using formats::NvRecipe;
using formats::Recipe;

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct Named {
  std::string name;
  Recipe recipe;
};

Recipe nvfp4(NvRecipe nv, FourSixRule rule = FourSixRule::kMse) {
  Recipe r;
  r.nv = nv;
  r.rule = rule;
  return r;
}
Recipe mxfp4(MxScaleMode mode) {
  Recipe r;
  r.format = BlockFormat::kMXFP4;
  r.mx = mode;
  r.block_size = 32;
  return r;
}
Recipe nvint4() {
  Recipe r;
  r.format = BlockFormat::kNVINT4;
  return r;
}
Recipe int4_group(formats::Int4Scheme scheme, formats::ScaleDtype dtype, int group) {
  Recipe r;
  r.format = BlockFormat::kINT4;
  r.int4 = scheme;
  r.int4_scale = dtype;
  r.block_size = group;
  return r;
}

// Every recipe the project names (FORMATS.md §2-5).
std::vector<Named> all_recipes() {
  using formats::Int4Scheme;
  using formats::ScaleDtype;
  return {
      {"nvfp4 te", nvfp4(NvRecipe::kTe)},
      {"nvfp4 modelopt", nvfp4(NvRecipe::kModelopt)},
      {"nvfp4 torchao", nvfp4(NvRecipe::kTorchao)},
      {"4/6 mse", nvfp4(NvRecipe::kFourOverSix, FourSixRule::kMse)},
      {"4/6 mae", nvfp4(NvRecipe::kFourOverSix, FourSixRule::kMae)},
      {"4/6 abs_max", nvfp4(NvRecipe::kFourOverSix, FourSixRule::kAbsMax)},
      {"4/6 static_6", nvfp4(NvRecipe::kFourOverSix, FourSixRule::kStatic6)},
      {"4/6 static_4", nvfp4(NvRecipe::kFourOverSix, FourSixRule::kStatic4)},
      {"mxfp4 floor", mxfp4(MxScaleMode::kFloor)},
      {"mxfp4 ceil", mxfp4(MxScaleMode::kCeil)},
      {"mxfp4 even", mxfp4(MxScaleMode::kEven)},
      {"mxfp4 rceil", mxfp4(MxScaleMode::kRceil)},
      {"nvint4", nvint4()},
      {"int4 sym fp32 g32", int4_group(Int4Scheme::kSymmetric, ScaleDtype::kFP32, 32)},
      {"int4 asym fp16 g64", int4_group(Int4Scheme::kAsymmetric, ScaleDtype::kFP16, 64)},
      {"int4 sym bf16 g128", int4_group(Int4Scheme::kSymmetric, ScaleDtype::kBF16, 128)},
  };
}

// Normal values whose magnitude also varies from block to block (exp of a normal per 16).
Tensor random_tensor(std::vector<std::int64_t> shape, DType dtype, std::uint64_t seed) {
  Tensor t(dtype, shape);
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    const float spread =
        std::exp(1.5f * core::standard_normal(seed + 1, static_cast<std::uint64_t>(i / 16)));
    t.set(i, core::standard_normal(seed, static_cast<std::uint64_t>(i)) * spread);
  }
  return t;
}

Tensor from_floats(const std::vector<float>& v, std::vector<std::int64_t> shape,
                   DType d = DType::kF32) {
  return Tensor::from_floats(v, d, std::move(shape));
}

// Same dtype, shape and bytes (so NaNs compare by their bits, never as numbers).
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && a.size_bytes() == b.size_bytes() &&
         std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

template <class T>
bool same_bytes(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

bool same_quantized(const core::QuantizedTensor& a, const core::QuantizedTensor& b) {
  return a.codes == b.codes && a.scales == b.scales && a.zero_points == b.zero_points &&
         a.group_scales.size() == b.group_scales.size() &&
         (a.group_scales.empty() ||  // memcmp of null pointers is undefined even for 0 bytes
          std::memcmp(a.group_scales.data(), b.group_scales.data(), a.group_scales.size() * 4) ==
              0) &&
         a.nonfinite == b.nonfinite && same_bytes(a.tensor_scale, b.tensor_scale) &&
         a.padded_cols == b.padded_cols && a.scale_cols == b.scale_cols;
}

// Field by field (a memcmp would also compare the structs' padding bytes).
bool same_records(const std::vector<formats::BlockRecord>& a,
                  const std::vector<formats::BlockRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const formats::BlockRecord &p = a[i], &q = b[i];
    const bool same = p.scale.code == q.scale.code && p.scale.zero_point == q.scale.zero_point &&
                      same_bytes(p.scale.group_scale, q.scale.group_scale) &&
                      same_bytes(p.bmax, q.bmax) && p.chosen_max == q.chosen_max &&
                      p.scale_code_6 == q.scale_code_6 && p.scale_code_4 == q.scale_code_4 &&
                      same_bytes(p.err6, q.err6) && same_bytes(p.err4, q.err4) &&
                      p.nonfinite == q.nonfinite;
    if (!same) return false;
  }
  return true;
}

core::QuantizedTensor quantize(const Tensor& x, const Recipe& r, int threads = 0,
                               formats::ScaleLayout layout = formats::ScaleLayout::kRowMajor,
                               bool keep_records = false) {
  core::QuantizeOptions o;
  o.recipe = r;
  o.threads = threads;
  o.layout = layout;
  o.keep_records = keep_records;
  return core::quantize(x.view(), o);
}

Tensor fake(const Tensor& x, const Recipe& r, int threads = 0, DType out = DType::kF32) {
  return core::fake_quantize(x.view(), r, out, threads);
}

std::string dtype_label(DType d) { return core::dtype_name(d); }

}  // namespace

TEST_SUITE("core.quantize") {
  TEST_CASE("dequantize(quantize(x)) equals fake_quantize(x) bit for bit for every recipe") {
    const std::vector<std::vector<std::int64_t>> shapes = {{37, 50}, {1, 1000}, {128, 33}};
    for (const Named& n : all_recipes()) {
      for (const auto& shape : shapes) {
        for (DType d : {DType::kF32, DType::kBF16, DType::kF16}) {
          CAPTURE(n.name);
          CAPTURE(core::shape_string(shape));
          CAPTURE(dtype_label(d));
          const Tensor x = random_tensor(shape, d, 11);
          const core::QuantizedTensor q = quantize(x, n.recipe);
          CHECK(same_bits(core::dequantize(q), fake(x, n.recipe)));
          CHECK(q.nonfinite == 0);
          // the one-pass twin: the same codes, scales and values
          Tensor values;
          core::QuantizeOptions opt;
          opt.recipe = n.recipe;
          const core::QuantizedTensor q1 = core::quantize_and_dequantize(x.view(), opt, &values);
          CHECK(same_quantized(q, q1));
          CHECK(same_bits(values, core::dequantize(q)));
        }
      }
    }
  }

  TEST_CASE("the two paths also agree with 2-D tiles, the RHT, stochastic rounding and BF16 out") {
    const Tensor x = random_tensor({45, 70}, DType::kBF16, 12);
    for (const Named& n : all_recipes()) {
      for (int variant = 0; variant < 4; ++variant) {
        Recipe r = n.recipe;
        if (variant == 0) r.shape = formats::BlockShape::k2D;
        if (variant == 1) {
          if (r.block_size % 16 != 0) continue;
          r.transform = formats::Transform::kRht16;
        }
        if (variant == 2) {
          r.rounding = ElementRounding::kStochastic;
          r.seed = 99;
        }
        if (variant == 3) r.rounding = ElementRounding::kStochasticUnbiased;
        CAPTURE(n.name);
        CAPTURE(variant);
        const core::QuantizedTensor q = quantize(x, r);
        CHECK(same_bits(core::dequantize(q), fake(x, r)));
        CHECK(same_bits(core::dequantize(q, DType::kBF16), fake(x, r, 0, DType::kBF16)));
      }
    }
  }

  TEST_CASE("results are identical for 1, 2, 3 and 7 threads") {
    const Tensor x = random_tensor({37, 50}, DType::kF32, 13);
    std::vector<Named> recipes = all_recipes();
    Recipe sr = nvfp4(NvRecipe::kFourOverSix);
    sr.rounding = ElementRounding::kStochastic;
    sr.seed = 5;
    recipes.push_back({"4/6 mse sr", sr});
    Recipe tiles = nvfp4(NvRecipe::kTe);
    tiles.shape = formats::BlockShape::k2D;
    tiles.transform = formats::Transform::kRht16;
    recipes.push_back({"te 2d rht", tiles});
    for (const Named& n : recipes) {
      CAPTURE(n.name);
      const core::QuantizedTensor q1 =
          quantize(x, n.recipe, 1, formats::ScaleLayout::kRowMajor, true);
      const Tensor f1 = fake(x, n.recipe, 1);
      const float amax1 = core::tensor_amax(x.view(), n.recipe, 1);
      for (int threads : {2, 3, 7}) {
        CAPTURE(threads);
        const core::QuantizedTensor q =
            quantize(x, n.recipe, threads, formats::ScaleLayout::kRowMajor, true);
        CHECK(same_quantized(q, q1));
        CHECK(same_records(q.records, q1.records));
        CHECK(same_bits(fake(x, n.recipe, threads), f1));
        CHECK(same_bits(core::dequantize(q, DType::kF32, threads), f1));
        CHECK(core::tensor_amax(x.view(), n.recipe, threads) == amax1);
      }
    }
  }

  TEST_CASE("row-major and 128x4 swizzled layouts hold the same scales") {
    const Tensor x = random_tensor({300, 80}, DType::kF32, 14);  // 5 scale columns: pads to 8
    for (const Named& n : all_recipes()) {
      if (n.recipe.format == BlockFormat::kINT4) continue;  // grouped INT4 stores FP scales
      CAPTURE(n.name);
      const core::QuantizedTensor rm = quantize(x, n.recipe, 0, formats::ScaleLayout::kRowMajor);
      const core::QuantizedTensor sw =
          quantize(x, n.recipe, 0, formats::ScaleLayout::kSwizzled128x4);
      CHECK(rm.scales.size() == static_cast<std::size_t>(rm.rows * rm.scale_cols));
      const std::size_t pc = formats::padded_scale_cols(static_cast<std::size_t>(sw.scale_cols),
                                                        formats::ScaleLayout::kSwizzled128x4);
      CHECK(sw.scales.size() == 384 * pc);
      CHECK(rm.codes == sw.codes);
      bool same = true;
      for (std::int64_t r = 0; r < rm.rows; ++r) {
        for (std::int64_t b = 0; b < rm.scale_cols; ++b) {
          const std::int64_t c = b * n.recipe.block_size;
          same = same && rm.block_scale(r, c).code == sw.block_scale(r, c).code;
          // The swizzled array holds it at the §7 offset.
          const std::size_t off =
              ((r / 128) * (pc / 4) + b / 4) * 512 + (r % 32) * 16 + ((r % 128) / 32) * 4 + b % 4;
          same =
              same && sw.scales[off] == rm.scales[static_cast<std::size_t>(r * rm.scale_cols + b)];
        }
      }
      CHECK(same);
      CHECK(same_bits(core::dequantize(rm), core::dequantize(sw)));
    }
  }

  TEST_CASE("a row length that is not a multiple of the block equals the row padded with zeros") {
    const std::int64_t rows = 5, cols = 37;
    const Tensor x = random_tensor({rows, cols}, DType::kF32, 15);
    std::vector<Named> recipes = all_recipes();
    Recipe rht = nvfp4(NvRecipe::kTe);
    rht.transform = formats::Transform::kRht16;
    recipes.push_back({"te rht", rht});
    for (const Named& n : recipes) {
      CAPTURE(n.name);
      const std::int64_t bs = n.recipe.block_size;
      const std::int64_t padded = (cols + bs - 1) / bs * bs;
      std::vector<float> p(static_cast<std::size_t>(rows * padded), 0.0f);
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c)
          p[static_cast<std::size_t>(r * padded + c)] = x.at(r * cols + c);
      }
      const Tensor xp = from_floats(p, {rows, padded});
      const core::QuantizedTensor q = quantize(x, n.recipe);
      const core::QuantizedTensor qp = quantize(xp, n.recipe);
      CHECK(q.padded_cols == padded);
      CHECK(q.codes == qp.codes);
      CHECK(q.scales == qp.scales);
      CHECK(q.group_scales == qp.group_scales);
      CHECK(q.zero_points == qp.zero_points);
      const Tensor f = fake(x, n.recipe), fp = fake(xp, n.recipe);
      bool same = true;
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) {
          const float a = f.at(r * cols + c), b = fp.at(r * padded + c);
          same = same && std::memcmp(&a, &b, 4) == 0;
        }
      }
      CHECK(same);
    }
  }

  TEST_CASE("2-D tiles equal 1-D blocks when the rows of every tile are identical") {
    // 40 rows (the last tile has 8), 70 columns; row r copies base row r / 16 (r / 32 for MX).
    // A tile's max is then each of its blocks' max, and 4/6 sums identical per-row errors.
    const std::vector<Named> recipes = {
        {"te", nvfp4(NvRecipe::kTe)},
        {"modelopt", nvfp4(NvRecipe::kModelopt)},
        {"torchao", nvfp4(NvRecipe::kTorchao)},
        {"4/6 mse", nvfp4(NvRecipe::kFourOverSix, FourSixRule::kMse)},
        {"4/6 mae", nvfp4(NvRecipe::kFourOverSix, FourSixRule::kMae)},
        {"mxfp4", mxfp4(MxScaleMode::kFloor)},
        {"nvint4", nvint4()},
    };
    const std::int64_t rows = 40, cols = 70;
    const Tensor base = random_tensor({3, cols}, DType::kF32, 16);
    for (const Named& n : recipes) {
      CAPTURE(n.name);
      const std::int64_t bs = n.recipe.block_size;
      std::vector<float> v(static_cast<std::size_t>(rows * cols));
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c)
          v[static_cast<std::size_t>(r * cols + c)] = base.at((r / bs) * cols + c);
      }
      const Tensor x = from_floats(v, {rows, cols});
      Recipe two_d = n.recipe;
      two_d.shape = formats::BlockShape::k2D;
      const core::QuantizedTensor q1 = quantize(x, n.recipe);
      const core::QuantizedTensor q2 = quantize(x, two_d, 0, formats::ScaleLayout::kRowMajor, true);
      CHECK(q1.codes == q2.codes);
      CHECK(q1.scales == q2.scales);
      CHECK(same_bits(fake(x, n.recipe), fake(x, two_d)));
      const std::int64_t tiles = ((rows + bs - 1) / bs) * q2.scale_cols;
      CHECK(q2.records.size() == static_cast<std::size_t>(tiles));
    }
  }

  TEST_CASE("2-D tiles differ from 1-D blocks when the rows of a tile differ in magnitude") {
    // Row 0 is 1000-4000, rows 1..15 about 0.05: the tile's one scale (decode step about
    // 4000/2688) is set by row 0, so the small rows quantize to zero in 2-D, while their own
    // 1-D blocks keep most of them (only |x| below about bmax/24 rounds to 0 there).
    const std::int64_t rows = 16, cols = 32;
    std::vector<float> v(static_cast<std::size_t>(rows * cols));
    for (std::int64_t i = 0; i < rows * cols; ++i) {
      const float n = core::standard_normal(17, static_cast<std::uint64_t>(i));
      v[static_cast<std::size_t>(i)] = i < cols ? 1000.0f * (1.0f + std::fabs(n)) : 0.05f * n;
    }
    const Tensor x = from_floats(v, {rows, cols});
    for (const Recipe& r1 : {nvfp4(NvRecipe::kTe), nvfp4(NvRecipe::kFourOverSix)}) {
      Recipe r2 = r1;
      r2.shape = formats::BlockShape::k2D;
      const core::QuantizedTensor q2 = quantize(x, r2);
      const std::vector<float> f1 = fake(x, r1).to_floats(), f2 = fake(x, r2).to_floats();
      int zero1 = 0, zero2 = 0;
      for (std::int64_t i = cols; i < rows * cols; ++i) {
        zero1 += f1[static_cast<std::size_t>(i)] == 0.0f;
        zero2 += f2[static_cast<std::size_t>(i)] == 0.0f;
      }
      CHECK(zero2 == (rows - 1) * cols);         // every small value is lost in 2-D
      CHECK(zero1 < (rows - 1) * cols / 4);      // 1-D keeps most of them
      for (std::int64_t r = 1; r < rows; ++r) {  // one scale per tile
        CHECK(q2.block_scale(r, 0).code == q2.block_scale(0, 0).code);
        CHECK(q2.block_scale(r, 16).code == q2.block_scale(0, 16).code);
      }
    }
  }

  TEST_CASE("the RHT quantizes the transformed rows and returns values in the original domain") {
    const std::int64_t rows = 6, cols = 64;
    const Tensor x = random_tensor({rows, cols}, DType::kF32, 18);
    for (const Recipe& base :
         {nvfp4(NvRecipe::kTe), nvfp4(NvRecipe::kFourOverSix), mxfp4(MxScaleMode::kFloor)}) {
      Recipe r = base;
      r.transform = formats::Transform::kRht16;
      // The reference: transform each group of 16, quantize, transform back (FORMATS.md §6).
      std::vector<float> t(static_cast<std::size_t>(rows * cols));
      const std::vector<float> xs = x.to_floats();
      for (std::int64_t g = 0; g < rows * cols; g += 16) {
        formats::rht16_forward(xs.data() + g, t.data() + g);
      }
      float amax = 0.0f;
      for (float v : t) amax = std::max(amax, std::fabs(v));
      CHECK(core::tensor_amax(x.view(), r) == amax);  // amax is recomputed after the RHT
      const formats::TensorScale ts = formats::tensor_scale(r, amax);
      std::vector<float> deq(t.size()), want(t.size());
      for (std::int64_t b = 0; b < rows * cols; b += r.block_size) {
        formats::quantize_block(
            r, ts, formats::BlockIO{t.data() + b, r.block_size, nullptr, nullptr, deq.data() + b});
      }
      for (std::int64_t g = 0; g < rows * cols; g += 16) {
        formats::rht16_inverse(deq.data() + g, want.data() + g);
      }
      const Tensor got = fake(x, r);
      CHECK(same_bits(got, from_floats(want, {rows, cols})));
      // Original domain: close to x (relative RMS error of 4-bit formats is ~0.1; 0.25 is a
      // wide margin), and not the same bits as quantizing without the transform.
      const std::vector<float> g = got.to_floats(), plain = fake(x, base).to_floats();
      double err = 0.0, norm = 0.0;
      for (std::size_t i = 0; i < g.size(); ++i) {
        err += (double(g[i]) - xs[i]) * (double(g[i]) - xs[i]);
        norm += double(xs[i]) * xs[i];
      }
      CHECK(std::sqrt(err / norm) < 0.25);  // false for NaN
      CHECK(g != plain);
    }
  }

  TEST_CASE("stochastic rounding is reproducible and independent of the thread count") {
    const Tensor x = random_tensor({33, 48}, DType::kF32, 19);
    for (Recipe r :
         {nvfp4(NvRecipe::kTe), nvfp4(NvRecipe::kFourOverSix), mxfp4(MxScaleMode::kFloor), nvint4(),
          int4_group(formats::Int4Scheme::kSymmetric, formats::ScaleDtype::kFP32, 16)}) {
      for (ElementRounding mode :
           {ElementRounding::kStochastic, ElementRounding::kStochasticUnbiased}) {
        r.rounding = mode;
        r.seed = 1234;
        const Tensor a = fake(x, r, 1);
        CHECK(same_bits(a, fake(x, r, 1)));  // same seed: same bits
        CHECK(same_bits(a, fake(x, r, 3)));
        CHECK(same_bits(a, fake(x, r, 7)));
        Recipe other = r;
        other.seed = 1235;
        CHECK_FALSE(same_bits(a, fake(x, other, 1)));  // another seed: other bits
        Recipe nearest = r;
        nearest.rounding = ElementRounding::kNearestEven;
        CHECK_FALSE(same_bits(a, fake(x, nearest, 1)));
      }
    }
  }

  TEST_CASE("stochastic rounding is unbiased in expectation for NVFP4 te") {
    // Row 0 holds amax = 1000. Each other row is [1, c x 15]: s_b = e4m3(1 * 2688/1000/6 =
    // 0.448), so the decode step is Delta = s_b * S_dec. c = 0.37 scales to about 2.2, between
    // grid points 2 and 3; the row max 1 scales to 1/Delta.
    const std::int64_t rows = 2001, cols = 16;
    const float c = 0.37f;
    std::vector<float> v(static_cast<std::size_t>(rows * cols), c);
    std::fill(v.begin(), v.begin() + cols, 0.0f);
    v[0] = 1000.0f;
    for (std::int64_t r = 1; r < rows; ++r) v[static_cast<std::size_t>(r * cols)] = 1.0f;
    const Tensor x = from_floats(v, {rows, cols});
    for (ElementRounding mode :
         {ElementRounding::kStochastic, ElementRounding::kStochasticUnbiased}) {
      CAPTURE(static_cast<int>(mode));
      Recipe r = nvfp4(NvRecipe::kTe);
      r.rounding = mode;
      r.seed = 2024;
      const core::QuantizedTensor q = quantize(x, r);
      const float delta =
          formats::ue4m3{q.block_scale(1, 0).code}.to_float() * q.tensor_scale.decode;
      const std::vector<float> f = fake(x, r).to_floats();
      double sum_c = 0.0, sum_b = 0.0;
      for (std::int64_t row = 1; row < rows; ++row) {
        sum_b += f[static_cast<std::size_t>(row * cols)];
        for (std::int64_t k = 1; k < cols; ++k)
          sum_c += f[static_cast<std::size_t>(row * cols + k)];
      }
      const double n_c = double(rows - 1) * (cols - 1), n_b = double(rows - 1);
      // One SR draw lands on one of two grid points a step h apart: its standard deviation is
      // at most h * Delta / 2. Five standard errors of the mean bound a fair estimate (a false
      // alarm has probability below 1e-6, and the seed is fixed).
      const double scaled_c = c / delta;
      REQUIRE((scaled_c > 2.0 && scaled_c < 3.0));
      const double se_c = 1.0 * delta / 2.0 / std::sqrt(n_c);
      CHECK(std::fabs(sum_c / n_c - c) <= 5.0 * se_c);
      if (mode == ElementRounding::kStochastic) {
        // s_b = e4m3(0.448) = 0.4375: 1 scales to 6.14 and always clamps to 6. This bias is
        // what the unbiased variant removes.
        CHECK(formats::ue4m3{q.block_scale(1, 0).code}.to_float() == 0.4375f);
        CHECK(1.0f / delta > 6.0f);
        formats::BlockScale s;
        s.code = q.block_scale(1, 0).code;
        CHECK(sum_b / n_b == double(formats::dequantize_code(r, q.tensor_scale, s, 0x7)));
      } else {
        // s_b = e4m3(0.448 * 17/16 = 0.476) = 0.46875: 1 scales to 5.73, between 4 and 6.
        CHECK(formats::ue4m3{q.block_scale(1, 0).code}.to_float() == 0.46875f);
        CHECK(1.0f / delta < 6.0f);
        const double se_b = 2.0 * delta / 2.0 / std::sqrt(n_b);
        CHECK(std::fabs(sum_b / n_b - 1.0) <= 5.0 * se_b);
      }
    }
  }

  TEST_CASE("stochastic rounding is unbiased in expectation for a constant MXFP4 tensor") {
    // 2.3 everywhere: e = floor(log2 2.3) - 2 = -1, so 2.3 scales to 4.6, between 4 and 6
    // (step 2). Each draw decodes to 2 or 3 (sd <= 0.5); 5 standard errors bound the mean.
    const std::int64_t rows = 64, cols = 512;
    const Tensor x =
        from_floats(std::vector<float>(static_cast<std::size_t>(rows * cols), 2.3f), {rows, cols});
    for (ElementRounding mode :
         {ElementRounding::kStochastic, ElementRounding::kStochasticUnbiased}) {
      Recipe r = mxfp4(MxScaleMode::kFloor);
      r.rounding = mode;
      r.seed = 77;
      const std::vector<float> f = fake(x, r).to_floats();
      double sum = 0.0;
      int twos = 0, threes = 0;
      for (float v : f) {
        sum += v;
        twos += v == 2.0f;
        threes += v == 3.0f;
      }
      const double n = double(f.size());
      CHECK(twos + threes == static_cast<int>(f.size()));  // only the two neighbours occur
      CHECK(std::fabs(sum / n - 2.3f) <= 5.0 * 0.5 / std::sqrt(n));
    }
  }

  TEST_CASE("NaN and Inf inside blocks are counted and handled as each format says") {
    // Row 0: block 0 holds +Inf, block 1 is finite; row 1: block 0 holds a NaN.
    std::vector<float> v(64);
    for (int i = 0; i < 64; ++i)
      v[static_cast<std::size_t>(i)] = 0.1f * static_cast<float>(i % 7) - 0.3f;
    v[3] = kInf;
    v[32 + 5] = kNan;
    const Tensor x = from_floats(v, {2, 32});
    SUBCASE("te") {
      const core::QuantizedTensor q = quantize(x, nvfp4(NvRecipe::kTe));
      CHECK(std::isfinite(core::dequantize(q).at(16)));  // the finite block survives
      CHECK(q.nonfinite == 2);
      // amax = Inf: S_enc = 2688/Inf = 0, guarded to 1. The Inf block's scale saturates to
      // 448; Inf -> code 6 (0x7), NaN -> +6 (0x7) as CUDA's E2M1 conversion does.
      CHECK(q.tensor_scale.encode == 1.0f);
      CHECK(q.block_scale(0, 0).code == 0x7E);
      CHECK(q.code(0, 3) == 0x7);
      CHECK(q.code(1, 5) == 0x7);
      const Tensor d = core::dequantize(q);
      CHECK(d.at(3) == 6.0f * 448.0f);
      CHECK(same_bits(d, fake(x, nvfp4(NvRecipe::kTe))));
    }
    SUBCASE("mxfp4") {
      const core::QuantizedTensor q = quantize(x, mxfp4(MxScaleMode::kFloor));
      CHECK(q.nonfinite == 2);
      CHECK(q.block_scale(0, 0).code == 0xFF);
      CHECK(q.block_scale(1, 0).code == 0xFF);
      const std::vector<float> d = core::dequantize(q).to_floats();
      for (float f : d) CHECK(std::isnan(f));  // both 32-wide blocks are poisoned
    }
    SUBCASE("4/6") {
      std::vector<formats::BlockRecord> rec;
      core::fake_quantize(x.view(), nvfp4(NvRecipe::kFourOverSix), DType::kF32, 0, &rec);
      REQUIRE(rec.size() == 4);
      CHECK(rec[0].nonfinite == 1);
      CHECK(rec[2].nonfinite == 1);
      CHECK(rec[0].chosen_max == 6);  // a NaN error never wins
      CHECK(rec[2].chosen_max == 6);
      CHECK(rec[1].nonfinite == 0);
    }
  }

  TEST_CASE("all-zero tensors decode to zeros, except the unguarded modelopt and torchao") {
    const Tensor x = from_floats(std::vector<float>(3 * 128, 0.0f), {3, 128});
    for (const Named& n : all_recipes()) {
      CAPTURE(n.name);
      const std::vector<float> d = core::dequantize(quantize(x, n.recipe)).to_floats();
      const bool nan_scales =
          n.recipe.format == BlockFormat::kNVFP4 &&
          (n.recipe.nv == NvRecipe::kModelopt || n.recipe.nv == NvRecipe::kTorchao);
      int zeros = 0, nans = 0;
      for (float f : d) {
        zeros += f == 0.0f;
        nans += std::isnan(f);
      }
      CHECK((nan_scales ? nans : zeros) == static_cast<int>(d.size()));
      const core::QuantizedTensor q = quantize(x, n.recipe);
      if (n.recipe.format == BlockFormat::kINT4) continue;
      for (std::uint8_t s : q.scales) CHECK(static_cast<int>(s) == (nan_scales ? 0x7F : 0x00));
    }
  }

  TEST_CASE("every NaN a dequantized or fake-quantized output holds is the canonical 0x7FFFFFFF") {
    // modelopt with an Inf in the tensor: tensor scale Inf, so 0 * Inf = NaN in every block;
    // x86 makes that 0xFFC00000, CUDA 0x7FFFFFFF: outputs carry the one canonical NaN.
    std::vector<float> v(2 * 32, 1.0f);
    v[3] = std::numeric_limits<float>::infinity();
    v[40] = -std::numeric_limits<float>::quiet_NaN();
    const Tensor x = from_floats(v, {2, 32});
    int nans = 0;
    for (const Named& n : all_recipes()) {
      CAPTURE(n.name);
      for (DType od : {DType::kF32, DType::kBF16, DType::kF16}) {
        CAPTURE(core::dtype_name(od));
        const Tensor f = core::fake_quantize(x.view(), n.recipe, od);
        const std::uint32_t want = od == DType::kF32 ? 0x7FFFFFFFu : 0x7FFFu;
        for (std::int64_t i = 0; i < f.view().numel(); ++i) {
          std::uint32_t bits = 0;
          std::memcpy(&bits, f.data() + i * static_cast<std::int64_t>(f.size_bytes() / v.size()),
                      f.size_bytes() / v.size());
          if (!std::isnan(f.at(i))) continue;
          ++nans;
          CHECK(bits == want);
        }
      }
    }
    CHECK(nans > 100);  // modelopt alone makes every output of both rows NaN
  }

  TEST_CASE("a block whose scale falls in the E4M3 subnormal range stays within its error bound") {
    // amax = 1 (element 0); row 1 has bmax about 1e-5: te's scale argument is 1e-5 * 448 =
    // 0.0045 ~ 2.3 x 2^-9, a subnormal E4M3 value (codes 0x01-0x07). With Delta = s_b * S_dec,
    // each value errs by at most Delta (half the widest E2M1 gap, 4 to 6) or, where the scale
    // rounded down and a value clamps at 6 Delta, by bmax - 6 Delta; 1e-6 bmax covers FP32.
    const std::int64_t cols = 64;
    std::vector<float> v(static_cast<std::size_t>(2 * cols), 0.0f);
    v[0] = 1.0f;
    float bmax = 0.0f;
    for (std::int64_t i = 0; i < cols; ++i) {
      const float n = 1.0e-5f * std::tanh(core::standard_normal(20, static_cast<std::uint64_t>(i)));
      v[static_cast<std::size_t>(cols + i)] = n;
      bmax = std::max(bmax, std::fabs(n));
    }
    const Tensor x = from_floats(v, {2, cols});
    const core::QuantizedTensor q = quantize(x, nvfp4(NvRecipe::kTe));
    const std::vector<float> d = core::dequantize(q).to_floats();
    for (std::int64_t b = 0; b < cols / 16; ++b) {
      const std::uint8_t code = q.block_scale(1, b * 16).code;
      CAPTURE(b);
      CHECK(code > 0x00);
      CHECK(code < 0x08);  // subnormal
      const float delta = formats::ue4m3{code}.to_float() * q.tensor_scale.decode;
      float block_max = 0.0f;
      for (int i = 0; i < 16; ++i)
        block_max = std::max(block_max, std::fabs(v[static_cast<std::size_t>(cols + b * 16 + i)]));
      const float bound = std::max(delta, block_max - 6.0f * delta) + 1.0e-6f * block_max;
      for (int i = 0; i < 16; ++i) {
        const std::size_t k = static_cast<std::size_t>(cols + b * 16 + i);
        CHECK(std::fabs(d[k] - v[k]) <= bound);
      }
    }
    // 4/6 (amax/1536) puts these blocks in the subnormal range too.
    const core::QuantizedTensor q46 = quantize(x, nvfp4(NvRecipe::kFourOverSix));
    CHECK(q46.block_scale(1, 0).code < 0x08);
  }

  TEST_CASE("values at every E2M1 tie round to the even code when the block scale is exactly 1") {
    // amax = 10.5 makes te's scales exact: S_enc = 2688/10.5 = 256, S_dec = 2^-8. A block with
    // max 6 gets s_b = e4m3(6 * 256/6) = 256 (code 0x78), so inv_b = 1/(256 * 2^-8) = 1 and
    // the inputs are the scaled values themselves.
    const std::vector<float> ties = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};
    std::vector<float> v = {6.0f};
    for (float t : ties) v.push_back(t);
    for (float t : ties) v.push_back(-t);
    v.push_back(0.0f);
    for (int i = 0; i < 16; ++i) v.push_back(i == 0 ? 10.5f : 0.0f);  // block 2 holds amax
    const Tensor x = from_floats(v, {1, 32});
    const core::QuantizedTensor q = quantize(x, nvfp4(NvRecipe::kTe));
    CHECK(q.tensor_scale.encode == 256.0f);
    CHECK(q.tensor_scale.decode == 0x1p-8f);
    CHECK(q.block_scale(0, 0).code == 0x78);
    // 0.25 -> 0, 0.75 -> 1, 1.25 -> 1, 1.75 -> 2, 2.5 -> 2, 3.5 -> 4, 5 -> 4 (even mantissas).
    const int want[16] = {0x7, 0x0, 0x2, 0x2, 0x4, 0x4, 0x6, 0x6,
                          0x8, 0xA, 0xA, 0xC, 0xC, 0xE, 0xE, 0x0};
    for (int i = 0; i < 16; ++i) {
      CAPTURE(i);
      CHECK(q.code(0, i) == want[i]);
    }
    const std::vector<float> d = core::dequantize(q).to_floats();
    const std::vector<float> want_values = {6,     0,  1,  1,  2,  2,  4,  4,
                                            -0.0f, -1, -1, -2, -2, -4, -4, 0};
    CHECK(std::vector<float>(d.begin(), d.begin() + 16) == want_values);
    CHECK(d[16] == 10.5f);
  }

  TEST_CASE("empty tensors and bad block sizes throw std::invalid_argument naming the problem") {
    const auto message = [](auto&& fn) {
      try {
        fn();
      } catch (const std::invalid_argument& e) {
        return std::string(e.what());
      }
      return std::string("<no exception>");
    };
    const Recipe te = nvfp4(NvRecipe::kTe);
    for (const std::vector<std::int64_t>& shape : {std::vector<std::int64_t>{0}, {4, 0}, {0, 16}}) {
      const Tensor empty(DType::kF32, shape);
      CAPTURE(core::shape_string(shape));
      CHECK(message([&] { quantize(empty, te); }).find("empty tensor") != std::string::npos);
      CHECK(message([&] { fake(empty, te); }).find("empty tensor") != std::string::npos);
    }
    const Tensor x = random_tensor({4, 64}, DType::kF32, 21);
    for (int bs : {7, 130, 0, 9, 15, -16, 6, 256}) {
      Recipe r = te;
      r.block_size = bs;
      CAPTURE(bs);
      const std::string m = message([&] { quantize(x, r); });
      CHECK(m.find("block size " + std::to_string(bs)) != std::string::npos);
      CHECK(message([&] { fake(x, r); }) == m);
    }
    Recipe rht = te;
    rht.block_size = 8;
    rht.transform = formats::Transform::kRht16;
    CHECK(message([&] { quantize(x, rht); }).find("RHT") != std::string::npos);
    Recipe unclamped = te;
    unclamped.overflow = formats::Fp4Overflow::kReferenceUnclamped;
    CHECK(message([&] { fake(x, unclamped); }).find("unclamped") != std::string::npos);
    unclamped.nv = NvRecipe::kFourOverSix;
    CHECK(message([&] { quantize(x, unclamped); }).find("fake_quantize") != std::string::npos);
    CHECK_NOTHROW(fake(x, unclamped));
    // Every even size in [8, 128] is accepted.
    for (int bs = 8; bs <= 128; bs += 2) {
      Recipe r = te;
      r.block_size = bs;
      CHECK_NOTHROW(core::validate_recipe(r));
    }
  }

  TEST_CASE("4/6 records report the kept candidate and both errors for every block") {
    // The 16 rows of each tile copy one row of a random tensor, so that 2-D tiles see the same
    // value mix as 1-D blocks (random 256-value tiles almost never prefer M=4).
    const Tensor base = random_tensor({4, 96}, DType::kF32, 22);
    std::vector<float> v(64 * 96);
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = base.at(static_cast<std::int64_t>((i / 96 / 16) * 96 + i % 96));
    const Tensor x = from_floats(v, {64, 96});
    for (FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae, FourSixRule::kAbsMax}) {
      for (formats::BlockShape shape : {formats::BlockShape::k1D, formats::BlockShape::k2D}) {
        Recipe r = nvfp4(NvRecipe::kFourOverSix, rule);
        r.shape = shape;
        CAPTURE(static_cast<int>(rule));
        CAPTURE(static_cast<int>(shape));
        const core::QuantizedTensor q = quantize(x, r, 0, formats::ScaleLayout::kRowMajor, true);
        const std::size_t units = shape == formats::BlockShape::k1D ? 64 * 6 : 4 * 6;
        REQUIRE(q.records.size() == units);
        int fours = 0, sixes = 0;
        bool consistent = true;
        for (const formats::BlockRecord& rec : q.records) {
          fours += rec.chosen_max == 4;
          sixes += rec.chosen_max == 6;
          consistent =
              consistent && std::isfinite(rec.err4) && std::isfinite(rec.err6) &&
              rec.err4 >= 0.0f && rec.err6 >= 0.0f &&
              (rec.chosen_max == 4) == (rec.err4 < rec.err6) &&
              rec.scale.code == (rec.chosen_max == 4 ? rec.scale_code_4 : rec.scale_code_6);
        }
        CHECK(fours + sixes == static_cast<int>(units));
        CHECK(fours > 0);
        CHECK(sixes > 0);
        CHECK(consistent);
        std::vector<formats::BlockRecord> from_fake;
        core::fake_quantize(x.view(), r, DType::kF32, 0, &from_fake);
        CHECK(same_records(from_fake, q.records));
      }
    }
  }
}
