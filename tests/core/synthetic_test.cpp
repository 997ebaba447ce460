// Synthetic tensors: make_synthetic and the draw-once / assemble-per-scale path (draw_synthetic,
// assemble_synthetic) give the bits of the original one-pass formula, kept here as the scalar
// reference (computed in double, one rounding per product, in the order written below), for every
// distribution, dtype, outliers, row spread, thread count, and any scale; the batched SIMD Philox
// against formats::philox4x32_10 on every target, and the SIMD path against the scalar twin.
#include "core/synthetic.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/simd/simd.hpp"
#include "formats/philox.hpp"

namespace {

using namespace fp4lab;
using core::Distribution;
using core::SyntheticSpec;

double ref_draw(std::uint64_t seed, std::uint64_t i, std::uint32_t k) {
  const formats::Philox4 p = formats::philox4x32_10(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
                                                    0x53594E54u, k, static_cast<std::uint32_t>(seed),
                                                    static_cast<std::uint32_t>(seed >> 32));
  const std::uint64_t bits = (static_cast<std::uint64_t>(p.v[0]) << 21) ^ (p.v[1] >> 11);
  return static_cast<double>(bits & ((1ull << 53) - 1)) * 0x1.0p-53;
}

double ref_normal(std::uint64_t seed, std::uint64_t i, std::uint32_t k) {
  const double u1 = 1.0 - ref_draw(seed, i, k), u2 = ref_draw(seed, i, k + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double ref_student_t(std::uint64_t seed, std::uint64_t i, double nu) {
  for (std::uint32_t k = 2; k < 130; k += 2) {
    const double u = 2.0 * ref_draw(seed, i, k) - 1.0, v = 2.0 * ref_draw(seed, i, k + 1) - 1.0;
    const double w = u * u + v * v;
    if (w > 0.0 && w < 1.0) return u * std::sqrt(nu * (std::pow(w, -2.0 / nu) - 1.0) / w);
  }
  return 0.0;
}

/// The value as the first implementation wrote it: scale multiplied in first, then the outlier
/// replacement ((sign * magnitude) * scale) * h, then the row factor.
double ref_value(const SyntheticSpec& s, std::uint64_t i) {
  double v = 0;
  switch (s.distribution) {
    case Distribution::kNormal:
      v = s.scale * ref_normal(s.seed, i, 2);
      break;
    case Distribution::kLaplace: {
      const double u = ref_draw(s.seed, i, 2) - 0.5;
      v = -s.scale * (u < 0 ? -1.0 : 1.0) * std::log1p(-2.0 * std::fabs(u));
      break;
    }
    case Distribution::kStudentT:
      v = s.scale * ref_student_t(s.seed, i, s.nu);
      break;
    case Distribution::kUniform:
      v = s.scale * (2.0 * ref_draw(s.seed, i, 2) - 1.0);
      break;
    case Distribution::kLogNormal: {
      const double mag = s.scale * std::exp(s.lognormal_sigma * ref_normal(s.seed, i, 2));
      v = ref_draw(s.seed, i, 4) < 0.5 ? -mag : mag;
      break;
    }
    case Distribution::kMixture: {
      const bool wide = ref_draw(s.seed, i, 4) < s.mixture_weight;
      v = s.scale * (wide ? s.mixture_scale : 1.0) * ref_normal(s.seed, i, 2);
      break;
    }
  }
  if (s.outlier_fraction > 0 && ref_draw(s.seed, i, 200) < s.outlier_fraction) {
    v = (ref_draw(s.seed, i, 201) < 0.5 ? -1.0 : 1.0) * s.outlier_magnitude * s.scale * (0.5 + ref_draw(s.seed, i, 202));
  }
  if (s.row_scale_spread > 0) {
    const auto row = static_cast<std::uint64_t>(static_cast<std::int64_t>(i) / s.shape.back());
    v *= std::exp(s.row_scale_spread * ref_normal(s.seed ^ 0x524F5753ull, row, 300));
  }
  return v;
}

core::Tensor reference(const SyntheticSpec& s) {
  core::Tensor t(s.dtype, s.shape);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, static_cast<float>(ref_value(s, static_cast<std::uint64_t>(i))));
  return t;
}

/// Index of the first differing byte, or -1.
std::int64_t first_difference(const core::Tensor& a, const core::Tensor& b) {
  REQUIRE(a.size_bytes() == b.size_bytes());
  const auto* x = static_cast<const unsigned char*>(a.data());
  const auto* y = static_cast<const unsigned char*>(b.data());
  for (std::size_t k = 0; k < a.size_bytes(); ++k)
    if (x[k] != y[k]) return static_cast<std::int64_t>(k);
  return -1;
}

SyntheticSpec spec_of(Distribution d, core::DType dtype, std::uint64_t seed) {
  SyntheticSpec s;
  s.distribution = d;
  s.dtype = dtype;
  s.seed = seed;
  s.shape = {37, 53};  // rows and columns that no thread split or block divides
  s.outlier_fraction = 0.03;
  s.outlier_magnitude = 20.0;
  s.row_scale_spread = 0.5;
  s.nu = 3.0;
  s.lognormal_sigma = 1.3;
  s.mixture_weight = 0.2;
  return s;
}

}  // namespace

TEST_CASE("make_synthetic and assemble_synthetic give the reference formula's bits") {
  int checked = 0;
  for (Distribution d : core::kDistributions) {
    for (core::DType dtype : {core::DType::kF32, core::DType::kBF16, core::DType::kF16}) {
      for (std::uint64_t seed : {1ull, 0x123456789ABCull}) {
        SyntheticSpec s = spec_of(d, dtype, seed);
        const core::SyntheticDraws draws = core::draw_synthetic(s, 3);
        // scales that make every product round (and outlier magnitude 0: signed zeros)
        for (double scale : {1.0, 0.1, 3.7, 1e-3, 123456.789}) {
          for (double magnitude : {20.0, 0.0, 7.3}) {
            s.scale = scale;
            s.outlier_magnitude = magnitude;
            s.mixture_scale = 10.0 / std::sqrt(scale) + 0.3;  // another rounding product, in range
            CAPTURE(core::describe(s));
            const core::Tensor want = reference(s);
            CHECK(first_difference(core::make_synthetic(s, 1), want) == -1);
            CHECK(first_difference(core::make_synthetic(s, 4), want) == -1);
            CHECK(first_difference(core::assemble_synthetic(draws, s, 2), want) == -1);
            ++checked;
          }
        }
      }
    }
  }
  CHECK(checked == 6 * 3 * 2 * 5 * 3);
}

TEST_CASE("synthetic without outliers or row spread, and assembled draws refused for another spec") {
  SyntheticSpec s = spec_of(Distribution::kNormal, core::DType::kBF16, 7);
  s.outlier_fraction = 0;
  s.row_scale_spread = 0;
  const core::SyntheticDraws draws = core::draw_synthetic(s, 2);
  CHECK(draws.row_factor.empty());
  CHECK(draws.wide.empty());
  s.scale = 2.5;
  CHECK(first_difference(core::assemble_synthetic(draws, s, 1), reference(s)) == -1);
  CHECK(core::same_draws(draws.spec, s));
  for (int field = 0; field < 5; ++field) {
    SyntheticSpec other = s;
    if (field == 0) other.seed = 8;
    if (field == 1) other.shape = {53, 37};
    if (field == 2) other.dtype = core::DType::kF32;
    if (field == 3) other.outlier_fraction = 0.5;
    if (field == 4) other.distribution = Distribution::kLaplace;
    CHECK_FALSE(core::same_draws(draws.spec, other));
    CHECK_THROWS_WITH_AS(core::assemble_synthetic(draws, other), doctest::Contains("the draws were made for"),
                         std::invalid_argument);
  }
  core::SyntheticDraws cut = draws;  // a truncated set of draws is refused, not read past its end
  cut.unit.pop_back();
  CHECK_THROWS_WITH_AS(core::assemble_synthetic(cut, s), doctest::Contains("incomplete"), std::invalid_argument);
  s.scale = -1;  // absurd parameters are refused on this path too
  CHECK_THROWS_WITH_AS(core::assemble_synthetic(draws, s), doctest::Contains("scale must be in"), std::invalid_argument);
}

TEST_CASE("the batched Philox draws are formats::philox4x32_10's bits on every SIMD target") {
  const std::vector<std::int64_t> targets = core::simd::available_targets();
  REQUIRE(!targets.empty());
  std::random_device seed_source;  // fresh inputs each run; the seed is printed on a failure
  const unsigned seed = seed_source();
  INFO("seed " << seed);
  std::string ran;
  std::int64_t compared = 0;
  for (std::int64_t t : targets) {
    core::simd::use_target(t);
    REQUIRE(core::simd::current_target() == t);
    ran += core::simd::target_name(t) + " ";
    std::mt19937_64 rng(seed);
    for (int rep = 0; rep < 48; ++rep) {
      const std::uint64_t key = rep % 8 == 0 ? ~0ull : rng();
      const auto stream = static_cast<std::uint32_t>(rng()), k = static_cast<std::uint32_t>(rep % 3 == 0 ? 200 : rng());
      // counts around every vector width, first indices at random, across 2^32 and wrapping past 2^64 - 1
      const std::int64_t count = std::int64_t{1} + static_cast<std::int64_t>(rng() % 70);
      const std::uint64_t firsts[] = {rng(), (1ull << 32) - static_cast<std::uint64_t>(rng() % 40),
                                      ~0ull - static_cast<std::uint64_t>(rng() % 40), rng() >> 32};
      for (std::uint64_t first : firsts) {
        std::vector<std::uint64_t> got(static_cast<std::size_t>(count) + 1, 0xDEADull);
        core::simd::philox_draws(key, first, count, stream, k, got.data());
        for (std::int64_t j = 0; j < count; ++j) {
          const std::uint64_t i = first + static_cast<std::uint64_t>(j);
          const formats::Philox4 p =
              formats::philox4x32_10(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32), stream, k,
                                     static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32));
          const std::uint64_t want = ((static_cast<std::uint64_t>(p.v[0]) << 21) ^ (p.v[1] >> 11)) & ((1ull << 53) - 1);
          CAPTURE(core::simd::target_name(t));
          CAPTURE(i);
          REQUIRE(got[static_cast<std::size_t>(j)] == want);
          ++compared;
        }
        CHECK(got[static_cast<std::size_t>(count)] == 0xDEADull);  // nothing written past count
      }
    }
  }
  core::simd::use_target(0);
  MESSAGE("batched Philox checked on targets: " << ran << "(" << compared << " draws)");
  CHECK(compared > 0);
}

TEST_CASE("make_synthetic and draw_synthetic with SIMD on give the scalar twin's bits on every target") {
  // sizes that are no multiple of the 512-element chunk or of any vector width; 1 to 3 threads
  const std::vector<std::vector<std::int64_t>> shapes = {{3, 341}, {1537}, {2, 5, 103}};
  std::string ran;
  int compared = 0;
  for (std::int64_t t : core::simd::available_targets()) {
    ran += core::simd::target_name(t) + " ";
    for (Distribution d : core::kDistributions) {
      for (core::DType dtype : {core::DType::kF32, core::DType::kBF16, core::DType::kF16}) {
        for (int variant = 0; variant < 4; ++variant) {
          SyntheticSpec s = spec_of(d, dtype, 0x5EED0000ull + static_cast<std::uint64_t>(compared));
          s.shape = shapes[static_cast<std::size_t>(compared) % shapes.size()];
          s.outlier_fraction = variant % 2 == 1 ? 0.05 : 0.0;
          s.row_scale_spread = variant / 2 == 1 ? 0.7 : 0.0;
          const int threads = 1 + compared % 3;
          CAPTURE(core::describe(s));
          CAPTURE(threads);
          core::simd::set_enabled(false);
          const core::Tensor scalar = core::make_synthetic(s, threads);
          const core::SyntheticDraws scalar_draws = core::draw_synthetic(s, threads);
          core::simd::set_enabled(true);
          core::simd::use_target(t);
          const core::Tensor simd = core::make_synthetic(s, threads);
          const core::SyntheticDraws simd_draws = core::draw_synthetic(s, 4 - threads);
          core::simd::use_target(0);
          CHECK(first_difference(simd, scalar) == -1);
          CHECK(std::memcmp(simd_draws.unit.data(), scalar_draws.unit.data(), 8 * scalar_draws.unit.size()) == 0);
          CHECK(std::memcmp(simd_draws.outlier.data(), scalar_draws.outlier.data(), 8 * scalar_draws.outlier.size()) ==
                0);
          CHECK(simd_draws.wide == scalar_draws.wide);
          CHECK(simd_draws.row_factor == scalar_draws.row_factor);
          ++compared;
        }
      }
    }
  }
  core::simd::set_enabled(true);
  MESSAGE("make_synthetic SIMD against scalar on targets: " << ran << "(" << compared << " tensors)");
  CHECK(compared == 6 * 3 * 4 * static_cast<int>(core::simd::available_targets().size()));
}
