// Placing a figure in pixels (see layout.hpp): the left margin from the tick labels, the data
// as primitives (marking which 4 x 4 pixel cells they cover), then the legend where the data
// covers least.
#include "experiments/plot/layout.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace fp4lab::exp::plot {
namespace {

/// Which 4 x 4 pixel cells of the plot area the data covers (decides where the legend goes).
class Occupancy {
 public:
  explicit Occupancy(const Box& a)
      : left_(a.x0),
        top_(a.y0),
        gw_(static_cast<int>(std::ceil(a.width() / kCell)) + 1),
        gh_(static_cast<int>(std::ceil(a.height() / kCell)) + 1),
        cells_(static_cast<std::size_t>(std::max(gw_, 1) * std::max(gh_, 1)), 0) {}
  void mark(double x, double y) {
    const int i = cell_x(x), j = cell_y(y);
    if (i >= 0 && i < gw_ && j >= 0 && j < gh_) cells_[static_cast<std::size_t>(j * gw_ + i)] = 1;
  }
  void mark_segment(Point a, Point b) {
    const int n = static_cast<int>(std::ceil(std::hypot(b.x - a.x, b.y - a.y) / 2)) + 1;
    for (int s = 0; s <= n; ++s) {
      const double t = static_cast<double>(s) / n;
      mark(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
    }
  }
  void mark_rect(double x0, double y0, double x1, double y1) {
    const int i1 = std::min(cell_x(std::max(x0, x1)), gw_ - 1);
    const int j1 = std::min(cell_y(std::max(y0, y1)), gh_ - 1);
    for (int j = std::max(cell_y(std::min(y0, y1)), 0); j <= j1; ++j) {
      for (int i = std::max(cell_x(std::min(x0, x1)), 0); i <= i1; ++i) {
        cells_[static_cast<std::size_t>(j * gw_ + i)] = 1;
      }
    }
  }
  int count(double x0, double y0, double x1, double y1) const {
    int n = 0;
    for (int j = std::max(cell_y(y0), 0); j <= std::min(cell_y(y1), gh_ - 1); ++j) {
      for (int i = std::max(cell_x(x0), 0); i <= std::min(cell_x(x1), gw_ - 1); ++i) {
        n += cells_[static_cast<std::size_t>(j * gw_ + i)];
      }
    }
    return n;
  }

 private:
  static constexpr double kCell = 4;
  int cell_x(double x) const { return static_cast<int>(std::floor((x - left_) / kCell)); }
  int cell_y(double y) const { return static_cast<int>(std::floor((y - top_) / kCell)); }
  double left_, top_;
  int gw_, gh_;
  std::vector<std::uint8_t> cells_;
};

double label_width(const TickLabel& l, const Style& s) {
  return s.text_width(l.base, s.tick_font) + s.text_width(l.sup, s.tick_font * 0.75);
}

void place_lines(Scene& sc, std::size_t i, const Style& s, Occupancy& occ) {
  const FigureSeries& fs = sc.figure.series[i];
  const std::size_t stride = decimation_stride(fs.points, s.max_points);
  std::vector<double> ry;
  for (const std::vector<Point>& run : fs.lines) {
    std::vector<Point> px;
    px.reserve(run.size());
    ry.clear();
    for (const Point& p : run) {
      px.push_back({sc.x_px(sc.figure.x.t(p.x)), sc.y_px(sc.figure.y.t(p.y))});
      ry.push_back(px.back().y);
    }
    const std::vector<std::size_t> keep = decimate_indices(ry, stride);
    if (keep.size() == 1 && !fs.markers) {
      sc.dots.push_back({i, px[0], 2});
    } else if (keep.size() > 1) {
      Line line{i, {}};
      line.points.reserve(keep.size());
      for (std::size_t j = 0; j < keep.size(); ++j) {
        line.points.push_back(px[keep[j]]);
        if (j > 0) occ.mark_segment(px[keep[j - 1]], px[keep[j]]);
      }
      sc.lines.push_back(std::move(line));
    }
    occ.mark(px[0].x, px[0].y);
    for (std::size_t j = 0; fs.markers && j < px.size(); ++j) sc.dots.push_back({i, px[j], 2.5});
  }
}

void place_steps(Scene& sc, std::size_t i, Occupancy& occ) {
  const FigureSeries& fs = sc.figure.series[i];
  const double base = sc.figure.y.log ? sc.area.y1 : std::clamp(sc.y_px(0), sc.area.y0, sc.area.y1);
  for (const std::vector<Bin>& run : fs.steps) {
    Steps st{i, base, {}};
    for (const Bin& b : run) {
      const Bar bar{sc.x_px(b.x0), sc.x_px(b.x1), sc.y_px(sc.figure.y.t(b.count))};
      st.bars.push_back(bar);
      occ.mark_rect(bar.x0, bar.top, bar.x1, base);
    }
    sc.steps.push_back(std::move(st));
  }
}

/// The data of every series in pixels of the scene's area, marked in `occ`.
void place_data(Scene& sc, const Style& s, Occupancy& occ) {
  sc.lines.clear();
  sc.dots.clear();
  sc.steps.clear();
  if (!sc.figure.has_data) return;
  for (std::size_t i = 0; i < sc.figure.series.size(); ++i) {
    if (sc.figure.kind == SeriesKind::line) {
      place_lines(sc, i, s, occ);
    } else {
      place_steps(sc, i, occ);
    }
  }
}

}  // namespace

double estimated_text_width(std::string_view text, double font_size) {
  return 0.62 * font_size * static_cast<double>(utf8_length(text));
}

double Scene::x_px(double t) const {
  return area.x0 + (t - figure.x.lo) / (figure.x.hi - figure.x.lo) * area.width();
}
double Scene::y_px(double t) const {
  return area.y1 - (t - figure.y.lo) / (figure.y.hi - figure.y.lo) * area.height();
}
double Scene::x_value(double px) const {
  return figure.x.value(figure.x.lo + (px - area.x0) / area.width() * (figure.x.hi - figure.x.lo));
}
double Scene::y_value(double py) const {
  return figure.y.value(figure.y.lo + (area.y1 - py) / area.height() * (figure.y.hi - figure.y.lo));
}

std::vector<std::size_t> decimate_indices(const std::vector<double>& y, std::size_t stride) {
  std::vector<std::size_t> keep;
  const std::size_t n = y.size();
  if (stride <= 1) {
    keep.resize(n);
    for (std::size_t i = 0; i < n; ++i) keep[i] = i;
    return keep;
  }
  for (std::size_t b = 0; b < n; b += stride) {
    const std::size_t e = std::min(n, b + stride);
    std::size_t lo = b, hi = b;
    for (std::size_t i = b + 1; i < e; ++i) {
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
    keep.push_back(b);
    if (std::min(lo, hi) != b) keep.push_back(std::min(lo, hi));
    if (std::max(lo, hi) != std::min(lo, hi)) keep.push_back(std::max(lo, hi));
  }
  if (n > 0 && keep.back() != n - 1) keep.push_back(n - 1);
  return keep;
}

std::size_t decimation_stride(std::size_t n, std::size_t max_points) {
  return n > max_points && max_points > 0 ? (3 * n + max_points - 1) / max_points : 1;
}

std::pair<double, double> legend_size(const Figure& f, const Style& s) {
  double text = s.text_width("M", s.legend_font);
  for (const FigureSeries& e : f.series)
    text = std::max(text, s.text_width(e.label, s.legend_font));
  return {kLegendPad + kLegendSwatch + 6 + text + kLegendPad + 4,
          kLegendPad + kLegendRow * s.legend_font * static_cast<double>(f.series.size()) + 2};
}

Scene layout(Figure f, const Style& s) {
  Scene sc;
  sc.figure = std::move(f);
  double w = 0;
  for (const TickLabel& l : sc.figure.y.labels) w = std::max(w, label_width(l, s));
  sc.area = {s.figure.x0 + std::round(s.left + w), s.figure.y0 + s.top, s.figure.x1 - s.right,
             s.figure.y1 - s.bottom};
  Occupancy occ(sc.area);
  place_data(sc, s, occ);
  if (sc.figure.series.empty() || !sc.figure.has_data) return sc;

  const auto [lw, lh] = legend_size(sc.figure, s);
  constexpr double kInset = 8, kClear = 6;
  const Box& a = sc.area;
  const double xl = a.x0 + kInset, xr = a.x1 - kInset - lw, xm = (a.x0 + a.x1 - lw) / 2;
  const double yt = a.y0 + kInset, yb = a.y1 - kInset - lh;
  const std::array<Point, 6> spots = {{{xr, yt}, {xl, yt}, {xr, yb}, {xl, yb}, {xm, yt}, {xm, yb}}};
  Point at = spots[0];
  int best = std::numeric_limits<int>::max();
  for (const Point& p : spots) {
    const int n = occ.count(p.x - kClear, p.y - kClear, p.x + lw + kClear, p.y + lh + kClear);
    if (n < best) {
      best = n;
      at = p;
    }
  }
  const double cells = (lw + 2 * kClear) * (lh + 2 * kClear) / 16;
  if (best > 0.02 * cells && lw < 0.4 * s.figure.width()) {
    sc.area.x1 = s.figure.x1 - 12 - lw - 10;
    Occupancy unused(sc.area);
    place_data(sc, s, unused);
    at = {sc.area.x1 + 10, sc.area.y0};
  }
  sc.legend.box = {at.x, at.y, at.x + lw, at.y + lh};
  const double row = kLegendRow * s.legend_font;
  for (std::size_t i = 0; i < sc.figure.series.size(); ++i) {
    const double sx = at.x + kLegendPad;
    sc.legend.rows.push_back({i, at.y + kLegendPad + row * (static_cast<double>(i) + 0.5) - 1, sx,
                              sx + kLegendSwatch, sx + kLegendSwatch + 6});
  }
  return sc;
}

}  // namespace fp4lab::exp::plot
