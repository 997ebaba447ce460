// The GPU whole-tensor quantizer (kernels/quantize.hpp) against its CPU twin core::quantize /
// core::dequantize / core::fake_quantize, bit for bit: codes, scales, tensor scale and values,
// every recipe, awkward shapes, three dtypes, edge values. Skipped with a message without a GPU.
#include "kernels/quantize.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/stress_tensors.hpp"
#include "core/quantize.hpp"
#include "core/random.hpp"
#include "core/recipe_spec.hpp"
#include "kernels/block_quantize.hpp"
#include "experiments/cli/gpu/cross_check.hpp"

namespace {

using namespace fp4lab;
using core::DType;
using core::Tensor;

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

const std::vector<std::string>& recipe_specs() { return kernels::cross_check_recipe_specs(); }

/// The base seed of the random tensors: FP4LAB_TEST_SEED if set (for fresh draws), else fixed.
std::uint64_t base_seed() {
  const char* s = std::getenv("FP4LAB_TEST_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 10) : 20261122ull;
}

Tensor random_tensor(DType dtype, std::int64_t rows, std::int64_t cols, std::uint64_t seed) {
  return testing::scale_jump_tensor(dtype, rows, cols, seed);
}

Tensor edge_tensor(DType dtype, std::int64_t rows, std::int64_t cols, bool with_nonfinite) {
  return testing::edge_value_tensor(dtype, rows, cols,
                                 with_nonfinite ? testing::NonFinite::kInclude : testing::NonFinite::kExclude);
}

/// Index of the first byte where a and b differ (or -1) and the number of differing bytes.
struct Diff {
  std::int64_t first = -1;
  std::int64_t count = 0;
};
Diff diff_bytes(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  Diff d;
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) {
      if (d.first < 0) d.first = static_cast<std::int64_t>(i);
      ++d.count;
    }
  }
  return d;
}

std::string describe(const std::string& spec, DType dtype, std::int64_t rows, std::int64_t cols,
                     const char* what) {
  std::ostringstream s;
  s << spec << " " << core::dtype_name(dtype) << " " << rows << "x" << cols << ": " << what;
  return s.str();
}

/// Checks that two byte arrays are identical, naming the case and the first differing byte.
void check_same(const std::string& label, const std::uint8_t* cpu, std::size_t cpu_n,
                const std::uint8_t* gpu, std::size_t gpu_n) {
  REQUIRE_MESSAGE(cpu_n == gpu_n, label << ": sizes " << cpu_n << " (CPU) vs " << gpu_n << " (GPU)");
  const Diff d = diff_bytes(cpu, gpu, cpu_n);
  CHECK_MESSAGE(d.count == 0, label << ": " << d.count << " bytes differ, first at byte " << d.first
                                    << " (CPU 0x" << std::hex << (d.first >= 0 ? int{cpu[d.first]} : 0)
                                    << ", GPU 0x" << (d.first >= 0 ? int{gpu[d.first]} : 0)
                                    << std::dec << ")");
}

/// Quantize, dequantize and fake-quantize `x` on both sides and compare everything.
void compare_all(const std::string& spec, const Tensor& x) {
  const formats::Recipe r = core::parse_recipe(spec);
  const std::int64_t rows = x.view().rows(), cols = x.view().cols();
  if (r.overflow != formats::Fp4Overflow::kReferenceUnclamped) {
    for (formats::ScaleLayout layout :
         {formats::ScaleLayout::kRowMajor, formats::ScaleLayout::kSwizzled128x4}) {
      if (layout == formats::ScaleLayout::kSwizzled128x4 && r.format == formats::BlockFormat::kINT4) {
        continue;  // grouped INT4 keeps FP32 group scales, row-major only
      }
      core::QuantizeOptions opt;
      opt.recipe = r;
      opt.layout = layout;
      const core::QuantizedTensor cq = core::quantize(x.view(), opt);
      core::QuantizedTensor gq;
      REQUIRE_NOTHROW_MESSAGE(gq = kernels::gpu_quantize(r, layout, x.view()),
                              describe(spec, x.dtype(), rows, cols, "gpu_quantize"));
      const char* lname = layout == formats::ScaleLayout::kRowMajor ? "row-major" : "swizzled";
      const std::string label = describe(spec, x.dtype(), rows, cols, lname);
      CHECK(gq.padded_cols == cq.padded_cols);
      CHECK(gq.scale_cols == cq.scale_cols);
      check_same(label + " codes", cq.codes.data(), cq.codes.size(), gq.codes.data(), gq.codes.size());
      check_same(label + " scales", cq.scales.data(), cq.scales.size(), gq.scales.data(),
                 gq.scales.size());
      check_same(label + " group scales",
                 reinterpret_cast<const std::uint8_t*>(cq.group_scales.data()),
                 cq.group_scales.size() * sizeof(float),
                 reinterpret_cast<const std::uint8_t*>(gq.group_scales.data()),
                 gq.group_scales.size() * sizeof(float));
      check_same(label + " zero points", cq.zero_points.data(), cq.zero_points.size(),
                 gq.zero_points.data(), gq.zero_points.size());
      check_same(label + " tensor scale",
                 reinterpret_cast<const std::uint8_t*>(&cq.tensor_scale), sizeof(formats::TensorScale),
                 reinterpret_cast<const std::uint8_t*>(&gq.tensor_scale), sizeof(formats::TensorScale));
      // dequantize the GPU's own output on the GPU, the CPU's on the CPU
      const DType out_dtype = layout == formats::ScaleLayout::kRowMajor ? DType::kF32 : DType::kBF16;
      const Tensor cd = core::dequantize(cq, out_dtype);
      Tensor gdq;
      REQUIRE_NOTHROW_MESSAGE(gdq = kernels::gpu_dequantize(gq, out_dtype), label << " gpu_dequantize");
      check_same(label + " dequantized", cd.data(), cd.size_bytes(), gdq.data(), gdq.size_bytes());
    }
  }
  for (DType out_dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
    if (out_dtype != DType::kF32 && out_dtype != x.dtype()) continue;
    const Tensor cf = core::fake_quantize(x.view(), r, out_dtype);
    Tensor gf;
    REQUIRE_NOTHROW_MESSAGE(gf = kernels::gpu_fake_quantize(r, x.view(), out_dtype),
                            describe(spec, x.dtype(), rows, cols, "gpu_fake_quantize"));
    check_same(describe(spec, x.dtype(), rows, cols, "fake-quantized to ") + core::dtype_name(out_dtype),
               cf.data(), cf.size_bytes(), gf.data(), gf.size_bytes());
  }
}

bool have_gpu() {
  if (kernels::device_count() > 0) return true;
  MESSAGE("no CUDA device: GPU-vs-CPU whole-tensor comparison skipped");
  return false;
}

}  // namespace

TEST_SUITE("kernels.quantize") {
  TEST_CASE("the GPU sizes and recipe checks agree with the CPU (no GPU needed)") {
    for (const std::string& spec : recipe_specs()) {
      const formats::Recipe r = core::parse_recipe(spec);
      CHECK_MESSAGE(kernels::gpu_unsupported_reason(r).empty(), spec);
      if (r.overflow == formats::Fp4Overflow::kReferenceUnclamped) continue;
      const Tensor x = random_tensor(DType::kBF16, 130, 77, 1);
      for (formats::ScaleLayout layout :
           {formats::ScaleLayout::kRowMajor, formats::ScaleLayout::kSwizzled128x4}) {
        core::QuantizeOptions opt;
        opt.recipe = r;
        opt.layout = layout;
        const core::QuantizedTensor cq = core::quantize(x.view(), opt);
        const core::QuantizedSizes s = core::quantized_sizes(r, layout, 130, 77);
        CHECK(s.padded_cols == cq.padded_cols);
        CHECK(s.scale_cols == cq.scale_cols);
        CHECK(s.code_bytes == cq.codes.size());
        CHECK(s.scale_bytes == cq.scales.size());
        CHECK(s.group_count == cq.group_scales.size());
      }
    }
    formats::Recipe rht = core::parse_recipe("nvfp4:te:rht");
    CHECK(kernels::gpu_unsupported_reason(rht).find("Hadamard") != std::string::npos);
    formats::Recipe big_tile = core::parse_recipe("nvfp4:te:bs=32:2d");
    CHECK(kernels::gpu_unsupported_reason(big_tile).find("16x16") != std::string::npos);
    formats::Recipe bad;
    bad.block_size = 7;
    CHECK(!kernels::gpu_unsupported_reason(bad).empty());
  }

  TEST_CASE("a small tensor through every kernel matches the CPU bit for bit") {
    if (!have_gpu()) return;
    const std::uint64_t seed = base_seed();
    MESSAGE("random tensors from seed " << seed << " (set FP4LAB_TEST_SEED for fresh draws)");
    for (DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
      for (const std::string& spec : recipe_specs()) {
        compare_all(spec, random_tensor(dtype, 37, 50, seed + 1 + static_cast<int>(dtype)));
      }
    }
  }

  TEST_CASE("small edge-value tensors (zeros, subnormals, ties, 464, NaN, Inf) match the CPU") {
    if (!have_gpu()) return;
    for (DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
      for (const std::string& spec : recipe_specs()) {
        compare_all(spec, edge_tensor(dtype, 9, 48, false));
        compare_all(spec, edge_tensor(dtype, 5, 37, true));
      }
    }
  }

  TEST_CASE("every recipe matches the CPU bit for bit on random tensors of awkward shapes") {
    if (!have_gpu()) return;
    const std::uint64_t seed = base_seed();
    const std::int64_t shapes[][2] = {{1, 1000}, {300, 129}, {3, 7}, {1024, 1024}};
    std::uint64_t k = 100;
    for (DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
      for (const auto& shape : shapes) {
        for (const std::string& spec : recipe_specs()) {
          compare_all(spec, random_tensor(dtype, shape[0], shape[1], seed + (++k)));
        }
      }
    }
  }

  TEST_CASE("thresholded and high-precision simulation matches core::simulate_quantize bit for bit") {
    if (!have_gpu()) return;
    std::uint64_t k = base_seed() + 500;
    for (const char* spec : {"nvfp4:te", "nvfp4:4over6:mse", "nvfp4:te:bs=32:sr:seed=2"}) {
      for (const kernels::SimulateCase& sc : kernels::cross_check_simulate_cases()) {
        for (DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
          for (const Tensor& x : {random_tensor(dtype, 37, 50, ++k), edge_tensor(dtype, 5, 37, true)}) {
            const kernels::CrossCheck c = kernels::cross_check_simulate(spec, sc.options, x);
            CHECK_MESSAGE(c.bytes_differing == 0, spec << " " << sc.name << " " << core::dtype_name(dtype) << ": "
                                                       << c.error << c.first_difference);
            CHECK(c.bytes_compared > 0);
          }
        }
      }
    }
  }

  TEST_CASE("GPU error metrics and histograms equal the CPU's bit for bit") {
    if (!have_gpu()) return;
    std::uint64_t k = base_seed() + 900;
    for (const std::string& spec : recipe_specs()) {
      for (DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
        for (const Tensor& x : {random_tensor(dtype, 37, 50, ++k), random_tensor(dtype, 300, 129, ++k),
                                edge_tensor(dtype, 5, 37, true)}) {
          for (int bins : {10, 101, 1000}) {
            const kernels::CrossCheck c = kernels::cross_check_metrics(spec, x, bins);
            CHECK_MESSAGE(c.bytes_differing == 0, spec << " " << core::dtype_name(dtype) << " bins " << bins << ": "
                                                       << c.error << c.first_difference);
            CHECK(c.bytes_compared >= 80 + 16 * static_cast<std::uint64_t>(bins));
          }
        }
      }
    }
  }

  TEST_CASE("amax ignores NaN, sees Inf, and equals the CPU's on a large tensor") {
    if (!have_gpu()) return;
    Tensor x = random_tensor(DType::kBF16, 2048, 4100, base_seed() + 7);
    x.set(12345, kNan);
    x.set(777777, 3e38f);  // the largest magnitude, far from the rest
    const formats::Recipe r = core::parse_recipe("nvfp4:te");
    core::QuantizedTensor gq;
    REQUIRE_NOTHROW(gq = kernels::gpu_quantize(r, formats::ScaleLayout::kRowMajor, x.view()));
    CHECK(gq.tensor_scale.amax == core::tensor_amax(x.view(), r));
    CHECK(gq.tensor_scale.amax == x.at(777777));
    x.set(5, -kInf);
    REQUIRE_NOTHROW(gq = kernels::gpu_quantize(r, formats::ScaleLayout::kRowMajor, x.view()));
    CHECK(std::isinf(gq.tensor_scale.amax));
  }
}
