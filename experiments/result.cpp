// JSON round-trip of Result (see result.hpp).
#include "experiments/result.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace fp4lab::exp {
namespace {

using nlohmann::json;

constexpr const char* kNonfiniteKey = "nonfinite";
constexpr const char* kNanName = "NaN";
constexpr const char* kPosInfName = "+Infinity";
constexpr const char* kNegInfName = "-Infinity";

/// A number as it sits in the JSON tree before the non-finite pass (NaN/Inf kept in memory).
json number(double v) { return v; }

/// Reads a number: a JSON number (non-finite ones restored by restore_nonfinite), null (NaN
/// unless the "nonfinite" map said otherwise), or the strings "nan", "inf", "-inf" of files
/// written before the convention changed.
double read_number(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_null()) return std::nan("");
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "nan") return std::nan("");
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
  }
  throw std::invalid_argument("result JSON: expected a number, got " + j.dump());
}

/// `key` escaped as a JSON Pointer reference token (RFC 6901: '~' -> "~0", '/' -> "~1").
std::string pointer_token(const std::string& key) {
  std::string t;
  for (char c : key) t += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return t;
}

/// Replaces every non-finite number under `j` by null and records it in `out` as
/// pointer -> "NaN", "+Infinity" or "-Infinity".
void move_nonfinite(json& j, const std::string& pointer, json& out) {
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (!std::isfinite(v)) {
      out[pointer] = std::isnan(v) ? kNanName : v > 0 ? kPosInfName : kNegInfName;
      j = nullptr;
    }
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      move_nonfinite(it.value(), pointer + "/" + pointer_token(it.key()), out);
  } else if (j.is_array()) {
    for (std::size_t k = 0; k < j.size(); ++k)
      move_nonfinite(j[k], pointer + "/" + std::to_string(k), out);
  }
}

/// `j` with the numbers its "nonfinite" map names put back in place (as in-memory doubles).
json restore_nonfinite(const json& j) {
  if (!j.is_object() || !j.contains(kNonfiniteKey)) return j;
  const json& map = j.at(kNonfiniteKey);
  if (!map.is_object())
    throw std::invalid_argument("result JSON: \"nonfinite\" must map JSON pointers to names");
  json out = j;
  for (const auto& [pointer, name] : map.items()) {
    double v = 0;
    if (name == kNanName) {
      v = std::nan("");
    } else if (name == kPosInfName) {
      v = INFINITY;
    } else if (name == kNegInfName) {
      v = -INFINITY;
    } else {
      throw std::invalid_argument("result JSON: \"nonfinite\" value " + name.dump() +
                                  " is not NaN, +Infinity or -Infinity");
    }
    try {
      json& slot = out.at(json::json_pointer(pointer));
      if (!slot.is_null()) throw std::invalid_argument("not null");
      slot = v;
    } catch (const std::exception&) {
      throw std::invalid_argument("result JSON: \"nonfinite\" names " + pointer +
                                  ", which is not a null in the document");
    }
  }
  return out;
}

json numbers(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(number(x));
  return a;
}

std::vector<double> read_numbers(const json& j) {
  if (!j.is_array()) throw std::invalid_argument("result JSON: expected an array of numbers");
  std::vector<double> v;
  v.reserve(j.size());
  for (const json& x : j) v.push_back(read_number(x));
  return v;
}

const json& field(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) throw std::invalid_argument(std::string("result JSON: missing field '") + key + "'");
  return j.at(key);
}

std::string text(const json& j, const char* key) {
  const json& f = field(j, key);
  if (!f.is_string()) throw std::invalid_argument(std::string("result JSON: field '") + key + "' is not a string");
  return f.get<std::string>();
}

}  // namespace

json to_json(const Result& r) {
  json j;
  j["experiment"] = r.experiment;
  j["summary"] = r.summary;
  json scalars = json::object();
  for (const auto& [k, v] : r.scalars) scalars[k] = number(v);
  j["scalars"] = scalars;
  j["tables"] = json::array();
  for (const Table& t : r.tables) {
    json rows = json::array();
    for (const auto& row : t.rows) {
      json jr = json::array();
      for (const Cell& c : row) {
        if (const auto* s = std::get_if<std::string>(&c)) {
          jr.push_back(json{{"s", *s}});
        } else {
          jr.push_back(number(std::get<double>(c)));
        }
      }
      rows.push_back(jr);
    }
    j["tables"].push_back({{"id", t.id}, {"title", t.title}, {"columns", t.columns}, {"rows", rows}});
  }
  j["histograms"] = json::array();
  for (const Histogram& h : r.histograms) {
    json series = json::array();
    for (const auto& s : h.series) series.push_back({{"label", s.label}, {"counts", numbers(s.counts)}});
    j["histograms"].push_back({{"id", h.id}, {"title", h.title}, {"xlabel", h.xlabel}, {"log_y", h.log_y},
                               {"edges", numbers(h.edges)}, {"series", series}});
  }
  j["curves"] = json::array();
  for (const Curve& c : r.curves) {
    json series = json::array();
    for (const auto& s : c.series) series.push_back({{"label", s.label}, {"x", numbers(s.x)}, {"y", numbers(s.y)}});
    j["curves"].push_back({{"id", c.id}, {"title", c.title}, {"xlabel", c.xlabel}, {"ylabel", c.ylabel},
                           {"log_x", c.log_x}, {"log_y", c.log_y}, {"series", series}});
  }
  const Provenance& p = r.provenance;
  j["provenance"] = {{"tool", p.tool},     {"version", p.version}, {"git_revision", p.git_revision},
                     {"experiment", p.experiment}, {"recipes", p.recipes}, {"seed", p.seed},
                     {"input", p.input},   {"input_hash", p.input_hash}, {"params", p.params}};
  json nonfinite = json::object();
  move_nonfinite(j, "", nonfinite);
  if (!nonfinite.empty()) j[kNonfiniteKey] = nonfinite;
  return j;
}

Result result_from_json(const json& document) {
  const json j = restore_nonfinite(document);
  Result r;
  r.experiment = text(j, "experiment");
  r.summary = text(j, "summary");
  for (const auto& [k, v] : field(j, "scalars").items()) r.scalars[k] = read_number(v);
  for (const json& t : field(j, "tables")) {
    Table tab;
    tab.id = text(t, "id");
    tab.title = text(t, "title");
    tab.columns = field(t, "columns").get<std::vector<std::string>>();
    for (const json& row : field(t, "rows")) {
      std::vector<Cell> cells;
      for (const json& c : row) {
        if (c.is_object()) {
          cells.emplace_back(text(c, "s"));
        } else {
          cells.emplace_back(read_number(c));
        }
      }
      if (cells.size() != tab.columns.size()) {
        throw std::invalid_argument("result JSON: table '" + tab.id + "' has a row of the wrong width");
      }
      tab.rows.push_back(std::move(cells));
    }
    r.tables.push_back(std::move(tab));
  }
  for (const json& h : field(j, "histograms")) {
    Histogram hist;
    hist.id = text(h, "id");
    hist.title = text(h, "title");
    hist.xlabel = text(h, "xlabel");
    hist.log_y = field(h, "log_y").get<bool>();
    hist.edges = read_numbers(field(h, "edges"));
    for (const json& s : field(h, "series")) {
      HistogramSeries hs{text(s, "label"), read_numbers(field(s, "counts"))};
      if (hs.counts.size() + 1 != hist.edges.size()) {
        throw std::invalid_argument("result JSON: histogram '" + hist.id + "' has counts not matching its edges");
      }
      hist.series.push_back(std::move(hs));
    }
    r.histograms.push_back(std::move(hist));
  }
  for (const json& c : field(j, "curves")) {
    Curve curve;
    curve.id = text(c, "id");
    curve.title = text(c, "title");
    curve.xlabel = text(c, "xlabel");
    curve.ylabel = text(c, "ylabel");
    curve.log_x = field(c, "log_x").get<bool>();
    curve.log_y = field(c, "log_y").get<bool>();
    for (const json& s : field(c, "series")) {
      Series se{text(s, "label"), read_numbers(field(s, "x")), read_numbers(field(s, "y"))};
      if (se.x.size() != se.y.size()) throw std::invalid_argument("result JSON: curve series of unequal lengths");
      curve.series.push_back(std::move(se));
    }
    r.curves.push_back(std::move(curve));
  }
  const json& p = field(j, "provenance");
  r.provenance.tool = text(p, "tool");
  r.provenance.version = text(p, "version");
  r.provenance.git_revision = text(p, "git_revision");
  r.provenance.experiment = text(p, "experiment");
  r.provenance.recipes = field(p, "recipes").get<std::vector<std::string>>();
  r.provenance.seed = field(p, "seed").get<std::uint64_t>();
  r.provenance.input = text(p, "input");
  r.provenance.input_hash = text(p, "input_hash");
  r.provenance.params = field(p, "params");
  return r;
}

std::string fnv1a_hex(const void* data, std::size_t size) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace fp4lab::exp
