// Drawing figures with Cairo (see cairo_draw.hpp): texts in DejaVu Sans through Cairo's toy
// text API, the series in the plot model's colours, dashes and marker shapes.
#include "experiments/export/cairo_draw.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

namespace fp4lab::exp {
namespace {

using plot::Scene;

enum class Anchor { start, middle, end };

void set_rgb(cairo_t* cr, plot::Rgb c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

void set_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, kFigureFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double advance(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  return e.x_advance;
}

/// A text with its baseline at y, anchored at x.
void text(cairo_t* cr, const std::string& s, double x, double y, Anchor a) {
  const double w = advance(cr, s);
  cairo_move_to(cr, a == Anchor::start ? x : a == Anchor::middle ? x - w / 2 : x - w, y);
  cairo_show_text(cr, s.c_str());
}

/// A tick label (base, then a smaller raised superscript) anchored at x on baseline y.
void tick_label(cairo_t* cr, const plot::TickLabel& l, double x, double y, Anchor a, double fs) {
  set_font(cr, fs);
  const double wb = advance(cr, l.base);
  set_font(cr, fs * 0.75);
  const double ws = l.sup.empty() ? 0 : advance(cr, l.sup) + 1;
  const double x0 = a == Anchor::start ? x : a == Anchor::middle ? x - (wb + ws) / 2 : x - wb - ws;
  set_font(cr, fs);
  cairo_move_to(cr, x0, y);
  cairo_show_text(cr, l.base.c_str());
  if (l.sup.empty()) return;
  set_font(cr, fs * 0.75);
  cairo_move_to(cr, x0 + wb + 1, y - fs * 0.45);
  cairo_show_text(cr, l.sup.c_str());
}

void set_dash(cairo_t* cr, std::size_t dash) {
  const auto& d = plot::kDashes[dash % plot::kDashes.size()];
  double on_off[4];
  int n = 0;
  for (double v : d) {
    if (v > 0) on_off[n++] = v;
  }
  cairo_set_dash(cr, on_off, n, 0);
}

/// The title (shrunk to fit), the x label under the plot area and the rotated y label.
void draw_labels(cairo_t* cr, const plot::Box& fig, const plot::Box& a, const std::string& title,
                 const std::string& xlabel, const std::string& ylabel, const Theme& t) {
  set_rgb(cr, t.text);
  set_font(cr, 17, true);
  const double w = std::max(1.0, advance(cr, title.empty() ? "x" : title));
  set_font(cr, std::clamp(17 * (fig.width() - 40) / w, 9.0, 17.0), true);
  text(cr, title, (fig.x0 + fig.x1) / 2, fig.y0 + 30, Anchor::middle);
  set_font(cr, 13);
  text(cr, xlabel, (a.x0 + a.x1) / 2, fig.y1 - 16, Anchor::middle);
  cairo_save(cr);
  cairo_translate(cr, fig.x0 + 28, (a.y0 + a.y1) / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  text(cr, ylabel, 0, 0, Anchor::middle);
  cairo_restore(cr);
}

void draw_grid(cairo_t* cr, const Scene& sc, const Theme& t) {
  const plot::Box& a = sc.area;
  cairo_set_line_width(cr, 1);
  // one stroke per tick level: a vertical line at each x tick, a horizontal one at each y tick
  const auto lines = [&](const std::vector<double>& xs, const std::vector<double>& ys,
                         plot::Rgb colour) {
    set_rgb(cr, colour);
    for (double v : xs) {
      cairo_move_to(cr, sc.x_px(v), a.y0);
      cairo_line_to(cr, sc.x_px(v), a.y1);
    }
    for (double v : ys) {
      cairo_move_to(cr, a.x0, sc.y_px(v));
      cairo_line_to(cr, a.x1, sc.y_px(v));
    }
    cairo_stroke(cr);
  };
  lines(sc.figure.x.minor, sc.figure.y.minor, t.grid_minor);
  lines(sc.figure.x.major, sc.figure.y.major, t.grid_major);
}

void draw_ticks(cairo_t* cr, const Scene& sc, const Theme& t) {
  const plot::Axis &x = sc.figure.x, &y = sc.figure.y;
  const plot::Box& a = sc.area;
  set_rgb(cr, t.frame);
  cairo_set_line_width(cr, 1);
  for (double v : x.major) {
    cairo_move_to(cr, sc.x_px(v), a.y1);
    cairo_rel_line_to(cr, 0, 5);
  }
  for (double v : x.minor) {
    cairo_move_to(cr, sc.x_px(v), a.y1);
    cairo_rel_line_to(cr, 0, 3);
  }
  for (double v : y.major) {
    cairo_move_to(cr, a.x0, sc.y_px(v));
    cairo_rel_line_to(cr, -5, 0);
  }
  for (double v : y.minor) {
    cairo_move_to(cr, a.x0, sc.y_px(v));
    cairo_rel_line_to(cr, -3, 0);
  }
  cairo_stroke(cr);
  set_rgb(cr, t.text);
  for (std::size_t i = 0; i < x.major.size(); ++i) {
    tick_label(cr, x.labels[i], sc.x_px(x.major[i]), a.y1 + 18, Anchor::middle, 11);
  }
  for (std::size_t i = 0; i < y.major.size(); ++i) {
    tick_label(cr, y.labels[i], a.x0 - 8, sc.y_px(y.major[i]) + 4, Anchor::end, 11);
  }
}

void draw_series(cairo_t* cr, const Scene& sc, std::size_t i) {
  const plot::FigureSeries& s = sc.figure.series[i];
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  if (sc.figure.kind == plot::SeriesKind::bars) {
    set_rgb(cr, s.colour);
    for (const plot::Steps& st : sc.steps) {
      if (st.series != i) continue;
      for (const plot::Bar& b : st.bars) {
        cairo_rectangle(cr, b.x0, std::min(b.top, st.base), b.x1 - b.x0, std::abs(st.base - b.top));
      }
    }
    cairo_fill(cr);
    return;
  }
  if (sc.figure.kind == plot::SeriesKind::steps) {
    for (const plot::Steps& st : sc.steps) {
      if (st.series != i || st.bars.empty()) continue;
      cairo_move_to(cr, st.bars.front().x0, st.base);
      for (const plot::Bar& b : st.bars) {
        cairo_line_to(cr, b.x0, b.top);
        cairo_line_to(cr, b.x1, b.top);
      }
      cairo_line_to(cr, st.bars.back().x1, st.base);
    }
    if (s.fill) {
      set_rgb(cr, s.colour, plot::kFillOpacity);
      cairo_fill_preserve(cr);
    }
    set_rgb(cr, s.colour);
    set_dash(cr, s.dash);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    return;
  }
  set_rgb(cr, s.colour);
  set_dash(cr, s.dash);
  cairo_set_line_width(cr, 1.8);
  for (const plot::Line& l : sc.lines) {
    if (l.series != i) continue;
    cairo_move_to(cr, l.points[0].x, l.points[0].y);
    for (std::size_t j = 1; j < l.points.size(); ++j) cairo_line_to(cr, l.points[j].x, l.points[j].y);
  }
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  const std::size_t shape = marker_shape(s.index);
  for (const plot::Dot& d : sc.dots) {
    if (d.series == i) draw_marker(cr, shape, d.at.x, d.at.y, d.radius + 0.5);
  }
  if (s.markers) return;
  // long lines: a few markers spread along each (offset per series) so shapes tell them apart
  for (const plot::Line& l : sc.lines) {
    if (l.series != i || l.points.size() < 8) continue;
    const std::size_t step = l.points.size() / 8;
    for (std::size_t j = (s.index * step / 5) % step; j < l.points.size(); j += step) {
      draw_marker(cr, shape, l.points[j].x, l.points[j].y, 3.5);
    }
  }
}

void draw_legend(cairo_t* cr, const Scene& sc, const Theme& t) {
  const plot::Legend& lg = sc.legend;
  if (lg.rows.empty()) return;
  cairo_rectangle(cr, lg.box.x0 + 0.5, lg.box.y0 + 0.5, lg.box.width(), lg.box.height());
  set_rgb(cr, t.legend_fill, 0.9);
  cairo_fill_preserve(cr);
  set_rgb(cr, t.legend_edge);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  for (const plot::LegendRow& r : lg.rows) {
    const plot::FigureSeries& s = sc.figure.series[r.series];
    const double sw = r.swatch_x1 - r.swatch_x0;
    if (s.fill || sc.figure.kind != plot::SeriesKind::line) {
      cairo_rectangle(cr, r.swatch_x0 + 2, r.cy - 5, sw - 4, 10);
      set_rgb(cr, s.colour, s.fill ? plot::fill_opacity(sc.figure.kind) : 0.0);
      cairo_fill_preserve(cr);
      set_rgb(cr, s.colour);
      set_dash(cr, s.dash);
      cairo_set_line_width(cr, 1.5);
      cairo_stroke(cr);
    } else {
      set_rgb(cr, s.colour);
      set_dash(cr, s.dash);
      cairo_set_line_width(cr, 2);
      cairo_move_to(cr, r.swatch_x0, r.cy);
      cairo_rel_line_to(cr, sw, 0);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
      draw_marker(cr, marker_shape(s.index), r.swatch_x0 + sw / 2, r.cy, 3.5);
    }
    cairo_set_dash(cr, nullptr, 0, 0);
    set_rgb(cr, t.text);
    set_font(cr, 12);
    text(cr, s.label, r.text_x, r.cy + 4, Anchor::start);
  }
}

void fill_background(cairo_t* cr, const plot::Box& b, const Theme& t) {
  set_rgb(cr, t.background);
  cairo_rectangle(cr, b.x0, b.y0, b.width(), b.height());
  cairo_fill(cr);
}

void frame(cairo_t* cr, const plot::Box& a, const Theme& t) {
  set_rgb(cr, t.frame);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, a.x0, a.y0, a.width(), a.height());
  cairo_stroke(cr);
}

}  // namespace

Theme light_theme() {
  return {{255, 255, 255}, {0x22, 0x22, 0x22}, {0x33, 0x33, 0x33}, {0xE0, 0xE0, 0xE0},
          {0xF0, 0xF0, 0xF0}, {255, 255, 255}, {0x99, 0x99, 0x99}};
}

double cairo_text_width(std::string_view s, double font_size) {
  // one measuring context per thread: Cairo contexts are not shared across threads
  thread_local std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1), cairo_surface_destroy);
  thread_local std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()),
                                                                     cairo_destroy);
  set_font(cr.get(), font_size);
  return advance(cr.get(), std::string(s));
}

std::size_t marker_shape(std::size_t series) { return series % 5; }

void draw_marker(cairo_t* cr, std::size_t shape, double x, double y, double r) {
  switch (shape % 5) {
    case 0:
      cairo_arc(cr, x, y, r, 0, 2 * std::numbers::pi);
      break;
    case 1:
      cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case 2:
      cairo_move_to(cr, x, y - r * 1.15);
      cairo_line_to(cr, x + r, y + r * 0.7);
      cairo_line_to(cr, x - r, y + r * 0.7);
      cairo_close_path(cr);
      break;
    case 3:
      cairo_move_to(cr, x, y - r * 1.2);
      cairo_line_to(cr, x + r, y);
      cairo_line_to(cr, x, y + r * 1.2);
      cairo_line_to(cr, x - r, y);
      cairo_close_path(cr);
      break;
    default:
      cairo_set_line_width(cr, 1.6);
      cairo_move_to(cr, x - r, y - r);
      cairo_line_to(cr, x + r, y + r);
      cairo_move_to(cr, x - r, y + r);
      cairo_line_to(cr, x + r, y - r);
      cairo_stroke(cr);
      return;
  }
  cairo_fill(cr);
}

void draw_scene(cairo_t* cr, const Scene& sc, const plot::Box& box, const Theme& t) {
  fill_background(cr, box, t);
  const plot::Box& a = sc.area;
  if (!sc.figure.has_data) {
    draw_labels(cr, box, a, sc.figure.title, sc.figure.xlabel, sc.figure.ylabel, t);
    frame(cr, a, t);
    set_rgb(cr, {0x77, 0x77, 0x77});
    set_font(cr, 16);
    text(cr, "no data", (a.x0 + a.x1) / 2, (a.y0 + a.y1) / 2, Anchor::middle);
    return;
  }
  draw_grid(cr, sc, t);
  cairo_save(cr);
  cairo_rectangle(cr, a.x0, a.y0, a.width(), a.height());
  cairo_clip(cr);
  for (std::size_t i = 0; i < sc.figure.series.size(); ++i) draw_series(cr, sc, i);
  cairo_restore(cr);
  draw_labels(cr, box, a, sc.figure.title, sc.figure.xlabel, sc.figure.ylabel, t);
  frame(cr, a, t);
  draw_ticks(cr, sc, t);
  draw_legend(cr, sc, t);
}

namespace {

/// Every k-th of n labels so that labels of `extent` pixels (plus a gap) fit in `span` pixels.
std::size_t label_stride(std::size_t n, double extent, double span) {
  if (n == 0 || span <= 0) return 1;
  const double per = span / static_cast<double>(n);
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil((extent + 6) / per)));
}

}  // namespace

void draw_heat_map(cairo_t* cr, const plot::HeatMap& m, const plot::Box& box, const Theme& t) {
  fill_background(cr, box, t);
  set_font(cr, 11);
  double row_w = 0, col_w = 0;
  for (const std::string& l : m.row_labels) row_w = std::max(row_w, advance(cr, l));
  for (const std::string& l : m.col_labels) col_w = std::max(col_w, advance(cr, l));
  const plot::Box a{box.x0 + 48 + row_w, box.y0 + 52, box.x1 - 110, box.y1 - 62};
  draw_labels(cr, box, a, m.title, m.xlabel, m.ylabel, t);
  if (m.rows == 0 || m.cols == 0) return;
  const double cw = a.width() / static_cast<double>(m.cols);
  const double ch = a.height() / static_cast<double>(m.rows);
  const double lo = m.scale.lo, hi = m.scale.hi;
  auto colour = [&](double v) {
    return std::isfinite(v) ? plot::heat_colour((v - lo) / (hi > lo ? hi - lo : 1.0))
                            : plot::kNoValue;
  };
  const bool values = m.rows <= 16 && m.cols <= 16;
  for (std::size_t r = 0; r < m.rows; ++r) {
    for (std::size_t c = 0; c < m.cols; ++c) {
      const double v = m.cells[r * m.cols + c];
      set_rgb(cr, colour(v));
      cairo_rectangle(cr, a.x0 + c * cw, a.y0 + r * ch, cw + 0.3, ch + 0.3);
      cairo_fill(cr);
      if (!values) continue;
      const plot::Rgb bg = colour(v);
      set_rgb(cr, bg.r + bg.g + bg.b > 380 ? plot::Rgb{0, 0, 0} : plot::Rgb{255, 255, 255});
      set_font(cr, std::clamp(ch * 0.35, 7.0, 12.0));
      text(cr, std::isfinite(v) ? fmt::format("{:.2g}", v) : "-", a.x0 + (c + 0.5) * cw,
           a.y0 + (r + 0.5) * ch + 4, Anchor::middle);
    }
  }
  frame(cr, a, t);
  set_rgb(cr, t.text);
  set_font(cr, 11);
  const std::size_t rs = label_stride(m.rows, 11, a.height());
  for (std::size_t r = 0; r < m.row_labels.size() && r < m.rows; r += rs) {
    text(cr, m.row_labels[r], a.x0 - 6, a.y0 + (r + 0.5) * ch + 4, Anchor::end);
  }
  const std::size_t cs = label_stride(m.cols, col_w, a.width());
  for (std::size_t c = 0; c < m.col_labels.size() && c < m.cols; c += cs) {
    text(cr, m.col_labels[c], a.x0 + (c + 0.5) * cw, a.y1 + 16, Anchor::middle);
  }
  // the colour bar: a ramp with ticks labelled in the map's values, and its name
  const plot::Box bar{a.x1 + 18, a.y0, a.x1 + 36, a.y1};
  constexpr int kSteps = 64;
  for (int k = 0; k < kSteps; ++k) {
    set_rgb(cr, plot::heat_colour((k + 0.5) / kSteps));
    const double y1 = bar.y1 - bar.height() * k / kSteps;
    cairo_rectangle(cr, bar.x0, y1 - bar.height() / kSteps - 0.3, bar.width(),
                    bar.height() / kSteps + 0.6);
    cairo_fill(cr);
  }
  frame(cr, bar, t);
  set_rgb(cr, t.text);
  for (std::size_t i = 0; i < m.scale.major.size(); ++i) {
    const double y = bar.y1 - (m.scale.major[i] - lo) / (hi > lo ? hi - lo : 1) * bar.height();
    cairo_move_to(cr, bar.x1, y);
    cairo_rel_line_to(cr, 4, 0);
    cairo_stroke(cr);
    tick_label(cr, m.scale.labels[i], bar.x1 + 7, y + 4, Anchor::start, 11);
  }
  set_font(cr, 12);
  cairo_save(cr);
  cairo_translate(cr, box.x1 - 12, (bar.y0 + bar.y1) / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  text(cr, m.value_label, 0, 0, Anchor::middle);
  cairo_restore(cr);
}

void draw_bar_chart(cairo_t* cr, const plot::BarChart& b, const plot::Box& box, const Theme& t) {
  fill_background(cr, box, t);
  set_font(cr, 11);
  double label_w = 0;
  for (const std::string& l : b.labels) label_w = std::max(label_w, advance(cr, l));
  label_w = std::min(label_w, box.width() * 0.5);
  const plot::Box a{box.x0 + 16 + label_w, box.y0 + 52, box.x1 - 24, box.y1 - 62};
  draw_labels(cr, box, a, b.title, b.value_label, "", t);
  const plot::Axis& ax = b.axis;
  auto x_px = [&](double v) { return a.x0 + (v - ax.lo) / (ax.hi - ax.lo) * a.width(); };
  set_rgb(cr, t.grid_major);
  cairo_set_line_width(cr, 1);
  for (double v : ax.major) {
    cairo_move_to(cr, x_px(v), a.y0);
    cairo_line_to(cr, x_px(v), a.y1);
  }
  cairo_stroke(cr);
  const double row = a.height() / static_cast<double>(std::max<std::size_t>(1, b.values.size()));
  for (std::size_t i = 0; i < b.values.size(); ++i) {
    const double y = a.y0 + row * i, v = b.values[i];
    if (plot::usable(v, false)) {
      set_rgb(cr, plot::series_colour(0));
      const double x0 = x_px(0), x1 = x_px(v);
      cairo_rectangle(cr, std::min(x0, x1), y + row * 0.15, std::abs(x1 - x0), row * 0.7);
      cairo_fill(cr);
      set_rgb(cr, t.text);
      set_font(cr, std::clamp(row * 0.5, 8.0, 11.0));
      text(cr, fmt::format("{:.4g}", v), std::max(x0, x1) + 4, y + row / 2 + 4, Anchor::start);
    }
    set_rgb(cr, t.text);
    set_font(cr, std::clamp(row * 0.5, 8.0, 11.0));
    text(cr, plot::truncate_utf8(b.labels[i], 60), a.x0 - 6, y + row / 2 + 4, Anchor::end);
  }
  frame(cr, a, t);
  set_rgb(cr, t.text);
  for (std::size_t i = 0; i < ax.major.size(); ++i) {
    cairo_move_to(cr, x_px(ax.major[i]), a.y1);
    cairo_rel_line_to(cr, 0, 5);
    cairo_stroke(cr);
    tick_label(cr, ax.labels[i], x_px(ax.major[i]), a.y1 + 18, Anchor::middle, 11);
  }
}

}  // namespace fp4lab::exp
