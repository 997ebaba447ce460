// Helpers shared by the experiments (see common.hpp).
#include "experiments/common.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#ifndef FP4LAB_VERSION
#define FP4LAB_VERSION "unknown"
#endif
#ifndef FP4LAB_GIT_REVISION
#define FP4LAB_GIT_REVISION "unknown"
#endif

namespace fp4lab::exp {

std::string list_string(const std::vector<float>& v, int digits) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt::format("{:.{}g}", v[i], digits);
  return s + "]";
}

namespace {

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

std::vector<float> read_float_list(const Params& p, const char* key) {
  const Params& v = p.at(key);
  std::vector<float> out;
  if (v.is_array()) {
    for (const Params& x : v) {
      if (!x.is_number()) throw std::invalid_argument(std::string("parameter '") + key + "': not a number: " + x.dump());
      out.push_back(x.get<float>());
    }
    return out;
  }
  if (!v.is_string()) throw std::invalid_argument(std::string("parameter '") + key + "' must be a list of numbers");
  for (const std::string& tok : split_commas(v.get<std::string>())) {
    std::size_t used = 0;
    float f = 0;
    try {
      f = std::stof(tok, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (tok.empty() || used != tok.size()) {
      throw std::invalid_argument(std::string("parameter '") + key + "': '" + tok + "' is not a number");
    }
    out.push_back(f);
  }
  return out;
}

std::vector<std::string> read_string_list(const Params& p, const char* key) {
  const Params& v = p.at(key);
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const Params& x : v) {
      if (!x.is_string()) throw std::invalid_argument(std::string("parameter '") + key + "': not a string: " + x.dump());
      out.push_back(x.get<std::string>());
    }
  } else if (v.is_string()) {
    out = split_commas(v.get<std::string>());
  } else {
    throw std::invalid_argument(std::string("parameter '") + key + "' must be a list of strings");
  }
  for (const std::string& s : out) {
    if (s.empty()) throw std::invalid_argument(std::string("parameter '") + key + "' has an empty entry");
  }
  return out;
}

long long read_int(const Params& p, const char* key, long long lo, long long hi) {
  const Params& v = p.at(key);
  if (!v.is_number_integer() && !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>())) {
    throw std::invalid_argument(std::string("parameter '") + key + "' must be an integer, got " + v.dump());
  }
  const double d = v.get<double>();
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    throw std::invalid_argument(fmt::format("parameter '{}' = {} is out of range [{}, {}]", key, v.dump(), lo, hi));
  }
  return v.get<long long>();
}

double read_double(const Params& p, const char* key, double lo, double hi) {
  const Params& v = p.at(key);
  if (!v.is_number()) throw std::invalid_argument(std::string("parameter '") + key + "' must be a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    throw std::invalid_argument(fmt::format("parameter '{}' = {} is out of range [{}, {}]", key, d, lo, hi));
  }
  return d;
}

std::string table_text(const Table& t) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(t.columns);
  for (const auto& row : t.rows) {
    std::vector<std::string> r;
    for (const Cell& c : row) {
      if (const auto* s = std::get_if<std::string>(&c)) {
        r.push_back(*s);
      } else {
        r.push_back(fmt::format("{:.6g}", std::get<double>(c)));
      }
    }
    cells.push_back(std::move(r));
  }
  std::vector<std::size_t> width(t.columns.size(), 0);
  for (const auto& r : cells) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out = t.title + "\n";
  for (const auto& r : cells) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
      out += fmt::format("{}{:<{}}", i ? "  " : "", r[i], width[i]);
    }
    out += "\n";
  }
  return out;
}

Provenance make_provenance(const std::string& experiment, const Params& params) {
  Provenance p;
  p.version = FP4LAB_VERSION;
  p.git_revision = FP4LAB_GIT_REVISION;
  p.experiment = experiment;
  p.params = params;
  return p;
}

}  // namespace fp4lab::exp
