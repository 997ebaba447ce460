// Which tensors of a checkpoint `fp4lab quantize` quantizes, and with which recipe: default
// exclusions (norms, biases, embeddings, the output head, tensors of rank <= 1), --include /
// --exclude / --tensors globs, and a per-tensor recipe map (JSON). Globs as core::glob_match.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/recipe.hpp"

namespace fp4lab::core {

/// Name patterns excluded from quantization by default: Hugging Face names (`*norm*` also covers
/// GGUF's `*_norm.weight`, `*.bias`, `*embed_tokens*`, `lm_head*`) and GGUF names
/// (`token_embd.weight`, `output.weight`). Tensors of rank 0 or 1 are excluded too.
inline constexpr std::array<std::string_view, 6> kDefaultExclusions = {
    "*norm*", "*.bias", "*embed_tokens*", "lm_head*", "token_embd.weight", "output.weight"};

/// One rule of a recipe map: tensors matching `match` take `recipe` (nullopt = "skip": stored
/// unquantized).
struct RecipeRule {
  std::string match;                     ///< a glob over tensor names
  std::optional<formats::Recipe> recipe;  ///< nullopt for "skip"
  std::string spec;                       ///< as written in the map ("skip" or a recipe spec)
};

/// A per-tensor recipe map: {"default": SPEC, "rules": [{"match": GLOB, "recipe": SPEC}, ...]},
/// SPEC a recipe spec or "skip"; the first matching rule wins, else the default.
struct RecipeMap {
  bool has_default = false;                       ///< whether "default" was given
  std::optional<formats::Recipe> default_recipe;  ///< nullopt for "skip" (or no default)
  std::string default_spec;                       ///< as written ("" when absent)
  std::vector<RecipeRule> rules;                  ///< in the map's order
};

/// Parses a recipe map from JSON text; `source` names it in messages. Throws
/// std::invalid_argument naming the problem: bad JSON, an unknown key, a value of the wrong
/// type, or a recipe parse_recipe refuses (with the rule's index).
RecipeMap parse_recipe_map(std::string_view json_text, const std::string& source);
/// Reads and parses the file `path`; throws std::invalid_argument (also when unreadable).
RecipeMap read_recipe_map(const std::string& path);

/// Which tensors to quantize: explicit globs on top of the default exclusions.
struct SelectionRules {
  std::vector<std::string> include;  ///< --include: quantized even when excluded by default
  std::vector<std::string> exclude;  ///< --exclude: never quantized (wins over include)
  std::vector<std::string> only;     ///< --tensors: quantize only these (explicit, like include)
  bool default_exclusions = true;    ///< apply kDefaultExclusions and the rank <= 1 rule
};

/// What `fp4lab quantize` does with one tensor.
struct TensorDecision {
  bool quantize = false;                  ///< false: stored as it is (pass-through)
  std::optional<formats::Recipe> recipe;  ///< the recipe when quantized
  std::string reason;  ///< why it is passed through (or "" when quantized), e.g. "default exclusion *norm*"
};

/// The decision for tensor `name` of shape `shape` (float data or not), in this order: non-float
/// data passes through; an --exclude match passes through; with --tensors, a name it does not
/// match passes through; an --include or --tensors match is quantized; a default exclusion
/// (pattern, or rank <= 1) passes through; everything else is quantized. A quantized tensor's
/// recipe is the map's first matching rule, else the map's default, else `fallback` ("skip" or
/// no recipe at all: passed through).
TensorDecision decide_tensor(std::string_view name, std::span<const std::int64_t> shape, bool is_float,
                             const SelectionRules& rules, const RecipeMap& map,
                             const std::optional<formats::Recipe>& fallback);

/// The patterns of `patterns` that match none of `names` (in the given order).
std::vector<std::string> unmatched_patterns(std::span<const std::string> patterns,
                                            std::span<const std::string> names);

}  // namespace fp4lab::core
