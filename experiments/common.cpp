// Helpers shared by the experiments (see common.hpp).
#include "experiments/common.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/recipe_spec.hpp"
#include "core/simulate.hpp"
#include "experiments/tensor_source.hpp"
#include "formats/block_family.hpp"

#ifndef FP4LAB_VERSION
#define FP4LAB_VERSION "unknown"
#endif
#ifndef FP4LAB_GIT_REVISION
#define FP4LAB_GIT_REVISION "unknown"
#endif

namespace fp4lab::exp {

std::string list_string(const std::vector<float>& v, int digits) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt::format("{:.{}g}", v[i], digits);
  return s + "]";
}

std::vector<float> read_float_list(const Params& p, const char* key) { return list_numbers(p.at(key), key); }

std::vector<std::string> read_string_list(const Params& p, const char* key) {
  const Params& v = p.at(key);
  if ((v.is_string() && v.get<std::string>().empty()) || (v.is_array() && v.empty())) return {};
  return list_entries(v, key);
}

long long read_int(const Params& p, const char* key) {
  const Params& v = p.at(key);
  if (!v.is_number()) throw std::invalid_argument(std::string("parameter '") + key + "' must be an integer, got " + v.dump());
  return v.is_number_float() ? static_cast<long long>(v.get<double>()) : v.get<long long>();
}

double read_double(const Params& p, const char* key) {
  const Params& v = p.at(key);
  if (!v.is_number()) throw std::invalid_argument(std::string("parameter '") + key + "' must be a number, got " + v.dump());
  return v.get<double>();
}

std::string table_text(const Table& t) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(t.columns);
  for (const auto& row : t.rows) {
    std::vector<std::string> r;
    for (const Cell& c : row) {
      if (const auto* s = std::get_if<std::string>(&c)) {
        r.push_back(*s);
      } else {
        r.push_back(fmt::format("{:.6g}", std::get<double>(c)));
      }
    }
    cells.push_back(std::move(r));
  }
  std::vector<std::size_t> width(t.columns.size(), 0);
  for (const auto& r : cells) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out = t.title + "\n";
  for (const auto& r : cells) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
      out += fmt::format("{}{:<{}}", i ? "  " : "", r[i], width[i]);
    }
    out += "\n";
  }
  return out;
}

BlockChoice block_choice(const formats::Recipe& r) {
  if (formats::family_traits(r.format).style == formats::ScaleStyle::kIntFloat) return BlockChoice::kIntOrFloat;
  if (r.format == formats::BlockFormat::kNVFP4 && r.nv == formats::NvRecipe::kFourOverSix) {
    return BlockChoice::kFourOverSix;
  }
  return BlockChoice::kNone;
}

const char* alternative_name(BlockChoice c) {
  switch (c) {
    case BlockChoice::kFourOverSix: return "M=4";
    case BlockChoice::kIntOrFloat: return "INT";
    case BlockChoice::kNone: break;
  }
  return "";
}

bool chose_alternative(const formats::BlockRecord& b, BlockChoice c) {
  switch (c) {
    case BlockChoice::kFourOverSix: return b.chosen_max == 4;
    case BlockChoice::kIntOrFloat: return b.chose_int == 1;
    case BlockChoice::kNone: break;
  }
  return false;
}

ChoiceCount count_choices(const std::vector<formats::BlockRecord>& records, BlockChoice c) {
  ChoiceCount n;
  for (const formats::BlockRecord& b : records) {
    if (b.nonfinite > 0) continue;
    ++n.blocks;
    n.chosen += chose_alternative(b, c);
  }
  return n;
}

formats::Recipe read_recipe(const std::string& spec, const char* key, RecipeUse use) {
  try {
    formats::Recipe r = core::parse_recipe(spec);
    if (use == RecipeUse::kSimulate) core::validate_simulate_recipe(r);
    return r;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("parameter '") + key + "': " + e.what());
  }
}

Provenance make_provenance(const std::string& experiment, const Params& params) {
  Provenance p;
  p.version = FP4LAB_VERSION;
  p.git_revision = FP4LAB_GIT_REVISION;
  p.experiment = experiment;
  p.params = params;
  return p;
}

Result source_result(const std::string& experiment, const Params& params, const SourceTensor& src) {
  Result res;
  res.experiment = experiment;
  res.provenance = make_provenance(experiment, params);
  res.provenance.input = src.description;
  res.provenance.input_hash = src.hash;
  res.provenance.seed = src.seed;
  return res;
}

Result finish(Result res, std::string summary, const Progress& progress) {
  res.summary = std::move(summary);
  if (progress) progress(1.0, "done");
  return res;
}

}  // namespace fp4lab::exp
