// Tensor selection and recipe maps of `fp4lab quantize` (see tensor_selection.hpp): the order
// of the rules is written once here, in decide_tensor.
#include "core/io/tensor_selection.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"

namespace fp4lab::core {
namespace {

using json = nlohmann::json;

bool any_match(std::span<const std::string> patterns, std::string_view name) {
  for (const std::string& p : patterns) {
    if (glob_match(p, name)) return true;
  }
  return false;
}

/// A recipe spec or "skip" at `where` in map `source`.
std::optional<formats::Recipe> map_recipe(const json& v, const std::string& source, const std::string& where) {
  if (!v.is_string()) {
    throw std::invalid_argument(source + ": " + where + " must be a string (a recipe spec or \"skip\"), not a JSON " +
                                v.type_name());
  }
  const std::string spec = v.get<std::string>();
  if (spec == "skip") return std::nullopt;
  try {
    formats::Recipe r = parse_recipe(spec);
    validate_recipe(r);
    if (r.overflow == formats::Fp4Overflow::kReferenceUnclamped) {
      throw std::invalid_argument("ref_unclamped can give 8, which no E2M1 code holds: it has no stored form");
    }
    return r;
  } catch (const std::invalid_argument& ex) {
    throw std::invalid_argument(source + ": " + where + " '" + spec + "' is not a recipe: " + ex.what());
  }
}

}  // namespace

RecipeMap parse_recipe_map(std::string_view json_text, const std::string& source) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& ex) {
    throw std::invalid_argument(source + ": not valid JSON: " + ex.what());
  }
  if (!j.is_object()) {
    throw std::invalid_argument(source + ": a recipe map is a JSON object {\"default\": SPEC, \"rules\": [...]}, not a JSON " +
                                std::string(j.type_name()));
  }
  RecipeMap m;
  for (const auto& [key, value] : j.items()) {
    if (key == "default") {
      m.has_default = true;
      m.default_recipe = map_recipe(value, source, "\"default\"");
      m.default_spec = value.get<std::string>();
    } else if (key == "rules") {
      if (!value.is_array()) throw std::invalid_argument(source + ": \"rules\" must be a JSON array");
      for (std::size_t i = 0; i < value.size(); ++i) {
        const json& r = value[i];
        const std::string where = "rules[" + std::to_string(i) + "]";
        if (!r.is_object()) throw std::invalid_argument(source + ": " + where + " must be an object {\"match\", \"recipe\"}");
        for (const auto& [k, v] : r.items()) {
          if (k != "match" && k != "recipe") {
            throw std::invalid_argument(source + ": " + where + ": unknown key '" + k + "' (accepted: match, recipe)");
          }
        }
        if (!r.contains("match") || !r["match"].is_string() || r["match"].get<std::string>().empty()) {
          throw std::invalid_argument(source + ": " + where + " needs \"match\": a non-empty glob string");
        }
        if (!r.contains("recipe")) throw std::invalid_argument(source + ": " + where + " needs \"recipe\"");
        RecipeRule rule{r["match"].get<std::string>(), map_recipe(r["recipe"], source, where + ".recipe"),
                        r["recipe"].get<std::string>()};
        m.rules.push_back(std::move(rule));
      }
    } else {
      throw std::invalid_argument(source + ": unknown key '" + key + "' (accepted: default, rules)");
    }
  }
  return m;
}

RecipeMap read_recipe_map(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("recipe map " + path + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_recipe_map(ss.str(), "recipe map " + path);
}

TensorDecision decide_tensor(std::string_view name, std::span<const std::int64_t> shape, bool is_float,
                             const SelectionRules& rules, const RecipeMap& map,
                             const std::optional<formats::Recipe>& fallback) {
  auto pass = [](std::string reason) { return TensorDecision{false, std::nullopt, std::move(reason)}; };
  if (!is_float) return pass("not float data");
  for (const std::string& p : rules.exclude) {
    if (glob_match(p, name)) return pass("--exclude " + p);
  }
  const bool only = any_match(rules.only, name);
  if (!rules.only.empty() && !only) return pass("not matched by --tensors");
  const bool explicit_include = only || any_match(rules.include, name);
  if (!explicit_include && rules.default_exclusions) {
    for (const std::string_view p : kDefaultExclusions) {
      if (glob_match(p, name)) return pass("default exclusion " + std::string(p));
    }
    if (shape.size() <= 1) return pass("default exclusion: rank " + std::to_string(shape.size()));
  }
  for (const RecipeRule& r : map.rules) {
    if (glob_match(r.match, name)) {
      if (!r.recipe) return pass("recipe map: skip (" + r.match + ")");
      return {true, r.recipe, ""};
    }
  }
  if (map.has_default) {
    if (!map.default_recipe) return pass("recipe map: default skip");
    return {true, map.default_recipe, ""};
  }
  if (!fallback) return pass("no recipe");
  return {true, fallback, ""};
}

std::vector<std::string> unmatched_patterns(std::span<const std::string> patterns, std::span<const std::string> names) {
  std::vector<std::string> out;
  for (const std::string& p : patterns) {
    bool hit = false;
    for (const std::string& n : names) hit = hit || glob_match(p, n);
    if (!hit) out.push_back(p);
  }
  return out;
}

}  // namespace fp4lab::core
