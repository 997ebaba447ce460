// Helpers shared by the experiments: number formatting for tables, readers of parameters
// already checked against the experiment's spec, and the provenance every Result carries.
#pragma once

#include <string>
#include <vector>

#include "experiments/experiment.hpp"
#include "formats/recipe.hpp"

namespace fp4lab::exp {

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
/// A table as aligned plain text for the console (title line, header, rows).
std::string table_text(const Table& t);
/// Provenance with version, git revision, experiment id and params filled in.
Provenance make_provenance(const std::string& experiment, const Params& params);

}  // namespace fp4lab::exp
