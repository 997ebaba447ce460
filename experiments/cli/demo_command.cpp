// `fp4lab demo`: the 4/6 paper's story on an embedded default tensor, one report folder with an
// index page (experiments/demo.hpp does the work; this is its command line).
#include <fmt/format.h>

#include <stdexcept>

#include "experiments/cli/args.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/progress.hpp"
#include "experiments/demo.hpp"

namespace fp4lab::cli {

int run_demo_command(const exp::Registry& registry, int argc, char** argv) {
  std::string out = "fp4lab-demo";
  int rows = 2048, cols = 2048, threads = 0;
  bool quiet = false, force = false;
  std::string formats = "svg";
  Args args("fp4lab demo",
            "The 4/6 paper's story on an embedded default tensor -> DIR/index.html.");
  args.usage_exit_code(1);
  args.option("out", out, "the report folder").placeholder("DIR");
  args.option("rows", rows, "rows of the tensor").range(16, 16384);
  args.option("cols", cols, "columns of the tensor").range(16, 16384);
  args.option("format", formats, "figure files: svg, png, pdf, comma-separated").placeholder("LIST");
  args.threads(threads);
  args.flag("force", force,
            "reuse a non-empty DIR: delete the files its manifest lists, keep the others");
  args.flag("quiet", quiet, "no progress bar on stderr");
  if (const auto rc = args.parse(argc, argv)) return *rc;
  std::vector<exp::ImageFormat> figure_formats;
  try {
    figure_formats = exp::parse_formats(formats);
  } catch (const std::invalid_argument& e) {
    return args.usage_error(std::string("--format: ") + e.what());
  }
  core::OutputDir dir = open_output_dir(out, force, quiet);  // before any computation
  ProgressBar bar(quiet);
  try {
    exp::run_demo(
        registry, out, rows, cols, quiet, [&](double f, std::string_view s) { return bar(f, s); },
        threads, figure_formats);
  } catch (...) {
    commit_after_failure(dir, "fp4lab demo");
    throw;
  }
  bar.finish();
  dir.commit("fp4lab demo");
  fmt::print("demo report: {}/index.html\n", out);
  return 0;
}

}  // namespace fp4lab::cli
