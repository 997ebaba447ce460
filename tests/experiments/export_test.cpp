// The exporters: CSV quoting and numbers, and the result folder (every file written in every
// figure format, result.json reads back, long tables collapsed, failures change nothing).
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "experiments/export/csv.hpp"
#include "experiments/export/report.hpp"
#include "experiments/export/figure_render.hpp"
#include "experiments/export/write_file.hpp"
#include "tests/experiments/plot_samples.hpp"

using namespace fp4lab::exp;
using fp4lab::exp::test::two_series_curve;
using fp4lab::exp::test::two_series_histogram;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh, empty directory under the system temp directory, removed on destruction.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() /
           ("fp4lab_export_test_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Result sample_result() {
  Result r;
  r.experiment = "compare";
  r.summary = "NVFP4 beats MXFP4 <by a lot> & more\n";
  r.scalars = {{"mse", 0.0123}, {"worst", INFINITY}};
  r.tables.push_back({"summary",
                      "Summary table",
                      {"recipe", "mse"},
                      {{std::string("NVFP4"), 0.01}, {std::string("MX, \"FP4\""), NAN}}});
  r.tables.push_back({"per/block id", "Odd id", {"a"}, {{1.0}}});
  r.histograms.push_back(two_series_histogram());
  r.curves.push_back(two_series_curve());
  r.provenance.version = "0.1.0";
  r.provenance.git_revision = "abc123";
  r.provenance.experiment = "compare";
  r.provenance.recipes = {"nvfp4", "mxfp4"};
  r.provenance.seed = 42;
  r.provenance.input = "synthetic gaussian 64x96";
  r.provenance.input_hash = "0123456789abcdef";
  r.provenance.params = {{"rows", 64}, {"cols", 96}};
  return r;
}

}  // namespace

TEST_SUITE("experiments.export.csv") {
  TEST_CASE("fields with commas, quotes or newlines are quoted and quotes doubled") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
    CHECK(csv_field("") == "");
  }
  TEST_CASE("numbers are printed with the shortest digits that read back exactly") {
    CHECK(csv_number(0.1) == "0.1");
    CHECK(csv_number(1.0) == "1");
    CHECK(csv_number(-2.5) == "-2.5");
    CHECK(csv_number(1e-300) == "1e-300");
    for (double v : {0.1 + 0.2, 1.0 / 3, 6.02214076e23, 4.9e-324, -123456.789}) {
      CHECK(std::strtod(csv_number(v).c_str(), nullptr) == v);  // strtod: stod rejects subnormals
    }
  }
  TEST_CASE("non-finite numbers are written nan, inf and -inf") {
    CHECK(csv_number(NAN) == "nan");
    CHECK(csv_number(INFINITY) == "inf");
    CHECK(csv_number(-INFINITY) == "-inf");
  }
  TEST_CASE("a table has its header row and quoted text cells") {
    const Table t{"t",
                  "T",
                  {"name", "value, in units"},
                  {{std::string("a\"b"), 1.5}, {std::string("c"), NAN}}};
    CHECK(table_csv(t) == "name,\"value, in units\"\n\"a\"\"b\",1.5\nc,nan\n");
  }
  TEST_CASE("a histogram has bin_lo, bin_hi and one column per series") {
    CHECK(histogram_csv(two_series_histogram()) ==
          "bin_lo,bin_hi,NVFP4,MXFP4\n-1,-0.5,1,0\n-0.5,0,5,3\n0,0.5,7,9\n0.5,1,2,4\n");
    CHECK(histogram_csv(Histogram{}) == "bin_lo,bin_hi\n");
  }
  TEST_CASE("a curve is written in long format: series, x, y") {
    Curve c;
    c.series = {{"a,1", {1, 2}, {3, INFINITY}}, {"b", {0.5}, {-1}}};
    CHECK(curve_csv(c) == "series,x,y\n\"a,1\",1,3\n\"a,1\",2,inf\nb,0.5,-1\n");
  }
}

TEST_SUITE("experiments.export.report") {
  TEST_CASE("ids are sanitised to letters, digits, _ and -") {
    CHECK(sanitize_id("a b/c.d-e_f") == "a_b_c_d-e_f");
    CHECK(sanitize_id("") == "unnamed");
    CHECK(sanitize_id("../x") == "___x");
  }
  TEST_CASE("write_result_dir writes every file and result.json reads back equal") {
    TempDir tmp("full");
    const fs::path dir = tmp.path / "nested" / "out";  // created, parents included
    const Result r = sample_result();
    write_result_dir(r, dir.string());
    for (const char* f :
         {"result.json", "index.html", "table_summary.csv", "table_per_block_id.csv",
          "hist_err.csv", "hist_err.svg", "curve_mse.csv", "curve_mse.svg"}) {
      CHECK_MESSAGE(fs::is_regular_file(dir / f), f);
    }
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      ++n;
      CHECK_MESSAGE(e.path().extension() != ".tmp", e.path().string());
    }
    CHECK(n == 8);

    const Result back = result_from_json(nlohmann::json::parse(read_text(dir / "result.json")));
    CHECK(back.experiment == r.experiment);
    CHECK(back.summary == r.summary);
    CHECK(back.scalars.at("mse") == r.scalars.at("mse"));
    CHECK(std::isinf(back.scalars.at("worst")));
    REQUIRE(back.tables.size() == 2);
    CHECK(back.tables[0].columns == r.tables[0].columns);
    CHECK(std::get<std::string>(back.tables[0].rows[1][0]) == "MX, \"FP4\"");
    CHECK(std::isnan(std::get<double>(back.tables[0].rows[1][1])));
    REQUIRE(back.histograms.size() == 1);
    CHECK(back.histograms[0].edges == r.histograms[0].edges);
    CHECK(back.histograms[0].series[1].counts == r.histograms[0].series[1].counts);
    REQUIRE(back.curves.size() == 1);
    CHECK(back.curves[0].series[0].y == r.curves[0].series[0].y);
    CHECK(back.provenance.seed == 42);
    CHECK(back.provenance.recipes == r.provenance.recipes);
    CHECK(back.provenance.params == r.provenance.params);

    CHECK(read_text(dir / "hist_err.csv") == histogram_csv(r.histograms[0]));
    CHECK(read_text(dir / "curve_mse.svg").rfind("<?xml", 0) == 0);  // Cairo's SVG document
    const std::string html = read_text(dir / "index.html");
    for (const char* f : {"result.json", "table_summary.csv", "hist_err.csv", "hist_err.svg",
                          "curve_mse.csv", "curve_mse.svg"}) {
      CHECK_MESSAGE(contains(html, std::string("href=\"") + f + "\""), f);
    }
    CHECK(contains(html, "<img src=\"hist_err.svg\""));
    CHECK(contains(html, "<img src=\"curve_mse.svg\""));
    // the page leads with the summary and the figures; the tables follow
    CHECK(html.find("<h2>Summary</h2>") < html.find("<h2>Figures</h2>"));
    CHECK(html.find("<h2>Figures</h2>") < html.find("<h2>Tables</h2>"));
    CHECK(contains(html, "<pre>NVFP4 beats MXFP4 &lt;by a lot&gt; &amp; more\n</pre>"));
    CHECK(contains(html, "<td>MX, &quot;FP4&quot;</td>"));
    CHECK(contains(html, "abc123"));
    CHECK(contains(html, "0123456789abcdef"));
  }
  TEST_CASE("every figure is written in every format asked for, the page shows the PNG") {
    TempDir tmp("formats");
    const Result r = sample_result();
    const std::vector<ReportFigure> shown =
        write_result_dir(r, tmp.path.string(), {ImageFormat::png, ImageFormat::pdf});
    for (const char* f : {"hist_err.png", "hist_err.pdf", "curve_mse.png", "curve_mse.pdf"}) {
      CHECK_MESSAGE(fs::is_regular_file(tmp.path / f), f);
    }
    CHECK_FALSE(fs::exists(tmp.path / "hist_err.svg"));
    // the file is the renderer's figure, byte for byte (PNG output is deterministic)
    CHECK(read_text(tmp.path / "curve_mse.png") == curve_file(r.curves[0], ImageFormat::png));
    REQUIRE(shown.size() == 2);
    CHECK(shown[0].file == "hist_err.png");
    CHECK(shown[1].file == "curve_mse.png");
    const std::string html = read_text(tmp.path / "index.html");
    CHECK(contains(html, "<img src=\"curve_mse.png\""));
    CHECK(contains(html, "href=\"curve_mse.pdf\""));
  }
  TEST_CASE("tables longer than kCollapseRows are collapsed, short ones are not") {
    Table t{"long", "Long", {"i"}, {}};
    for (std::size_t i = 0; i < kCollapseRows; ++i) t.rows.push_back({double(i)});
    CHECK_FALSE(contains(html_table(t), "<details>"));
    t.rows.push_back({1.0});
    CHECK(contains(html_table(t), "<details><summary>21 rows (show)</summary>"));
  }
  TEST_CASE("a *_map table gets a heat map figure and a bars table a bar chart") {
    TempDir tmp("charts");
    Result r;
    r.experiment = "charts";
    r.tables.push_back({"decision_map", "Map", {"rows", "a", "b"},
                        {{std::string("0-1"), 0.25, 1.0}, {std::string("2-3"), NAN, 0.0}}});
    r.tables.push_back({"bars", "Bars", {"variant", "rel"}, {{std::string("x"), 1.0}}});
    write_result_dir(r, tmp.path.string());
    CHECK(fs::is_regular_file(tmp.path / "map_decision_map.svg"));
    CHECK(fs::is_regular_file(tmp.path / "bars_bars.svg"));
  }
  TEST_CASE("duplicate ids get distinct file names") {
    TempDir tmp("dup");
    Result r;
    r.experiment = "dup";
    r.curves = {two_series_curve(), two_series_curve()};
    write_result_dir(r, tmp.path.string());
    CHECK(fs::is_regular_file(tmp.path / "curve_mse.svg"));
    CHECK(fs::is_regular_file(tmp.path / "curve_mse_2.svg"));
  }
  TEST_CASE("writing into a path that is a regular file throws and leaves the file unchanged") {
    TempDir tmp("file");
    const fs::path file = tmp.path / "not_a_dir";
    write_file_atomic(file.string(), "precious");
    CHECK_THROWS_AS(write_result_dir(sample_result(), file.string()), std::runtime_error);
    CHECK(read_text(file) == "precious");
    CHECK_THROWS_AS(write_result_dir(sample_result(), (file / "below").string()),
                    std::runtime_error);
    CHECK(read_text(file) == "precious");
    CHECK_FALSE(fs::exists(tmp.path / "not_a_dir.tmp"));
  }
  TEST_CASE("write_file_atomic replaces a file whole and names the path when it fails") {
    TempDir tmp("atomic");
    const fs::path p = tmp.path / "a.txt";
    write_file_atomic(p.string(), "first");
    write_file_atomic(p.string(), "second, longer");
    CHECK(read_text(p) == "second, longer");
    CHECK_FALSE(fs::exists(tmp.path / "a.txt.tmp"));
    const std::string missing = (tmp.path / "no_such_dir" / "b.txt").string();
    try {
      write_file_atomic(missing, "x");
      FAIL("expected an exception");
    } catch (const std::runtime_error& e) {
      CHECK(contains(e.what(), missing));
      CHECK(contains(e.what(), "No such file or directory"));
    }
    fs::create_directory(tmp.path / "dir");  // renaming a file onto a directory fails
    CHECK_THROWS_AS(write_file_atomic((tmp.path / "dir").string(), "x"), std::runtime_error);
    CHECK(fs::is_directory(tmp.path / "dir"));
    CHECK_FALSE(fs::exists(tmp.path / "dir.tmp"));
  }
  TEST_CASE("write_index links each subfolder's index.html") {
    TempDir tmp("index");
    write_index({{"compare", "Compare recipes"}, {"my run", "A & B"}}, tmp.path.string(),
                "Report <1>");
    const std::string html = read_text(tmp.path / "index.html");
    CHECK(contains(html, "<a href=\"compare/index.html\">Compare recipes</a>"));
    CHECK(contains(html, "<a href=\"my%20run/index.html\">A &amp; B</a>"));
    CHECK(contains(html, "<h1>Report &lt;1&gt;</h1>"));
  }
}

TEST_SUITE("experiments.result.json") {
  TEST_CASE("non-finite numbers are null with their JSON pointers in nonfinite, and read back") {
    Result r = sample_result();
    r.scalars["a/b~c"] = -INFINITY;  // a key that needs RFC 6901 escaping
    r.curves[0].series[0].y[0] = NAN;
    const std::string text = to_json(r).dump(2);
    // strict JSON: the standard parser reads it, and no number is a string
    const nlohmann::json j = nlohmann::json::parse(text);
    CHECK(j["scalars"]["worst"].is_null());
    CHECK(j["scalars"]["mse"].is_number());
    CHECK(j["tables"][0]["rows"][1][1].is_null());
    CHECK(j["nonfinite"]["/scalars/worst"] == "+Infinity");
    CHECK(j["nonfinite"]["/scalars/a~1b~0c"] == "-Infinity");
    CHECK(j["nonfinite"]["/tables/0/rows/1/1"] == "NaN");
    CHECK(j["nonfinite"]["/curves/0/series/0/y/0"] == "NaN");
    CHECK_FALSE(contains(text, "\"nan\""));
    CHECK_FALSE(contains(text, "\"inf\""));
    CHECK_FALSE(contains(text, "\"-inf\""));
    const Result back = result_from_json(j);
    CHECK(std::isinf(back.scalars.at("worst")));
    CHECK(back.scalars.at("worst") > 0);
    CHECK(back.scalars.at("a/b~c") == -INFINITY);
    CHECK(std::isnan(std::get<double>(back.tables[0].rows[1][1])));
    CHECK(std::isnan(back.curves[0].series[0].y[0]));
    CHECK(back.curves[0].series[0].y[1] == r.curves[0].series[0].y[1]);
    // every number finite: no "nonfinite" key at all
    Result finite = sample_result();
    finite.scalars["worst"] = 1;
    std::get<double>(finite.tables[0].rows[1][1]) = 2;
    CHECK_FALSE(to_json(finite).contains("nonfinite"));
  }
  TEST_CASE("older files with the strings nan and inf still read; bad nonfinite maps fail") {
    nlohmann::json j = to_json(sample_result());
    j.erase("nonfinite");
    j["scalars"]["worst"] = "inf";
    CHECK(std::isinf(result_from_json(j).scalars.at("worst")));
    j["nonfinite"] = {{"/scalars/mse", "NaN"}};  // mse is a number, not a null
    CHECK_THROWS_AS(result_from_json(j), std::invalid_argument);
    j["nonfinite"] = {{"/scalars/worst", "nan"}};
    CHECK_THROWS_AS(result_from_json(j), std::invalid_argument);
  }
}
