// The exporters: CSV quoting and numbers, SVG structure and escaping, log axes, decimation,
// and the result folder (every file written, result.json reads back, failures change nothing).
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
#include "experiments/export/svg.hpp"
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

bool starts_with_svg_and_closes(const std::string& s) {
  return s.rfind("<svg ", 0) == 0 && s.size() >= 7 &&
         s.substr(s.find_last_not_of('\n') - 5, 6) == "</svg>";
}

/// Whether the text holds "nan" or "inf" in any letter case (no non-finite number leaked).
bool has_non_finite_text(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return contains(s, "nan") || contains(s, "inf");
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

TEST_SUITE("experiments.export.svg") {
  TEST_CASE("a histogram plot is one svg element with title, axis labels and legend labels") {
    const std::string s = histogram_svg(two_series_histogram());
    CHECK(starts_with_svg_and_closes(s));
    CHECK(contains(s, "xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(contains(s, "width=\"800\" height=\"500\""));
    CHECK(contains(s, ">Error histogram</text>"));
    CHECK(contains(s, ">relative error</text>"));
    CHECK(contains(s, ">count</text>"));
    CHECK(contains(s, ">NVFP4</text>"));
    CHECK(contains(s, ">MXFP4</text>"));
    CHECK(contains(s, "fill-opacity=\"0.25\""));  // two series: filled outlines
    CHECK(contains(s, ">-0.5</text>"));           // nice ticks over [-1, 1] at steps of 0.5
    CHECK(contains(s, ">0.5</text>"));
    CHECK_FALSE(has_non_finite_text(s));
  }
  TEST_CASE("a curve plot names its title, axes and series and uses nice ticks") {
    const std::string s = curve_svg(two_series_curve());
    CHECK(starts_with_svg_and_closes(s));
    CHECK(contains(s, ">MSE by block size</text>"));
    CHECK(contains(s, ">block size</text>"));
    CHECK(contains(s, ">MSE</text>"));
    CHECK(contains(s, ">NVFP4</text>"));
    CHECK(contains(s, ">MXFP4</text>"));
    CHECK(contains(s, "<polyline"));
    CHECK(contains(s, ">0.010</text>"));  // y ticks step 0.005: three decimals, no 0.30000000004
    CHECK(contains(s, ">0.040</text>"));
    CHECK_FALSE(has_non_finite_text(s));
  }
  TEST_CASE("titles and labels have < & > and quotes escaped") {
    Curve c = two_series_curve();
    c.title = "a < b & c > \"d\"";
    c.xlabel = "x<1>";
    c.series[0].label = "R&D <beta>";
    const std::string s = curve_svg(c);
    CHECK(contains(s, "a &lt; b &amp; c &gt; &quot;d&quot;"));
    CHECK(contains(s, "x&lt;1&gt;"));
    CHECK(contains(s, "R&amp;D &lt;beta&gt;"));
    CHECK_FALSE(contains(s, "a < b"));
    CHECK_FALSE(contains(s, "<beta>"));
    Histogram h = two_series_histogram();
    h.title = "<script>&";
    const std::string t = histogram_svg(h);
    CHECK(contains(t, "&lt;script&gt;&amp;"));
    CHECK_FALSE(contains(t, "<script>"));
  }
  TEST_CASE("xml_escape drops control characters XML cannot hold") {
    CHECK(xml_escape(std::string("a\x01"
                                 "b\tc")) ==
          "a"
          "b\tc");
    CHECK(xml_escape("it's") == "it&#39;s");
  }
  TEST_CASE("a log-y histogram skips zero counts and writes no nan or inf") {
    Histogram h = two_series_histogram();
    h.log_y = true;
    h.series[0].counts = {0, 1000, 10, 0};
    h.series[1].counts = {0, NAN, 3, INFINITY};
    const std::string s = histogram_svg(h);
    CHECK(starts_with_svg_and_closes(s));
    CHECK_FALSE(has_non_finite_text(s));
    CHECK(contains(s, "<tspan"));  // decade labels 10^k
    CHECK(contains(s, ">count (log)</text>"));
  }
  TEST_CASE("log-x and log-y curves skip non-positive and non-finite points") {
    Curve c = two_series_curve();
    c.log_x = c.log_y = true;
    c.series[0].x = {-1, 0, 1, 10, 100, NAN};
    c.series[0].y = {1, 2, 0.001, -5, 0.1, 1};
    c.series[1].x = {1, 10, 100, 1000};
    c.series[1].y = {1e-6, 0, INFINITY, 1e-2};
    const std::string s = curve_svg(c);
    CHECK(starts_with_svg_and_closes(s));
    CHECK_FALSE(has_non_finite_text(s));
    CHECK(contains(s, "<tspan"));
  }
  TEST_CASE("empty or unplottable data gives a titled plot saying no data") {
    Histogram h;
    h.title = "Empty";
    h.xlabel = "x";
    const std::string s = histogram_svg(h);
    CHECK(starts_with_svg_and_closes(s));
    CHECK(contains(s, ">Empty</text>"));
    CHECK(contains(s, ">no data</text>"));
    Curve c;
    c.title = "Only negatives on log axes";
    c.log_y = true;
    c.series = {{"s", {1, 2}, {-1, 0}}};
    const std::string t = curve_svg(c);
    CHECK(contains(t, ">no data</text>"));
    CHECK_FALSE(has_non_finite_text(t));
  }
  TEST_CASE("decimation keeps the first and last points and each stride's extremes") {
    std::vector<double> y(10000);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::sin(static_cast<double>(i) * 0.01);
    y[4321] = 50;   // a spike must survive
    y[7777] = -50;  // and a dip
    const std::vector<std::size_t> keep = decimate_indices(y, 15);
    CHECK(keep.front() == 0);
    CHECK(keep.back() == y.size() - 1);
    CHECK(std::is_sorted(keep.begin(), keep.end()));
    CHECK(std::adjacent_find(keep.begin(), keep.end()) == keep.end());
    CHECK(std::find(keep.begin(), keep.end(), 4321u) != keep.end());
    CHECK(std::find(keep.begin(), keep.end(), 7777u) != keep.end());
    CHECK(keep.size() <= 3 * (y.size() / 15 + 1) + 1);
    CHECK(decimate_indices(y, 1).size() == y.size());
    CHECK(decimate_indices({}, 5).empty());
  }
  TEST_CASE("a long curve is decimated to about kSvgMaxPoints points") {
    Curve c;
    c.title = "long";
    Series s{"s", {}, {}};
    for (int i = 0; i < 100000; ++i) {
      s.x.push_back(i);
      s.y.push_back(std::sin(i * 1e-3));
    }
    c.series.push_back(s);
    const std::string svg = curve_svg(c);
    const std::string pts = svg.substr(svg.find("points=\""));
    const auto n = std::count(pts.begin(), pts.begin() + static_cast<long>(pts.find("\"/>")), ',');
    CHECK(n >= 2);
    CHECK(n <= static_cast<long>(kSvgMaxPoints) + 1);
    CHECK(svg.size() < 100000);
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
    CHECK(read_text(dir / "curve_mse.svg") == curve_svg(r.curves[0]));
    const std::string html = read_text(dir / "index.html");
    for (const char* f : {"result.json", "table_summary.csv", "hist_err.csv", "hist_err.svg",
                          "curve_mse.csv", "curve_mse.svg"}) {
      CHECK_MESSAGE(contains(html, std::string("href=\"") + f + "\""), f);
    }
    CHECK(contains(html, "<img src=\"hist_err.svg\""));
    CHECK(contains(html, "<img src=\"curve_mse.svg\""));
    CHECK(contains(html, "<pre>NVFP4 beats MXFP4 &lt;by a lot&gt; &amp; more\n</pre>"));
    CHECK(contains(html, "<td>MX, &quot;FP4&quot;</td>"));
    CHECK(contains(html, "abc123"));
    CHECK(contains(html, "0123456789abcdef"));
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
