// `perplexity`: a real language model (SmolLM2-135M from GGUF) on real text (a Jane Austen novel)
// under every recipe, as the 4/6 paper measures it: weights fake-quantized once, and for W4A4 the
// input of every linear layer fake-quantized per call. Fixed protocol: non-overlapping windows of
// `context` tokens, each fed as BOS + the window, every window token scored.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/io/gguf.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "experiments/model/bpe_tokenizer.hpp"
#include "experiments/model/llama.hpp"
#include "experiments/model/model_data.hpp"

namespace fp4lab::exp {
namespace {

using model::ActivationQuant;
using model::Linear;
using model::LinearSet;

constexpr const char* kBaselineNote =
    "baseline = the GGUF's weights dequantized (Q4_1 linears, Q8_0 embeddings: already 4-bit, so weight "
    "re-quantization (W4A16) is confounded with the checkpoint's own quantization; W4A4 adds activation "
    "quantization to a full-precision-activation baseline)";

/// Per-token scores of one run against the targets and, when given, the baseline's log-probs.
struct Scores {
  std::vector<double> window_nll;  // mean NLL per window
  double nll_sum = 0, kl_sum = 0;
  std::int64_t tokens = 0, top1_agree = 0;
};

// Log-softmax of each row of `logits` [rows, vocab] in place (max-subtracted, sum in double).
void log_softmax(std::vector<float>& logits, std::int64_t rows, std::int64_t vocab) {
  for (std::int64_t r = 0; r < rows; ++r) {
    float* l = logits.data() + r * vocab;
    const float mx = *std::max_element(l, l + vocab);
    double sum = 0;
    for (std::int64_t i = 0; i < vocab; ++i) sum += std::exp(double(l[i]) - mx);
    const auto lse = static_cast<float>(double(mx) + std::log(sum));
    for (std::int64_t i = 0; i < vocab; ++i) l[i] -= lse;
  }
}

std::int64_t argmax(const float* v, std::int64_t n) { return std::max_element(v, v + n) - v; }

void score_window(const std::vector<float>& logp, const std::vector<float>* base, std::span<const std::int32_t> targets,
                  std::int64_t vocab, Scores& s) {
  double nll = 0;
  const auto n = static_cast<std::int64_t>(targets.size());
  for (std::int64_t t = 0; t < n; ++t) {
    const float* lq = logp.data() + t * vocab;
    nll -= lq[targets[static_cast<std::size_t>(t)]];
    if (base) {
      const float* lb = base->data() + t * vocab;
      double kl = 0;
      for (std::int64_t i = 0; i < vocab; ++i) kl += std::exp(double(lb[i])) * (double(lb[i]) - double(lq[i]));
      s.kl_sum += kl;
      s.top1_agree += argmax(lb, vocab) == argmax(lq, vocab) ? 1 : 0;
    }
  }
  s.nll_sum += nll;
  s.tokens += n;
  s.window_nll.push_back(nll / double(n));
}

double perplexity(const Scores& s) { return std::exp(s.nll_sum / double(s.tokens)); }

// Standard error of the perplexity over windows (delta method on the mean window NLL); NaN for
// one window (reported as "n/a").
double perplexity_se(const Scores& s) {
  const auto w = static_cast<double>(s.window_nll.size());
  if (w < 2) return NAN;
  double mean = 0, var = 0;
  for (const double x : s.window_nll) mean += x / w;
  for (const double x : s.window_nll) var += (x - mean) * (x - mean) / (w - 1);
  return perplexity(s) * std::sqrt(var / w);
}

Cell number_or_na(double v) { return std::isfinite(v) ? Cell{v} : Cell{std::string("n/a")}; }

class Perplexity : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"perplexity", "Perplexity of a real language model under each recipe",
            "SmolLM2-135M (GGUF) on a Jane Austen novel: W4A4 and W4A16 perplexity, KL and top-1 agreement "
            "against the unquantized model"};
  }
  ParamSpecs params() const override {
    std::string novels;
    for (const std::string& n : model::novel_names()) novels += (novels.empty() ? "" : ", ") + n;
    return {string_param("model", "smollm2",
                         "GGUF file of a Llama model; 'smollm2' = the cached SmolLM2-135M (data/fetch_model_data.py)"),
            string_param("weights", "",
                         "a .safetensors whose tensors replace the model's of the same GGUF name (e.g. fp4lab "
                         "dequantize's output; names and shapes must match); '' = none"),
            string_param("text", "prideprejudice", "a novel (" + novels + ") or a UTF-8 text file"),
            int_param("offset", 0, 0, 100000000, "first token of the first window"),
            int_param("windows", 4, 1, 10000, "non-overlapping windows scored"),
            int_param("context", 512, 2, 8192, "tokens per window (each fed after BOS, all scored)"),
            recipe_list_param("recipes", "nvfp4:te,nvfp4:4over6:mse,nvfp4:4over6:mae,nvfp4:4over6:abs_max,mxfp4,nvint4",
                              0, 64, "recipes applied to weights and activations"),
            string_list_param("modes", "w4a4,w4a16", "w4a4 (weights and linear inputs) and/or w4a16 (weights only)"),
            recipe_param("sensitivity", "",
                         "recipe for the per-layer-type table (only one kind of linear quantized, W4A4); '' = none"),
            threads_param()};
  }

  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const std::int64_t offset = read_int(p, "offset"), windows = read_int(p, "windows"),
                       context = read_int(p, "context");
    std::vector<formats::Recipe> recipes;
    for (const std::string& r : read_string_list(p, "recipes")) recipes.push_back(core::parse_recipe(r));
    bool w4a4 = false, w4a16 = false;
    for (const std::string& m : read_string_list(p, "modes")) {
      if (m == "w4a4") w4a4 = true;
      else if (m == "w4a16") w4a16 = true;
      else throw std::invalid_argument("perplexity: unknown mode '" + m + "' (modes: w4a4, w4a16)");
    }
    const std::string sens_spec = p.at("sensitivity").get<std::string>();
    const std::optional<formats::Recipe> sens =
        sens_spec.empty() ? std::nullopt : std::optional(core::parse_recipe(sens_spec));

    auto step = [&](double f, const std::string& stage) {
      if (progress && !progress(f, stage)) throw Cancelled();
    };
    step(0.0, "loading the model");
    const std::string model_path = model::resolve_model_path(p.at("model").get<std::string>());
    const core::GgufFile gguf = core::open_gguf(model_path);
    const std::string weights = p.at("weights").get<std::string>();
    const model::LlamaModel base = [&] {
      model::LlamaModel m = model::load_llama(gguf);
      if (!weights.empty()) model::replace_weights(m, gguf, weights);
      return m;
    }();
    const model::BpeTokenizer tok = model::BpeTokenizer::from_gguf(gguf);
    if (static_cast<int>(tok.vocab_size()) != base.config.vocab) {
      throw std::invalid_argument("perplexity: the tokenizer's vocabulary does not match the embedding rows");
    }
    if (context + 1 > 8192) throw std::invalid_argument("perplexity: context + BOS exceeds 8192 tokens");
    step(0.02, "tokenizing");
    const std::string text_spec = p.at("text").get<std::string>();
    const std::vector<std::int32_t> ids = tok.encode(model::load_text(text_spec));
    if (offset + windows * context > static_cast<std::int64_t>(ids.size())) {
      throw std::invalid_argument(fmt::format("perplexity: {} windows of {} tokens from token {} need {} tokens; the "
                                              "text has {}",
                                              windows, context, offset, offset + windows * context, ids.size()));
    }
    const std::int64_t vocab = base.config.vocab;
    const std::int64_t runs_total =
        windows * (1 + std::int64_t(recipes.size()) * ((w4a4 ? 1 : 0) + (w4a16 ? 1 : 0)) + (sens ? 7 : 0));
    std::int64_t runs_done = 0;
    auto window_tokens = [&](std::int64_t w) {
      std::vector<std::int32_t> seq{base.config.bos};
      const auto first = ids.begin() + offset + w * context;
      seq.insert(seq.end(), first, first + context);
      return seq;
    };
    // Scores one configuration over every window; keeps the baseline's log-probs when asked.
    std::vector<std::vector<float>> base_logp;
    auto evaluate = [&](const model::LlamaModel& m, const ActivationQuant& act, const std::string& label,
                        bool keep) {
      Scores s;
      for (std::int64_t w = 0; w < windows; ++w) {
        step(0.05 + 0.95 * double(runs_done) / double(runs_total), fmt::format("{} window {}/{}", label, w + 1, windows));
        const std::vector<std::int32_t> seq = window_tokens(w);
        std::vector<float> logp = model::forward_logits(m, seq, context, act, threads);
        log_softmax(logp, context, vocab);
        score_window(logp, keep ? nullptr : &base_logp[static_cast<std::size_t>(w)],
                     std::span<const std::int32_t>(seq).subspan(1), vocab, s);
        if (keep) base_logp.push_back(std::move(logp));
        ++runs_done;
      }
      return s;
    };

    Result res;
    res.experiment = "perplexity";
    res.provenance = make_provenance("perplexity", p);
    res.provenance.input = fmt::format("{} ({}){}; text {}: tokens [{}, {}) of {}, {} windows of {} after BOS", model_path,
                                       gguf.string_value("general.name"),
                                       weights.empty() ? "" : ", weights replaced from " + weights, text_spec, offset,
                                       offset + windows * context, ids.size(), windows, context);
    res.provenance.input_hash = fnv1a_hex(ids.data() + offset, sizeof(std::int32_t) * windows * context);
    Table t{"perplexity", "Perplexity per recipe (" + std::string(kBaselineNote) + ")",
            {"recipe", "mode", "perplexity", "perplexity SE (windows)", "delta vs baseline", "KL vs baseline (nats/token)",
             "top-1 agreement", "tokens"},
            {}};
    const Scores b = evaluate(base, {}, "baseline", true);
    const double ppl0 = perplexity(b);
    t.rows.push_back({std::string("baseline (dequantized GGUF)"), std::string("-"), ppl0, number_or_na(perplexity_se(b)),
                      0.0, 0.0, 1.0, double(b.tokens)});
    res.scalars["perplexity:baseline"] = ppl0;
    std::string text = fmt::format("{}\n{}\n\n{:<28} {:>6} {:>11} {:>9} {:>10} {:>9} {:>7}\n", res.provenance.input,
                                   kBaselineNote, "recipe", "mode", "perplexity", "SE", "delta", "KL", "top-1");
    auto add_row = [&](const std::string& spec, const char* mode, const Scores& s) {
      const double ppl = perplexity(s), kl = s.kl_sum / double(s.tokens), top1 = double(s.top1_agree) / double(s.tokens);
      t.rows.push_back({spec, std::string(mode), ppl, number_or_na(perplexity_se(s)), ppl - ppl0, kl, top1,
                        double(s.tokens)});
      res.scalars[fmt::format("perplexity:{}:{}", mode, spec)] = ppl;
      res.scalars[fmt::format("kl:{}:{}", mode, spec)] = kl;
      res.scalars[fmt::format("top1:{}:{}", mode, spec)] = top1;
      text += fmt::format("{:<28} {:>6} {:>11.4f} {:>9} {:>+10.4f} {:>9.5f} {:>7.4f}\n", spec, mode, ppl,
                          std::isfinite(perplexity_se(s)) ? fmt::format("{:.4f}", perplexity_se(s)) : "n/a", ppl - ppl0,
                          kl, top1);
    };
    text += fmt::format("{:<28} {:>6} {:>11.4f} {:>9} {:>+10.4f} {:>9.5f} {:>7.4f}\n", "baseline", "-", ppl0,
                        std::isfinite(perplexity_se(b)) ? fmt::format("{:.4f}", perplexity_se(b)) : "n/a", 0.0, 0.0,
                        1.0);
    for (const formats::Recipe& r : recipes) {
      const std::string spec = core::recipe_to_spec(r);
      res.provenance.recipes.push_back(spec);
      const model::LlamaModel wq = model::quantize_weights(base, r, model::kAllLinears, threads);
      if (w4a4) add_row(spec, "w4a4", evaluate(wq, ActivationQuant{r, model::kAllLinears}, spec + " w4a4", false));
      if (w4a16) add_row(spec, "w4a16", evaluate(wq, ActivationQuant{}, spec + " w4a16", false));
    }
    res.tables.push_back(std::move(t));
    if (sens) {
      const std::string spec = core::recipe_to_spec(*sens);
      Table st{"sensitivity", "Perplexity with only one kind of linear quantized (W4A4, " + spec + ")",
               {"linear", "perplexity", "delta vs baseline", "KL vs baseline (nats/token)", "top-1 agreement"},
               {}};
      text += fmt::format("\nper-layer-type sensitivity ({}, W4A4 on one kind of linear):\n", spec);
      for (const Linear l : model::kLinears) {
        LinearSet only{};
        only[static_cast<int>(l)] = true;
        const model::LlamaModel wq = model::quantize_weights(base, *sens, only, threads);
        const Scores s = evaluate(wq, ActivationQuant{*sens, only}, std::string("only ") + model::linear_name(l), false);
        const double ppl = perplexity(s);
        st.rows.push_back({std::string(model::linear_name(l)), ppl, ppl - ppl0, s.kl_sum / double(s.tokens),
                           double(s.top1_agree) / double(s.tokens)});
        res.scalars[fmt::format("sensitivity:{}", model::linear_name(l))] = ppl;
        text += fmt::format("  {:<5} {:>11.4f} {:>+10.4f}\n", model::linear_name(l), ppl, ppl - ppl0);
      }
      res.tables.push_back(std::move(st));
    }
    res.summary = text;
    step(1.0, "done");
    return res;
  }
};

}  // namespace

std::unique_ptr<Experiment> make_perplexity() { return std::make_unique<Perplexity>(); }

}  // namespace fp4lab::exp
