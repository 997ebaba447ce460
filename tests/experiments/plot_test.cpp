// The plot model shared by the SVG export and the GUI: nice ticks and their labels (linear,
// log, tiny and huge spans), the palette's order, figures of curves and histograms, and the
// legend's layout.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "experiments/plot/layout.hpp"
#include "tests/experiments/plot_samples.hpp"

using namespace fp4lab::exp;
using namespace fp4lab::exp::plot;
using fp4lab::exp::test::two_series_curve;

namespace {

std::vector<std::string> texts(const Axis& a) {
  std::vector<std::string> out;
  for (const TickLabel& l : a.labels) out.push_back(l.text());
  return out;
}

}  // namespace

TEST_SUITE("experiments.plot.axis") {
  TEST_CASE("nice steps are 1, 2 or 5 times a power of ten") {
    CHECK(nice_step(0.12) == doctest::Approx(0.1));
    CHECK(nice_step(0.25) == doctest::Approx(0.2));
    CHECK(nice_step(4) == doctest::Approx(5));
    CHECK(nice_step(8) == doctest::Approx(10));
    CHECK(nice_step(3.3e-10) == doctest::Approx(5e-10));
  }
  TEST_CASE("a linear axis ticks about six intervals with just the step's decimals") {
    const Axis a = linear_axis(0, 1, false);
    CHECK_FALSE(a.log);
    CHECK(texts(a) == std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1.0"});
    CHECK(a.major.size() == a.labels.size());
    CHECK(texts(linear_axis(-1, 1, false)) ==
          std::vector<std::string>{"-1.0", "-0.5", "0", "0.5", "1.0"});
    CHECK(a.minor.empty());
  }
  TEST_CASE("tiny and huge spans are labelled in short scientific notation") {
    CHECK(texts(linear_axis(1e-9, 3e-9, true)) ==
          std::vector<std::string>{"1e-9", "1.5e-9", "2e-9", "2.5e-9", "3e-9"});
    CHECK(texts(linear_axis(0, 3e7, false)) ==
          std::vector<std::string>{"0", "5e6", "1e7", "1.5e7", "2e7", "2.5e7", "3e7"});
  }
  TEST_CASE("a narrow span far from zero keeps distinct labels") {
    const Axis a = linear_axis(1000, 1000.001, false);
    CHECK(texts(a) == std::vector<std::string>{"1000.0000", "1000.0002", "1000.0004", "1000.0006",
                                               "1000.0008", "1000.0010"});
  }
  TEST_CASE("an empty range is widened around its value") {
    const Axis a = linear_axis(5, 5, false);
    CHECK(a.lo == doctest::Approx(4.5));
    CHECK(a.hi == doctest::Approx(5.5));
    CHECK(texts(a) == std::vector<std::string>{"4.6", "4.8", "5.0", "5.2", "5.4"});
    CHECK(linear_axis(0, 0, false).hi == doctest::Approx(1));
  }
  TEST_CASE("a log axis ticks decades as 10 with a superscript, and 2..9 between them") {
    const Axis a = log_axis(-3, 2);
    CHECK(a.log);
    REQUIRE(a.labels.size() == 6);
    CHECK(a.labels[0] == TickLabel{"10", "-3"});
    CHECK(a.labels[5] == TickLabel{"10", "2"});
    CHECK(a.major == std::vector<double>{-3, -2, -1, 0, 1, 2});
    CHECK(a.minor.size() == 40);  // 8 per decade, 5 decades inside
    CHECK(a.minor.front() == doctest::Approx(std::log10(2e-3)));
  }
  TEST_CASE("a log axis over many decades labels at most eight of them and no minor ticks") {
    const Axis a = log_axis(-10, 10);
    CHECK(texts(a) ==
          std::vector<std::string>{"10^-10", "10^-7", "10^-4", "10^-1", "10^2", "10^5", "10^8"});
    CHECK(a.minor.empty());
  }
  TEST_CASE("a log axis under two decades gets nice values placed logarithmically") {
    const Axis a = log_axis_around(2, 5);
    CHECK(a.log);
    CHECK(texts(a) == std::vector<std::string>{"2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"});
    CHECK(a.major.front() == doctest::Approx(std::log10(2.0)));
    CHECK(a.lo < std::log10(2.0));
    CHECK(a.hi > std::log10(5.0));
  }
  TEST_CASE("a value axis pads to whole ticks and starts at zero for data near it") {
    const Axis a = value_axis(0.01, 0.04, false);
    CHECK(a.lo == doctest::Approx(0.005));
    CHECK(a.hi == doctest::Approx(0.045));
    CHECK(a.labels[1].text() == "0.010");
    CHECK(value_axis(0.001, 1, false).lo == 0);
    CHECK(value_axis(-3, -1, false).hi <= 0);  // negative data does not cross zero
  }
  TEST_CASE("a log count axis starts a whole decade under the smallest count") {
    const Axis a = log_count_axis(1, 1000);
    CHECK(a.lo == doctest::Approx(-1));
    CHECK(a.hi > 3);
    CHECK(a.labels.back() == TickLabel{"10", "3"});
  }
  TEST_CASE("values map to axis coordinates and back") {
    Axis a = log_axis(-2, 2);
    CHECK(a.t(100) == doctest::Approx(2));
    CHECK(a.value(-1) == doctest::Approx(0.1));
    CHECK(a.frac(1) == doctest::Approx(0.5));
  }
}

TEST_SUITE("experiments.plot.palette") {
  TEST_CASE("the palette runs in its documented order and cycles") {
    const std::vector<std::string> order = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                            "#CC79A7", "#56B4E9", "#8C564B", "#AA4499",
                                            "#999933", "#44AA99", "#888888", "#F0E442"};
    REQUIRE(kPalette.size() >= 12);  // 11 recipes of the demo's compare get 11 colours
    for (std::size_t i = 0; i < order.size(); ++i) {
      CHECK(hex(series_colour(static_cast<std::ptrdiff_t>(i))) == order[i]);
    }
    CHECK(series_colour(12) == series_colour(0));
    CHECK(series_colour(-1) == kPalette.back());
    CHECK(series_dash(0) == 0);
    CHECK(series_dash(11) == 0);
    CHECK(series_dash(12) == 1);  // the second round of colours is dashed
    CHECK(series_dash(48) == 0);
  }
  TEST_CASE("the heat ramp runs from dark blue to orange and clamps") {
    CHECK(heat_colour(0) == Rgb{20, 40, 110});
    CHECK(heat_colour(1) == Rgb{235, 150, 20});
    CHECK(heat_colour(-5) == heat_colour(0));
    CHECK(heat_colour(7) == heat_colour(1));
    CHECK(heat_colour(NAN) == heat_colour(0));
  }
}

TEST_SUITE("experiments.plot.figure") {
  TEST_CASE("a curve's series keep source order, palette colours and markers for few points") {
    const Figure f = curve_figure(two_series_curve());
    CHECK(f.has_data);
    CHECK(f.title == "MSE by block size");
    REQUIRE(f.series.size() == 2);
    CHECK(f.series[0].label == "NVFP4");
    CHECK(f.series[1].colour == kPalette[1]);
    CHECK(f.series[0].markers);
    CHECK(f.series[0].lines.size() == 1);
    CHECK(f.y.labels.front().text() == "0.005");
  }
  TEST_CASE("a hidden series is left out but the others keep their colours") {
    const Figure f = curve_figure(two_series_curve(), {false, true});
    REQUIRE(f.series.size() == 1);
    CHECK(f.series[0].label == "MXFP4");
    CHECK(f.series[0].index == 1);
    CHECK(f.series[0].colour == kPalette[1]);
    CHECK(f.y.lo >= 0.01);  // fitted to the visible series only (0.02 .. 0.04)
  }
  TEST_CASE("unplottable points break a line into runs; nothing plottable means no data") {
    Curve c;
    c.log_y = true;
    c.series = {{"", {1, 2, 3, 4, 5}, {1, 2, -1, 4, 5}}};
    const Figure f = curve_figure(c);
    REQUIRE(f.series.size() == 1);
    CHECK(f.series[0].label == "series 1");
    CHECK(f.series[0].lines.size() == 2);
    CHECK(f.series[0].points == 4);
    c.series[0].y = {0, -1, NAN, 0, 0};
    CHECK_FALSE(curve_figure(c).has_data);
  }
  TEST_CASE("a lone histogram is filled, overlapping ones are outlines; zero counts skipped on log") {
    Histogram h;
    h.edges = {0, 1, 2, 3};
    h.log_y = true;
    h.series = {{"a", {5, 0, 7}}};
    const Figure f = histogram_figure(h);
    CHECK(f.ylabel == "count (log)");
    REQUIRE(f.series.size() == 1);
    CHECK(f.series[0].fill);
    CHECK(f.series[0].steps.size() == 2);
    h.series = {{"s", {1, 2, 3}}, {"t", {3, 2, 1}}};
    CHECK_FALSE(histogram_figure(h).series[0].fill);
  }
  TEST_CASE("bars of a group sit side by side over 80% of its width") {
    const Figure f = bar_figure("t", "x", "y", {"a", "b"}, {{1, -2}, {3, NAN}});
    CHECK(f.kind == SeriesKind::bars);
    REQUIRE(f.series.size() == 2);
    REQUIRE(f.series[1].steps.size() == 1);
    CHECK(f.series[1].steps[0].size() == 1);  // the NaN bar is left out
    CHECK(f.series[0].steps[0][0].x0 == doctest::Approx(-0.4));
    CHECK(f.series[1].steps[0][0].x1 == doctest::Approx(0.4));
    CHECK(f.y.lo < -2);
    CHECK(f.y.hi > 3);
  }
}

TEST_SUITE("experiments.plot.layout") {
  TEST_CASE(
      "the plot area leaves room for the widest y tick label and maps axis ends to its edges") {
    const Scene sc = layout(curve_figure(two_series_curve()), Style{});
    CHECK(sc.area.x0 == doctest::Approx(std::round(48 + estimated_text_width("0.045", 11))));
    CHECK(sc.area.x1 == doctest::Approx(800 - 24));
    CHECK(sc.x_px(sc.figure.x.lo) == doctest::Approx(sc.area.x0));
    CHECK(sc.y_px(sc.figure.y.hi) == doctest::Approx(sc.area.y0));
    CHECK(sc.x_value(sc.x_px(20)) == doctest::Approx(20));
    CHECK(sc.lines.size() == 2);
    CHECK(sc.dots.size() == 8);  // markers: 4 points per series
  }
  TEST_CASE("the legend lists the series in order, one row per font-and-a-half") {
    const Scene sc = layout(curve_figure(two_series_curve()), Style{});
    REQUIRE(sc.legend.rows.size() == 2);
    CHECK(sc.legend.rows[0].series == 0);
    CHECK(sc.legend.rows[1].series == 1);
    CHECK(sc.legend.rows[1].cy - sc.legend.rows[0].cy == doctest::Approx(kLegendRow * 12));
    const auto [w, h] = legend_size(sc.figure, Style{});
    CHECK(sc.legend.box.width() == doctest::Approx(w));
    CHECK(sc.legend.box.height() == doctest::Approx(h));
    CHECK(sc.legend.rows[0].text_x > sc.legend.rows[0].swatch_x1);
  }
  TEST_CASE("the legend goes in a free corner of the plot area") {
    // rising lines leave the top-left corner free
    const Scene sc = layout(curve_figure(two_series_curve()), Style{});
    CHECK(sc.legend.box.x0 >= sc.area.x0);
    CHECK(sc.legend.box.x1 <= sc.area.x1);
    CHECK(sc.legend.box.y0 >= sc.area.y0);
    CHECK(sc.legend.box.x0 < (sc.area.x0 + sc.area.x1) / 2);  // left ...
    CHECK(sc.legend.box.y1 < (sc.area.y0 + sc.area.y1) / 2);  // ... top
  }
  TEST_CASE("when data covers every spot the plot narrows and the legend sits to its right") {
    Histogram h;
    h.edges = {0, 1, 2, 3, 4};
    h.series = {{"a", {11.4, 11.4, 11.4, 11.4}}, {"b", {11, 11.4, 11, 11.4}}};  // y axis to 12
    const Scene sc = layout(histogram_figure(h), Style{});
    CHECK(sc.area.x1 < 800 - 24);
    CHECK(sc.legend.box.x0 > sc.area.x1);
    CHECK(sc.legend.box.y0 == doctest::Approx(sc.area.y0));
  }
  TEST_CASE("a long series is decimated to about max_points") {
    Curve c;
    Series s{"s", {}, {}};
    for (int i = 0; i < 100000; ++i) {
      s.x.push_back(i);
      s.y.push_back(std::sin(i * 1e-3));
    }
    c.series.push_back(s);
    CHECK(decimation_stride(100000, kMaxPoints) == 150);
    CHECK(decimation_stride(2000, kMaxPoints) == 1);
    const Scene sc = layout(curve_figure(c), Style{});
    REQUIRE(sc.lines.size() == 1);
    CHECK(sc.lines[0].points.size() <= kMaxPoints + 1);
    CHECK(sc.dots.empty());
  }
}

TEST_SUITE("experiments.plot.equal_series") {
  TEST_CASE("equal labels share their common prefix and suffix at ':' boundaries") {
    using fp4lab::exp::plot::equal_label;
    CHECK(equal_label({"nvfp4:te:bs=16", "nvfp4:modelopt:bs=16", "nvfp4:torchao:bs=16"}) ==
          "nvfp4:te = modelopt = torchao:bs=16");
    CHECK(equal_label({"a", "b"}) == "a = b");
    CHECK(equal_label({"x:1", "x:1"}) == "x:1 = x:1");  // nothing may vanish
    CHECK(equal_label({"only"}) == "only");
  }
  TEST_CASE("series with equal data are drawn once, labelled with every name") {
    using namespace fp4lab::exp::plot;
    fp4lab::exp::Curve c;
    c.series = {{"nvfp4:te", {1, 2}, {3, 4}},
                {"mxfp4", {1, 2}, {3, 5}},
                {"nvfp4:torchao", {1, 2}, {3, 4}}};
    const Figure f = curve_figure(c);
    REQUIRE(f.series.size() == 2);
    CHECK(f.series[0].label == "nvfp4:te = torchao");
    CHECK(f.series[0].same == std::vector<std::size_t>{0, 2});
    CHECK(f.series[1].label == "mxfp4");
    CHECK(f.series[1].colour == kPalette[1]);
    // hiding the first shows the third under its own name
    const Figure g = curve_figure(c, {false, true, true});
    REQUIRE(g.series.size() == 2);
    CHECK(g.series[1].label == "nvfp4:torchao");
    fp4lab::exp::Histogram h;
    h.edges = {0, 1, 2};
    h.series = {{"a", {1, 2}}, {"b", {1, 2}}};
    const Figure hf = histogram_figure(h);
    REQUIRE(hf.series.size() == 1);
    CHECK(hf.series[0].label == "a = b");
    CHECK(hf.series[0].fill);  // one drawn series: filled
  }
}
