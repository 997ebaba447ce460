// The experiments against hand-computed and paper values, and the JSON round trip of every
// Result (run each experiment with small parameters, write JSON, read it back, compare).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <optional>

#include "experiments/model/model_data.hpp"
#include "experiments/experiment.hpp"
#include "experiments/tensor_source.hpp"
#include "core/recipe_spec.hpp"
#include "formats/block.hpp"
#include "tests/experiments/run_experiment.hpp"
#include "tests/experiments/tiny_checkpoint.hpp"

using namespace fp4lab::exp;
using namespace fp4lab::exp::testing;

namespace {

std::string cell_text(const Table& t, std::size_t row, std::size_t col) {
  const Cell& c = t.rows.at(row).at(col);
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  return std::to_string(std::get<double>(c));
}

Params small_tensor() {
  return {{"rows", 64}, {"cols", 96}, {"seed", 3}, {"outlier_fraction", 0.01}};
}

}  // namespace

TEST_SUITE("experiments.walkthrough") {
  TEST_CASE("the paper's first block reproduces Table 2's first column") {
    const Result r = run("walkthrough", {{"values", "10,20,30,40"}});
    const Table& t = table(r, "table2");
    CHECK(cell_text(t, 0, 2) == "6.66667");
    CHECK(cell_text(t, 1, 2) == "6.5");
    CHECK(cell_text(t, 2, 2) == "[1.54, 3.08, 4.62, 6.15]");
    CHECK(cell_text(t, 3, 2) == "[1.5, 3, 4, 6]");
    CHECK(cell_text(t, 4, 2) == "[9.75, 19.5, 26, 39]");
    CHECK(cell_text(t, 5, 2) == "4.32812");  // paper: 4.33 (exactly 17.3125 / 4)
    CHECK(cell_text(t, 6, 2) == "10");
    CHECK(cell_text(t, 7, 2) == "10");
    CHECK(cell_text(t, 9, 2) == "[1, 2, 3, 4]");
    CHECK(cell_text(t, 10, 2) == "[10, 20, 30, 40]");
    CHECK(cell_text(t, 11, 2) == "0");
    CHECK(cell_text(t, 12, 2) == "10");
    CHECK(r.scalars.at("choice_mse") == 4);
  }
  TEST_CASE("the paper's second block reproduces Table 2's second column, with line 11 corrected") {
    const Result r = run("walkthrough", {{"values", "15,30,120,180"}});
    const Table& t = table(r, "table2");
    CHECK(cell_text(t, 0, 2) == "30");
    CHECK(cell_text(t, 1, 2) == "30");
    CHECK(cell_text(t, 3, 2) == "[0.5, 1, 4, 6]");
    CHECK(cell_text(t, 5, 2) == "0");
    CHECK(cell_text(t, 6, 2) == "45");
    CHECK(cell_text(t, 7, 2) == "44");
    CHECK(cell_text(t, 8, 2) == "[0.341, 0.682, 2.73, 4.09]");
    CHECK(cell_text(t, 9, 2) == "[0.5, 0.5, 3, 4]");
    // the paper prints [22, 22, 136, 176] and 96.25; 3 x 44 = 132 gives 68.25
    CHECK(cell_text(t, 10, 2) == "[22, 22, 132, 176]");
    CHECK(cell_text(t, 11, 2) == "68.25");
    CHECK(cell_text(t, 12, 2) == "30");
    CHECK(r.scalars.at("choice_mse") == 6);
  }
  TEST_CASE("the IF4 table: each rule's FP and INT errors and choice, as formats/ computes them") {
    const Result r = run("walkthrough", {{"values", "6,5,4,3,2,1,0,0"}});
    const Table& t = table(r, "if4");
    REQUIRE(t.rows.size() == 3);
    const char* rules[] = {"mse", "mae", "abs_max"};
    for (std::size_t k = 0; k < 3; ++k) {
      const fp4lab::formats::Recipe rc = fp4lab::core::parse_recipe(std::string("if4:") + rules[k] + ":bs=8");
      const std::vector<float> x = {6, 5, 4, 3, 2, 1, 0, 0};
      const fp4lab::formats::BlockRecord d = fp4lab::formats::quantize_block(
          rc, fp4lab::formats::tensor_scale(rc, 6.0f), fp4lab::formats::BlockIO{x.data(), 8, nullptr, nullptr, nullptr});
      CHECK(cell_text(t, k, 0) == rules[k]);
      CHECK(std::get<double>(t.rows[k][1]) == double(d.err_fp));
      CHECK(std::get<double>(t.rows[k][2]) == double(d.err_int));
      CHECK(cell_text(t, k, 3) == (d.chose_int ? "INT" : "FP"));
      CHECK(r.scalars.at(std::string("if4_int_") + rules[k]) == d.chose_int);
    }
    CHECK(r.scalars.at("if4_int_mse") == 1);  // the evenly spaced block: INT wins (block_family_test)
  }
  TEST_CASE("bad blocks are rejected with the parameter named") {
    CHECK_THROWS_WITH_AS(run("walkthrough", {{"values", "1,x,3"}}), doctest::Contains("'x' is not a number"),
                         std::invalid_argument);
    CHECK_THROWS_AS(run("walkthrough", {{"values", ""}}), std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("walkthrough", {{"valuez", "1"}}), doctest::Contains("unknown parameter 'valuez'"),
                         std::invalid_argument);
  }
}

TEST_SUITE("experiments.error_profile") {
  TEST_CASE("exact points of the Fig. 1 curves") {
    const Result r = run("error-profile", {{"points", 1201}});
    REQUIRE(r.curves.size() == 1);
    const Curve& c = r.curves[0];
    auto at = [&](const std::string& label, double x) {
      for (const Series& s : c.series) {
        if (s.label != label) continue;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (std::fabs(s.x[i] - x) < 1e-6) return s.y[i];
        }
      }
      FAIL("no point " << label << " " << x);
      return 0.0;
    };
    // M=6: v/bmax = 5/6 is the tie between 4 and 6 (goes to 4): error 1/6 of bmax
    CHECK(at("NVFP4 M=6", 5.0 / 6.0) == doctest::Approx(1.0 / 6.0).epsilon(1e-6));
    // M=4: v/bmax = 0.75 is 3 exactly: no error; 0.875 is the 3.5 tie (goes to 4): 1/8
    CHECK(at("NVFP4 M=4", 0.75) == doctest::Approx(0.0));
    CHECK(at("NVFP4 M=4", 0.875) == doctest::Approx(0.125).epsilon(1e-6));
    CHECK(at("NVFP4 M=6", 1.0) == 0.0);
    CHECK(at("NVFP4 M=4", 1.0) == 0.0);
    // the worst M=6 error is at 5/6 of bmax, as the paper says
    CHECK(r.scalars.at("max_error_NVFP4 M=6") == doctest::Approx(1.0 / 6.0).epsilon(1e-6));
  }
}

TEST_SUITE("experiments.compare") {
  TEST_CASE("compare reports one metrics row per recipe and 4/6 never loses to M=6 on MSE by much") {
    Params p = small_tensor();
    p["recipes"] = "nvfp4:te,nvfp4:4over6:mse,nvfp4:static_6,mxfp4:floor,int4:g32:asym";
    const Result r = run("compare", p);
    const Table& t = table(r, "metrics");
    CHECK(t.rows.size() == 5);
    // 4/6 picks per block the candidate with the smaller squared error, and the two share
    // the same tensor scale, so its total error is at most static_6's
    CHECK(r.scalars.at("mse:nvfp4:4over6:mse:bs=16") <= r.scalars.at("mse:nvfp4:static_6:bs=16"));
    CHECK(r.histograms.size() == 3);
    CHECK(r.provenance.recipes.size() == 5);
    CHECK(!r.provenance.input_hash.empty());
  }
  TEST_CASE("compare is deterministic for a seed and any thread count") {
    Params p = small_tensor();
    p["recipes"] = "nvfp4:te:sr";
    p["threads"] = 1;
    const Result a = run("compare", p);
    p["threads"] = 3;
    const Result b = run("compare", p);
    CHECK(to_json(a)["scalars"] == to_json(b)["scalars"]);
  }
  TEST_CASE("bad recipe specs and absurd parameters are rejected") {
    Params p = small_tensor();
    p["recipes"] = "nvfp4:tee";
    CHECK_THROWS_WITH_AS(run("compare", p), doctest::Contains("tee"), std::invalid_argument);
    p = small_tensor();
    p["rows"] = 0;
    CHECK_THROWS_WITH_AS(run("compare", p), doctest::Contains("rows"), std::invalid_argument);
  }
}

TEST_SUITE("experiments.result") {
  TEST_CASE("every experiment's Result survives a JSON round trip") {
    for (const auto& e : registry().all()) {
      Params p = Params::object();
      const Params d = e->default_params();
      const Params small = small_tensor();
      for (const auto& [k, v] : small.items()) {
        if (d.contains(k)) p[k] = v;
      }
      if (d.contains("points")) p["points"] = 101;
      if (e->info().id == "perplexity") {  // the real model: one short window (tests/model/ runs it in full)
        try {
          fp4lab::exp::model::resolve_model_path("smollm2");
        } catch (const std::invalid_argument& err) {
          MESSAGE("perplexity skipped here: " << err.what());
          continue;
        }
        p = {{"windows", 1}, {"context", 8}, {"recipes", "nvfp4:te"}, {"modes", "w4a4"}};
      }
      std::optional<ScratchDir> scratch;
      if (e->info().id == "model-report") {  // a tiny checkpoint (model_report_test.cpp runs it in full)
        scratch.emplace("round_trip_model_report");
        TinyCheckpoint().write(scratch->path / "tiny.safetensors");
        p = {{"input", (scratch->path / "tiny.safetensors").string()}, {"recipes", "nvfp4:te,if4"}};
      }
      const Result r = e->run(p, nullptr);
      const auto j = to_json(r);
      const Result back = result_from_json(nlohmann::json::parse(j.dump()));
      CHECK_MESSAGE(to_json(back) == j, e->info().id);
      CHECK(back.provenance.experiment == e->info().id);
      CHECK(!back.provenance.version.empty());
    }
  }
}

TEST_CASE("load_source: a scale slider's tensors (cached draws, then assembled) equal fresh ones, bit for bit") {
  // The source cache keeps the draws once two requests in a row differ only in scale (or
  // mixture_scale / outlier_magnitude); every later tensor is assembled from them. Each must be
  // make_synthetic's, and any other change (seed, distribution) must not reuse them.
  const auto params = [](double scale, double mixture_scale, std::int64_t seed, const char* dist) {
    Params p = spec_defaults(source_params());
    p["rows"] = 29;
    p["cols"] = 48;
    p["scale"] = scale;
    p["mixture_scale"] = mixture_scale;
    p["seed"] = seed;
    p["distribution"] = dist;
    p["row_scale_spread"] = 0.7;
    return p;
  };
  struct Step {
    double scale, mixture_scale;
    std::int64_t seed;
    const char* dist;
  };
  const Step steps[] = {{1.0, 10, 3, "mixture"}, {1.5, 10, 3, "mixture"}, {0.37, 10, 3, "mixture"},
                        {0.37, 4.5, 3, "mixture"}, {0.37, 4.5, 4, "mixture"}, {2.0, 4.5, 4, "mixture"},
                        {2.0, 4.5, 4, "laplace"}, {7.0, 4.5, 4, "laplace"}, {1.0, 10, 3, "mixture"}};
  for (const Step& st : steps) {
    const Params p = params(st.scale, st.mixture_scale, st.seed, st.dist);
    CAPTURE(p.dump());
    const SourceTensor got = load_source(p, 2);
    fp4lab::core::SyntheticSpec s = synthetic_spec(p);
    s.shape = {29, 48};
    s.seed = static_cast<std::uint64_t>(st.seed);
    const fp4lab::core::Tensor want = fp4lab::core::make_synthetic(s, 1);
    REQUIRE(got.tensor.size_bytes() == want.size_bytes());
    CHECK(std::memcmp(got.tensor.data(), want.data(), want.size_bytes()) == 0);
    CHECK(got.description == fp4lab::core::describe(s));
    const fp4lab::core::TensorStats stats = source_stats(got, 2), ref = fp4lab::core::tensor_stats(want.view(), 1);
    CHECK(stats.rms == ref.rms);
    CHECK(stats.amax == ref.amax);
    CHECK(stats.count == ref.count);
    CHECK(stats.nonfinite == ref.nonfinite);
  }
}
