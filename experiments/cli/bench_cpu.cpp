// CPU fake-quantize throughput benchmark (prints figures; not a test): elements per second on
// one core and on all cores for NVFP4-te, 4/6-mse and MXFP4-floor on a 4096x4096 BF16 tensor,
// with the all-core/one-core ratio measured in the same run; then the `compare` experiment with
// 8 recipes on the same size (the "a few seconds on 2 cores" target).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/random.hpp"
#include "experiments/cli/args.hpp"
#include "experiments/experiment.hpp"

using namespace fp4lab;

namespace {

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

  formats::Recipe te, fos, mx;
  fos.nv = formats::NvRecipe::kFourOverSix;
  mx.format = formats::BlockFormat::kMXFP4;
  mx.block_size = 32;
  const std::pair<const char*, formats::Recipe> recipes[] = {{"nvfp4:te", te}, {"nvfp4:4over6:mse", fos},
                                                             {"mxfp4:floor", mx}};
  fmt::print("CPU fake-quantize, {}x{} BF16 -> BF16, best of {} runs, {} hardware threads\n", rows, cols, reps, all);
  fmt::print("{:<20} {:>16} {:>16} {:>10}\n", "recipe", "1 core Melem/s", fmt::format("{} cores Melem/s", all),
             "speed-up");
  const double n = static_cast<double>(rows * cols);
  for (const auto& [name, r] : recipes) {
    const double t1 = seconds_of_best(reps, [&] { core::fake_quantize(x.view(), r, core::DType::kBF16, 1); });
    const double tn = seconds_of_best(reps, [&] { core::fake_quantize(x.view(), r, core::DType::kBF16, all); });
    fmt::print("{:<20} {:>16.1f} {:>16.1f} {:>9.2f}x\n", name, n / t1 / 1e6, n / tn / 1e6, t1 / tn);
  }

  exp::Registry reg;
  exp::register_all(reg);
  const exp::Experiment* compare = reg.find("compare");
  const exp::Params p = {{"rows", rows}, {"cols", cols}, {"threads", all}};
  const std::string specs = compare->default_params().at("recipes").get<std::string>();
  const double tc = seconds_of_best(1, [&] { compare->run(p, nullptr); });
  fmt::print("\ncompare, {} recipes ({}), {}x{} BF16 synthetic, {} threads: {:.2f} s "
             "(including generating the tensor)\n",
             std::count(specs.begin(), specs.end(), ',') + 1, specs, rows, cols, all, tc);
  return 0;
}
