// model-report on a tiny synthetic checkpoint: its rows, layer types from HF and GGUF names, the
// same numbers as `compare` and `select` give for one tensor, progress, exports and bad inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/io/npy.hpp"
#include "core/io/tensor_selection.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/export/report.hpp"
#include "experiments/model/model_data.hpp"
#include "experiments/model/tensor_names.hpp"
#include "tests/experiments/run_experiment.hpp"
#include "tests/experiments/tiny_checkpoint.hpp"

namespace fp4lab::exp {
namespace {

using testing::run;
using testing::table;
namespace fs = std::filesystem;

// columns of the "tensors" table
constexpr std::size_t kName = 0, kLayer = 3, kType = 4, kDefault = 5, kRecipe = 6, kMse = 8,
                      kSqnr = 9, kChoice = 10, kShare = 11, kBits = 12;

double num(const Cell& c) { return std::get<double>(c); }
std::string str(const Cell& c) { return std::get<std::string>(c); }

const char* kRecipes = "nvfp4:te,nvfp4:4over6:mse,if4,mxfp4:rceil";

}  // namespace

TEST_SUITE("experiments.model_report") {
  TEST_CASE("layer types and block indices come from HF and GGUF names") {
    using model::LayerType;
    struct Case {
      const char* name;
      LayerType type;
      int layer;
    };
    const Case cases[] = {
        {"blk.7.attn_q.weight", LayerType::kQ, 7},
        {"blk.7.attn_k.weight", LayerType::kK, 7},
        {"blk.29.attn_v.weight", LayerType::kV, 29},
        {"blk.0.attn_output.weight", LayerType::kO, 0},
        {"blk.3.ffn_gate.weight", LayerType::kGate, 3},
        {"blk.3.ffn_up.weight", LayerType::kUp, 3},
        {"blk.3.ffn_down.weight", LayerType::kDown, 3},
        {"blk.2.attn_norm.weight", LayerType::kOther, 2},
        {"token_embd.weight", LayerType::kEmbedding, -1},
        {"output.weight", LayerType::kLmHead, -1},
        {"output_norm.weight", LayerType::kOther, -1},
        {"model.layers.12.self_attn.q_proj.weight", LayerType::kQ, 12},
        {"model.layers.12.self_attn.k_proj.weight", LayerType::kK, 12},
        {"model.layers.12.self_attn.v_proj.weight", LayerType::kV, 12},
        {"model.layers.12.self_attn.o_proj.weight", LayerType::kO, 12},
        {"model.layers.0.mlp.gate_proj.weight", LayerType::kGate, 0},
        {"model.layers.0.mlp.up_proj.weight", LayerType::kUp, 0},
        {"model.layers.0.mlp.down_proj.weight", LayerType::kDown, 0},
        {"model.embed_tokens.weight", LayerType::kEmbedding, -1},
        {"lm_head.weight", LayerType::kLmHead, -1},
        {"model.norm.weight", LayerType::kOther, -1},
        {"model.layers.x.self_attn.q_proj.weight", LayerType::kQ, -1},
        {"transformer.h.3.attn.c_attn.weight", LayerType::kOther, 3},
    };
    for (const Case& c : cases) {
      CHECK_MESSAGE(model::layer_type_of(c.name) == c.type, c.name);
      CHECK_MESSAGE(model::layer_index_of(c.name) == c.layer, c.name);
    }
    // embeddings and lm_head are left out by quantize's one default selection (tensor_selection)
    auto quantized_by_default = [](const char* name) {
      const std::array<std::int64_t, 2> shape{64, 64};
      return fp4lab::core::decide_tensor(name, shape, true, fp4lab::core::SelectionRules{}, fp4lab::core::RecipeMap{},
                                         fp4lab::core::parse_recipe("nvfp4:te"))
          .quantize;
    };
    CHECK(!quantized_by_default("model.embed_tokens.weight"));
    CHECK(!quantized_by_default("lm_head.weight"));
    CHECK(!quantized_by_default("token_embd.weight"));
    CHECK(quantized_by_default("model.layers.0.mlp.down_proj.weight"));
    CHECK(model::layer_type_name(LayerType::kGate) == "gate");
  }

  TEST_CASE("one row per matrix and recipe, the same numbers compare and select give") {
    testing::ScratchDir dir("model_report_rows");
    const testing::TinyCheckpoint ck;
    const fs::path path = dir.path / "tiny.safetensors";
    ck.write(path);
    std::vector<double> fractions;
    const Experiment* e = testing::registry().find("model-report");
    REQUIRE(e != nullptr);
    const Result r = e->run({{"input", path.string()}, {"recipes", kRecipes}, {"threads", 2}},
                            [&](double f, std::string_view) {
                              fractions.push_back(f);
                              return true;
                            });
    const Table& t = table(r, "tensors");
    // six matrices (the norm is 1-D, position_ids is I64) x four recipes
    REQUIRE(t.rows.size() == 6 * 4);
    CHECK(r.scalars.at("matrices") == 6);
    CHECK(r.scalars.at("peak_tensor_elements") == 32 * 80);
    CHECK(r.summary.find("2 other tensors skipped") != std::string::npos);
    CHECK(r.summary.find("confounded") == std::string::npos);  // BF16/F16/F32: nothing to confound
    for (std::size_t i = 1; i < fractions.size(); ++i) CHECK(fractions[i] >= fractions[i - 1]);
    CHECK(fractions.back() == 1.0);

    for (const auto& row : t.rows) {
      const std::string name = str(row[kName]);
      CHECK(str(row[kType]) == model::layer_type_name(model::layer_type_of(name)));
      CHECK(num(row[kLayer]) == model::layer_index_of(name));
      const bool excluded = name == "model.embed_tokens.weight" || name == "lm_head.weight";
      // the column is core/io/tensor_selection's decision, with its reason
      CHECK(str(row[kDefault]) == (excluded ? "excluded: default exclusion " +
                                                  std::string(name[0] == 'l' ? "lm_head*" : "*embed_tokens*")
                                            : "quantized"));
      const std::string spec = str(row[kRecipe]);
      CHECK(std::isfinite(num(row[kSqnr])));
      CHECK(num(row[kSqnr]) > 5);  // 4-bit formats on these tensors: ~10-20 dB
      if (spec.rfind("nvfp4:4over6", 0) == 0) {
        CHECK(str(row[kChoice]) == "M=4");
      } else if (spec.rfind("if4", 0) == 0) {
        CHECK(str(row[kChoice]) == "INT");
      } else {
        CHECK(str(row[kChoice]) == "-");
        CHECK(str(row[kShare]) == "-");
      }
    }

    // every tensor: compare's MSE, SQNR and bits/value, select's M=4 and INT shares, exactly
    for (std::size_t i = 0; i + 1 < ck.names.size(); ++i) {
      const std::string& name = ck.names[i];
      const Params src{{"input", path.string()}, {"tensor", name}};
      Params cp = src;
      cp["recipes"] = kRecipes;
      const Result cr = run("compare", cp);
      const Table& ct = table(cr, "metrics");
      Params s4 = src;
      s4["family"] = "4over6";
      const double frac_m4 = run("select", s4).scalars.at("frac_m4:mse");
      Params sif = src;
      sif["family"] = "if4";
      const double frac_int = run("select", sif).scalars.at("frac_int:mse");
      int matched = 0;
      for (const auto& row : t.rows) {
        if (str(row[kName]) != name) continue;
        for (const auto& crow : ct.rows) {
          if (str(crow[0]) != str(row[kRecipe])) continue;
          ++matched;
          CHECK_MESSAGE(num(row[kSqnr]) == num(crow[5]), name, " ", str(crow[0]));
          CHECK(num(row[kMse]) == num(crow[2]));
          CHECK(num(row[kBits]) == num(crow[1]));
        }
        if (str(row[kChoice]) == "M=4") CHECK(num(row[kShare]) == frac_m4);
        if (str(row[kChoice]) == "INT") CHECK(num(row[kShare]) == frac_int);
      }
      CHECK_MESSAGE(matched == 4, name);
    }

    // the summary: one row per present layer type and recipe, then "all" and "quantized by default"
    const Table& s = table(r, "layer_types");
    CHECK(s.rows.size() == (5 + 2) * 4);  // q, k, down, embedding, lm_head present
    double q_sqnr = 0;
    for (const auto& row : t.rows) {
      if (str(row[kType]) == "q" && str(row[kRecipe]) == "nvfp4:te:bs=16")
        q_sqnr += num(row[kSqnr]) / 2;
    }
    CHECK(r.scalars.at("sqnr_db:q:nvfp4:te:bs=16") == doctest::Approx(q_sqnr).epsilon(1e-12));
    CHECK(table(r, "sqnr_by_type").rows.size() == 5 + 1);
    CHECK(table(r, "bars").rows.size() == 5 * 4);
  }

  TEST_CASE("deterministic for any thread count; figures through the shared export") {
    testing::ScratchDir dir("model_report_export");
    const testing::TinyCheckpoint ck;
    const fs::path path = dir.path / "tiny.safetensors";
    ck.write(path);
    const Params p{{"input", path.string()}, {"recipes", "nvfp4:te,nvfp4:4over6:mse"}};
    Params p1 = p, p3 = p;
    p1["threads"] = 1;
    p3["threads"] = 3;
    const Result a = run("model-report", p1), b = run("model-report", p3);
    CHECK(to_json(a)["tables"] == to_json(b)["tables"]);
    CHECK(to_json(a)["scalars"] == to_json(b)["scalars"]);
    CHECK(a.provenance.input_hash == b.provenance.input_hash);
    write_result_dir(a, (dir.path / "out").string(), {ImageFormat::svg});
    for (const char* f :
         {"index.html", "table_tensors.csv", "table_layer_types.csv", "bars_bars.svg",
          "curve_sqnr_per_layer.svg", "curve_sqnr_per_layer_q.svg"}) {
      CHECK_MESSAGE(fs::is_regular_file(dir.path / "out" / f), f);
    }
    // match keeps a subset
    Params pm = p;
    pm["match"] = "q_proj";
    const Result rm = run("model-report", pm);
    CHECK(table(rm, "tensors").rows.size() == 2 * 2);
  }

  TEST_CASE("a sharded checkpoint and an npy array give the same rows as the single file") {
    testing::ScratchDir dir("model_report_shards");
    const testing::TinyCheckpoint ck;
    ck.write(dir.path / "tiny.safetensors");
    // shard 1: the first three tensors, shard 2: the rest; the index maps each name to its shard
    std::vector<core::SafetensorsEntry> a, b;
    std::string map;
    for (std::size_t i = 0; i < ck.names.size(); ++i) {
      (i < 3 ? a : b).push_back(core::safetensors_entry(ck.names[i], ck.tensors[i].view()));
      map += std::string(map.empty() ? "" : ", ") + "\"" + ck.names[i] + "\": \"" +
             (i < 3 ? "m-00001.safetensors" : "m-00002.safetensors") + "\"";
    }
    core::write_safetensors((dir.path / "m-00001.safetensors").string(), a);
    core::write_safetensors((dir.path / "m-00002.safetensors").string(), b);
    std::ofstream((dir.path / "m.safetensors.index.json").string())
        << "{\"metadata\": {}, \"weight_map\": {" << map << "}}";
    const Params p{{"recipes", "nvfp4:te,if4"}};
    Params one = p, sharded = p;
    one["input"] = (dir.path / "tiny.safetensors").string();
    sharded["input"] = (dir.path / "m.safetensors.index.json").string();
    const Result r1 = run("model-report", one), r2 = run("model-report", sharded);
    CHECK(to_json(r1)["tables"] == to_json(r2)["tables"]);
    CHECK(table(r2, "tensors").rows.size() == 6 * 2);
    // one .npy matrix: its file stem names it (layer type "other")
    core::write_npy((dir.path / "w.npy").string(), ck.tensors[2].view());
    Params np = p;
    np["input"] = (dir.path / "w.npy").string();
    const Result r3 = run("model-report", np);
    const Table& t3 = table(r3, "tensors");
    REQUIRE(t3.rows.size() == 2);
    CHECK(str(t3.rows[0][kType]) == "other");
    double down_te = 0;  // the same matrix in the single file, under nvfp4:te
    for (const auto& row : table(r1, "tensors").rows) {
      if (str(row[kName]) == ck.names[2] && str(row[kRecipe]) == "nvfp4:te:bs=16")
        down_te = num(row[kSqnr]);
    }
    CHECK(num(t3.rows[0][kSqnr]) == down_te);
    CHECK(down_te > 0);
  }

  TEST_CASE("the SmolLM2 GGUF: one block's matrices by GGUF name, flagged as re-quantization") {
    std::string path;
    try {
      path = model::resolve_model_path("smollm2");
    } catch (const std::invalid_argument& err) {
      MESSAGE("skipped: " << err.what());
      return;
    }
    const Result r =
        run("model-report", {{"input", path}, {"recipes", "nvfp4:te"}, {"match", "blk.3."}});
    const Table& t = table(r, "tensors");
    REQUIRE(t.rows.size() == 7);  // q, k, v, o, gate, up, down (the norms are 1-D)
    std::vector<std::string> types;
    for (const auto& row : t.rows) {
      types.push_back(str(row[kType]));
      CHECK(num(row[kLayer]) == 3);
      CHECK(str(row[2]) == "Q4_1");
    }
    std::sort(types.begin(), types.end());
    CHECK(types == std::vector<std::string>{"down", "gate", "k", "o", "q", "up", "v"});
    CHECK(r.summary.find("confounded: all 7 matrices are stored quantized (7 Q4_1)") !=
          std::string::npos);
    for (const Table& tt : r.tables)
      CHECK_MESSAGE(tt.title.find("confounded") != std::string::npos, tt.id);
  }

  TEST_CASE("bad input: unknown recipe, no matrix, missing file, cancel") {
    testing::ScratchDir dir("model_report_bad");
    const testing::TinyCheckpoint ck;
    const fs::path path = dir.path / "tiny.safetensors";
    ck.write(path);
    CHECK_THROWS_WITH_AS(run("model-report", {{"input", path.string()}, {"recipes", "nvfp4:tee"}}),
                         doctest::Contains("tee"), std::invalid_argument);
    // only a norm and an integer tensor
    const fs::path flat = dir.path / "flat.safetensors";
    const std::vector<core::SafetensorsEntry> entries{
        core::safetensors_entry("model.norm.weight", ck.tensors.back().view()),
        {"position_ids", "I64", {4}, {reinterpret_cast<const std::uint8_t*>(ck.ids.data()), 32}}};
    core::write_safetensors(flat.string(), entries);
    CHECK_THROWS_WITH_AS(run("model-report", {{"input", flat.string()}}),
                         doctest::Contains("no 2-D float tensor"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(
        run("model-report", {{"input", path.string()}, {"match", "nothing_like_this"}}),
        doctest::Contains("no 2-D float tensor whose name contains 'nothing_like_this'"),
        std::invalid_argument);
    CHECK_THROWS(run("model-report", {{"input", (dir.path / "absent.safetensors").string()}}));
    const Experiment* e = testing::registry().find("model-report");
    CHECK_THROWS_AS(
        e->run({{"input", path.string()}}, [](double f, std::string_view) { return f < 0.3; }),
        Cancelled);
  }
}

}  // namespace fp4lab::exp
