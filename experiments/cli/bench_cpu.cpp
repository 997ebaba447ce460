// CPU fake-quantize throughput benchmark (prints figures; not a test): elements per second on
// a 4096x4096 BF16 tensor for NVFP4 (te, modelopt, torchao, 4/6) and MXFP4, per code path side
// by side in one run (the scalar formats/ code, then each SIMD target this CPU runs, on all
// cores; the best path on one core too); then the `compare` experiment with 8 recipes, scalar
// and SIMD.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/random.hpp"
#include "core/simd/simd.hpp"
#include "experiments/cli/args.hpp"
#include "experiments/experiment.hpp"

using namespace fp4lab;

namespace {

/// CPU time of the calling thread: a one-thread figure that other processes' load on a shared
/// machine does not inflate (wall-clock figures there do).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double cpu_seconds_of_best(int reps, const auto& fn) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    const double t0 = thread_cpu_seconds();
    fn();
    best = std::min(best, thread_cpu_seconds() - t0);
  }
  return best;
}

double seconds_of_best(int reps, const auto& fn) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 4096, cols = 4096;
  int reps = 3;
  cli::Args args("fp4lab-bench-cpu", "CPU fake-quantize throughput, one core against all, then `compare` on the same size.");
  args.option("rows", rows, "rows of the BF16 tensor").range(1, 1 << 20);
  args.option("cols", cols, "columns of the BF16 tensor").range(1, 1 << 20);
  args.option("reps", reps, "runs per measurement (the best counts)").range(1, 1000);
  if (const auto rc = args.parse(argc, argv)) return *rc;
  std::vector<float> values(static_cast<std::size_t>(rows * cols));
  core::fill_normal(values, 1234);
  const core::Tensor x = core::Tensor::from_floats(values, core::DType::kBF16, {rows, cols});
  const int all = core::resolve_threads(0);

  formats::Recipe te, modelopt, torchao, fos, mae, absmax, mx, if4;
  modelopt.nv = formats::NvRecipe::kModelopt;
  torchao.nv = formats::NvRecipe::kTorchao;
  fos.nv = mae.nv = absmax.nv = formats::NvRecipe::kFourOverSix;
  mae.rule = formats::FourSixRule::kMae;
  absmax.rule = formats::FourSixRule::kAbsMax;
  mx.format = formats::BlockFormat::kMXFP4;
  mx.block_size = 32;
  if4.format = formats::BlockFormat::kIF4;
  const std::pair<const char*, formats::Recipe> recipes[] = {
      {"nvfp4:te", te},           {"nvfp4:modelopt", modelopt},       {"nvfp4:torchao", torchao},
      {"nvfp4:4over6:mse", fos},  {"nvfp4:4over6:mae", mae},          {"nvfp4:4over6:abs_max", absmax},
      {"mxfp4:floor", mx},        {"if4:mse", if4}};
  // the paths: the scalar code (SIMD off), then each SIMD target, widest last
  std::vector<std::int64_t> targets = core::simd::available_targets();
  std::erase_if(targets, [](std::int64_t t) {
    const std::string n = core::simd::target_name(t);
    return n != "AVX2" && n != "AVX3" && n != "AVX3_DL" && n != "SSE4";
  });
  std::reverse(targets.begin(), targets.end());
  const auto use = [](std::int64_t target) {  // 0: scalar
    core::simd::set_enabled(target != 0);
    core::simd::use_target(target);
  };
  const auto label = [](std::int64_t target) {
    const std::string n = target == 0 ? "scalar" : core::simd::target_name(target);
    return n == "AVX3" ? std::string("AVX-512") : n;
  };
  std::vector<std::int64_t> paths = {0};
  paths.insert(paths.end(), targets.begin(), targets.end());
  fmt::print("CPU fake-quantize, {}x{} BF16 -> BF16, best of {} runs, Melem/s on {} threads per path "
             "(x: ratio to scalar, same run); then one thread by its CPU time\n",
             rows, cols, reps, all);
  fmt::print("{:<22}", "recipe");
  for (std::int64_t t : paths) fmt::print(" {:>17}", label(t));
  fmt::print(" {:>20} {:>20}\n", "scalar 1 thread CPU", fmt::format("{} 1 thread CPU", label(paths.back())));
  const double n = static_cast<double>(rows * cols);
  for (const auto& [name, r] : recipes) {
    fmt::print("{:<22}", name);
    double scalar = 0;
    for (std::int64_t t : paths) {
      use(t);
      const double tn = seconds_of_best(reps, [&] { core::fake_quantize(x.view(), r, core::DType::kBF16, all); });
      if (t == 0) scalar = tn;
      fmt::print(" {:>17}", t == 0 ? fmt::format("{:.1f}", n / tn / 1e6)
                                   : fmt::format("{:.1f} ({:.1f}x)", n / tn / 1e6, scalar / tn));
    }
    use(0);
    const double c0 = cpu_seconds_of_best(reps, [&] { core::fake_quantize(x.view(), r, core::DType::kBF16, 1); });
    use(paths.back());
    const double c1 = cpu_seconds_of_best(reps, [&] { core::fake_quantize(x.view(), r, core::DType::kBF16, 1); });
    fmt::print(" {:>20.1f} {:>20}\n", n / c0 / 1e6, fmt::format("{:.1f} ({:.1f}x)", n / c1 / 1e6, c0 / c1));
  }

  exp::Registry reg;
  exp::register_all(reg);
  const exp::Experiment* compare = reg.find("compare");
  const exp::Params p = {{"rows", rows}, {"cols", cols}, {"threads", all}};
  const std::string specs = compare->default_params().at("recipes").get<std::string>();
  fmt::print("\ncompare, {} recipes ({}), {}x{} BF16 synthetic, {} threads:\n",
             std::count(specs.begin(), specs.end(), ',') + 1, specs, rows, cols, all);
  // the first run generates the synthetic tensor (the CLI's one-shot case); the experiments keep
  // it, so the later runs copy it (the GUI's and a batch's case): both figures, labelled
  use(paths.back());
  fmt::print("  {:<8} {:.2f} s  (first run: generating the tensor included)\n", label(paths.back()),
             seconds_of_best(1, [&] { compare->run(p, nullptr); }));
  for (std::int64_t t : {paths.front(), paths.back()}) {
    use(t);
    fmt::print("  {:<8} {:.2f} s  (tensor from the experiments' cache)\n", label(t),
               seconds_of_best(1, [&] { compare->run(p, nullptr); }));
  }
  use(paths.back());
  return 0;
}
