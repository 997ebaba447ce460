// Args over CLI11: CLI11 splits the command line (names, "--key=value", values that start with
// a dash); the values are converted and checked here so that every command words its errors
// the same way ("--rows takes a number, got 'abc'", "unknown option '--rowz'; accepted: ...").
#include "experiments/cli/args.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

namespace fp4lab::cli {
namespace {

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
  kPositionals
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
  std::vector<std::string> raws;  // for kPositionals
  bool flag_given = false;
  CLI::Option* opt = nullptr;

  bool is_positional() const { return kind == Kind::kPositional || kind == Kind::kPositionals; }
};

/// Text that reads back as `v`: whole numbers in full ("16", "100000"), others shortest ("0.5").
std::string number_text(double v) {
  if (std::fabs(v) < 1e15 && v == std::trunc(v)) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// "a, b or c".
std::string or_list(const std::vector<std::string>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    s += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  }
  return s;
}

/// "--name" as written in messages and --help, or the placeholder of a positional.
std::string display_name(const Spec& s) {
  return s.is_positional() ? s.placeholder : "--" + s.name;
}

/// " in [lo, hi] (note)" as far as known.
std::string range_text(const Spec& s) {
  std::string t;
  if (s.has_range) t += " in [" + number_text(s.lo) + ", " + number_text(s.hi) + "]";
  if (!s.note.empty()) t += " (" + s.note + ")";
  return t;
}

/// The error for a value of the wrong form.
UsageError bad_value(const Spec& s, const std::string& what, const std::string& v) {
  return UsageError(display_name(s) + " takes " + what + range_text(s) + ", got '" + v + "'");
}

bool in_range(const Spec& s, double v) { return !s.has_range || (v >= s.lo && v <= s.hi); }

/// A whole-string integer of type T within the spec's range, else UsageError.
template <typename T>
T to_integer(const Spec& s, const std::string& v, const std::string& what) {
  T out{};
  const char* b = v.data();
  const char* e = v.data() + v.size();
  if (b != e && *b == '+') ++b;
  const auto r = std::from_chars(b, e, out);
  if (v.empty() || r.ec != std::errc() || r.ptr != e || !in_range(s, static_cast<double>(out))) {
    throw bad_value(s, what, v);
  }
  return out;
}

double to_double(const Spec& s, const std::string& v) {
  char* end = nullptr;
  const double d = v.empty() ? 0.0 : std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() ||
      (s.has_range && (std::isnan(d) || !in_range(s, d)))) {
    throw bad_value(s, "a number", v);
  }
  return d;
}

/// Stores the collected text of `s` into its variable.
void convert(const Spec& s) {
  const std::string& v = s.raw;
  switch (s.kind) {
    case Kind::kFlag:
      *static_cast<bool*>(s.target) = s.flag_given;
      break;
    case Kind::kBool:
      if (v == "true" || v == "1") {
        *static_cast<bool*>(s.target) = true;
      } else if (v == "false" || v == "0") {
        *static_cast<bool*>(s.target) = false;
      } else {
        throw UsageError(display_name(s) + " takes true or false, got '" + v + "'");
      }
      break;
    case Kind::kString:
    case Kind::kPositional:
      if (!s.choices.empty() &&
          std::find(s.choices.begin(), s.choices.end(), v) == s.choices.end()) {
        throw UsageError(display_name(s) + " takes " + or_list(s.choices) + ", got '" + v + "'");
      }
      *static_cast<std::string*>(s.target) = v;
      break;
    case Kind::kInt:
      *static_cast<int*>(s.target) = to_integer<int>(s, v, "an integer");
      break;
    case Kind::kInt64:
      *static_cast<std::int64_t*>(s.target) = to_integer<std::int64_t>(s, v, "an integer");
      break;
    case Kind::kUInt64:
      *static_cast<std::uint64_t*>(s.target) =
          to_integer<std::uint64_t>(s, v, "an unsigned integer");
      break;
    case Kind::kDouble:
      *static_cast<double*>(s.target) = to_double(s, v);
      break;
    case Kind::kIntList: {
      std::vector<int> out;
      std::size_t from = 0;
      while (true) {
        const std::size_t comma = v.find(',', from);
        const std::string item =
            v.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        try {
          out.push_back(to_integer<int>(s, item, "comma-separated integers"));
        } catch (const UsageError&) {
          throw bad_value(s, "comma-separated integers", v);
        }
        if (comma == std::string::npos) break;
        from = comma + 1;
      }
      *static_cast<std::vector<int>*>(s.target) = std::move(out);
      break;
    }
    case Kind::kPositionals:
      *static_cast<std::vector<std::string>*>(s.target) = s.raws;
      break;
  }
}

/// "--some-key,--some_key": both spellings of a long name.
std::string cli_names(const std::string& name) {
  std::string other = name;
  for (char& c : other) c = c == '-' ? '_' : c == '_' ? '-' : c;
  return other == name ? "--" + name : "--" + name + ",--" + other;
}

/// Whether a left-over argument looks like an option rather than a stray value.
bool looks_like_option(const std::string& a) {
  if (a.size() < 2 || a[0] != '-' || a == "--") return false;
  char* end = nullptr;
  std::strtod(a.c_str(), &end);
  return end != a.c_str() + a.size();  // "-1" is a value
}

}  // namespace

struct Args::Impl {
  std::string command, description, synopsis, footer;
  int usage_exit = 2;
  std::vector<std::unique_ptr<Spec>> specs;
  CLI::App app;

  Impl(std::string c, std::string d)
      : command(std::move(c)), description(std::move(d)), app(description, command) {
    app.set_help_flag();  // --help is answered before CLI11 runs
    app.allow_extras();   // left-overs are reported here, in our words
  }

  Spec& add(Kind kind, const std::string& name, void* target, const std::string& help,
            std::string shown) {
    auto s = std::make_unique<Spec>();
    s->kind = kind;
    s->name = name;
    s->help = help;
    s->target = target;
    s->default_text = std::move(shown);
    if (kind == Kind::kFlag) {
      s->opt = app.add_flag(cli_names(name), s->flag_given);
    } else if (kind == Kind::kPositional) {
      s->placeholder = name;
      s->opt = app.add_option("positional" + std::to_string(specs.size()), s->raw);
    } else if (kind == Kind::kPositionals) {
      s->placeholder = name;
      s->opt = app.add_option("positional" + std::to_string(specs.size()), s->raws);
    } else {
      if (kind == Kind::kInt || kind == Kind::kInt64 || kind == Kind::kUInt64 ||
          kind == Kind::kDouble) {
        s->placeholder = kind == Kind::kDouble ? "X" : "N";
      } else if (kind == Kind::kIntList) {
        s->placeholder = "N,N,...";
      } else if (kind == Kind::kBool) {
        s->placeholder = "true|false";
      }
      s->opt = app.add_option(cli_names(name), s->raw);
    }
    if (kind != Kind::kPositionals) s->opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    specs.push_back(std::move(s));
    return *specs.back();
  }

  const Spec* find(const std::string& name) const {
    std::string other = name;
    for (char& c : other) c = c == '-' ? '_' : c == '_' ? '-' : c;
    for (const auto& s : specs) {
      if (s->name == name || s->name == other) return s.get();
    }
    return nullptr;
  }

  std::string generated_synopsis() const {
    std::string s = command;
    for (const auto& p : specs) {
      if (p->kind == Kind::kPositional)
        s += p->required ? " " + p->placeholder : " [" + p->placeholder + "]";
      if (p->kind == Kind::kPositionals) s += " [" + p->placeholder + "...]";
    }
    for (const auto& p : specs) {
      if (p->required && !p->is_positional()) s += " --" + p->name + " " + p->placeholder;
    }
    return s + " [options]";
  }

  void parse(int argc, const char* const* argv) {
    std::vector<std::string> reversed;
    for (int i = argc - 1; i >= 1; --i) reversed.emplace_back(argv[i]);
    try {
      app.parse(std::move(reversed));
    } catch (const CLI::ArgumentMismatch& e) {
      // an option left without its value: the last word names it (whatever CLI11's wording)
      const std::string last = argc > 1 ? argv[argc - 1] : "";
      const Spec* s = last.rfind("--", 0) == 0 ? find(last.substr(2)) : nullptr;
      if (s != nullptr && !s->is_positional() && s->kind != Kind::kFlag) {
        throw UsageError("--" + s->name + " needs a value");
      }
      throw UsageError(e.what());
    } catch (const CLI::ParseError& e) {
      throw UsageError(e.what());
    }
    for (const std::string& a : app.remaining()) {
      if (looks_like_option(a)) {
        std::string accepted;
        for (const auto& s : specs) {
          if (!s->is_positional()) accepted += (accepted.empty() ? "--" : ", --") + s->name;
        }
        throw UsageError("unknown option '" + a.substr(0, a.find('=')) +
                         "'; accepted: " + accepted + (accepted.empty() ? "--help" : ", --help"));
      }
    }
    if (const auto rest = app.remaining(); !rest.empty()) {
      throw UsageError("unexpected argument '" + rest.front() + "'");
    }
    for (const auto& s : specs) {
      if (s->opt->count() > 0) convert(*s);
    }
    for (const auto& s : specs) {
      if (s->required && s->opt->count() == 0) {
        throw UsageError(s->is_positional()
                             ? s->placeholder + " is required"
                             : "--" + s->name + " " + s->placeholder + " is required");
      }
    }
  }
};

OptionRef& OptionRef::placeholder(const std::string& text) {
  args_->impl_->specs[index_]->placeholder = text;
  return *this;
}

OptionRef& OptionRef::required() {
  args_->impl_->specs[index_]->required = true;
  return *this;
}

OptionRef& OptionRef::range(double lo, double hi) {
  Spec& s = *args_->impl_->specs[index_];
  s.has_range = true;
  s.lo = lo;
  s.hi = hi;
  return *this;
}

OptionRef& OptionRef::choices(const std::vector<std::string>& values) {
  Spec& s = *args_->impl_->specs[index_];
  s.choices = values;
  if (s.placeholder == "VALUE") {
    s.placeholder.clear();
    for (const auto& v : values) s.placeholder += (s.placeholder.empty() ? "" : "|") + v;
  }
  return *this;
}

OptionRef& OptionRef::note(const std::string& text) {
  args_->impl_->specs[index_]->note = text;
  return *this;
}

OptionRef& OptionRef::default_text(const std::string& text) {
  args_->impl_->specs[index_]->default_text = text;
  return *this;
}

Args::Args(std::string command, std::string description)
    : impl_(std::make_unique<Impl>(std::move(command), std::move(description))) {}

Args::~Args() = default;

OptionRef Args::flag(const std::string& name, bool& target, const std::string& help) {
  impl_->add(Kind::kFlag, name, &target, help, "");
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::option(const std::string& name, bool& target, const std::string& help) {
  impl_->add(Kind::kBool, name, &target, help, target ? "true" : "false");
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::option(const std::string& name, std::string& target, const std::string& help) {
  impl_->add(Kind::kString, name, &target, help, target);
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::option(const std::string& name, int& target, const std::string& help) {
  impl_->add(Kind::kInt, name, &target, help, std::to_string(target));
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::option(const std::string& name, std::int64_t& target, const std::string& help) {
  impl_->add(Kind::kInt64, name, &target, help, std::to_string(target));
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::option(const std::string& name, std::uint64_t& target, const std::string& help) {
  impl_->add(Kind::kUInt64, name, &target, help, std::to_string(target));
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::option(const std::string& name, double& target, const std::string& help) {
  impl_->add(Kind::kDouble, name, &target, help, number_text(target));
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::option(const std::string& name, std::vector<int>& target, const std::string& help) {
  std::string shown;
  for (int v : target) shown += (shown.empty() ? "" : ",") + std::to_string(v);
  impl_->add(Kind::kIntList, name, &target, help, shown);
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::threads(int& target) {
  return option("threads", target, "worker threads").range(0, 1024).note("0: all cores");
}

OptionRef Args::positional(const std::string& name, std::string& target, const std::string& help) {
  impl_->add(Kind::kPositional, name, &target, help, "");
  return {this, impl_->specs.size() - 1};
}

OptionRef Args::positionals(const std::string& name, std::vector<std::string>& target,
                            const std::string& help) {
  impl_->add(Kind::kPositionals, name, &target, help, "");
  return {this, impl_->specs.size() - 1};
}

Args& Args::usage(const std::string& synopsis) {
  impl_->synopsis = synopsis;
  return *this;
}

Args& Args::footer(const std::string& text) {
  impl_->footer = text;
  return *this;
}

Args& Args::usage_exit_code(int code) {
  impl_->usage_exit = code;
  return *this;
}

std::optional<int> Args::parse_or_throw(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") break;
    if (a == "-h" || a == "--help") {
      std::fputs(help().c_str(), stdout);
      return 0;
    }
  }
  impl_->parse(argc, argv);
  return std::nullopt;
}

std::optional<int> Args::parse(int argc, const char* const* argv) {
  try {
    return parse_or_throw(argc, argv);
  } catch (const UsageError& e) {
    return usage_error(e.what());
  }
}

bool Args::given(const std::string& name) const {
  const Spec* s = impl_->find(name);
  return s != nullptr && s->opt->count() > 0;
}

int Args::usage_error(const std::string& message) const {
  const std::string synopsis =
      impl_->synopsis.empty() ? impl_->generated_synopsis() : impl_->synopsis;
  std::fprintf(stderr, "%s: %s\nusage: %s (--help for more)\n", impl_->command.c_str(),
               message.c_str(), synopsis.c_str());
  return impl_->usage_exit;
}

std::string Args::help() const {
  const std::string synopsis =
      impl_->synopsis.empty() ? impl_->generated_synopsis() : impl_->synopsis;
  std::string out = "usage: " + synopsis + "\n";
  if (!impl_->description.empty()) out += impl_->description + "\n";
  out += "\n";
  std::vector<std::pair<std::string, std::string>> positional, options;
  for (const auto& s : impl_->specs) {
    std::string left = s->is_positional() ? s->placeholder : "--" + s->name;
    if (!s->is_positional() && s->kind != Kind::kFlag) left += " " + s->placeholder;
    std::vector<std::string> notes;
    if (s->required) notes.push_back("required");
    if (!s->required && !s->default_text.empty()) notes.push_back("default: " + s->default_text);
    if (s->has_range)
      notes.push_back("in [" + number_text(s->lo) + ", " + number_text(s->hi) + "]");
    if (!s->note.empty() && s->help.find(s->note) == std::string::npos) notes.push_back(s->note);
    std::string right = s->help;
    if (!notes.empty()) {
      right += " (";
      for (std::size_t i = 0; i < notes.size(); ++i) right += (i ? "; " : "") + notes[i];
      right += ")";
    }
    (s->is_positional() ? positional : options).emplace_back(std::move(left), std::move(right));
  }
  options.emplace_back("-h, --help", "print this help and exit");
  std::size_t width = 0;
  for (const auto* list : {&positional, &options}) {
    for (const auto& [l, r] : *list) width = std::max(width, l.size());
  }
  width = std::min<std::size_t>(width, 28) + 2;
  const auto section = [&](const char* title,
                           const std::vector<std::pair<std::string, std::string>>& rows) {
    if (rows.empty()) return;
    out += title;
    for (const auto& [l, r] : rows) {
      out += "  " + l;
      out += l.size() < width ? std::string(width - l.size(), ' ')
                              : "\n" + std::string(width + 2, ' ');
      out += r + "\n";
    }
  };
  section("arguments:\n", positional);
  section("options:\n", options);
  if (!impl_->footer.empty()) out += impl_->footer + (impl_->footer.back() == '\n' ? "" : "\n");
  return out;
}

}  // namespace fp4lab::cli
