// The SIMD block quantizers (core/simd/) against their scalar twins (formats/), bit for bit,
// on every Highway target this binary holds and this CPU runs: fresh random blocks plus the
// edge values (+-0, subnormals, ties, max, overflow, Inf, NaN), then whole tensors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "core/quantize.hpp"
#include "core/simd/simd.hpp"
#include "formats/block.hpp"

using namespace fp4lab;
namespace simd = fp4lab::core::simd;

namespace {

std::uint32_t bits_of(float v) { return formats::bit_cast<std::uint32_t>(v); }

/// Same bits; two NaNs count as equal (a NaN's payload can follow the operand order the
/// compiler picks for a commutative multiply; every tensor output is canonical_nan'd).
bool same(float a, float b) { return bits_of(a) == bits_of(b) || (std::isnan(a) && std::isnan(b)); }

std::vector<formats::Recipe> simd_recipes() {
  std::vector<formats::Recipe> out;
  formats::Recipe r;
  for (auto nv : {formats::NvRecipe::kTe, formats::NvRecipe::kModelopt, formats::NvRecipe::kTorchao}) {
    r.nv = nv;
    out.push_back(r);
  }
  r.nv = formats::NvRecipe::kFourOverSix;
  for (auto rule : {formats::FourSixRule::kMse, formats::FourSixRule::kMae, formats::FourSixRule::kAbsMax,
                    formats::FourSixRule::kStatic6, formats::FourSixRule::kStatic4}) {
    r.rule = rule;
    out.push_back(r);
  }
  r.block_size = 32;  // 4/6 on a larger block, and te on an odd multiple of 8
  out.push_back(r);
  formats::Recipe te24;
  te24.block_size = 24;
  out.push_back(te24);
  formats::Recipe nvint4;  // NVINT4 at its block of 16 and on an odd multiple of 8
  nvint4.format = formats::BlockFormat::kNVINT4;
  out.push_back(nvint4);
  nvint4.block_size = 40;
  out.push_back(nvint4);
  formats::Recipe if4;  // IF4 under each rule at 16, and at 8 and 32 (FORMATS.md §9)
  if4.format = formats::BlockFormat::kIF4;
  for (auto rule : {formats::FourSixRule::kMse, formats::FourSixRule::kMae, formats::FourSixRule::kAbsMax}) {
    if4.rule = rule;
    out.push_back(if4);
  }
  for (int bs : {8, 32}) {
    if4.block_size = bs;
    out.push_back(if4);
  }
  formats::Recipe mx;
  mx.format = formats::BlockFormat::kMXFP4;
  mx.block_size = 32;
  for (auto mode : {formats::MxScaleMode::kFloor, formats::MxScaleMode::kCeil, formats::MxScaleMode::kEven,
                    formats::MxScaleMode::kRceil}) {
    mx.mx = mode;
    out.push_back(mx);
  }
  return out;
}

/// kGroupBlocks blocks of bs values: random normals at random binades, and edge values.
/// With `plain`, normals at nearby binades and a few ties and edge values only (groups with
/// no zero or NaN/Inf block: the paths for ordinary data).
std::vector<float> make_blocks(int bs, std::mt19937& rng, bool plain = false) {
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> binade(-150, 130), pick(0, 31), kind(0, 9);
  const float edges[] = {0.0f, -0.0f, 1e-45f, -1e-45f, 1e-40f, 1.17549435e-38f, 0.25f, 0.75f, 1.25f, 1.75f,
                         2.5f, 3.5f, 5.0f, -5.0f, 6.0f, 448.0f, 464.0f, 480.0f, 0.001953125f, 0.0146484375f,
                         std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                         std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                         std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                         formats::bit_cast<float>(0x7FA00001u), 3.0e38f, 1.5e-38f, 7.0f, -0.5f, 2.0f};
  std::vector<float> x(static_cast<std::size_t>(simd::kGroupBlocks * bs));
  for (int b = 0; b < simd::kGroupBlocks; ++b) {
    const int k = plain ? (kind(rng) < 2 ? 3 : 9) : kind(rng);
    const float scale = std::ldexp(1.0f, plain ? binade(rng) % 8 : binade(rng));
    for (int i = 0; i < bs; ++i) {
      float v = normal(rng) * scale;
      if (k == 0) v = edges[pick(rng)];                           // all edge values
      if (k == 1 && pick(rng) < 4) v = edges[pick(rng)];          // a few edge values
      if (k == 2) v = 0.0f;                                       // an all-zero block
      if (k == 3) v = edges[plain ? 6 + pick(rng) % 10 : pick(rng) % 16] * std::ldexp(1.0f, binade(rng) / 4);  // ties at other scales
      x[static_cast<std::size_t>(b * bs + i)] = v;
    }
  }
  return x;
}

/// The tensor scales to try: the data's amax, zero, tiny, huge and infinite.
std::vector<formats::TensorScale> scales_for(const formats::Recipe& r, const std::vector<float>& x) {
  float amax = 0.0f;
  for (float v : x) amax = formats::fmax_nan_ignoring(amax, formats::abs_bits(v));
  std::vector<formats::TensorScale> out;
  for (float a : {amax, 0.0f, 1e-30f, 3.0f, 1e30f, std::numeric_limits<float>::infinity()}) {
    out.push_back(formats::tensor_scale(r, a));
  }
  return out;
}

/// Compares one group against formats::quantize_block; returns the number of blocks checked.
int check_group(const formats::Recipe& r, const formats::TensorScale& ts, const std::vector<float>& x) {
  const int bs = r.block_size, g = simd::kGroupBlocks;
  std::vector<formats::BlockRecord> rec(static_cast<std::size_t>(g));
  std::vector<std::uint32_t> packed(static_cast<std::size_t>(g * bs / 8));
  std::vector<float> deq(static_cast<std::size_t>(g * bs));
  const int count = g - 3;  // a group that does not fill the last vector
  simd::quantize_blocks(r, ts, x.data(), count, rec.data(), packed.data(), deq.data());
  // values only (the fake-quantize path, no codes): the same records and values
  std::vector<formats::BlockRecord> rec_v(static_cast<std::size_t>(g));
  std::vector<float> deq_v(static_cast<std::size_t>(g * bs));
  simd::quantize_blocks(r, ts, x.data(), count, rec_v.data(), nullptr, deq_v.data());
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(bs));
  std::vector<float> want(static_cast<std::size_t>(bs));
  for (int b = 0; b < count; ++b) {
    const formats::BlockIO io{x.data() + b * bs, bs, nullptr, codes.data(), want.data()};
    const formats::BlockRecord s = formats::quantize_block(r, ts, io);
    const formats::BlockRecord& v = rec[static_cast<std::size_t>(b)];
    INFO("block " << b << " x0 " << x[static_cast<std::size_t>(b * bs)]);
    REQUIRE(bits_of(v.bmax) == bits_of(s.bmax));
    REQUIRE(v.nonfinite == s.nonfinite);
    REQUIRE(int(v.scale.code) == int(s.scale.code));
    REQUIRE(int(v.chosen_max) == int(s.chosen_max));
    REQUIRE(int(v.scale_code_6) == int(s.scale_code_6));
    REQUIRE(int(v.scale_code_4) == int(s.scale_code_4));
    REQUIRE(same(v.err6, s.err6));
    REQUIRE(same(v.err4, s.err4));
    REQUIRE(int(v.chose_int) == int(s.chose_int));
    REQUIRE(same(v.err_fp, s.err_fp));
    REQUIRE(same(v.err_int, s.err_int));
    for (int i = 0; i < bs; ++i) {
      const std::uint32_t word = packed[static_cast<std::size_t>((b * bs + i) / 8)];
      INFO("element " << i << " x " << x[static_cast<std::size_t>(b * bs + i)]);
      REQUIRE(int((word >> (4 * (i % 8))) & 0xFu) == int(codes[static_cast<std::size_t>(i)]));
      REQUIRE(same(deq[static_cast<std::size_t>(b * bs + i)], want[static_cast<std::size_t>(i)]));
      REQUIRE(same(deq_v[static_cast<std::size_t>(b * bs + i)], want[static_cast<std::size_t>(i)]));
    }
    const formats::BlockRecord& w = rec_v[static_cast<std::size_t>(b)];
    REQUIRE(bits_of(w.bmax) == bits_of(s.bmax));
    REQUIRE(w.nonfinite == s.nonfinite);
    REQUIRE(int(w.scale.code) == int(s.scale.code));
    REQUIRE(int(w.chosen_max) == int(s.chosen_max));
    REQUIRE(same(w.err6, s.err6));
    REQUIRE(same(w.err4, s.err4));
    REQUIRE(int(w.chose_int) == int(s.chose_int));
    REQUIRE(same(w.err_fp, s.err_fp));
    REQUIRE(same(w.err_int, s.err_int));
  }
  return count;
}

}  // namespace

TEST_SUITE("core.simd") {
  TEST_CASE("every compiled target quantizes blocks with the scalar bits") {
    const std::vector<std::int64_t> targets = simd::available_targets();
    REQUIRE(!targets.empty());
    std::string ran;
    std::random_device seed_source;  // fresh inputs each run; the seed is printed on a failure
    const unsigned seed = seed_source();
    INFO("seed " << seed);
    for (std::int64_t t : targets) {
      simd::use_target(t);
      REQUIRE(simd::current_target() == t);
      ran += simd::target_name(t) + " ";
      std::mt19937 rng(seed);
      for (const formats::Recipe& r : simd_recipes()) {
        REQUIRE(simd::supports(r));
        for (int rep = 0; rep < 12; ++rep) {
          const std::vector<float> x = make_blocks(r.block_size, rng, rep % 2 == 1);
          for (const formats::TensorScale& ts : scales_for(r, x)) CHECK(check_group(r, ts, x) > 0);
        }
      }
    }
    simd::use_target(0);
    MESSAGE("SIMD targets compared with the scalar code: " << ran);
  }

  TEST_CASE("the code-free E2M1 rounding gives decode(encode) on every target") {
    // every exponent and sign, the top 11 mantissa bits (so every tie and its neighbours at
    // every grid step), and low bits that sit on, just past and just short of them
    std::mt19937 rng(std::random_device{}());
    std::vector<float> v;
    for (std::uint32_t hi = 0; hi < (1u << 20); ++hi) {  // sign, exponent, top 11 mantissa bits
      for (std::uint32_t lo : {0u, 1u, 0x7FFu, 0x800u, 0x801u, 0xFFFu, static_cast<std::uint32_t>(rng() & 0xFFFu)}) {
        v.push_back(formats::bit_cast<float>((hi << 12) | lo));
      }
    }
    std::vector<float> want(v.size()), got(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) want[i] = formats::fp4_e2m1::from(v[i]).to_float();
    std::string ran;
    for (std::int64_t t : simd::available_targets()) {
      simd::use_target(t);
      ran += simd::target_name(t) + " ";
      simd::e2m1_round_values(v.data(), static_cast<std::int64_t>(v.size()) - 3, got.data());  // a ragged tail
      std::size_t bad = 0;
      for (std::size_t i = 0; i + 3 < v.size(); ++i) bad += bits_of(got[i]) != bits_of(want[i]);
      INFO("target " << simd::target_name(t));
      CHECK(bad == 0);
    }
    simd::use_target(0);
    MESSAGE("E2M1 rounding compared on " << v.size() << " floats for: " << ran);
  }

  TEST_CASE("whole tensors match the scalar path for every dtype, shape and thread count") {
    std::mt19937 rng(77);
    std::normal_distribution<float> normal;
    const std::vector<std::vector<std::int64_t>> shapes = {{64, 256}, {37, 200}, {3, 5, 40}, {1, 8}};
    for (const std::vector<std::int64_t>& shape : shapes) {
      std::vector<float> v(static_cast<std::size_t>(core::shape_numel(shape)));
      for (float& f : v) f = normal(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 20) - 10);
      v[3 % v.size()] = std::numeric_limits<float>::quiet_NaN();
      v[5 % v.size()] = -std::numeric_limits<float>::infinity();
      for (core::DType in : {core::DType::kF32, core::DType::kBF16, core::DType::kF16}) {
        const core::Tensor x = core::Tensor::from_floats(v, in, shape);
        for (const formats::Recipe& r : simd_recipes()) {
          for (core::DType out : {core::DType::kF32, core::DType::kBF16}) {
            INFO("shape " << core::shape_string(shape) << " recipe block " << r.block_size);
            simd::set_enabled(false);
            std::vector<formats::BlockRecord> rs, rv;
            const core::Tensor want = core::fake_quantize(x.view(), r, out, 1, &rs);
            const core::QuantizedTensor qs = core::quantize(x.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 1, true});
            simd::set_enabled(true);
            for (int threads : {1, 3}) {
              const core::Tensor got = core::fake_quantize(x.view(), r, out, threads, &rv);
              REQUIRE(got.size_bytes() == want.size_bytes());
              CHECK(std::memcmp(got.data(), want.data(), want.size_bytes()) == 0);
              REQUIRE(rv.size() == rs.size());
              for (std::size_t k = 0; k < rs.size(); ++k) {
                CHECK(int(rv[k].scale.code) == int(rs[k].scale.code));
                CHECK(rv[k].nonfinite == rs[k].nonfinite);
              }
              const core::QuantizedTensor qv =
                  core::quantize(x.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, threads, true});
              CHECK(qv.codes == qs.codes);
              CHECK(qv.scales == qs.scales);
              CHECK(qv.nonfinite == qs.nonfinite);
              CHECK(bits_of(qv.tensor_scale.amax) == bits_of(qs.tensor_scale.amax));
            }
          }
        }
      }
    }
  }

  TEST_CASE("max |x| of BF16 and FP32 runs ignores NaN alike on every target") {
    std::mt19937 rng(std::random_device{}());
    std::vector<std::uint16_t> b(1000);
    std::vector<float> f(b.size());
    const std::uint16_t specials[] = {0x7F80, 0xFF80, 0x7FC0, 0xFFC1, 0x7F81, 0x0000, 0x8000, 0x0001, 0x7F7F, 0xFF7F};
    for (int rep = 0; rep < 200; ++rep) {
      for (std::size_t i = 0; i < b.size(); ++i) {
        b[i] = static_cast<std::uint16_t>(rng() % 4 == 0 ? specials[rng() % 10] : rng() % 0x7F80 | (rng() % 2) << 15);
        if (rep % 2 == 0 && b[i] >= 0x7F80 && b[i] != 0xFF80 && (b[i] & 0x7FFF) > 0x7F80) b[i] = 0x3F80;  // some runs without NaN
        f[i] = formats::to_float(formats::bf16{b[i]});
      }
      const std::int64_t n = static_cast<std::int64_t>(rng() % b.size());
      float want = 0.0f;
      for (std::int64_t i = 0; i < n; ++i) want = formats::fmax_nan_ignoring(want, formats::abs_bits(f[static_cast<std::size_t>(i)]));
      for (std::int64_t t : simd::available_targets()) {
        simd::use_target(t);
        INFO("target " << simd::target_name(t) << " n " << n);
        CHECK(bits_of(simd::amax_bf16(b.data(), n)) == bits_of(want));
        CHECK(bits_of(simd::amax_f32(f.data(), n)) == bits_of(want));
      }
      simd::use_target(0);
    }
  }

  TEST_CASE("error metric sums match the scalar sums on every target and thread count") {
    std::mt19937 rng(std::random_device{}());
    std::normal_distribution<float> normal;
    const float edges[] = {0.0f, -0.0f, 1e-45f, 1e-40f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), 6.0f};
    const std::int64_t rows = 41, cols = 16384;  // 10 whole chunks of 4096 blocks of 16, and a part
    std::vector<float> xs(static_cast<std::size_t>(rows * cols));
    for (float& v : xs) v = rng() % 100 == 0 ? edges[rng() % 8] : normal(rng) * std::ldexp(1.0f, int(rng() % 9) - 4);
    const core::Tensor x = core::Tensor::from_floats(xs, core::DType::kBF16, {rows, cols});
    for (int bs : {16, 32}) {
      formats::Recipe r;
      r.block_size = bs;
      core::Tensor q = core::fake_quantize(x.view(), r, core::DType::kF32, 1);
      auto* qv = reinterpret_cast<float*>(q.data());
      for (std::int64_t i = 0; i < q.numel(); i += 1 + static_cast<std::int64_t>(rng() % 5000)) qv[i] = edges[rng() % 8];
      simd::set_enabled(false);
      const core::ErrorMetrics want = core::error_metrics(x.view(), q.view(), bs, 1);
      simd::set_enabled(true);
      for (std::int64_t t : simd::available_targets()) {
        simd::use_target(t);
        for (int threads : {1, 3}) {
          INFO("target " << simd::target_name(t) << " threads " << threads << " bs " << bs);
          const core::ErrorMetrics got = core::error_metrics(x.view(), q.view(), bs, threads);
          CHECK(got.count == want.count);
          CHECK(got.nonfinite == want.nonfinite);
          CHECK(got.nonfinite_results == want.nonfinite_results);
          for (auto [a, b] : {std::pair{got.mse, want.mse}, {got.sqnr_db, want.sqnr_db}, {got.max_abs_err, want.max_abs_err},
                              {got.cosine, want.cosine}, {got.frac_flushed, want.frac_flushed},
                              {got.frac_saturated, want.frac_saturated}, {got.rel_rmse, want.rel_rmse}}) {
            CHECK(std::memcmp(&a, &b, sizeof(double)) == 0);
          }
        }
      }
      simd::use_target(0);
      CHECK(want.frac_saturated > 0);  // the data reach the saturation and flush counts
      CHECK(want.nonfinite > 0);
      CHECK(want.nonfinite_results > 0);
    }
  }

  TEST_CASE("histogram bins match the scalar bins on every target") {
    std::random_device seed_source;
    const unsigned seed = seed_source();
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    const float edges[] = {0.0f, -0.0f, 1e-45f, 1e-40f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), 1.0f,
                           -1.0f, std::numeric_limits<float>::max()};
    const std::int64_t rows = 33, cols = 4100;  // more than one 65536-element chunk, a ragged tail
    std::vector<float> xs(static_cast<std::size_t>(rows * cols)), qs(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) {
      xs[i] = normal(rng);
      qs[i] = rng() % 3 == 0 ? xs[i] : xs[i] * (1.0f + 0.3f * normal(rng));  // exact, near and far
      if (rng() % 50 == 0) xs[i] = edges[rng() % 10];
      if (rng() % 50 == 0) qs[i] = edges[rng() % 10];
    }
    const core::Tensor x = core::Tensor::from_floats(xs, core::DType::kF32, {rows, cols});
    const core::Tensor q = core::Tensor::from_floats(qs, core::DType::kF32, {rows, cols});
    simd::set_enabled(false);
    const core::ErrorHistograms want = core::error_histograms(x.view(), q.view(), nullptr, 0.7, 101, 1);
    simd::set_enabled(true);
    {  // the scalar path against a plain count of error_stats.hpp's bins, element by element
      std::vector<double> err(101, 0.0), rel(101, 0.0);
      for (std::size_t i = 0; i < xs.size(); ++i) {
        if (!std::isfinite(xs[i])) continue;
        const int eb = core::error_bin(xs[i], qs[i], 1.0 / 0.7, 101), rb = core::relative_bin(xs[i], qs[i], 101);
        if (eb >= 0) err[static_cast<std::size_t>(eb)] += 1;
        if (rb >= 0) rel[static_cast<std::size_t>(rb)] += 1;
      }
      CHECK(want.err == err);
      CHECK(want.rel == rel);
    }
    for (std::int64_t t : simd::available_targets()) {
      simd::use_target(t);
      INFO("target " << simd::target_name(t));
      for (int threads : {1, 2}) {
        const core::ErrorHistograms got = core::error_histograms(x.view(), q.view(), nullptr, 0.7, 101, threads);
        CHECK(got.err == want.err);
        CHECK(got.rel == want.rel);
      }
    }
    simd::use_target(0);
    // the scaled-value bins, per block from the quantized tensor's units (rows end mid-block)
    for (formats::BlockFormat f : {formats::BlockFormat::kNVFP4, formats::BlockFormat::kMXFP4}) {
      formats::Recipe r;
      r.format = f;
      r.block_size = f == formats::BlockFormat::kMXFP4 ? 32 : 16;
      core::Tensor fake;
      const core::QuantizedTensor qt = core::quantize_and_dequantize(
          x.view(), core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 1, false}, &fake, core::DType::kF32);
      simd::set_enabled(false);
      const core::ErrorHistograms want_s = core::error_histograms(x.view(), fake.view(), &qt, 0.7, 101, 1);
      simd::set_enabled(true);
      double total = 0;
      for (double v : want_s.scaled) total += v;
      CHECK(total > 0.5 * static_cast<double>(rows * cols));
      for (std::int64_t t : simd::available_targets()) {
        simd::use_target(t);
        INFO("target " << simd::target_name(t));
        for (int threads : {1, 2}) {
          const core::ErrorHistograms got = core::error_histograms(x.view(), fake.view(), &qt, 0.7, 101, threads);
          CHECK(got.err == want_s.err);
          CHECK(got.rel == want_s.rel);
          CHECK(got.scaled == want_s.scaled);
        }
      }
      simd::use_target(0);
    }
  }
}
