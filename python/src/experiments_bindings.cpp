// Experiments for the Python module: the registry the CLI runs (experiments/register_all.cpp),
// parameters in and the Result out as JSON text, which fp4lab.run turns into a dict with numpy
// arrays. Ctrl-C between progress steps cancels the run (KeyboardInterrupt).
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <Python.h>

#include "core/io/gguf.hpp"
#include "experiments/experiment.hpp"
#include "experiments/model/bpe_tokenizer.hpp"
#include "experiments/model/model_data.hpp"
#include "python/src/arrays.hpp"
#include "python/src/bindings.hpp"

namespace fp4lab::python {
namespace {

const exp::Registry& registry() {
  static const exp::Registry kRegistry = [] {
    exp::Registry r;
    exp::register_all(r);
    return r;
  }();
  return kRegistry;
}

/// The experiment `id`, or std::invalid_argument with the CLI's wording and the list.
const exp::Experiment& find_experiment(const std::string& id) {
  if (const exp::Experiment* e = registry().find(id)) return *e;
  std::string ids;
  for (const auto& e : registry().all()) ids += (ids.empty() ? "" : ", ") + e->info().id;
  throw std::invalid_argument("unknown experiment '" + id + "'; experiments: " + ids);
}

}  // namespace

void bind_experiments(nb::module_& m) {
  m.def("experiments", [] {
          std::vector<std::string> ids;
          for (const auto& e : registry().all()) ids.push_back(e->info().id);
          return ids;
        }, "The experiment ids, as the CLI names them ('compare', 'sweep', ...).");

  m.def("_experiment_info", [](const std::string& id) {
          const exp::Experiment& e = find_experiment(id);
          nb::dict d;
          d["id"] = e.info().id;
          d["title"] = e.info().title;
          d["summary"] = e.info().summary;
          d["defaults"] = e.default_params().dump();
          nb::list help;
          for (const auto& [key, line] : e.param_help()) help.append(nb::make_tuple(key, line));
          d["help"] = help;
          return d;
        }, nb::arg("id"), "An experiment's id, title, summary, defaults (JSON text) and per-parameter help.");

  m.def("_run", [](const std::string& id, const std::string& params_json) {
          const exp::Experiment& e = find_experiment(id);
          exp::Params given;
          try {
            given = exp::Params::parse(params_json);
          } catch (const nlohmann::json::exception& ex) {
            throw std::invalid_argument(std::string("fp4lab: parameters are not JSON: ") + ex.what());
          }
          bool interrupted = false;
          exp::Result r;
          {
            nb::gil_scoped_release release;
            try {
              r = e.run(given, [&](double, std::string_view) {
                nb::gil_scoped_acquire acquire;
                if (PyErr_CheckSignals() != 0) {
                  interrupted = true;
                  return false;
                }
                return true;
              });
            } catch (const exp::Cancelled&) {
              if (!interrupted) throw std::runtime_error("cancelled");
            }
          }
          if (interrupted) throw nb::python_error();  // the KeyboardInterrupt PyErr_CheckSignals set
          return exp::to_json(r).dump();
        }, nb::arg("id"), nb::arg("params_json"),
        "Runs an experiment with the given parameters (JSON object text); the Result as JSON text.");

  // The perplexity experiment's inputs, for scoring the same tokens elsewhere (transformers).
  m.def("model_path", [](const std::string& spec) { return exp::model::resolve_model_path(spec); },
        nb::arg("model") = "smollm2",
        "The GGUF file `model` names, as perplexity's --model resolves it ('smollm2' = the cached SmolLM2).");
  m.def("load_text", [](const std::string& spec) { return exp::model::load_text(spec); }, nb::arg("text"),
        "The text perplexity's --text names: a cached novel ('prideprejudice', ...) or a UTF-8 file.");
  m.def("tokenize", [](const std::string& text, const std::string& model) {
          std::vector<std::int32_t> ids;
          {
            nb::gil_scoped_release release;
            const core::GgufFile gguf = core::open_gguf(exp::model::resolve_model_path(model));
            ids = exp::model::BpeTokenizer::from_gguf(gguf).encode(text);
          }
          const auto n = static_cast<std::int64_t>(ids.size());
          return numpy_from_vector(std::move(ids), {n});
        }, nb::arg("text"), nb::arg("model") = "smollm2",
        "The token ids (int32, no BOS) of UTF-8 `text` under the GGUF model's byte-level BPE tokenizer, "
        "as perplexity tokenizes its text.");
}

}  // namespace fp4lab::python
