// `fp4lab`: the headless command-line tool over the experiment registry.
//   fp4lab list | fp4lab <experiment> [--param value ...] [--out DIR] [--quiet] [--json]
//   fp4lab run config.json | fp4lab --version
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "experiments/demo.hpp"
#include "experiments/experiment.hpp"
#include "experiments/export/report.hpp"
#include "experiments/quantized_file.hpp"
#ifdef FP4LAB_HAVE_CUDA
#include "core/device_quantizer.hpp"
#include "kernels/commands.hpp"
#include "kernels/cuda_quantizer.hpp"
#endif

using namespace fp4lab::exp;

namespace {

constexpr const char* kUsage =
    "usage: fp4lab <command> [options]\n"
    "  fp4lab list                         the experiments\n"
    "  fp4lab <experiment> --help          an experiment's parameters and defaults\n"
    "  fp4lab <experiment> [--PARAM VALUE ...] [--out DIR] [--threads N] [--quiet] [--json]\n"
    "                                      run one; --out writes result.json, CSV, SVG, index.html\n"
    "  fp4lab demo [--out DIR] [--rows N] [--cols N] [--threads N] [--quiet]\n"
    "                                      the 4/6 paper's story on an embedded default -> DIR/index.html\n"
    "  fp4lab quantize IN --recipe SPEC --out OUT.safetensors [--tensors GLOB] [--swizzle]\n"
    "                                      packed codes, block scales, tensor scale (--help for all)\n"
    "  fp4lab dequantize IN.safetensors --out OUT.safetensors [--dtype f32|bf16|f16]\n"
    "                                      a quantized file back to floats\n"
    "  fp4lab run CONFIG.json              a batch: {\"runs\": [{\"experiment\": ID, \"params\": {...}, \"out\": DIR}]}\n"
    "  fp4lab verify [--quick] [--seed N]  the GPU against formats/ and the CPU (CUDA builds)\n"
    "  fp4lab bench [--sizes-mib ...]      GPU quantizer bandwidth against a d2d copy (CUDA builds)\n"
    "  fp4lab --version\n";

struct Options {
  std::string out;
  bool quiet = false;
  bool json = false;
};

/// Progress bar on stderr, redrawn at most every 100 ms.
class ProgressBar {
 public:
  explicit ProgressBar(bool quiet) : quiet_(quiet) {}
  ~ProgressBar() { finish(); }
  bool operator()(double f, std::string_view stage) {
    if (quiet_) return true;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && f < 1.0 && now - last_ < std::chrono::milliseconds(100)) return true;
    last_ = now;
    drawn_ = true;
    const int width = 30, filled = static_cast<int>(f * width + 0.5);
    fmt::print(stderr, "\r[{}{}] {:3.0f}% {:<40.40}", std::string(filled, '#'), std::string(width - filled, '.'), f * 100, stage);
    std::fflush(stderr);
    return true;
  }
  void finish() {
    if (drawn_ && !quiet_) fmt::print(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool quiet_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

/// A CLI value typed like the parameter's default.
Params typed_value(const Params& def, const std::string& key, const std::string& v) {
  if (def.is_boolean()) {
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    throw std::invalid_argument("--" + key + " takes true or false, got '" + v + "'");
  }
  if (def.is_number()) {
    std::size_t used = 0;
    double d = 0;
    try {
      d = std::stod(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (v.empty() || used != v.size()) throw std::invalid_argument("--" + key + " takes a number, got '" + v + "'");
    if (def.is_number_integer() && d == static_cast<double>(static_cast<long long>(d))) return static_cast<long long>(d);
    return d;
  }
  return v;
}

/// `--threads N`: an integer in [0, 1024], 0 meaning all cores.
int parse_threads(const std::string& v) {
  const bool digits = !v.empty() && v.size() <= 4 &&
                      v.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(v) > 1024) {
    throw std::invalid_argument("--threads takes an integer in [0, 1024] (0: all cores), got '" + v + "'");
  }
  return std::stoi(v);
}

int run_one(const Experiment& e, const Params& params, const Options& o) {
  ProgressBar bar(o.quiet);
  const Result r = e.run(params, [&](double f, std::string_view s) { return bar(f, s); });
  bar.finish();
  if (o.json) {
    std::puts(to_json(r).dump(2).c_str());
  } else {
    std::fputs(r.summary.c_str(), stdout);
    if (!r.summary.empty() && r.summary.back() != '\n') std::fputc('\n', stdout);
  }
  if (!o.out.empty()) {
    write_result_dir(r, o.out);
    if (!o.quiet) fmt::print(stderr, "wrote {}/index.html\n", o.out);
  }
  return 0;
}

void print_help(const Experiment& e) {
  const ExperimentInfo i = e.info();
  fmt::print("fp4lab {}: {}\n  {}\nparameters (--NAME VALUE):\n", i.id, i.title, i.summary);
  const Params d = e.default_params();
  for (const auto& [k, help] : e.param_help()) fmt::print("  --{:<20} {} (default: {})\n", k, help, d.at(k).dump());
  fmt::print("options: --out DIR  --threads N{}  --quiet  --json\n",
             d.contains("threads") ? "" : " (accepted; this experiment runs on one thread)");
}

int run_batch(const Registry& reg, const std::string& path, bool quiet) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot open config '" + path + "'");
  Params cfg;
  try {
    cfg = Params::parse(in);
  } catch (const std::exception& ex) {
    throw std::invalid_argument("config '" + path + "' is not valid JSON: " + ex.what());
  }
  if (!cfg.is_object() || !cfg.contains("runs") || !cfg["runs"].is_array()) {
    throw std::invalid_argument("config '" + path + "' needs {\"runs\": [ ... ]}");
  }
  // validate every run before running any, so a typo in run 5 fails fast
  for (std::size_t k = 0; k < cfg["runs"].size(); ++k) {
    const Params& run = cfg["runs"][k];
    if (!run.is_object() || !run.contains("experiment") || !run["experiment"].is_string()) {
      throw std::invalid_argument(fmt::format("config run {}: needs \"experiment\"", k + 1));
    }
    const Experiment* e = reg.find(run["experiment"].get<std::string>());
    if (!e) throw std::invalid_argument(fmt::format("config run {}: unknown experiment '{}'", k + 1, run["experiment"].get<std::string>()));
    merge_params(e->default_params(), run.value("params", Params::object()), e->info().id);
  }
  for (const Params& run : cfg["runs"]) {
    Options o;
    o.quiet = quiet;
    o.out = run.value("out", std::string());
    run_one(*reg.find(run["experiment"].get<std::string>()), run.value("params", Params::object()), o);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Registry reg;
  register_all(reg);
#ifdef FP4LAB_HAVE_CUDA  // --device cuda; probed on first use
  fp4lab::core::set_device_quantizer_factory(fp4lab::kernels::make_cuda_quantizer);
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
    if (cmd == "demo") {
      std::string out = "fp4lab-demo";
      int rows = 2048, cols = 2048, threads = 0;
      bool quiet = false;
      for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
          if (i + 1 >= argc) throw std::invalid_argument("demo: " + a + " needs a value");
          return argv[++i];
        };
        if (a == "--out") {
          out = value();
        } else if (a == "--rows") {
          rows = static_cast<int>(typed_value(Params(1), "rows", value()).get<double>());
        } else if (a == "--cols") {
          cols = static_cast<int>(typed_value(Params(1), "cols", value()).get<double>());
        } else if (a == "--threads") {
          threads = parse_threads(value());
        } else if (a == "--quiet") {
          quiet = true;
        } else {
          throw std::invalid_argument("demo: unknown option '" + a + "'; accepted: --out DIR, --rows N, --cols N, --threads N, --quiet");
        }
      }
      if (rows < 16 || rows > 16384 || cols < 16 || cols > 16384) {
        throw std::invalid_argument("demo: rows and cols must be in [16, 16384]");
      }
      ProgressBar bar(quiet);
      run_demo(reg, out, rows, cols, quiet, [&](double f, std::string_view s) { return bar(f, s); }, threads);
      bar.finish();
      fmt::print("demo report: {}/index.html\n", out);
      return 0;
    }
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
    if (cmd == "run") {
      bool quiet = false;
      std::string path;
      for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quiet") {
          quiet = true;
        } else if (path.empty()) {
          path = a;
        } else {
          throw std::invalid_argument("run: unexpected argument '" + a + "'");
        }
      }
      if (path.empty()) throw std::invalid_argument("run: give a config file");
      return run_batch(reg, path, quiet);
    }
    const Experiment* e = reg.find(cmd);
    if (!e) {
      std::string ids;
      for (const auto& x : reg.all()) ids += (ids.empty() ? "" : ", ") + x->info().id;
      throw std::invalid_argument("unknown command '" + cmd + "'; experiments: " + ids + " (and list, run, demo, quantize, dequantize)");
    }
    const Params defaults = e->default_params();
    Params given = Params::object();
    Options o;
    for (int i = 2; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--help" || a == "-h") {
        print_help(*e);
        return 0;
      }
      if (a == "--quiet") {
        o.quiet = true;
        continue;
      }
      if (a == "--json") {
        o.json = true;
        continue;
      }
      if (a.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + a + "'");
      std::string key = a.substr(2), value;
      if (const auto eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else {
        if (i + 1 >= argc) throw std::invalid_argument("--" + key + " needs a value");
        value = argv[++i];
      }
      if (key == "out") {
        o.out = value;
        continue;
      }
      if (key == "threads") {  // every experiment accepts it; those without a thread count run on one
        const int n = parse_threads(value);
        if (defaults.contains("threads")) given["threads"] = n;
        continue;
      }
      for (char& c : key) c = c == '-' ? '_' : c;
      if (!defaults.contains(key)) {
        std::string known;
        for (const auto& [k, v] : defaults.items()) known += (known.empty() ? "" : ", ") + k;
        throw std::invalid_argument(cmd + ": unknown option '--" + key + "'; accepted: " + known + ", out, threads, quiet, json");
      }
      given[key] = typed_value(defaults.at(key), key, value);
    }
    return run_one(*e, given, o);
  } catch (const Cancelled&) {
    fmt::print(stderr, "fp4lab: cancelled\n");
    return 130;
  } catch (const std::exception& ex) {
    fmt::print(stderr, "fp4lab: error: {}\n", ex.what());
    return 1;
  }
}
