// The Cairo figure renderer: each format's file is what it claims (SVG document, PNG of the
// right size, a PDF that pdftoppm renders page by page), the drawing shows the series' colours
// where the layout put them, text is measured with real font metrics, and bad data still draws.
#include <cairo.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "experiments/export/cairo_draw.hpp"
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

std::uint32_t be32(const std::string& s, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

/// A scene drawn on an ARGB image of the figure's size; counts pixels near colour `c`.
struct Raster {
  cairo_surface_t* surface;
  explicit Raster(const plot::Scene& sc) {
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kFigureWidth, kFigureHeight);
    cairo_t* cr = cairo_create(surface);
    draw_scene(cr, sc, {0, 0, kFigureWidth, kFigureHeight}, light_theme());
    cairo_destroy(cr);
    cairo_surface_flush(surface);
  }
  ~Raster() { cairo_surface_destroy(surface); }
  /// Pixels within 40 (per channel) of `c` inside box `b`.
  int count(plot::Rgb c, const plot::Box& b) const {
    const unsigned char* d = cairo_image_surface_get_data(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    int n = 0;
    for (int y = static_cast<int>(b.y0); y < static_cast<int>(b.y1); ++y) {
      for (int x = static_cast<int>(b.x0); x < static_cast<int>(b.x1); ++x) {
        const unsigned char* p = d + y * stride + x * 4;  // B G R A, little-endian ARGB32
        if (std::abs(p[2] - c.r) < 40 && std::abs(p[1] - c.g) < 40 && std::abs(p[0] - c.b) < 40) ++n;
      }
    }
    return n;
  }
};

}  // namespace

TEST_SUITE("experiments.export.figures") {
  TEST_CASE("formats are parsed from a comma-separated list and unknown ones are named") {
    CHECK(parse_formats("svg,png,pdf") ==
          std::vector<ImageFormat>{ImageFormat::svg, ImageFormat::png, ImageFormat::pdf});
    CHECK(parse_formats("pdf,pdf") == std::vector<ImageFormat>{ImageFormat::pdf});
    CHECK(format_list(parse_formats("png,svg")) == "png,svg");
    CHECK_THROWS_WITH_AS(parse_formats("svg,jpeg"),
                         doctest::Contains("unknown figure format 'jpeg'"), std::invalid_argument);
    CHECK_THROWS_AS(parse_formats(""), std::invalid_argument);
  }
  TEST_CASE("an SVG figure is one svg document of 800 x 500 with its glyphs drawn") {
    const std::string s = curve_file(two_series_curve(), ImageFormat::svg);
    CHECK(s.rfind("<?xml", 0) == 0);
    CHECK(contains(s, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(contains(s, "viewBox=\"0 0 800 500\""));
    CHECK(contains(s, "glyph"));  // text drawn as the font's glyphs, not left to the viewer
    CHECK(contains(s.substr(s.size() - 10), "</svg>"));
  }
  TEST_CASE("a PNG figure is a PNG of twice the figure's size") {
    const std::string s = histogram_file(two_series_histogram(), ImageFormat::png);
    REQUIRE(s.size() > 24);
    CHECK(s.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    CHECK(s.substr(12, 4) == "IHDR");
    CHECK(be32(s, 16) == static_cast<std::uint32_t>(kFigureWidth * kPngScale));
    CHECK(be32(s, 20) == static_cast<std::uint32_t>(kFigureHeight * kPngScale));
  }
  TEST_CASE("every PDF figure renders through pdftoppm, one page each") {
    const fs::path dir = fs::temp_directory_path() / ("fp4lab_pdf_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    plot::HeatMap m;
    m.title = "map";
    m.rows = m.cols = 2;
    m.cells = {0, 0.5, NAN, 1};
    m.scale = plot::linear_axis(0, 1, false);
    const std::pair<const char*, std::string> files[] = {
        {"curve", curve_file(two_series_curve(), ImageFormat::pdf)},
        {"hist", histogram_file(two_series_histogram(), ImageFormat::pdf)},
        {"map", heat_map_file(m, ImageFormat::pdf)}};
    for (const auto& [name, pdf] : files) {
      CHECK(pdf.rfind("%PDF-", 0) == 0);
      const fs::path in = dir / (std::string(name) + ".pdf");
      write_file_atomic(in.string(), pdf);
      const std::string cmd = "pdftoppm -r 20 -png '" + in.string() + "' '" +
                              (dir / name).string() + "' 2>/dev/null";
      REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0,
                      "pdftoppm (poppler-utils) failed or is missing on " << in);
      int pages = 0;
      for (const auto& e : fs::directory_iterator(dir)) {
        const std::string f = e.path().filename().string();
        if (f.rfind(std::string(name) + "-", 0) == 0 && e.path().extension() == ".png") {
          ++pages;
          CHECK(fs::file_size(e.path()) > 100);
        }
      }
      CHECK_MESSAGE(pages == 1, name);
    }
    fs::remove_all(dir);
  }
  TEST_CASE("text widths come from the font: a W is wider than an i") {
    CHECK(cairo_text_width("WWWW", 12) > 1.5 * cairo_text_width("iiii", 12));
    CHECK(cairo_text_width("abc", 24) == doctest::Approx(2 * cairo_text_width("abc", 12)).epsilon(0.05));
    CHECK(cairo_text_width("", 12) == 0);
  }
  TEST_CASE("each series is drawn in its colour inside the plot area, and the legend shows it") {
    const plot::Scene sc = plot::layout(plot::curve_figure(two_series_curve()), figure_style());
    const Raster img(sc);
    for (const plot::FigureSeries& s : sc.figure.series) {
      CHECK_MESSAGE(img.count(s.colour, sc.area) > 50, s.label);
      CHECK_MESSAGE(img.count(s.colour, sc.legend.box) > 5, s.label);
    }
    // the margin left of the plot area holds tick labels only: no series colour
    CHECK(img.count(sc.figure.series[0].colour, {0, 0, sc.area.x0 - 2, kFigureHeight}) == 0);
  }
  TEST_CASE("a figure with no data draws no series and still renders every format") {
    Curve c;
    c.title = "Only negatives on log axes";
    c.log_y = true;
    c.series = {{"s", {1, 2}, {-1, 0}}, {"t", {NAN, INFINITY}, {1, 2}}};
    const plot::Scene sc = plot::layout(plot::curve_figure(c), figure_style());
    CHECK_FALSE(sc.figure.has_data);
    const Raster img(sc);
    CHECK(img.count(plot::series_colour(0), {0, 0, kFigureWidth, kFigureHeight}) == 0);
    for (ImageFormat f : {ImageFormat::svg, ImageFormat::png, ImageFormat::pdf}) {
      CHECK(render_scene(sc, f).size() > 100);
    }
  }
  TEST_CASE("a heat map's cells take the ramp's colours, NaN cells the no-value grey") {
    plot::HeatMap m;
    m.title = "decisions";
    m.value_label = "share";
    m.rows = 1;
    m.cols = 3;
    m.cells = {0, 1, NAN};
    m.scale = plot::linear_axis(0, 1, false);
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kFigureWidth, kFigureHeight);
    cairo_t* cr = cairo_create(s);
    draw_heat_map(cr, m, {0, 0, kFigureWidth, kFigureHeight}, light_theme());
    cairo_destroy(cr);
    cairo_surface_flush(s);
    const unsigned char* d = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    auto colour_near = [&](plot::Rgb c) {
      int n = 0;
      for (int y = 0; y < kFigureHeight; ++y) {
        for (int x = 0; x < kFigureWidth; ++x) {
          const unsigned char* p = d + y * stride + x * 4;
          n += p[2] == c.r && p[1] == c.g && p[0] == c.b;
        }
      }
      return n;
    };
    CHECK(colour_near(plot::heat_colour(0)) > 1000);
    CHECK(colour_near(plot::heat_colour(1)) > 1000);
    CHECK(colour_near(plot::kNoValue) > 1000);
    cairo_surface_destroy(s);
  }
}

TEST_SUITE("experiments.export.figures") {
  TEST_CASE("decimation keeps the first and last points and each stride's extremes") {
    std::vector<double> y(10000);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::sin(static_cast<double>(i) * 0.01);
    y[4321] = 50;   // a spike must survive
    y[7777] = -50;  // and a dip
    const std::vector<std::size_t> keep = plot::decimate_indices(y, 15);
    CHECK(keep.front() == 0);
    CHECK(keep.back() == y.size() - 1);
    CHECK(std::find(keep.begin(), keep.end(), 4321u) != keep.end());
    CHECK(std::find(keep.begin(), keep.end(), 7777u) != keep.end());
    CHECK(keep.size() <= 3 * (y.size() / 15 + 1) + 1);
  }
  TEST_CASE("a long curve's figure stays small in every format") {
    Curve c;
    c.title = "long";
    Series s{"s", {}, {}};
    for (int i = 0; i < 100000; ++i) {
      s.x.push_back(i);
      s.y.push_back(std::sin(i * 1e-3));
    }
    c.series.push_back(s);
    const plot::Scene sc = plot::layout(plot::curve_figure(c), figure_style());
    REQUIRE(sc.lines.size() == 1);
    CHECK(sc.lines[0].points.size() <= plot::kMaxPoints + 1);
    CHECK(curve_file(c, ImageFormat::svg).size() < 200000);
    CHECK(curve_file(c, ImageFormat::pdf).size() < 200000);
  }
}
