// `fp4lab <experiment>`: one experiment from the command line. Every entry of the experiment's
// parameter list becomes an option typed like its default (--some-key and --some_key alike),
// beside --out DIR, --threads N, --quiet and --json.
#include <fmt/format.h>

#include <cstdio>
#include <deque>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "experiments/cli/args.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/progress.hpp"
#include "experiments/export/report.hpp"
#include "experiments/param_spec.hpp"

namespace fp4lab::cli {
namespace {

using exp::Params;

/// One experiment parameter's option: where the parser stores its value.
struct ParamSlot {
  std::string key;
  Params default_value;
  bool flag = false;
  double number = 0;
  std::string text;
};

/// The JSON value of a given parameter, typed like its default (an integer stays an integer
/// when the number given is whole).
Params typed_value(const ParamSlot& s) {
  if (s.default_value.is_boolean()) return s.flag;
  if (s.default_value.is_number()) {
    if (s.default_value.is_number_integer() &&
        s.number == static_cast<double>(static_cast<long long>(s.number))) {
      return static_cast<long long>(s.number);
    }
    return s.number;
  }
  return s.text;
}

}  // namespace

core::OutputDir open_output_dir(const std::string& out, bool force, bool quiet) {
  core::OutputDir dir(out, force ? core::Overwrite::kForce : core::Overwrite::kRefuse);
  if (!quiet && !dir.note().empty()) fmt::print(stderr, "fp4lab: {}\n", dir.note());
  return dir;
}

void commit_after_failure(core::OutputDir& dir, const std::string& command) noexcept {
  try {
    if (std::filesystem::is_directory(dir.path())) dir.commit(command + " (failed)");
  } catch (...) {
  }
}

int run_experiment(const exp::Experiment& e, const Params& params, const RunOptions& o,
                   core::OutputDir* dir) {
  std::optional<core::OutputDir> own;  // checked before the computation starts
  if (!o.out.empty() && !dir) dir = &own.emplace(open_output_dir(o.out, o.force, o.quiet));
  const std::string command = "fp4lab " + e.info().id;
  ProgressBar bar(o.quiet);
  const exp::Result r = e.run(params, [&](double f, std::string_view s) { return bar(f, s); });
  bar.finish();
  if (o.json) {
    std::puts(exp::to_json(r).dump(2).c_str());
  } else {
    std::fputs(r.summary.c_str(), stdout);
    if (!r.summary.empty() && r.summary.back() != '\n') std::fputc('\n', stdout);
  }
  if (dir) {
    try {
      exp::write_result_dir(r, o.out, o.formats);
    } catch (...) {
      commit_after_failure(*dir, command);
      throw;
    }
    dir->commit(command);
    if (!o.quiet) fmt::print(stderr, "wrote {}/index.html\n", o.out);
  }
  return 0;
}

int run_experiment_command(const exp::Experiment& e, int argc, char** argv) {
  const exp::ExperimentInfo info = e.info();
  Args args("fp4lab " + info.id, info.title + ": " + info.summary);
  args.usage_exit_code(1);
  args.usage("fp4lab " + info.id +
             " [--PARAM VALUE ...] [--out DIR [--force]] [--format svg,png,pdf] [--threads N] [--quiet] [--json]");

  // one option per entry of the experiment's parameter list, in its order; --threads is the
  // common option below (its range from exp::threads_param(), so it is written once)
  const exp::ParamSpec threads_spec = exp::threads_param();
  std::string threads_help = "CPU threads (accepted; this experiment runs on one thread)";
  std::deque<ParamSlot> slots;  // stable addresses for the parser
  for (const exp::ParamSpec& spec : e.params()) {
    if (spec.key == threads_spec.key) {
      threads_help = "CPU threads";  // the range and "0: all cores" follow from the option
      continue;
    }
    ParamSlot& s = slots.emplace_back();
    s.key = spec.key;
    s.default_value = spec.default_value;
    const std::string help = exp::help_line(spec);
    if (s.default_value.is_boolean()) {
      s.flag = s.default_value.get<bool>();
      args.option(spec.key, s.flag, help).default_text(s.default_value.dump());
    } else if (s.default_value.is_number()) {
      s.number = s.default_value.get<double>();
      args.option(spec.key, s.number, help)
          .placeholder(s.default_value.is_number_integer() ? "N" : "X")
          .default_text(s.default_value.dump());
    } else {
      s.text =
          s.default_value.is_string() ? s.default_value.get<std::string>() : s.default_value.dump();
      args.option(spec.key, s.text, help).placeholder("TEXT").default_text(s.default_value.dump());
    }
  }
  RunOptions o;
  int threads = threads_spec.default_value.get<int>();
  std::string formats = "svg";
  args.option("out", o.out,
              "write result.json, CSV, figures, index.html and fp4lab-manifest.json into DIR (a new "
              "or empty folder)")
      .placeholder("DIR");
  args.flag("force", o.force,
            "reuse a non-empty DIR: delete the files its manifest lists, keep the others");
  args.option("format", formats, "figure files written with --out: svg, png, pdf, comma-separated")
      .placeholder("LIST");
  args.option("threads", threads, threads_help)
      .range(threads_spec.min, threads_spec.max)
      .note("0: all cores");
  args.flag("quiet", o.quiet, "no progress bar on stderr");
  args.flag("json", o.json, "print the Result as JSON instead of the summary");
  if (const auto rc = args.parse(argc, argv)) return *rc;
  try {
    o.formats = exp::parse_formats(formats);
  } catch (const std::invalid_argument& e) {
    return args.usage_error(std::string("--format: ") + e.what());
  }

  // only the parameters given: the experiment fills in its defaults
  Params given = Params::object();
  for (const ParamSlot& s : slots) {
    if (args.given(s.key)) given[s.key] = typed_value(s);
  }
  // every experiment accepts --threads; those without a thread count run on one
  if (args.given("threads") && exp::find_param(e.params(), threads_spec.key)) given["threads"] = threads;
  return run_experiment(e, given, o);
}

}  // namespace fp4lab::cli
