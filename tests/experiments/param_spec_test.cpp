// The declarative parameter spec: defaults, help lines and checks generated from one list per
// experiment, and every registered experiment's list consistent with what it runs with.
#include "experiments/param_spec.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>

#include "core/synthetic.hpp"
#include "experiments/recipe_presets.hpp"
#include "experiments/tensor_source.hpp"
#include "run_experiment.hpp"

using namespace fp4lab;
using namespace fp4lab::exp;
using fp4lab::exp::testing::registry;
using fp4lab::exp::testing::run;
using fp4lab::exp::testing::table;

namespace {

ParamSpecs sample() {
  return {int_param("rows", 16, 1, 65536, "rows"),
          number_param("step", 0.05, 0.001, 6, "spacing of t"),
          bool_param("codebooks", true, "include codebooks"),
          string_param("input", "", "a file"),
          choice_param("direction", "below", {"below", "above", "both"}, "which side"),
          recipe_param("recipe", "nvfp4:te", "the recipe"),
          number_list_param("values", "1,2", 0, 100, 1, 4, "the block"),
          recipe_list_param("compare", "", 0, 8, "beside it")};
}

}  // namespace

TEST_SUITE("experiments.param_spec") {
  TEST_CASE("defaults are generated from the spec, one key per entry") {
    const Params d = spec_defaults(sample());
    CHECK(d.size() == 8);
    CHECK(d.at("rows") == 16);
    CHECK(d.at("step") == 0.05);
    CHECK(d.at("codebooks") == true);
    CHECK(d.at("input") == "");
    CHECK(d.at("direction") == "below");
    CHECK(d.at("values") == "1,2");
  }
  TEST_CASE("help lines carry the range, the choices and the list sizes") {
    const auto h = spec_help(sample());
    REQUIRE(h.size() == 8);
    CHECK(h[0].first == "rows");
    CHECK(h[0].second == "rows (1 to 65536)");
    CHECK(h[1].second == "spacing of t (0.001 to 6)");
    CHECK(h[2].second == "include codebooks");
    CHECK(h[4].second == "which side: one of below, above, both");
    CHECK(h[6].second == "the block (0 to 100; 1 to 4 entries)");
    CHECK(h[7].second == "beside it (0 to 8 entries; may be empty)");
  }
  TEST_CASE("merging checks unknown keys, types, ranges and choices, naming the key") {
    const ParamSpecs s = sample();
    CHECK(merge_params(s, {{"rows", 64}}, "t").at("rows") == 64);
    CHECK(merge_params(s, {{"rows", 64.0}}, "t").at("rows") ==
          64.0);  // an integral float is an integer
    CHECK_THROWS_WITH_AS(merge_params(s, {{"rowz", 1}}, "t"),
                         doctest::Contains("unknown parameter 'rowz'"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"rows", 0}}, "t"),
                         doctest::Contains("parameter 'rows' = 0 is out of range [1, 65536]"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"rows", 1.5}}, "t"),
                         doctest::Contains("'rows' must be an integer"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"rows", "abc"}}, "t"),
                         doctest::Contains("parameter 'rows' must be a number"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"step", 6.5}}, "t"),
                         doctest::Contains("'step' = 6.5 is out of range"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(
        merge_params(s, {{"direction", "sideways"}}, "t"),
        doctest::Contains(
            "parameter 'direction' = 'sideways' is unknown; accepted: below, above, both"),
        std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"codebooks", 1}}, "t"), doctest::Contains("codebooks"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"values", "1,x"}}, "t"),
                         doctest::Contains("'x' is not a number"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"values", "1,200"}}, "t"), doctest::Contains("values"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(merge_params(s, {{"values", "1,2,3,4,5"}}, "t"),
                         doctest::Contains("'values': give 1 to 4 entries, got 5"),
                         std::invalid_argument);
    CHECK(merge_params(s, {{"values", {1, 2, 3}}}, "t").at("values").size() ==
          3);                                                            // a JSON array works too
    CHECK(merge_params(s, {{"compare", ""}}, "t").at("compare") == "");  // may be empty
    CHECK_THROWS_WITH_AS(merge_params(s, {{"compare", "a,,b"}}, "t"),
                         doctest::Contains("empty entry"), std::invalid_argument);
  }
  TEST_CASE("a fragment is declared once and appended; a key twice is a programming error") {
    const ParamSpecs both = source_params() + ParamSpecs{threads_param()};
    CHECK(both.size() == source_params().size() + 1);
    CHECK_THROWS_AS(source_params() + ParamSpecs{int_param("rows", 1, 1, 2, "again")},
                    std::logic_error);
  }
  TEST_CASE("the distribution choices are core's list") {
    const ParamSpec* d = find_param(source_params(), "distribution");
    REQUIRE(d != nullptr);
    CHECK(d->choices == core::distribution_names());
    CHECK(d->choices.size() == std::size(core::kDistributions));
    for (const std::string& name : d->choices)
      CHECK(core::distribution_name(core::parse_distribution(name)) == name);
  }
  TEST_CASE("every experiment's spec: defaults pass its own checks and help names every key") {
    for (const auto& e : registry().all()) {
      const ParamSpecs s = e->params();
      const Params d = e->default_params();
      CHECK(d.size() == s.size());
      CHECK_NOTHROW(e->merge(Params::object()));
      const auto help = e->param_help();
      REQUIRE(help.size() == s.size());
      for (std::size_t i = 0; i < s.size(); ++i) {
        CHECK(help[i].first == s[i].key);
        CHECK(d.contains(s[i].key));
        if (s[i].kind == ParamKind::kInt || s[i].kind == ParamKind::kNumber) {
          CHECK_MESSAGE(help[i].second.find(" to ") != std::string::npos, e->info().id, " ",
                        s[i].key);
        }
      }
    }
  }
  TEST_CASE(
      "ranges come from the spec: out-of-range values of real experiments are rejected naming the "
      "key") {
    CHECK_THROWS_WITH_AS(run("compare", {{"bins", 5}}),
                         doctest::Contains("parameter 'bins' = 5 is out of range [10, 1000]"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("compare", {{"dtype", "f8"}}),
                         doctest::Contains("parameter 'dtype' = 'f8' is unknown"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("gemm", {{"distribution", "cauchy"}}),
                         doctest::Contains("'distribution'"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("gemm", {{"m", 0}}),
                         doctest::Contains("parameter 'm' = 0 is out of range"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("error-profile", {{"points", 5}}), doctest::Contains("'points'"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("walkthrough", {{"values", "1e39"}}), doctest::Contains("values"),
                         std::invalid_argument);
  }
  TEST_CASE("every recipe preset parses, and the simulate presets are presets") {
    for (const std::string& s : simulate_recipe_presets()) {
      CHECK(std::find(recipe_presets().begin(), recipe_presets().end(), s) !=
            recipe_presets().end());
    }
    // the walkthrough tabulates every preset
    const Result r = run("walkthrough", Params::object());
    CHECK(table(r, "recipes").rows.size() == recipe_presets().size());
  }
}
