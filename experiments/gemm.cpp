// `gemm`: Y = Q(A)·Q(B)^T against the FP32 Y = A·B^T (A: m x k, B: n x k, both quantized along
// k as a block-scaled GEMM consumes them), on the CPU with Eigen: relative Frobenius error,
// cosine and max abs error per recipe pair. Deterministic: see gemm_abt().
#include <fmt/format.h>

#include <cmath>

#include "core/metrics.hpp"
#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "core/synthetic.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/linalg.hpp"
#include "experiments/tensor_source.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;
/// How Y_q differs from Y (sums in double, sequential: deterministic).
struct GemmError {
  double rel_fro = 0, cosine = 0, max_abs = 0, max_ref = 0;
};

GemmError compare(const std::vector<float>& y, const std::vector<float>& yq) {
  double se = 0, sy = 0, sq = 0, dot = 0;
  GemmError g;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double a = y[i], b = yq[i], d = b - a;
    se += d * d;
    sy += a * a;
    sq += b * b;
    dot += a * b;
    g.max_abs = std::max(g.max_abs, std::fabs(d));
    g.max_ref = std::max(g.max_ref, std::fabs(a));
  }
  g.rel_fro = sy > 0 ? std::sqrt(se / sy) : (se > 0 ? INFINITY : 0.0);
  g.cosine = core::cosine_similarity(dot, sy, sq);  // degenerate cases as in core/metrics.hpp
  return g;
}

/// ||x_q - x||_F / ||x||_F of one operand.
double operand_error(const std::vector<float>& x, const std::vector<float>& xq) {
  double se = 0, sx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = double(xq[i]) - x[i];
    se += d * d;
    sx += double(x[i]) * x[i];
  }
  return sx > 0 ? std::sqrt(se / sx) : 0.0;
}

/// Multiply-adds above which a CPU run needs "yes" (about minutes of Eigen on a few cores).
constexpr double kMaxMacsWithoutYes = 1e12;

class Gemm : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"gemm", "Quantized GEMM error",
            "Q(A)·Q(B)^T against the FP32 A·B^T: relative Frobenius error, cosine, max abs error"};
  }
  ParamSpecs params() const override {
    // the operands' distribution: the tensor-source fragment's entries, with gemm's defaults
    auto source = [](const char* key) { return *find_param(source_params(), key); };
    auto seed = [&](const char* key, int def, const char* help) {
      ParamSpec s = with_help(with_default(source("seed"), def), help);
      s.key = key;
      return s;
    };
    return {int_param("m", 512, 1, 16384, "rows of A and of Y"),
            int_param("n", 512, 1, 16384, "rows of B, columns of Y"),
            int_param("k", 512, 1, 16384, "the reduction dimension: columns of A and B"),
            seed("seed_a", 1, "seed of the synthetic A"),
            seed("seed_b", 2, "seed of the synthetic B"),
            with_help(source("distribution"), "the operands' distribution"),
            with_help(source("dtype"), "the operands' dtype before quantization"),
            with_help(source("scale"), "sigma / scale of the distribution"),
            with_help(with_default(source("outlier_fraction"), 0.0), "fraction of elements replaced by outliers"),
            with_help(source("outlier_magnitude"), "outlier size in units of scale"),
            with_help(with_default(source("row_scale_spread"), 0.0), "each row of A and B scaled by exp(spread * z)"),
            recipe_param("recipe_a", "nvfp4:te", "recipe spec of A in the first pair"),
            recipe_param("recipe_b", "nvfp4:te", "recipe spec of B in the first pair"),
            recipe_list_param("recipes", "nvfp4:4over6:mse,nvfp4:static_6,nvfp4:static_4,mxfp4:floor,nvint4", 0, 0,
                              "more pairs, comma-separated: SPEC (both operands) or SPEC_A/SPEC_B"),
            bool_param("yes", false, "run even above 1e12 multiply-adds (the GEMMs run on the CPU)"),
            threads_param()};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const std::int64_t m = read_int(p, "m"), n = read_int(p, "n"), k = read_int(p, "k");
    if (m * n > (std::int64_t{1} << 28) || m * k > (std::int64_t{1} << 28) ||
        n * k > (std::int64_t{1} << 28)) {
      throw std::invalid_argument("gemm: each matrix may hold at most 2^28 elements");
    }
    std::vector<std::pair<Recipe, Recipe>> pairs{
        {core::parse_recipe(p.at("recipe_a").get<std::string>()),
         core::parse_recipe(p.at("recipe_b").get<std::string>())}};
    for (const std::string& item : read_string_list(p, "recipes")) {
      const std::size_t slash = item.find('/');
      if (slash == std::string::npos) {
        const Recipe r = core::parse_recipe(item);
        pairs.push_back({r, r});
      } else {
        pairs.push_back({core::parse_recipe(item.substr(0, slash)),
                         core::parse_recipe(item.substr(slash + 1))});
      }
    }
    // the cost, before anything is allocated: the FP32 GEMM and one per pair, all on the CPU
    const double gemms = 1.0 + static_cast<double>(pairs.size());
    const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) * gemms;
    if (macs > kMaxMacsWithoutYes && !p.at("yes").get<bool>()) {
      throw std::invalid_argument(fmt::format(
          "gemm: about {:.2g} multiply-adds on the CPU (m x n x k = {} x {} x {}, {} GEMMs: FP32 and "
          "{} recipe pair{}), above {:.0e}; pass --yes to run it anyway",
          macs, m, n, k, gemms, pairs.size(), pairs.size() == 1 ? "" : "s", kMaxMacsWithoutYes));
    }

    const core::SyntheticSpec s = synthetic_spec(p);
    core::SyntheticSpec sa = s, sb = s;
    sa.shape = {m, k};
    sa.seed = static_cast<std::uint64_t>(read_int(p, "seed_a"));
    sb.shape = {n, k};
    sb.seed = static_cast<std::uint64_t>(read_int(p, "seed_b"));
    if (progress && !progress(0.0, "operands")) throw Cancelled();
    const core::Tensor a = core::make_synthetic(sa, threads), b = core::make_synthetic(sb, threads);
    const std::vector<float> af = a.to_floats(), bf = b.to_floats();
    if (progress && !progress(0.05, "fp32 gemm")) throw Cancelled();
    const std::vector<float> y = gemm_abt(af, bf, m, n, k, threads);

    Result res;
    res.experiment = "gemm";
    res.provenance = make_provenance("gemm", p);
    res.provenance.input = "A: " + core::describe(sa) + "; B: " + core::describe(sb);
    res.provenance.input_hash =
        fnv1a_hex(a.data(), a.size_bytes()) + fnv1a_hex(b.data(), b.size_bytes());
    res.provenance.seed = sa.seed;
    Table t{"gemm",
            fmt::format("Q(A)·Q(B)^T against FP32 A·B^T, m={} n={} k={}", m, n, k),
            {"recipe A", "recipe B", "rel Frobenius err", "cosine", "max abs err",
             "max abs err / max |Y|", "A rel err", "B rel err"},
            {}};
    std::string text = fmt::format("{}\n{}\n{:<40} {:>12} {:>12} {:>12} {:>10} {:>10}\n",
                                   res.provenance.input, t.title, "recipes (A x B)", "rel Frob",
                                   "cosine", "max abs err", "A rel", "B rel");
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const auto& [ra, rb] = pairs[i];
      const std::string spec_a = core::recipe_to_spec(ra), spec_b = core::recipe_to_spec(rb);
      const std::string label = spec_a == spec_b ? spec_a : spec_a + " x " + spec_b;
      if (progress && !progress(0.1 + 0.9 * double(i) / pairs.size(), label)) throw Cancelled();
      const std::vector<float> aq =
          core::fake_quantize(a.view(), ra, core::DType::kF32, threads).to_floats();
      const std::vector<float> bq =
          core::fake_quantize(b.view(), rb, core::DType::kF32, threads).to_floats();
      const GemmError g = compare(y, gemm_abt(aq, bq, m, n, k, threads));
      const double ea = operand_error(af, aq), eb = operand_error(bf, bq);
      const double rel_max = g.max_ref > 0 ? g.max_abs / g.max_ref : 0.0;
      t.rows.push_back({spec_a, spec_b, g.rel_fro, g.cosine, g.max_abs, rel_max, ea, eb});
      res.scalars["rel_fro:" + label] = g.rel_fro;
      res.scalars["cosine:" + label] = g.cosine;
      res.scalars["max_abs_err:" + label] = g.max_abs;
      res.provenance.recipes.push_back(spec_a);
      if (spec_b != spec_a) res.provenance.recipes.push_back(spec_b);
      text += fmt::format("{:<40} {:>12.5e} {:>12.8f} {:>12.5g} {:>10.5f} {:>10.5f}\n", label,
                          g.rel_fro, g.cosine, g.max_abs, ea, eb);
    }
    res.tables.push_back(std::move(t));
    return finish(std::move(res), std::move(text), progress);
  }
};

}  // namespace

std::unique_ptr<Experiment> make_gemm() { return std::make_unique<Gemm>(); }

}  // namespace fp4lab::exp
