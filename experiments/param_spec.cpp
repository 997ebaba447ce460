// Declarative experiment parameters (see param_spec.hpp): builders, defaults, help lines with
// ranges and choices, and the checks every value passes before an experiment runs.
#include "experiments/param_spec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "core/recipe_spec.hpp"

namespace fp4lab::exp {

namespace {

ParamSpec make(std::string key, ParamKind kind, Params def, std::string help) {
  ParamSpec s;
  s.key = std::move(key);
  s.kind = kind;
  s.default_value = std::move(def);
  s.help = std::move(help);
  return s;
}

bool is_list(ParamKind k) {
  return k == ParamKind::kNumberList || k == ParamKind::kStringList || k == ParamKind::kRecipeList;
}

bool has_range(const ParamSpec& s) { return s.min < s.max; }

/// A bound as the help and the errors print it: integers without a fraction.
std::string bound(const ParamSpec& s, double v) {
  if (s.kind == ParamKind::kInt) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{:g}", v);
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace

std::vector<float> list_numbers(const Params& v, const std::string& key) {
  std::vector<float> out;
  if (v.is_array()) {
    for (const Params& x : v) {
      if (!x.is_number())
        throw std::invalid_argument("parameter '" + key + "': not a number: " + x.dump());
      out.push_back(x.get<float>());
    }
    return out;
  }
  if (!v.is_string())
    throw std::invalid_argument("parameter '" + key + "' must be a list of numbers");
  for (const std::string& tok : split_commas(v.get<std::string>())) {
    std::size_t used = 0;
    float f = 0;
    try {
      f = std::stof(tok, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (tok.empty() || used != tok.size()) {
      throw std::invalid_argument("parameter '" + key + "': '" + tok + "' is not a number");
    }
    out.push_back(f);
  }
  return out;
}

namespace {

void check_count(const ParamSpec& s, std::size_t n) {
  const bool too_few = static_cast<long long>(n) < s.min_items;
  const bool too_many = s.max_items > 0 && static_cast<long long>(n) > s.max_items;
  if (too_few || too_many) {
    throw std::invalid_argument(
        s.max_items > 0 ? fmt::format("parameter '{}': give {} to {} entries, got {}", s.key,
                                      s.min_items, s.max_items, n)
                        : fmt::format("parameter '{}': give at least {} entries, got {}", s.key,
                                      s.min_items, n));
  }
}

}  // namespace

ParamSpec int_param(std::string key, long long def, long long min, long long max,
                    std::string help) {
  ParamSpec s = make(std::move(key), ParamKind::kInt, def, std::move(help));
  s.min = static_cast<double>(min);
  s.max = static_cast<double>(max);
  return s;
}

ParamSpec number_param(std::string key, double def, double min, double max, std::string help) {
  ParamSpec s = make(std::move(key), ParamKind::kNumber, def, std::move(help));
  s.min = min;
  s.max = max;
  return s;
}

ParamSpec bool_param(std::string key, bool def, std::string help) {
  return make(std::move(key), ParamKind::kBool, def, std::move(help));
}

ParamSpec string_param(std::string key, std::string def, std::string help) {
  return make(std::move(key), ParamKind::kString, std::move(def), std::move(help));
}

ParamSpec choice_param(std::string key, std::string def, std::vector<std::string> choices,
                       std::string help) {
  ParamSpec s = make(std::move(key), ParamKind::kChoice, std::move(def), std::move(help));
  s.choices = std::move(choices);
  return s;
}

ParamSpec recipe_param(std::string key, std::string def, std::string help) {
  return make(std::move(key), ParamKind::kRecipe, std::move(def), std::move(help));
}

ParamSpec number_list_param(std::string key, std::string def, double min, double max, int min_items,
                            int max_items, std::string help) {
  ParamSpec s = make(std::move(key), ParamKind::kNumberList, std::move(def), std::move(help));
  s.min = min;
  s.max = max;
  s.min_items = min_items;
  s.max_items = max_items;
  return s;
}

ParamSpec string_list_param(std::string key, std::string def, std::string help) {
  ParamSpec s = make(std::move(key), ParamKind::kStringList, std::move(def), std::move(help));
  s.min_items = 1;
  return s;
}

ParamSpec recipe_list_param(std::string key, std::string def, int min_items, int max_items,
                            std::string help) {
  ParamSpec s = make(std::move(key), ParamKind::kRecipeList, std::move(def), std::move(help));
  s.min_items = min_items;
  s.max_items = max_items;
  s.empty_list_ok = min_items == 0;
  return s;
}

ParamSpec threads_param() { return int_param("threads", 0, 0, 1024, "CPU threads, 0: all cores"); }

ParamSpec with_default(ParamSpec s, Params def) {
  s.default_value = std::move(def);
  return s;
}

ParamSpec with_help(ParamSpec s, std::string help) {
  s.help = std::move(help);
  return s;
}

const ParamSpec* find_param(const ParamSpecs& specs, std::string_view key) {
  for (const ParamSpec& s : specs) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

ParamSpecs operator+(ParamSpecs a, const ParamSpecs& b) {
  for (const ParamSpec& s : b) {
    if (find_param(a, s.key)) throw std::logic_error("parameter '" + s.key + "' declared twice");
    a.push_back(s);
  }
  return a;
}

Params spec_defaults(const ParamSpecs& specs) {
  Params p = Params::object();
  for (const ParamSpec& s : specs) p[s.key] = s.default_value;
  return p;
}

std::string help_line(const ParamSpec& s) {
  std::string h = s.help;
  if (s.kind == ParamKind::kChoice)
    return h + (h.empty() ? "" : ": ") + "one of " + join(s.choices, ", ");
  std::vector<std::string> notes;
  if (has_range(s)) notes.push_back(bound(s, s.min) + " to " + bound(s, s.max));
  if (is_list(s.kind) && (s.min_items > 1 || s.max_items > 0)) {
    notes.push_back(s.max_items > 0 ? fmt::format("{} to {} entries", s.min_items, s.max_items)
                                    : fmt::format("at least {} entries", s.min_items));
  }
  if (is_list(s.kind) && s.empty_list_ok) notes.push_back("may be empty");
  if (!notes.empty()) h += " (" + join(notes, "; ") + ")";
  return h;
}

std::vector<std::pair<std::string, std::string>> spec_help(const ParamSpecs& specs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ParamSpec& s : specs) out.emplace_back(s.key, help_line(s));
  return out;
}

std::vector<std::string> list_entries(const Params& v, const std::string& key) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const Params& x : v) {
      if (!x.is_string())
        throw std::invalid_argument("parameter '" + key + "': not a string: " + x.dump());
      out.push_back(x.get<std::string>());
    }
  } else if (v.is_string()) {
    out = split_commas(v.get<std::string>());
  } else {
    throw std::invalid_argument("parameter '" + key + "' must be a list of strings");
  }
  for (const std::string& s : out) {
    if (s.empty()) throw std::invalid_argument("parameter '" + key + "' has an empty entry");
  }
  return out;
}

/// A recipe list entry in canonical form ("A/B" pairs side by side); the entry itself when it does
/// not parse (the experiment reports that with the parser's message).
std::string canonical_entry(const std::string& entry) {
  try {
    const std::size_t slash = entry.find('/');
    if (slash == std::string::npos) return core::recipe_to_spec(core::parse_recipe(entry));
    return core::recipe_to_spec(core::parse_recipe(entry.substr(0, slash))) + "/" +
           core::recipe_to_spec(core::parse_recipe(entry.substr(slash + 1)));
  } catch (const std::exception&) {
    return entry;
  }
}

/// Refuses a recipe listed twice (also when spelled differently, e.g. "nvfp4" and "nvfp4:te"):
/// a duplicate would run twice and appear twice in every table.
void check_no_duplicate_recipes(const std::vector<std::string>& entries, const std::string& key) {
  std::vector<std::string> canonical;
  for (std::size_t k = 0; k < entries.size(); ++k) {
    canonical.push_back(canonical_entry(entries[k]));
    for (std::size_t i = 0; i < k; ++i) {
      if (canonical[i] != canonical[k]) continue;
      const std::string same =
          entries[i] == entries[k] ? "" : fmt::format(" as '{}'", entries[i]);
      throw std::invalid_argument(fmt::format(
          "parameter '{}': entry {} '{}' is the same recipe{} (entry {}, {}); list each recipe once",
          key, k + 1, entries[k], same, i + 1, canonical[k]));
    }
  }
}

void validate_param(const ParamSpec& s, const Params& v) {
  const std::string& key = s.key;
  switch (s.kind) {
    case ParamKind::kInt: {
      if (!v.is_number_integer() &&
          !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>())) {
        throw std::invalid_argument("parameter '" + key + "' must be an integer, got " + v.dump());
      }
      const double d = v.get<double>();
      if (d < s.min || d > s.max) {
        throw std::invalid_argument(fmt::format("parameter '{}' = {} is out of range [{}, {}]", key,
                                                v.dump(), bound(s, s.min), bound(s, s.max)));
      }
      return;
    }
    case ParamKind::kNumber: {
      if (!v.is_number())
        throw std::invalid_argument("parameter '" + key + "' must be a number, got " + v.dump());
      const double d = v.get<double>();
      if (!std::isfinite(d) || d < s.min || d > s.max) {
        throw std::invalid_argument(fmt::format("parameter '{}' = {} is out of range [{}, {}]", key,
                                                d, bound(s, s.min), bound(s, s.max)));
      }
      return;
    }
    case ParamKind::kBool:
      if (!v.is_boolean())
        throw std::invalid_argument("parameter '" + key + "' must be a boolean, got " + v.dump());
      return;
    case ParamKind::kString:
    case ParamKind::kRecipe:
      if (!v.is_string())
        throw std::invalid_argument("parameter '" + key + "' must be a string, got " + v.dump());
      return;
    case ParamKind::kChoice: {
      if (!v.is_string())
        throw std::invalid_argument("parameter '" + key + "' must be a string, got " + v.dump());
      const std::string x = v.get<std::string>();
      for (const std::string& c : s.choices) {
        if (c == x) return;
      }
      throw std::invalid_argument("parameter '" + key + "' = '" + x +
                                  "' is unknown; accepted: " + join(s.choices, ", "));
    }
    case ParamKind::kNumberList: {
      const std::vector<float> xs = list_numbers(v, key);
      check_count(s, xs.size());
      for (const float x : xs) {
        if (!std::isfinite(x))
          throw std::invalid_argument("parameter '" + key + "': every value must be finite");
        if (has_range(s) && (x < s.min || x > s.max)) {
          throw std::invalid_argument(fmt::format("parameter '{}': {:g} is out of range [{}, {}]",
                                                  key, x, bound(s, s.min), bound(s, s.max)));
        }
      }
      return;
    }
    case ParamKind::kStringList:
    case ParamKind::kRecipeList: {
      const bool none =
          (v.is_string() && v.get<std::string>().empty()) || (v.is_array() && v.empty());
      if (none && s.empty_list_ok) return;
      const std::vector<std::string> entries = list_entries(v, key);
      check_count(s, entries.size());
      if (s.kind == ParamKind::kRecipeList) check_no_duplicate_recipes(entries, key);
      return;
    }
  }
}

Params merge_params(const ParamSpecs& specs, const Params& given, std::string_view experiment) {
  if (!given.is_object())
    throw std::invalid_argument(std::string(experiment) + ": parameters must be a JSON object");
  Params out = spec_defaults(specs);
  for (const auto& [key, value] : given.items()) {
    const ParamSpec* s = find_param(specs, key);
    if (!s) {
      std::string known;
      for (const ParamSpec& k : specs) known += (known.empty() ? "" : ", ") + k.key;
      throw std::invalid_argument(std::string(experiment) + ": unknown parameter '" + key +
                                  "'; accepted: " + known);
    }
    const Params& d = s->default_value;
    const bool both_numbers = d.is_number() && value.is_number();
    const bool list_array = is_list(s->kind) && value.is_array();
    if (!both_numbers && !list_array && d.type() != value.type()) {
      throw std::invalid_argument(std::string(experiment) + ": parameter '" + key + "' must be a " +
                                  d.type_name() + ", got " + value.dump());
    }
    out[key] = value;
  }
  for (const ParamSpec& s : specs) validate_param(s, out.at(s.key));
  return out;
}

}  // namespace fp4lab::exp
