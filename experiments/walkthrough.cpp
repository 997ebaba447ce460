// `walkthrough`: one user-given block through every step of the 4/6 paper's Table 2 (alpha = 1,
// M=6 and M=4, the choice under each rule), then under every NVFP4 recipe, MXFP4 scale mode,
// NVINT4 and grouped INT4 with the block as the whole tensor. Tables `candidates` and
// `elements` repeat the steps per element as numbers (for plots, e.g. the GUI's block lab).
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "core/recipe_spec.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/recipe_presets.hpp"
#include "formats/block.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

struct Steps {
  float hp, s;
  std::vector<float> scaled, q, d;
  float mse;
};

Steps candidate_steps(const std::vector<float>& x, float hp) {
  Steps st{};
  st.hp = hp;
  st.s = ue4m3::from(hp).to_float();
  const float mul = 1.0f / st.s;  // alpha = 1: float(1/float(decode*s)) with decode = 1
  double se = 0;
  for (float v : x) {
    const float sc = v * mul;
    const float q = fp4_e2m1::from(sc).to_float();
    const float d = q * st.s;
    st.scaled.push_back(sc);
    st.q.push_back(q);
    st.d.push_back(d);
    se += double(d - v) * double(d - v);
  }
  st.mse = static_cast<float>(se / x.size());
  return st;
}

class Walkthrough : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"walkthrough", "One block, step by step",
            "every step of the 4/6 paper's Table 2 for a block you give, and the block under every recipe"};
  }
  ParamSpecs params() const override {
    return {number_list_param("values", "10,20,30,40", 0, 0, 1, 256,
                              "the block: comma-separated finite numbers, e.g. 10,20,30,40")};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const std::vector<float> x = read_float_list(p, "values");
    Result r;
    r.experiment = "walkthrough";
    r.provenance = make_provenance("walkthrough", p);
    r.provenance.input = list_string(x, 9);
    r.provenance.input_hash = fnv1a_hex(x.data(), x.size() * sizeof(float));
    float bmax = 0;
    for (float v : x) bmax = std::max(bmax, std::fabs(v));
    const Steps s6 = candidate_steps(x, bmax / 6.0f);
    const Steps s4 = candidate_steps(x, s6.hp * 1.5f);
    // the decision itself comes from the library (formats/four_over_six.hpp), alpha = 1
    auto decide = [&](FourSixRule rule) {
      Recipe fos;
      fos.nv = NvRecipe::kFourOverSix;
      fos.rule = rule;
      return four_over_six_quantize_block(fos, unit_tensor_scale(),
                                          BlockIO{x.data(), static_cast<int>(x.size()), nullptr, nullptr, nullptr});
    };
    const bool four = decide(FourSixRule::kMse).chosen_max == 4;
    Table t{"table2", "4/6 step by step (paper's Table 2, alpha = 1)", {"line", "step", "value"}, {}};
    auto add = [&](int line, std::string step, std::string value) {
      t.rows.push_back({double(line), std::move(step), std::move(value)});
    };
    // lines first..first+5: the steps of candidate M (6 or 4), whose scale starts as `hp_step`
    auto add_candidate = [&](int first, int m, const std::string& hp_step, const Steps& st) {
      const auto step = [m](const char* f) { return fmt::format(fmt::runtime(f), m); };
      add(first, step("D{0} = ") + hp_step, fmt::format("{:.6g}", st.hp));
      add(first + 1, step("D{0} = fp8_e4m3(D{0})"), fmt::format("{:.6g}", st.s));
      add(first + 2, step("X{0} = X / D{0}"), list_string(st.scaled, 3));
      add(first + 3, step("X{0} = fp4_e2m1(X{0})"), list_string(st.q));
      add(first + 4, step("D{0}_i = X{0}_i * D{0}"), list_string(st.d, 6));
      add(first + 5, step("E{0} = mean (D{0}_i - X_i)^2"), fmt::format("{:.6g}", st.mse));
    };
    add_candidate(1, 6, "max(X) / 6", s6);
    add_candidate(7, 4, "1.5 * (max(X) / 6)", s4);
    add(13, "D = D4 if E4 < E6 else D6", fmt::format("{:.6g}", four ? s4.s : s6.s));
    add(14, "X = X4 if E4 < E6 else X6", list_string(four ? s4.q : s6.q));
    r.tables.push_back(std::move(t));

    // the same two candidates per element, as numbers
    Table cand{"candidates", "4/6 candidates per element (alpha = 1)",
               {"i", "x", "X6 = x / D6", "fp4 X6", "D6_i", "error M=6", "X4 = x / D4", "fp4 X4", "D4_i", "error M=4"},
               {}};
    for (std::size_t i = 0; i < x.size(); ++i) {
      cand.rows.push_back({double(i), double(x[i]), double(s6.scaled[i]), double(s6.q[i]), double(s6.d[i]),
                           double(s6.d[i]) - x[i], double(s4.scaled[i]), double(s4.q[i]), double(s4.d[i]),
                           double(s4.d[i]) - x[i]});
    }
    Table rules{"rules", "Choice under each 4/6 rule (ties keep M=6)", {"rule", "error M=6 (FP32 sum)", "error M=4 (FP32 sum)", "choice"}, {}};
    const std::pair<const char*, FourSixRule> per_rule[] = {
        {"mse", FourSixRule::kMse}, {"mae", FourSixRule::kMae}, {"abs_max", FourSixRule::kAbsMax}};
    for (const auto& [name, rule] : per_rule) {
      const BlockRecord d = decide(rule);
      rules.rows.push_back({std::string(name), double(d.err6), double(d.err4), fmt::format("M={}", d.chosen_max)});
      r.scalars[std::string("choice_") + name] = d.chosen_max;
    }
    r.tables.push_back(std::move(rules));
    // IF4 (FORMATS.md §9): the same block's FP (E2M1) and INT candidates, tensor scale from the
    // block's own max as the recipes table below takes it
    Table intfloat{"if4", "IF4 choice under each rule: FP (E2M1) vs INT4 (ties keep FP)",
                   {"rule", "error FP (FP32 sum)", "error INT (FP32 sum)", "choice", "scale byte"}, {}};
    for (const auto& [name, rule] : per_rule) {
      Recipe rc;
      rc.format = BlockFormat::kIF4;
      rc.rule = rule;
      rc.block_size = static_cast<int>(x.size());
      const BlockRecord d =
          quantize_block(rc, tensor_scale(rc, bmax), BlockIO{x.data(), static_cast<int>(x.size()), nullptr, nullptr, nullptr});
      intfloat.rows.push_back({std::string(name), double(d.err_fp), double(d.err_int),
                               std::string(d.chose_int ? "INT" : "FP"), fmt::format("0x{:02X}", d.scale.code)});
      r.scalars[std::string("if4_int_") + name] = d.chose_int;
    }
    r.tables.push_back(std::move(intfloat));
    r.scalars["mse_m6"] = s6.mse;
    r.scalars["mse_m4"] = s4.mse;
    r.scalars["scale_m6"] = s6.s;
    r.scalars["scale_m4"] = s4.s;
    if (progress && !progress(0.5, "recipes")) throw Cancelled();

    // the block as a whole tensor under every recipe
    Table rec{"recipes", "The block as a whole tensor under each recipe",
              {"recipe", "tensor scale", "block scale", "codes", "dequantized", "MSE"}, {}};
    Table elems{"elements", "Every element under each recipe", {"recipe", "i", "x", "code", "dequantized", "error"}, {}};
    for (const std::string& spec : recipe_presets()) {
      const Recipe rc = core::parse_recipe(spec);
      const TensorScale ts = tensor_scale(rc, bmax);
      std::vector<std::uint8_t> codes(x.size());
      std::vector<float> deq(x.size());
      const BlockRecord br = quantize_block(rc, ts, BlockIO{x.data(), static_cast<int>(x.size()), nullptr, codes.data(), deq.data()});
      std::string code_str, scale_str;
      for (std::size_t i = 0; i < codes.size(); ++i) code_str += fmt::format("{}{:X}", i ? " " : "", codes[i]);
      if (!stores_scale_codes(rc.format)) {
        scale_str = fmt::format("{:.6g}", br.scale.group_scale);
        if (rc.int4 == Int4Scheme::kAsymmetric) scale_str += fmt::format(" zp={}", br.scale.zero_point);
      } else if (format_traits(rc.format).scale == ScaleType::kUE8M0) {
        scale_str = fmt::format("0x{:02X} = 2^{}", br.scale.code, ue8m0{br.scale.code}.exponent());
      } else {
        scale_str = fmt::format("0x{:02X} = {:.6g}", br.scale.code, ue4m3{br.scale.code}.to_float());
      }
      double se = 0;
      for (std::size_t i = 0; i < x.size(); ++i) se += double(deq[i] - x[i]) * double(deq[i] - x[i]);
      const std::string ts_str = uses_tensor_scale(rc) ? fmt::format("{:.6g}", ts.decode) : std::string("-");
      for (std::size_t i = 0; i < x.size(); ++i) {
        elems.rows.push_back({core::recipe_to_spec(rc), double(i), double(x[i]), double(codes[i]), double(deq[i]),
                              double(deq[i]) - x[i]});
      }
      rec.rows.push_back({core::recipe_to_spec(rc), ts_str, scale_str, code_str, list_string(deq, 6), se / x.size()});
      r.provenance.recipes.push_back(core::recipe_to_spec(rc));
    }
    r.tables.push_back(std::move(rec));
    r.summary.clear();
    for (const Table& tab : r.tables) r.summary += table_text(tab) + "\n";
    // after the summary: one row per element is too long for the console
    r.tables.push_back(std::move(cand));
    r.tables.push_back(std::move(elems));
    r.summary += fmt::format("block {}: M=6 scale {:.6g} MSE {:.6g}; M=4 scale {:.6g} MSE {:.6g}; 4/6 (mse) picks M={}",
                             list_string(x, 6), s6.s, s6.mse, s4.s, s4.mse, four ? 4 : 6);
    return r;
  }
};

}  // namespace

std::unique_ptr<Experiment> make_walkthrough() { return std::make_unique<Walkthrough>(); }

}  // namespace fp4lab::exp
