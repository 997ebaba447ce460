// The parser's declared options (internal to args.cpp and args_spec.cpp; commands use args.hpp):
// what each shows in --help and accepts, the conversion of its collected text into the
// command's variable with the commands' error wording, and the --help layout. No CLI11 here.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class Option;
}

namespace fp4lab::cli::detail {

/// The value type of an option, or a positional.
enum class Kind {
  kFlag,
  kBool,
  kString,
  kInt,
  kInt64,
  kUInt64,
  kDouble,
  kIntList,
  kPositional,
  kPositionals,
  kStrings  ///< a repeatable --NAME VALUE, every occurrence kept in order
};

/// One declared option or positional: what it shows, what it accepts, where it goes.
struct Spec {
  Kind kind = Kind::kString;
  std::string name;  // without dashes
  std::string help, placeholder = "VALUE", default_text, note;
  bool required = false;
  bool has_range = false;
  double lo = 0, hi = 0;
  std::vector<std::string> choices;
  void* target = nullptr;
  std::string raw;                // the value CLI11 collected (the last one given)
  std::vector<std::string> raws;  // for kPositionals and kStrings
  bool flag_given = false;
  CLI::Option* opt = nullptr;  // CLI11's option (args.cpp)

  bool is_positional() const { return kind == Kind::kPositional || kind == Kind::kPositionals; }
};

/// Text that reads back as `v`: whole numbers in full ("16", "100000"), others shortest ("0.5").
std::string number_text(double v);

/// Stores the collected text of `s` into its variable; throws UsageError naming the option.
void convert(const Spec& s);

/// The --help text: synopsis, description, arguments, options (with defaults, ranges), footer.
std::string help_text(const std::string& synopsis, const std::string& description,
                      const std::vector<std::unique_ptr<Spec>>& specs, const std::string& footer);

}  // namespace fp4lab::cli::detail
