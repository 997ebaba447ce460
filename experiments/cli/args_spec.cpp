// The parser's declared options (experiments/cli/args_spec.hpp): values converted and checked in
// the commands' words ("--rows takes an integer in [16, 16384], got '8'"), and the --help layout.
#include "experiments/cli/args_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "core/split.hpp"
#include "experiments/cli/args.hpp"

namespace fp4lab::cli::detail {
namespace {

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

}  // namespace

/// Text that reads back as `v`: whole numbers in full ("16", "100000"), others shortest ("0.5").
std::string number_text(double v) {
  if (std::fabs(v) < 1e15 && v == std::trunc(v)) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
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
      for (const std::string_view item : core::split_list(v)) {
        try {
          out.push_back(to_integer<int>(s, std::string(item), "comma-separated integers"));
        } catch (const UsageError&) {
          throw bad_value(s, "comma-separated integers", v);
        }
      }
      *static_cast<std::vector<int>*>(s.target) = std::move(out);
      break;
    }
    case Kind::kPositionals:
    case Kind::kStrings:
      *static_cast<std::vector<std::string>*>(s.target) = s.raws;
      break;
  }
}

std::string help_text(const std::string& synopsis, const std::string& description,
                      const std::vector<std::unique_ptr<Spec>>& specs, const std::string& footer) {
  std::string out = "usage: " + synopsis + "\n";
  if (!description.empty()) out += description + "\n";
  out += "\n";
  std::vector<std::pair<std::string, std::string>> positional, options;
  for (const auto& s : specs) {
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
      if (l.size() < width) {
        out += std::string(width - l.size(), ' ');
      } else {
        out += '\n';
        out += std::string(width + 2, ' ');
      }
      out += r + "\n";
    }
  };
  section("arguments:\n", positional);
  section("options:\n", options);
  if (!footer.empty()) out += footer + (footer.back() == '\n' ? "" : "\n");
  return out;
}

}  // namespace fp4lab::cli::detail
