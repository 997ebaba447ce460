// `fp4lab`: the headless command-line tool over the experiment registry. Dispatches on the first
// argument: list, --version, --help, an experiment, demo, run, quantize, dequantize, verify, bench.
#include <fmt/format.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "experiments/cli/commands.hpp"
#include "experiments/cli/quantize_command.hpp"
#include "experiments/experiment.hpp"
#ifdef FP4LAB_HAVE_CUDA
#include "core/device_quantizer.hpp"
#include "experiments/cli/gpu/commands.hpp"
#include "kernels/cuda_quantizer.hpp"
#endif

using namespace fp4lab::exp;

namespace {

constexpr const char* kUsage =
    "usage: fp4lab <command> [options]\n"
    "  fp4lab list                         the experiments\n"
    "  fp4lab <experiment> --help          an experiment's parameters and defaults\n"
    "  fp4lab <experiment> [--PARAM VALUE ...] [--out DIR [--force]] [--threads N] [--quiet] [--json]\n"
    "                                      run one; --out writes result.json, CSV, SVG, index.html\n"
    "                                      (a new or empty DIR; --force replaces the last run's files)\n"
    "  fp4lab demo [--out DIR [--force]] [--rows N] [--cols N] [--threads N] [--quiet]\n"
    "                                      the 4/6 paper's story on an embedded default -> DIR/index.html\n"
    "  fp4lab quantize IN --recipe SPEC --out OUT.safetensors [--tensors GLOB] [--swizzle]\n"
    "                                      packed codes, block scales, tensor scale (--help for all)\n"
    "  fp4lab dequantize IN.safetensors --out OUT.safetensors [--dtype f32|bf16|f16]\n"
    "                                      a quantized file back to floats\n"
    "  fp4lab tokenize --out FILE [--model GGUF] [--text TEXT]\n"
    "                                      token ids of a text under a GGUF model's BPE tokenizer\n"
    "  fp4lab run CONFIG.json [--force]    a batch: {\"runs\": [{\"experiment\": ID, \"params\": {...}, \"out\": DIR}]}\n"
    "  fp4lab verify [--quick] [--seed N]  the GPU against formats/ and the CPU (CUDA builds)\n"
    "  fp4lab bench [--sizes-mib ...]      GPU quantizer bandwidth against a d2d copy (CUDA builds)\n"
    "  fp4lab --version\n";

}  // namespace

int main(int argc, char** argv) {
  Registry reg;
  register_all(reg);
#ifdef FP4LAB_HAVE_CUDA
  fp4lab::core::set_device_quantizer_factory(fp4lab::kernels::make_cuda_quantizer);  // --device cuda; probed on first use
#endif
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (cmd == "--version") {
      fmt::print("fp4lab {} ({})\n", FP4LAB_VERSION, FP4LAB_GIT_REVISION);
      return 0;
    }
    if (cmd == "list") {
      for (const auto& e : reg.all()) fmt::print("{:<16} {}\n", e->info().id, e->info().summary);
      return 0;
    }
    if (cmd == "demo") return fp4lab::cli::run_demo_command(reg, argc - 1, argv + 1);
    if (cmd == "tokenize") return fp4lab::cli::run_tokenize_command(argc - 1, argv + 1);
    if (cmd == "quantize") return run_quantize_command(argc - 1, argv + 1);
    if (cmd == "dequantize") return run_dequantize_command(argc - 1, argv + 1);
    if (cmd == "verify" || cmd == "bench") {
#ifdef FP4LAB_HAVE_CUDA
      return cmd == "verify" ? fp4lab::kernels::verify_main(argc - 1, argv + 1)
                             : fp4lab::kernels::bench_main(argc - 1, argv + 1);
#else
      throw std::invalid_argument("'" + cmd + "' needs the CUDA part: this fp4lab was built without nvcc");
#endif
    }
    if (cmd == "run") return fp4lab::cli::run_batch_command(reg, argc - 1, argv + 1);
    const Experiment* e = reg.find(cmd);
    if (!e) {
      std::string ids;
      for (const auto& x : reg.all()) ids += (ids.empty() ? "" : ", ") + x->info().id;
      throw std::invalid_argument("unknown command '" + cmd + "'; experiments: " + ids + " (and list, run, demo, quantize, dequantize, tokenize)");
    }
    return fp4lab::cli::run_experiment_command(*e, argc - 1, argv + 1);
  } catch (const Cancelled&) {
    fmt::print(stderr, "fp4lab: cancelled\n");
    return 130;
  } catch (const std::exception& ex) {
    fmt::print(stderr, "fp4lab: error: {}\n", ex.what());
    return 1;
  }
}
