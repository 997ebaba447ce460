// `fp4lab verify` (experiments/cli/gpu/commands.hpp): the GPU against formats/ and the CPU. Three parts:
// every float32 through each hardware conversion the device has; every kernel against its CPU
// twin on fresh random tensors of awkward shapes and on edge values; cuBLASLt GEMMs against the
// simulated GEMM. Prints a summary table last.
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiments/cli/args.hpp"
#include "experiments/cli/gpu/commands.hpp"
#include "experiments/cli/gpu/cross_check.hpp"
#include "experiments/cli/gpu/gemm_check.hpp"
#include "kernels/block_quantize.hpp"
#include "kernels/hw_conversions.hpp"
#include "tests/support/stress_tensors.hpp"

namespace fp4lab::kernels {
namespace {

constexpr const char* kAbout =
    "Every float32 through each hardware conversion of the device (skipped with --quick), every\n"
    "GPU kernel against its CPU twin bit for bit (fresh tensors from --seed, default: the clock), and\n"
    "cuBLASLt GEMMs against the simulated GEMM.";

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int verify_main(int argc, char** argv) {
  bool quick = false;
  std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::vector<int> gemm = {1024, 1024, 1024};
  cli::Args args("fp4lab verify", kAbout);
  args.flag("quick", quick, "skip the exhaustive hardware-conversion sweep");
  args.option("seed", seed, "seed of the random tensors").default_text("the clock");
  args.option("gemm", gemm, "GEMM shape M,N,K (multiples of 128)").placeholder("M,N,K").range(1, 16384);
  args.footer("Exit 0: no mismatch; 1: a mismatch; 2: bad arguments; 3: no CUDA device.");
  if (const auto rc = args.parse(argc, argv)) return *rc;
  if (gemm.size() != 3) return args.usage_error("--gemm takes M,N,K (three integers), got " + std::to_string(gemm.size()));
  const int gm = gemm[0], gn = gemm[1], gk = gemm[2];
  if (device_count() == 0) {
    std::fprintf(stderr, "fp4lab verify: no CUDA device: nothing verified\n");
    return 3;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  std::printf("device: %s (sm_%d%d); seed %llu\n", prop.name, prop.major, prop.minor,
              static_cast<unsigned long long>(seed));
  bool all_ok = true;

  // 1. hardware conversions, exhaustive
  std::vector<ConversionCheck> conv;
  if (!quick) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      conv = check_hw_conversions();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fp4lab verify: hardware conversion check failed: %s\n", e.what());
      return 1;
    }
    std::printf("\n[1/3] hardware conversions and device fast paths, exhaustive (%.1f s)\n", seconds_since(t0));
    for (const ConversionCheck& c : conv) {
      std::printf("  %-30s %-8s %12llu inputs %10llu mismatches  %s\n", c.name.c_str(),
                  c.supported ? "ran" : "skipped", static_cast<unsigned long long>(c.checked),
                  static_cast<unsigned long long>(c.mismatches), c.note.c_str());
      for (std::uint32_t u : c.first_inputs) std::printf("    mismatch at float bits 0x%08x\n", u);
      all_ok = all_ok && c.mismatches == 0;
    }
  }

  // 2. every kernel against the CPU
  struct Row {
    std::string spec;
    int cases = 0;
    std::uint64_t compared = 0, differing = 0;
    std::string first;
  };
  std::vector<Row> rows;
  {
    const auto t0 = std::chrono::steady_clock::now();
    const std::int64_t shapes[][2] = {{1, 1000}, {3, 7}, {37, 50}, {300, 129}, {1024, 1024}};
    const core::DType dtypes[] = {core::DType::kF32, core::DType::kBF16, core::DType::kF16};
    std::uint64_t k = 0;
    // one case's outcome into its row (the first difference kept, with the dtype and shape)
    auto tally = [](Row& row, core::DType dt, const core::Tensor& x, const CrossCheck& c) {
      ++row.cases;
      row.compared += c.bytes_compared;
      row.differing += c.bytes_differing;
      if (row.first.empty() && c.bytes_differing) {
        row.first = std::string(core::dtype_name(dt)) + " " + std::to_string(x.view().rows()) + "x" +
                    std::to_string(x.view().cols()) + ": " + (c.error.empty() ? c.first_difference : c.error);
      }
    };
    // the three tensors of the metrics and simulation rows: two fresh, one of edge values
    auto small_inputs = [&](core::DType dt) {
      std::vector<core::Tensor> v;
      v.push_back(testing::scale_jump_tensor(dt, 300, 129, seed + (++k)));
      v.push_back(testing::scale_jump_tensor(dt, 1, 1000, seed + (++k)));
      v.push_back(testing::edge_value_tensor(dt, 5, 37, testing::NonFinite::kInclude));
      return v;
    };
    auto finish = [&](Row& row) {
      all_ok = all_ok && row.differing == 0;
      rows.push_back(row);
    };
    for (const std::string& spec : cross_check_recipe_specs()) {
      Row row;
      row.spec = spec;
      for (core::DType dt : dtypes) {
        std::vector<core::Tensor> inputs;
        for (const auto& s : shapes) inputs.push_back(testing::scale_jump_tensor(dt, s[0], s[1], seed + (++k)));
        inputs.push_back(testing::edge_value_tensor(dt, 9, 48, testing::NonFinite::kExclude));
        inputs.push_back(testing::edge_value_tensor(dt, 5, 37, testing::NonFinite::kInclude));
        for (const core::Tensor& x : inputs) tally(row, dt, x, cross_check(spec, x));
      }
      finish(row);
    }
    // error metrics and histograms on the GPU (what `compare --device cuda` reports)
    for (const std::string& spec : cross_check_recipe_specs()) {
      Row row;
      row.spec = "metrics+histograms " + spec;
      for (core::DType dt : dtypes) {
        for (const core::Tensor& x : small_inputs(dt)) tally(row, dt, x, cross_check_metrics(spec, x, 101));
      }
      finish(row);
    }
    // thresholded / HP simulation (the paper's Fig. 2) for the recipes it supports
    for (const char* spec : {"nvfp4:te", "nvfp4:4over6:mse", "nvfp4:4over6:abs_max:sr:seed=4"}) {
      for (const SimulateCase& sc : cross_check_simulate_cases()) {
        Row row;
        row.spec = std::string("simulate ") + spec + " " + sc.name;
        for (core::DType dt : dtypes) {
          for (const core::Tensor& x : small_inputs(dt)) tally(row, dt, x, cross_check_simulate(spec, sc.options, x));
        }
        finish(row);
      }
    }
    std::printf("\n[2/3] GPU kernels against the CPU twin, bit for bit (%.1f s)\n", seconds_since(t0));
    std::printf("  %-48s %6s %14s %10s\n", "recipe", "cases", "bytes compared", "differing");
    for (const Row& r : rows) {
      std::printf("  %-48s %6d %14llu %10llu  %s\n", r.spec.c_str(), r.cases,
                  static_cast<unsigned long long>(r.compared), static_cast<unsigned long long>(r.differing),
                  r.first.c_str());
    }
  }

  // 3. GEMMs
  std::vector<GemmCheck> gemms;
  {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      gemms = check_gemms(gm, gn, gk, seed);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fp4lab verify: GEMM check failed: %s\n", e.what());
      return 1;
    }
    std::printf("\n[3/3] cuBLASLt GEMMs, D = Q(A) Q(B)^T, %d x %d x %d, against the float64 product of the\n"
                "      dequantized operands R; the FP32 GEMM of the same operands shows the accumulation noise\n"
                "      (%.1f s)\n",
                gm, gn, gk, seconds_since(t0));
    std::printf("  %-50s %8s %12s %12s %12s %s\n", "GEMM", "status", "rel err", "FP32 rel err", "bound k*2^-24",
                "within");
    for (const GemmCheck& g : gemms) {
      if (!g.ran) {
        std::printf("  %-50s %8s  %s\n", g.name.c_str(), "skipped", g.note.c_str());
        continue;
      }
      std::printf("  %-50s %8s %12.3e %12.3e %12.3e %s\n", g.name.c_str(), "ran", g.rel_err_hw, g.rel_err_fp32,
                  g.noise_bound, g.within_noise ? "yes" : "NO");
    }
  }

  // summary
  std::uint64_t kc = 0, kd = 0, mc = 0, md = 0;
  std::size_t kernel_rows = 0, metric_rows = 0;
  for (const Row& r : rows) {
    const bool metric = r.spec.rfind("metrics+histograms ", 0) == 0;
    (metric ? mc : kc) += r.compared;
    (metric ? md : kd) += r.differing;
    ++(metric ? metric_rows : kernel_rows);
  }
  std::printf("\nsummary on %s\n", prop.name);
  for (const ConversionCheck& c : conv) {
    std::printf("  %-48s %s\n", c.name.c_str(),
                c.supported ? (std::to_string(c.checked) + " inputs, " + std::to_string(c.mismatches) + " mismatches")
                                  .c_str()
                            : "skipped (not on this device)");
  }
  std::printf("  %-48s %zu recipe settings, %llu bytes, %llu differing\n", "kernels vs CPU", kernel_rows,
              static_cast<unsigned long long>(kc), static_cast<unsigned long long>(kd));
  std::printf("  %-48s %zu recipes, %llu bytes of figures, %llu differing\n", "metrics + histograms vs CPU",
              metric_rows, static_cast<unsigned long long>(mc), static_cast<unsigned long long>(md));
  for (const GemmCheck& g : gemms) {
    if (g.ran) {
      std::printf("  %-48s rel err %.3e (FP32 GEMM %.3e), %s the k*2^-24 bound\n", g.name.c_str(), g.rel_err_hw,
                  g.rel_err_fp32, g.within_noise ? "within" : "OUTSIDE");
    } else {
      std::printf("  %-48s skipped: %s\n", g.name.c_str(), g.note.c_str());
    }
  }
  std::printf("verify: %s\n", all_ok ? "every bit-exact comparison matched" : "MISMATCHES (see above)");
  return all_ok ? 0 : 1;
}

}  // namespace fp4lab::kernels
