// The commands' argument parser (experiments/cli/args.hpp): values typed and range-checked, both
// spellings of a long name, "--key=value", and errors worded as tests/cli/cli_test.sh expects.
#include "experiments/cli/args.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using fp4lab::cli::Args;
using fp4lab::cli::UsageError;

/// argv for `args` after a program name.
struct Argv {
  explicit Argv(std::vector<std::string> args) : words(std::move(args)) {
    words.insert(words.begin(), "prog");
    for (auto& w : words) pointers.push_back(w.data());
  }
  int argc() const { return static_cast<int>(pointers.size()); }
  const char* const* argv() const { return pointers.data(); }
  std::vector<std::string> words;
  std::vector<const char*> pointers;
};

/// The message parse_or_throw gives for `words`, or "" when they parse.
std::string error_of(Args& args, const std::vector<std::string>& words) {
  const Argv a(words);
  try {
    args.parse_or_throw(a.argc(), a.argv());
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("cli.args") {
  TEST_CASE("typed options take --key value and --key=value, and both spellings of a name") {
    Args args("prog", "a test");
    int rows = 16;
    double scale = 1.0;
    std::string recipe = "nvfp4";
    bool quiet = false, on = true;
    std::uint64_t seed = 1;
    std::vector<int> sizes;
    args.option("rows", rows, "rows").range(1, 100);
    args.option("row_scale", scale, "scale");
    args.option("recipe", recipe, "spec");
    args.option("on", on, "a boolean with a value");
    args.option("seed", seed, "seed");
    args.option("sizes-mib", sizes, "sizes");
    args.flag("quiet", quiet, "quiet");
    CHECK(error_of(args, {"--rows", "12", "--row-scale=0.25", "--recipe", "mxfp4", "--on", "false",
                          "--seed=18446744073709551615", "--sizes_mib", "1,2,3", "--quiet"}) == "");
    CHECK(rows == 12);
    CHECK(scale == 0.25);
    CHECK(recipe == "mxfp4");
    CHECK_FALSE(on);
    CHECK(seed == 18446744073709551615ull);
    CHECK(sizes == std::vector<int>{1, 2, 3});
    CHECK(quiet);
    CHECK(args.given("row-scale"));
    CHECK(args.given("rows"));
  }

  TEST_CASE("absent options keep their variables and are not given") {
    Args args("prog", "");
    int rows = 16;
    args.option("rows", rows, "rows");
    CHECK(error_of(args, {}) == "");
    CHECK(rows == 16);
    CHECK_FALSE(args.given("rows"));
  }

  TEST_CASE("a repeatable option keeps every occurrence in order, one value each") {
    Args args("prog", "");
    std::vector<std::string> include;
    std::string in;
    args.positional("IN", in, "input");
    args.option("include", include, "globs");
    CHECK(error_of(args, {"--include", "a*", "x.gguf", "--include=b.*"}) == "");
    CHECK(include == std::vector<std::string>{"a*", "b.*"});
    CHECK(in == "x.gguf");
  }

  TEST_CASE("a value option takes the next word even when it starts with a dash") {
    Args args("prog", "");
    int n = 0;
    args.option("n", n, "n").range(-10, 10);
    CHECK(error_of(args, {"--n", "-3"}) == "");
    CHECK(n == -3);
  }

  TEST_CASE("errors name the option the way the commands always have") {
    Args args("prog", "");
    int rows = 16, threads = 0;
    double x = 0;
    std::string dtype = "f32", recipe, in;
    args.positional("IN", in, "input").required();
    args.option("rows", rows, "rows").range(16, 16384);
    args.option("x", x, "x");
    args.threads(threads);
    args.option("dtype", dtype, "dtype").choices({"f32", "bf16", "f16"});
    args.option("recipe", recipe, "spec").placeholder("SPEC").required();
    CHECK(error_of(args, {"in", "--recipe", "r", "--rowz", "3"}).find("unknown option '--rowz'") ==
          0);
    CHECK(error_of(args, {"in", "--recipe", "r", "--rowz=3"}).find("unknown option '--rowz';") ==
          0);
    CHECK(error_of(args, {"in", "--recipe", "r", "--x", "abc"}) == "--x takes a number, got 'abc'");
    CHECK(error_of(args, {"in", "--recipe", "r", "--rows", "8"}) ==
          "--rows takes an integer in [16, 16384], got '8'");
    CHECK(error_of(args, {"in", "--recipe", "r", "--rows"}) == "--rows needs a value");
    CHECK(error_of(args, {"in", "--recipe", "r", "--threads", "-1"}) ==
          "--threads takes an integer in [0, 1024] (0: all cores), got '-1'");
    CHECK(error_of(args, {"in", "--recipe", "r", "--dtype", "f8"}) ==
          "--dtype takes f32, bf16 or f16, got 'f8'");
    CHECK(error_of(args, {"in"}) == "--recipe SPEC is required");
    CHECK(error_of(args, {"--recipe", "r"}) == "IN is required");
    CHECK(error_of(args, {"in", "extra", "--recipe", "r"}) == "unexpected argument 'extra'");
  }

  TEST_CASE("parse prints --help and returns 0, and returns the usage exit code on a mistake") {
    Args args("prog", "");
    int rows = 2048;
    args.option("rows", rows, "rows of the tensor").range(16, 16384);
    args.usage_exit_code(1);
    const Argv help({"--rows", "oops", "--help"});
    CHECK(args.parse(help.argc(), help.argv()) == 0);
    const Argv bad({"--rows", "oops"});
    CHECK(args.parse(bad.argc(), bad.argv()) == 1);
    const Argv good({"--rows", "64"});
    CHECK_FALSE(args.parse(good.argc(), good.argv()).has_value());
  }

  TEST_CASE("--help shows each option's placeholder, default, range and choices") {
    Args args("prog", "what it does");
    int rows = 2048;
    std::string dtype = "f32";
    args.option("rows", rows, "rows of the tensor").range(16, 16384);
    args.option("dtype", dtype, "output type").choices({"f32", "bf16"});
    const std::string h = args.help();
    CHECK(h.find("usage: prog [options]") == 0);
    CHECK(h.find("what it does") != std::string::npos);
    CHECK(h.find("--rows N") != std::string::npos);
    CHECK(h.find("rows of the tensor (default: 2048; in [16, 16384])") != std::string::npos);
    CHECK(h.find("--dtype f32|bf16") != std::string::npos);
    CHECK(h.find("(default: f32)") != std::string::npos);
  }
}
