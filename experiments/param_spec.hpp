// Declarative experiment parameters: each experiment lists its parameters once (key, kind,
// default, help, range or choices); defaults, validation, --help lines and the GUI's editors
// are all generated from that list.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fp4lab::exp {

/// Parameters are a JSON object keyed by parameter name.
using Params = nlohmann::json;

/// What a parameter holds; decides its JSON type, its checks and its GUI editor.
enum class ParamKind : std::uint8_t {
  kInt,         ///< an integer within [min, max]
  kNumber,      ///< a finite number within [min, max]
  kBool,        ///< true or false
  kString,      ///< free text (a path, a name)
  kChoice,      ///< one of `choices`
  kRecipe,      ///< one recipe spec string (experiments parse it; editors offer presets)
  kNumberList,  ///< comma-separated numbers (or a JSON array), each within [min, max]
  kStringList,  ///< comma-separated strings (or a JSON array)
  kRecipeList,  ///< comma-separated recipe specs (or a JSON array)
};

/// One parameter: everything the CLI, the validation and the GUI need to know about it.
struct ParamSpec {
  std::string key;                      ///< e.g. "rows"
  ParamKind kind = ParamKind::kString;  ///< what it holds
  Params default_value;                 ///< its default (a JSON string for the list kinds)
  std::string help;                     ///< one line, without the range or the choices
  double min = 0, max = 0;              ///< kInt, kNumber, kNumberList: the accepted range
  std::vector<std::string> choices;     ///< kChoice: the accepted values
  int min_items = 0, max_items = 0;     ///< list kinds: how many entries (max 0: any number)
  bool empty_list_ok = false;           ///< list kinds: "" means none (else one entry at least)
};

/// The parameter list of one experiment, in --help order.
using ParamSpecs = std::vector<ParamSpec>;

/// An integer parameter within [min, max].
ParamSpec int_param(std::string key, long long def, long long min, long long max, std::string help);
/// A number parameter within [min, max].
ParamSpec number_param(std::string key, double def, double min, double max, std::string help);
/// A boolean parameter.
ParamSpec bool_param(std::string key, bool def, std::string help);
/// A free-text parameter.
ParamSpec string_param(std::string key, std::string def, std::string help);
/// A parameter that takes one of `choices`.
ParamSpec choice_param(std::string key, std::string def, std::vector<std::string> choices,
                       std::string help);
/// One recipe spec.
ParamSpec recipe_param(std::string key, std::string def, std::string help);
/// A comma-separated list of numbers, each within [min, max], with [min_items, max_items] entries.
ParamSpec number_list_param(std::string key, std::string def, double min, double max, int min_items,
                            int max_items, std::string help);
/// A comma-separated list of strings.
ParamSpec string_list_param(std::string key, std::string def, std::string help);
/// A comma-separated list of recipe specs with [min_items, max_items] entries (min 0: may be "").
ParamSpec recipe_list_param(std::string key, std::string def, int min_items, int max_items,
                            std::string help);

/// "threads": CPU threads, 0 for all cores (the parameter every multi-threaded experiment has).
ParamSpec threads_param();
/// `s` with another default (experiments that share a fragment but not its defaults).
ParamSpec with_default(ParamSpec s, Params def);
/// `s` with another help line.
ParamSpec with_help(ParamSpec s, std::string help);

/// The entry of `specs` with this key, or nullptr.
const ParamSpec* find_param(const ParamSpecs& specs, std::string_view key);
/// `a` followed by `b` (an experiment's own list after a shared fragment).
ParamSpecs operator+(ParamSpecs a, const ParamSpecs& b);

/// Every key with its default.
Params spec_defaults(const ParamSpecs& specs);
/// The help line of one parameter with its range or choices, e.g. "rows (1 to 65536)".
std::string help_line(const ParamSpec& s);
/// One help line per parameter, in order.
std::vector<std::pair<std::string, std::string>> spec_help(const ParamSpecs& specs);

/// The numbers of a number-list value (a comma-separated string or a JSON array); throws naming
/// `key`.
std::vector<float> list_numbers(const Params& value, const std::string& key);
/// The entries of a list value (a comma-separated string or a JSON array); throws naming `key`.
std::vector<std::string> list_entries(const Params& value, const std::string& key);
/// Checks one value against its spec (type, range, choices, list entries); throws
/// std::invalid_argument naming the key.
void validate_param(const ParamSpec& s, const Params& value);
/// The defaults of `specs` overlaid with `given`, every value checked; throws
/// std::invalid_argument for unknown keys ("unknown parameter 'rowz'; accepted: ..."), values
/// of the wrong JSON type, out of range or not among the choices.
Params merge_params(const ParamSpecs& specs, const Params& given, std::string_view experiment);

}  // namespace fp4lab::exp
