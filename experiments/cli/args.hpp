// The one argument parser of fp4lab's commands: a small declarative front over CLI11 (kept in
// args.cpp, the only translation unit that includes it). Options are declared against variables;
// parse() fills them, prints --help, or reports a usage error with a message naming the option.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fp4lab::cli {

/// A command-line mistake; Args::parse() reports it, a command may throw it after parsing.
struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class Args;

/// A handle on one declared option or positional, to refine what it shows and checks.
class OptionRef {
 public:
  /// The value's name in --help and messages, e.g. "N", "DIR", "SPEC" (default "VALUE").
  OptionRef& placeholder(const std::string& text);
  /// Parsing fails with "--NAME PLACEHOLDER is required" (or "NAME is required") when absent.
  OptionRef& required();
  /// Accepted numeric range [lo, hi], shown in --help and in the error message.
  OptionRef& range(double lo, double hi);
  /// Accepted values of a string option, shown in --help; others fail with "takes a, b or c".
  OptionRef& choices(const std::vector<std::string>& values);
  /// A remark appended to the range in messages and --help, e.g. "0: all cores".
  OptionRef& note(const std::string& text);
  /// The default as shown in --help (default: the variable's value at declaration; "" hides it).
  OptionRef& default_text(const std::string& text);

 private:
  friend class Args;
  OptionRef(Args* args, std::size_t index) : args_(args), index_(index) {}
  Args* args_;
  std::size_t index_;
};

/// One command's arguments: declare options against variables, then parse(argc, argv).
/// Long names are written without dashes; "--some-key" and "--some_key" are both accepted,
/// and so are "--key value" and "--key=value". "-h"/"--help" prints the generated help.
class Args {
 public:
  /// `command` as shown in messages (e.g. "fp4lab quantize"); `description` heads --help.
  Args(std::string command, std::string description);
  ~Args();
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;

  /// `--NAME`: sets `target` to true when given.
  OptionRef flag(const std::string& name, bool& target, const std::string& help);
  /// `--NAME true|false` (also 1|0).
  OptionRef option(const std::string& name, bool& target, const std::string& help);
  /// `--NAME TEXT`.
  OptionRef option(const std::string& name, std::string& target, const std::string& help);
  /// `--NAME N`, an integer.
  OptionRef option(const std::string& name, int& target, const std::string& help);
  /// `--NAME N`, a 64-bit integer.
  OptionRef option(const std::string& name, std::int64_t& target, const std::string& help);
  /// `--NAME N`, an unsigned 64-bit integer (seeds).
  OptionRef option(const std::string& name, std::uint64_t& target, const std::string& help);
  /// `--NAME X`, a number.
  OptionRef option(const std::string& name, double& target, const std::string& help);
  /// `--NAME A,B,C`, a comma-separated list of integers (a range applies to each).
  OptionRef option(const std::string& name, std::vector<int>& target, const std::string& help);
  /// `--NAME TEXT`, repeatable: every occurrence is appended to `target`, in order.
  OptionRef option(const std::string& name, std::vector<std::string>& target, const std::string& help);
  /// `--threads N`: an integer in [0, 1024], 0 meaning all cores (default: `target`).
  OptionRef threads(int& target);
  /// A positional argument, in declaration order; `name` is its placeholder (e.g. "IN").
  OptionRef positional(const std::string& name, std::string& target, const std::string& help);
  /// All further positional arguments.
  OptionRef positionals(const std::string& name, std::vector<std::string>& target,
                        const std::string& help);

  /// Replaces the generated synopsis line of --help and of usage errors (without "usage: ").
  Args& usage(const std::string& synopsis);
  /// Text printed at the end of --help.
  Args& footer(const std::string& text);
  /// The exit status parse() and usage_error() return for a usage error (default 2).
  Args& usage_exit_code(int code);

  /// Parses argv[1..argc) (argv[0] is the command's own name). Returns std::nullopt when the
  /// command should run; otherwise the exit status to return: 0 after printing --help on
  /// stdout, usage_exit_code() after printing "COMMAND: MESSAGE" and the synopsis on stderr.
  std::optional<int> parse(int argc, const char* const* argv);
  /// Like parse(), but throws UsageError with the message instead of printing it (--help
  /// still prints and returns 0).
  std::optional<int> parse_or_throw(int argc, const char* const* argv);
  /// Whether `--NAME` (or the positional NAME) was given on the command line.
  bool given(const std::string& name) const;
  /// Prints a usage error found after parsing as parse() does; returns usage_exit_code().
  int usage_error(const std::string& message) const;
  /// The generated --help text.
  std::string help() const;

 private:
  friend class OptionRef;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fp4lab::cli
