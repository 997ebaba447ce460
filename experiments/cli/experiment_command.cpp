// `fp4lab <experiment>`: one experiment from the command line. Every key of the experiment's
// default_params() becomes an option typed like its default (--some-key and --some_key alike),
// beside --out DIR, --threads N, --quiet and --json.
#include <fmt/format.h>

#include <cstdio>
#include <deque>
#include <set>
#include <string>

#include "experiments/cli/args.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/progress.hpp"
#include "experiments/export/report.hpp"

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

int run_experiment(const exp::Experiment& e, const Params& params, const RunOptions& o) {
  ProgressBar bar(o.quiet);
  const exp::Result r = e.run(params, [&](double f, std::string_view s) { return bar(f, s); });
  bar.finish();
  if (o.json) {
    std::puts(exp::to_json(r).dump(2).c_str());
  } else {
    std::fputs(r.summary.c_str(), stdout);
    if (!r.summary.empty() && r.summary.back() != '\n') std::fputc('\n', stdout);
  }
  if (!o.out.empty()) {
    exp::write_result_dir(r, o.out);
    if (!o.quiet) fmt::print(stderr, "wrote {}/index.html\n", o.out);
  }
  return 0;
}

int run_experiment_command(const exp::Experiment& e, int argc, char** argv) {
  const exp::ExperimentInfo info = e.info();
  const Params defaults = e.default_params();
  Args args("fp4lab " + info.id, info.title + ": " + info.summary);
  args.usage_exit_code(1);
  args.usage("fp4lab " + info.id +
             " [--PARAM VALUE ...] [--out DIR] [--threads N] [--quiet] [--json]");

  // parameters in param_help() order, then any key it does not explain
  std::vector<std::pair<std::string, std::string>> helps = e.param_help();
  std::set<std::string> explained;
  for (const auto& [k, h] : helps) explained.insert(k);
  for (const auto& [k, v] : defaults.items()) {
    if (!explained.count(k)) helps.emplace_back(k, "");
  }
  std::deque<ParamSlot> slots;  // stable addresses for the parser
  std::string threads_help = "CPU threads (accepted; this experiment runs on one thread)";
  for (const auto& [key, help] : helps) {
    if (!defaults.contains(key)) continue;
    if (key == "threads") {  // the common --threads below
      threads_help = help;
      continue;
    }
    ParamSlot& s = slots.emplace_back();
    s.key = key;
    s.default_value = defaults.at(key);
    if (s.default_value.is_boolean()) {
      s.flag = s.default_value.get<bool>();
      args.option(key, s.flag, help).default_text(s.default_value.dump());
    } else if (s.default_value.is_number()) {
      s.number = s.default_value.get<double>();
      args.option(key, s.number, help)
          .placeholder(s.default_value.is_number_integer() ? "N" : "X")
          .default_text(s.default_value.dump());
    } else {
      s.text =
          s.default_value.is_string() ? s.default_value.get<std::string>() : s.default_value.dump();
      args.option(key, s.text, help).placeholder("TEXT").default_text(s.default_value.dump());
    }
  }
  RunOptions o;
  int threads = defaults.contains("threads") && defaults.at("threads").is_number_integer()
                    ? defaults.at("threads").get<int>()
                    : 0;
  args.option("out", o.out, "write result.json, CSV, SVG and index.html into DIR")
      .placeholder("DIR");
  args.option("threads", threads, threads_help).range(0, 1024).note("0: all cores");
  args.flag("quiet", o.quiet, "no progress bar on stderr");
  args.flag("json", o.json, "print the Result as JSON instead of the summary");
  if (const auto rc = args.parse(argc, argv)) return *rc;

  // only the parameters given: the experiment fills in its defaults
  Params given = Params::object();
  for (const ParamSlot& s : slots) {
    if (args.given(s.key)) given[s.key] = typed_value(s);
  }
  // every experiment accepts --threads; those without a thread count run on one
  if (args.given("threads") && defaults.contains("threads")) given["threads"] = threads;
  return run_experiment(e, given, o);
}

}  // namespace fp4lab::cli
