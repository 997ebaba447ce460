// The result folder (see report.hpp): data files first, then result.json, then index.html, so
// an index.html on disk means every file it links was written completely.
#include "experiments/export/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>

#include "experiments/export/csv.hpp"
#include "experiments/plot/chart.hpp"
#include "experiments/export/write_file.hpp"

namespace fp4lab::exp {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#222}\n"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "pre,code{background:#f6f6f6}\n"
    "pre{padding:.8em;overflow-x:auto}\n"
    "code{white-space:pre-wrap;word-break:break-all}\n"
    "img{max-width:100%;height:auto;border:1px solid #eee}\n"
    "figure{margin:1em 0}figcaption{font-size:90%;color:#555}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1em}\n"
    "details>summary{cursor:pointer;color:#06c}\n"
    ".files{font-size:90%}\n";

/// Creates `dir` and its parents; throws std::runtime_error when it exists as something else.
void ensure_directory(const std::string& dir) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      throw std::runtime_error("cannot write into '" + dir + "': it exists and is not a directory");
    }
    return;
  }
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create directory '" + dir + "': " + ec.message());
}

/// `id` sanitised, with `_2`, `_3`, ... appended when an earlier id of the same kind took it.
std::string unique_stem(const std::string& id, std::set<std::string>& taken) {
  const std::string base = sanitize_id(id);
  std::string stem = base;
  for (int k = 2; !taken.insert(stem).second; ++k) stem = base + "_" + std::to_string(k);
  return stem;
}

/// A number for reading (6 significant digits; the CSV and JSON hold every digit).
std::string display_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.6g}", v);
}

std::string dump_json(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string html_head(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         xml_escape(title) + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n";
}

namespace {

std::string link(const std::string& file) {
  return "<a href=\"" + xml_escape(file) + "\">" + xml_escape(file) + "</a>";
}

}  // namespace

std::string html_table(const Table& t) {
  std::string o = "<table>\n<tr>";
  for (const std::string& c : t.columns) o += "<th>" + xml_escape(c) + "</th>";
  o += "</tr>\n";
  for (const auto& row : t.rows) {
    o += "<tr>";
    for (const Cell& c : row) {
      if (const auto* s = std::get_if<std::string>(&c)) {
        o += "<td>" + xml_escape(*s) + "</td>";
      } else {
        o += "<td class=\"num\">" + display_number(std::get<double>(c)) + "</td>";
      }
    }
    o += "</tr>\n";
  }
  o += "</table>\n";
  if (t.rows.size() <= kCollapseRows) return o;
  return fmt::format("<details><summary>{} rows (show)</summary>\n{}</details>\n", t.rows.size(),
                     o);
}

namespace {

std::string provenance_table(const Provenance& p) {
  std::string recipes;
  for (std::size_t i = 0; i < p.recipes.size(); ++i) {
    recipes += (i ? "<br>" : "") + std::string("<code>") + xml_escape(p.recipes[i]) + "</code>";
  }
  const std::pair<const char*, std::string> rows[] = {
      {"tool", xml_escape(p.tool)},
      {"version", xml_escape(p.version)},
      {"git revision", "<code>" + xml_escape(p.git_revision) + "</code>"},
      {"experiment", xml_escape(p.experiment)},
      {"recipes", recipes},
      {"seed", std::to_string(p.seed)},
      {"input", xml_escape(p.input)},
      {"input hash", "<code>" + xml_escape(p.input_hash) + "</code>"},
      {"params", "<code>" + xml_escape(dump_json(p.params, -1)) + "</code>"},
  };
  std::string o = "<table>\n";
  for (const auto& [k, v] : rows) o += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", k, v);
  return o + "</table>\n";
}

}  // namespace

std::string sanitize_id(std::string_view id) {
  std::string s;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    s += ok ? c : '_';
  }
  if (s.size() > 100) s.resize(100);
  return s.empty() ? "unnamed" : s;
}

std::vector<ReportFigure> write_result_dir(const Result& r, const std::string& dir,
                                           const std::vector<ImageFormat>& formats) {
  ensure_directory(dir);
  const fs::path d(dir);
  auto put = [&](const std::string& name, const std::string& text) {
    write_file_atomic((d / name).string(), text);
  };
  const std::string name = !r.experiment.empty()              ? r.experiment
                           : !r.provenance.experiment.empty() ? r.provenance.experiment
                                                              : "result";
  std::vector<std::string> files;
  std::vector<ReportFigure> shown;
  std::string figures;
  // One figure: a file per format (and its CSV when given), shown as the SVG or else the PNG,
  // with links to every file.
  auto figure = [&](const std::string& stem, const std::string& title, const std::string& csv,
                    const auto& render) {
    std::string links;
    for (ImageFormat f : formats) {
      const std::string file = stem + "." + std::string(extension(f));
      put(file, render(f));
      files.push_back(file);
      links += (links.empty() ? "" : " &middot; ") + link(file);
    }
    if (!csv.empty()) {
      put(stem + ".csv", csv);
      files.push_back(stem + ".csv");
      links += (links.empty() ? "" : " &middot; ") + link(stem + ".csv");
    }
    const auto img = std::find_if(formats.begin(), formats.end(),
                                  [](ImageFormat f) { return f != ImageFormat::pdf; });
    figures += "<figure>\n";
    if (img != formats.end()) {
      const std::string file = stem + "." + std::string(extension(*img));
      shown.push_back({file, title});
      figures += fmt::format("<img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\">\n", file,
                             kFigureWidth, kFigureHeight, xml_escape(title));
    } else if (!formats.empty()) {
      shown.push_back({stem + ".pdf", title});
    }
    figures += "<figcaption>" + xml_escape(title) + ": " + links + "</figcaption>\n</figure>\n";
  };
  std::set<std::string> taken;
  for (const Histogram& h : r.histograms) {
    figure("hist_" + unique_stem(h.id, taken), h.title.empty() ? h.id : h.title, histogram_csv(h),
           [&](ImageFormat f) { return histogram_file(h, f); });
  }
  taken.clear();
  for (const Curve& c : r.curves) {
    figure("curve_" + unique_stem(c.id, taken), c.title.empty() ? c.id : c.title, curve_csv(c),
           [&](ImageFormat f) { return curve_file(c, f); });
  }
  taken.clear();
  for (const Table& t : r.tables) {  // tables that read better as pictures get one too
    if (const auto m = plot::heat_map_from_table(t, "share (0 to 1)")) {
      figure("map_" + unique_stem(t.id, taken), m->title, "",
             [&](ImageFormat f) { return heat_map_file(*m, f); });
    } else if (t.id == "bars") {
      if (const auto b = plot::bar_chart_from_table(t, 1)) {
        figure("bars_" + unique_stem(t.id, taken), b->title, "",
               [&](ImageFormat f) { return bar_chart_file(*b, f); });
      }
    }
  }

  std::string body = "<h1>" + xml_escape(name) + "</h1>\n";
  body += "<h2>Summary</h2>\n<pre>" + xml_escape(r.summary) + "</pre>\n";
  if (!figures.empty()) body += "<h2>Figures</h2>\n" + figures;
  taken.clear();
  if (!r.tables.empty()) body += "<h2>Tables</h2>\n";
  for (const Table& t : r.tables) {
    const std::string csv = "table_" + unique_stem(t.id, taken) + ".csv";
    put(csv, table_csv(t));
    files.push_back(csv);
    body +=
        "<h3>" + xml_escape(t.title.empty() ? t.id : t.title) + "</h3>\n<p>" + link(csv) + "</p>\n";
    body += html_table(t);
  }
  if (!r.scalars.empty()) {
    Table scalars{"scalars", "Scalars", {"name", "value"}, {}};
    for (const auto& [k, v] : r.scalars) scalars.rows.push_back({k, v});
    body += "<h3>Scalars</h3>\n" + html_table(scalars);
  }

  put("result.json", dump_json(to_json(r), 2) + "\n");
  files.insert(files.begin(), "result.json");

  body += "<h2>Provenance</h2>\n" + provenance_table(r.provenance);
  body += "<h2>Files</h2>\n<ul class=\"files\">\n";
  for (const std::string& f : files) body += "<li>" + link(f) + "</li>\n";
  body += "</ul>\n";
  put("index.html", html_head("fp4lab: " + name) + body + "</body>\n</html>\n");
  return shown;
}

void write_index(const std::vector<std::pair<std::string, std::string>>& sections,
                 const std::string& dir, const std::string& title) {
  write_index(sections, dir, title, "");
}

void write_index(const std::vector<std::pair<std::string, std::string>>& sections,
                 const std::string& dir, const std::string& title, const std::string& lead) {
  ensure_directory(dir);
  std::string body = "<h1>" + xml_escape(title) + "</h1>\n" + lead;
  body += lead.empty() ? "<ul>\n" : "<h2>Every step</h2>\n<ul>\n";
  for (const auto& [sub, section_title] : sections) {
    std::string href;  // percent-encode all but RFC 3986 unreserved characters and '/'
    for (char c : sub) {
      const auto u = static_cast<unsigned char>(c);
      const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
                         c == '/';
      href += plain ? std::string(1, c) : fmt::format("%{:02X}", u);
    }
    if (!href.empty() && href.back() != '/') href += '/';
    href += "index.html";
    body += fmt::format("<li><a href=\"{}\">{}</a> <small>({})</small></li>\n", xml_escape(href),
                        xml_escape(section_title.empty() ? sub : section_title), xml_escape(sub));
  }
  body += "</ul>\n";
  write_file_atomic((fs::path(dir) / "index.html").string(),
                    html_head(title) + body + "</body>\n</html>\n");
}

}  // namespace fp4lab::exp
