// Args over CLI11, the only file that includes it: CLI11 splits the command line (names,
// "--key=value", values that start with a dash); args_spec.cpp converts and checks the values, so
// every command words its errors the same way ("unknown option '--rowz'; accepted: ...").
#include "experiments/cli/args.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "experiments/cli/args_spec.hpp"

namespace fp4lab::cli {
namespace {

using detail::Kind;
using detail::Spec;

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
    } else if (kind == Kind::kStrings) {
      s->opt = app.add_option(cli_names(name), s->raws)->expected(1)->allow_extra_args(false);
      s->opt->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
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
    if (kind != Kind::kPositionals && kind != Kind::kStrings) s->opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
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
      if (s->opt->count() > 0) detail::convert(*s);
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
  impl_->add(Kind::kDouble, name, &target, help, detail::number_text(target));
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

OptionRef Args::option(const std::string& name, std::vector<std::string>& target, const std::string& help) {
  impl_->add(Kind::kStrings, name, &target, help, "");
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
  return detail::help_text(impl_->synopsis.empty() ? impl_->generated_synopsis() : impl_->synopsis,
                           impl_->description, impl_->specs, impl_->footer);
}

}  // namespace fp4lab::cli
