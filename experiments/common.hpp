// Helpers shared by the experiments: number formatting for tables, readers of parameters
// already checked against the experiment's spec, and the provenance every Result carries (and
// the first and last steps of a run() that share it).
#pragma once

#include <string>
#include <vector>

#include "experiments/experiment.hpp"
#include "formats/block_types.hpp"
#include "formats/recipe.hpp"

namespace fp4lab::exp {

struct SourceTensor;

/// "[1.54, 3.08, 4.62]" with `digits` significant digits.
std::string list_string(const std::vector<float>& v, int digits = 4);
/// Reads a comma-separated list of numbers (or a JSON array); throws naming `key`.
std::vector<float> read_float_list(const Params& p, const char* key);
/// Reads a comma-separated list of strings (or a JSON array of strings); "" or [] is none.
std::vector<std::string> read_string_list(const Params& p, const char* key);
/// Reads an integer parameter (its range was checked against the spec by merge_params).
long long read_int(const Params& p, const char* key);
/// Reads a number parameter (its range was checked against the spec by merge_params).
double read_double(const Params& p, const char* key);
/// What a recipe parameter is for: any recipe, or one core::simulate takes too.
enum class RecipeUse {
  kAny,       ///< core::parse_recipe alone
  kSimulate,  ///< and core::validate_simulate_recipe (the thresholded simulation)
};
/// Parses the recipe spec `spec` given for parameter `key` (and checks it for `use`); a
/// std::invalid_argument names the parameter: "parameter 'KEY': ...".
formats::Recipe read_recipe(const std::string& spec, const char* key,
                            RecipeUse use = RecipeUse::kAny);
/// A table as aligned plain text for the console (title line, header, rows).
std::string table_text(const Table& t);
/// What the blocks of an adaptive recipe choose between, as their BlockRecords say.
enum class BlockChoice {
  kNone,        ///< not adaptive: nothing to count
  kFourOverSix, ///< NVFP4 4/6 (and its static rules): M=4 against M=6 (chosen_max)
  kIntOrFloat,  ///< the IF formats (FORMATS.md §9): INT against FP (chose_int)
};
/// The choice a recipe's blocks make.
BlockChoice block_choice(const formats::Recipe& r);
/// The alternative a block may choose: "M=4", "INT", or "" for kNone.
const char* alternative_name(BlockChoice c);
/// Whether block `b` chose the alternative (M=4 or INT).
bool chose_alternative(const formats::BlockRecord& b, BlockChoice c);
/// Blocks that chose the alternative among the blocks free of NaN/Inf.
struct ChoiceCount {
  std::int64_t chosen = 0;  ///< blocks (or 2-D tiles) that chose the alternative
  std::int64_t blocks = 0;  ///< blocks (or tiles) without NaN/Inf inputs
};
/// Counts the records' choices of the alternative (blocks with NaN/Inf inputs left out).
ChoiceCount count_choices(const std::vector<formats::BlockRecord>& records, BlockChoice c);

/// Provenance with version, git revision, experiment id and params filled in.
Provenance make_provenance(const std::string& experiment, const Params& params);
/// A Result of `experiment` whose provenance (make_provenance) also names the source tensor:
/// its description, hash and seed. The start of every experiment on a source tensor.
Result source_result(const std::string& experiment, const Params& params, const SourceTensor& src);
/// Sets the result's summary, reports the end (1.0, "done") to `progress` when there is one,
/// and hands the result back: the last step of an experiment's run().
Result finish(Result res, std::string summary, const Progress& progress);

}  // namespace fp4lab::exp
