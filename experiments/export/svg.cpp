// SVG plots (see svg.hpp). Axes first (ticks decide the left margin), then the data in pixel
// space, then the legend in the spot the data covers least (outside, right, if none is free).
#include "experiments/export/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

namespace fp4lab::exp {
namespace {

constexpr double kW = kSvgWidth;
constexpr double kH = kSvgHeight;
/// Okabe & Ito (2008) colour-blind-safe palette, ordered so the first colours contrast most;
/// yellow last, as it is faint on white.
constexpr std::array<const char*, 8> kPalette = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                                 "#CC79A7", "#56B4E9", "#000000", "#F0E442"};
/// Dash patterns for series beyond the palette (series i uses kDashes[i / 8 % 4]).
constexpr std::array<const char*, 4> kDashes = {"", "7 3", "2 2", "8 3 2 3"};
/// Values beyond this magnitude are treated like non-finite ones (their ranges would overflow).
constexpr double kHuge = 1e300;
constexpr std::size_t kMarkerMaxPoints = 50;
constexpr std::size_t kFillMaxSeries = 4;
constexpr std::size_t kLegendMaxChars = 40;

/// Pixels with at most 2 decimals and no trailing zeros.
std::string px(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

bool usable(double v, bool log) {
  return std::isfinite(v) && std::abs(v) < kHuge && (!log || v > 0);
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// At most `n` code points of `s`, with "..." when cut (never splitting a UTF-8 sequence).
std::string truncate_utf8(std::string_view s, std::size_t n) {
  if (utf8_length(s) <= n) return std::string(s);
  std::size_t count = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n - 3) break;
  }
  return std::string(s.substr(0, i)) + "...";
}

/// Estimated width in pixels of `n` characters of sans-serif at `font_size`.
double text_width(std::size_t n, double font_size) {
  return 0.62 * font_size * static_cast<double>(n);
}

// ---- axes -------------------------------------------------------------------------------

struct TickLabel {
  std::string base;
  std::string sup;  ///< a superscript after base (log decades: base "10", sup the exponent)
};

/// An axis in its own coordinate t (the value, or log10 of it on a log axis).
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;
  std::vector<double> major, minor;
  std::vector<TickLabel> labels;  ///< one per major tick
  double t(double v) const { return log ? std::log10(v) : v; }
  double frac(double v) const { return (t(v) - lo) / (hi - lo); }
};

/// 1, 2 or 5 x 10^k closest above `raw` (within the usual 1.5 / 3 / 7 thresholds).
double nice_step(double raw) {
  const double e = std::floor(std::log10(raw));
  const double p = std::pow(10.0, e);
  const double f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/// Tick text for v on a grid of `step`: fixed-point with just the step's decimals, or
/// scientific ("2.5e6") when the axis reaches 1e6 or stays below 1e-3.
std::string tick_text(double v, double step, double max_abs) {
  if (std::abs(v) < step * 1e-6) return "0";
  const int k = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  if (max_abs < 1e6 && max_abs >= 1e-3) return fmt::format("{:.{}f}", v, std::max(0, -k));
  const int e = static_cast<int>(std::floor(std::log10(std::abs(v)) + 1e-9));
  std::string s = fmt::format("{:.{}e}", v, std::max(0, e - k));
  const std::size_t epos = s.find('e');
  std::string mant = s.substr(0, epos);
  if (mant.find('.') != std::string::npos) {
    while (mant.back() == '0') mant.pop_back();
    if (mant.back() == '.') mant.pop_back();
  }
  return mant + "e" + std::to_string(std::stoi(s.substr(epos + 1)));
}

/// A linear axis over [dmin, dmax]; `pad` widens it out to whole ticks.
Axis linear_axis(double dmin, double dmax, bool pad) {
  if (!(dmax > dmin)) {
    const double d = dmin == 0 ? 1 : std::abs(dmin) * 0.1;
    dmin -= d;
    dmax += d;
  }
  const double step = nice_step((dmax - dmin) / 6);
  Axis a;
  a.lo = pad ? std::floor(dmin / step + 1e-9) * step : dmin;
  a.hi = pad ? std::ceil(dmax / step - 1e-9) * step : dmax;
  const double max_abs = std::max(std::abs(a.lo), std::abs(a.hi));
  const auto i0 = static_cast<long long>(std::ceil(a.lo / step - 1e-9));
  const auto i1 = static_cast<long long>(std::floor(a.hi / step + 1e-9));
  for (long long i = i0; i <= i1; ++i) {
    const double v = static_cast<double>(i) * step;
    a.major.push_back(v);
    a.labels.push_back({tick_text(v, step, max_abs), ""});
  }
  return a;
}

/// A log axis over [tlo, thi] (log10 units): decade ticks labelled 10^k when at least two
/// decades fall inside (at most ~8 labelled; minor ticks at 2..9 x 10^k up to 6 decades), else
/// nice linear values placed logarithmically, so a narrow range still gets labels.
Axis log_axis(double tlo, double thi) {
  Axis a;
  a.log = true;
  a.lo = tlo;
  a.hi = thi;
  const auto k0 = static_cast<int>(std::ceil(tlo - 1e-9)),
             k1 = static_cast<int>(std::floor(thi + 1e-9));
  if (k1 - k0 + 1 < 2) {
    const Axis lin = linear_axis(std::pow(10.0, tlo), std::pow(10.0, thi), false);
    for (std::size_t i = 0; i < lin.major.size(); ++i) {
      if (lin.major[i] <= 0) continue;
      a.major.push_back(std::log10(lin.major[i]));
      a.labels.push_back(lin.labels[i]);
    }
    return a;
  }
  const int every = (k1 - k0 + 8) / 8;
  for (int k = k0; k <= k1; ++k) {
    if ((k - k0) % every == 0) {
      a.major.push_back(k);
      a.labels.push_back({"10", fmt::format("{}", k)});
    }
  }
  if (thi - tlo <= 6.5) {
    for (int k = k0 - 1; k <= k1; ++k) {
      for (int m = 2; m <= 9; ++m) {
        const double t = k + std::log10(m);
        if (t >= tlo && t <= thi) a.minor.push_back(t);
      }
    }
  }
  return a;
}

/// A log axis around data in [dmin, dmax] (both > 0), 4% margin each side in log units.
Axis log_axis_around(double dmin, double dmax) {
  double tlo = std::log10(dmin), thi = std::log10(dmax);
  const double m = thi - tlo < 1e-9 ? 0.5 : 0.04 * (thi - tlo);
  return log_axis(tlo - m, thi + m);
}

/// A log count axis for histograms: from a whole decade at least 0.3 decades below the
/// smallest count (so bins of count 1 stay visible) to 4% above the largest.
Axis log_count_axis(double cmin, double cmax) {
  const double lo = std::floor(std::log10(cmin) - 0.3), thi = std::log10(cmax);
  return log_axis(lo, thi + 0.04 * (thi - lo));
}

double label_width(const TickLabel& l, double font_size) {
  return text_width(l.base.size(), font_size) + text_width(l.sup.size(), font_size * 0.75);
}

// ---- layout -----------------------------------------------------------------------------

/// The plot area in pixels and the axes that map into it.
struct Frame {
  double left = 0, right = kW - 24, top = 52, bottom = kH - 62;
  Axis x, y;
  double px_x(double v) const { return left + x.frac(v) * (right - left); }
  double px_y(double v) const { return bottom - y.frac(v) * (bottom - top); }
  /// Pixel of axis coordinate t (already log10 on a log axis).
  double px_xt(double t) const { return left + (t - x.lo) / (x.hi - x.lo) * (right - left); }
  double px_yt(double t) const { return bottom - (t - y.lo) / (y.hi - y.lo) * (bottom - top); }
};

Frame make_frame(Axis x, Axis y) {
  Frame f;
  double w = 0;
  for (const TickLabel& l : y.labels) w = std::max(w, label_width(l, 11));
  f.left = std::round(14 + 16 + 10 + w + 8);
  f.x = std::move(x);
  f.y = std::move(y);
  return f;
}

/// Which 4 x 4 pixel cells of the plot area the data covers (decides where the legend goes).
class Occupancy {
 public:
  explicit Occupancy(const Frame& f)
      : left_(f.left),
        top_(f.top),
        gw_(static_cast<int>(std::ceil((f.right - f.left) / kCell)) + 1),
        gh_(static_cast<int>(std::ceil((f.bottom - f.top) / kCell)) + 1),
        cells_(static_cast<std::size_t>(gw_ * gh_), 0) {}
  void mark(double x, double y) {
    const int i = cell_x(x), j = cell_y(y);
    if (i >= 0 && i < gw_ && j >= 0 && j < gh_) cells_[static_cast<std::size_t>(j * gw_ + i)] = 1;
  }
  void mark_segment(double x0, double y0, double x1, double y1) {
    const int n = static_cast<int>(std::ceil(std::hypot(x1 - x0, y1 - y0) / 2)) + 1;
    for (int s = 0; s <= n; ++s) {
      const double t = static_cast<double>(s) / n;
      mark(x0 + t * (x1 - x0), y0 + t * (y1 - y0));
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

struct LegendEntry {
  std::string label;
  std::string colour;
  std::string dash;
  bool fill = false;    ///< a filled swatch (histograms) rather than a line (curves)
  bool marker = false;  ///< a dot on the line swatch
};

// ---- drawing ----------------------------------------------------------------------------

std::string open_svg(const std::string& title) {
  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
      kSvgWidth, kSvgHeight);
  o += "<title>" + xml_escape(title) + "</title>\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  return o;
}

/// Title, axis labels and the plot frame (drawn over the data).
void draw_labels(std::string& o, const Frame& f, const std::string& title,
                 const std::string& xlabel, const std::string& ylabel) {
  const double fs = std::clamp(
      (kW - 40) / text_width(std::max<std::size_t>(utf8_length(title), 1), 1), 9.0, 17.0);
  o += fmt::format(
      "<text x=\"{}\" y=\"30\" font-size=\"{}\" font-weight=\"bold\" text-anchor=\"middle\">{}"
      "</text>\n",
      px(kW / 2), px(fs), xml_escape(title));
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">{}</text>\n",
                   px((f.left + f.right) / 2), px(kH - 16), xml_escape(xlabel));
  const double cy = (f.top + f.bottom) / 2;
  o += fmt::format(
      "<text x=\"24\" y=\"{0}\" font-size=\"13\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 24 {0})\">{1}</text>\n",
      px(cy), xml_escape(ylabel));
  o += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333333\"/>\n",
      px(f.left), px(f.top), px(f.right - f.left), px(f.bottom - f.top));
}

std::string tick_label_svg(const TickLabel& l, double x, double y, const char* anchor) {
  std::string s = fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}", px(x), px(y), anchor,
                              xml_escape(l.base));
  if (!l.sup.empty()) s += "<tspan dy=\"-5\" font-size=\"8\">" + xml_escape(l.sup) + "</tspan>";
  return s + "</text>\n";
}

/// Grid lines (under the data).
void draw_grid(std::string& o, const Frame& f) {
  std::string minor, major;
  for (double t : f.x.minor)
    minor += fmt::format("M{} {}V{}", px(f.px_xt(t)), px(f.top), px(f.bottom));
  for (double t : f.y.minor)
    minor += fmt::format("M{} {}H{}", px(f.left), px(f.px_yt(t)), px(f.right));
  for (double t : f.x.major)
    major += fmt::format("M{} {}V{}", px(f.px_xt(t)), px(f.top), px(f.bottom));
  for (double t : f.y.major)
    major += fmt::format("M{} {}H{}", px(f.left), px(f.px_yt(t)), px(f.right));
  if (!minor.empty()) o += "<path fill=\"none\" stroke=\"#f0f0f0\" d=\"" + minor + "\"/>\n";
  if (!major.empty()) o += "<path fill=\"none\" stroke=\"#e0e0e0\" d=\"" + major + "\"/>\n";
}

/// Tick marks and tick labels (over the frame).
void draw_ticks(std::string& o, const Frame& f) {
  std::string d;
  for (double t : f.x.major) d += fmt::format("M{} {}v5", px(f.px_xt(t)), px(f.bottom));
  for (double t : f.x.minor) d += fmt::format("M{} {}v3", px(f.px_xt(t)), px(f.bottom));
  for (double t : f.y.major) d += fmt::format("M{} {}h-5", px(f.left), px(f.px_yt(t)));
  for (double t : f.y.minor) d += fmt::format("M{} {}h-3", px(f.left), px(f.px_yt(t)));
  o += "<path fill=\"none\" stroke=\"#333333\" d=\"" + d + "\"/>\n";
  o += "<g font-size=\"11\" fill=\"#222222\">\n";
  for (std::size_t i = 0; i < f.x.major.size(); ++i) {
    o += tick_label_svg(f.x.labels[i], f.px_xt(f.x.major[i]), f.bottom + 18, "middle");
  }
  for (std::size_t i = 0; i < f.y.major.size(); ++i) {
    o += tick_label_svg(f.y.labels[i], f.left - 8, f.px_yt(f.y.major[i]) + 4, "end");
  }
  o += "</g>\n";
}

constexpr double kLegendRow = 18, kLegendPad = 8, kLegendSwatch = 22;

/// The legend's width and height in pixels.
std::pair<double, double> legend_size(const std::vector<LegendEntry>& entries) {
  std::size_t chars = 1;
  for (const LegendEntry& e : entries) chars = std::max(chars, utf8_length(e.label));
  return {kLegendPad + kLegendSwatch + 6 + text_width(chars, 12) + kLegendPad + 4,
          kLegendPad + kLegendRow * static_cast<double>(entries.size()) + 2};
}

/// The legend box with its top-left corner at (x0, y0).
void draw_legend(std::string& o, const std::vector<LegendEntry>& entries, double x0, double y0) {
  if (entries.empty()) return;
  const auto [w, h] = legend_size(entries);
  o += fmt::format(
      "<g font-size=\"12\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" "
      "fill-opacity=\"0.9\" stroke=\"#999999\"/>\n",
      px(x0), px(y0), px(w), px(h));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LegendEntry& e = entries[i];
    const double cy = y0 + kLegendPad + kLegendRow * (static_cast<double>(i) + 0.5) - 1;
    const double sx = x0 + kLegendPad;
    if (e.fill) {
      o += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"10\" fill=\"{}\" fill-opacity=\"0.25\" "
          "stroke=\"{}\" stroke-width=\"1.5\"/>\n",
          px(sx + 2), px(cy - 5), px(kLegendSwatch - 4), e.colour, e.colour);
    } else {
      o += fmt::format("<path d=\"M{} {}h{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", px(sx),
                       px(cy), px(kLegendSwatch), e.colour,
                       e.dash.empty() ? "" : " stroke-dasharray=\"" + e.dash + "\"");
      if (e.marker) {
        o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>\n",
                         px(sx + kLegendSwatch / 2), px(cy), e.colour);
      }
    }
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", px(sx + kLegendSwatch + 6), px(cy + 4),
                     xml_escape(e.label));
  }
  o += "</g>\n";
}

std::string no_data_svg(const std::string& title, const std::string& xlabel,
                        const std::string& ylabel) {
  Frame f;
  f.left = 70;
  std::string o = open_svg(title);
  draw_labels(o, f, title, xlabel, ylabel);
  o += fmt::format(
      "<text x=\"{}\" y=\"{}\" font-size=\"16\" fill=\"#777777\" text-anchor=\"middle\">"
      "no data</text>\n",
      px((f.left + f.right) / 2), px((f.top + f.bottom) / 2));
  return o + "</svg>\n";
}

/// Draws the data series of a plot into the frame's pixels, marking what they cover.
using Render = std::function<std::string(const Frame&, Occupancy&)>;

/// The whole plot: grid, the data clipped to the plot area, frame, labels, ticks, legend. The
/// legend goes in whichever corner (or top/bottom middle) of the plot area the data covers
/// least; when every spot covers more than 2% data cells, the plot narrows and the legend
/// sits to the right of it (unless it would take more than 40% of the width).
std::string assemble(Frame f, const std::string& title, const std::string& xlabel,
                     const std::string& ylabel, const std::vector<LegendEntry>& legend,
                     const Render& render) {
  Occupancy occ(f);
  std::string data = render(f, occ);
  const auto [w, h] = legend_size(legend);
  constexpr double kInset = 8, kClear = 6;
  const double xl = f.left + kInset, xr = f.right - kInset - w, xm = (f.left + f.right - w) / 2;
  const double yt = f.top + kInset, yb = f.bottom - kInset - h;
  const std::array<std::pair<double, double>, 6> spots = {
      {{xr, yt}, {xl, yt}, {xr, yb}, {xl, yb}, {xm, yt}, {xm, yb}}};
  std::pair<double, double> at = spots[0];
  int best = std::numeric_limits<int>::max();
  for (const auto& [x, y] : spots) {
    const int n = occ.count(x - kClear, y - kClear, x + w + kClear, y + h + kClear);
    if (n < best) {
      best = n;
      at = {x, y};
    }
  }
  const double cells = (w + 2 * kClear) * (h + 2 * kClear) / 16;
  if (!legend.empty() && best > 0.02 * cells && w < 0.4 * kW) {
    f.right = kW - 12 - w - 10;
    Occupancy unused(f);
    data = render(f, unused);
    at = {f.right + 10, f.top};
  }
  std::string o = open_svg(title);
  o += fmt::format(
      "<defs><clipPath id=\"plot-area\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
      "</clipPath></defs>\n",
      px(f.left), px(f.top), px(f.right - f.left), px(f.bottom - f.top));
  draw_grid(o, f);
  o += "<g clip-path=\"url(#plot-area)\">\n" + data + "</g>\n";
  draw_labels(o, f, title, xlabel, ylabel);
  draw_ticks(o, f);
  draw_legend(o, legend, at.first, at.second);
  return o + "</svg>\n";
}

std::string series_name(const std::string& label, std::size_t i) {
  return label.empty() ? fmt::format("series {}", i + 1) : truncate_utf8(label, kLegendMaxChars);
}

std::string dash_attr(std::size_t i) {
  const char* d = kDashes[i / kPalette.size() % kDashes.size()];
  return *d ? fmt::format(" stroke-dasharray=\"{}\"", d) : "";
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') o += c;
    }
  }
  return o;
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

std::string histogram_svg(const Histogram& h) {
  const std::string& title = h.title.empty() ? h.id : h.title;
  const std::string ylabel = h.log_y ? "count (log)" : "count";
  const std::size_t bins = h.edges.size() < 2 ? 0 : h.edges.size() - 1;
  auto bin_ok = [&](std::size_t b) {
    return usable(h.edges[b], false) && usable(h.edges[b + 1], false) &&
           h.edges[b + 1] > h.edges[b];
  };
  auto count_ok = [&](const HistogramSeries& s, std::size_t b) {
    return b < s.counts.size() && bin_ok(b) && usable(s.counts[b], h.log_y);
  };
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (const HistogramSeries& s : h.series) {
    for (std::size_t b = 0; b < bins; ++b) {
      if (!count_ok(s, b)) continue;
      xmin = std::min(xmin, h.edges[b]);
      xmax = std::max(xmax, h.edges[b + 1]);
      ymin = std::min(ymin, s.counts[b]);
      ymax = std::max(ymax, s.counts[b]);
    }
  }
  if (!(xmax > xmin)) return no_data_svg(title, h.xlabel, ylabel);
  Axis ya;
  if (h.log_y) {
    ya = log_count_axis(ymin, ymax);
  } else {
    ymin = std::min(ymin, 0.0);
    ymax = std::max(ymax, 0.0);
    ya = linear_axis(ymin, ymax + 0.05 * (ymax - ymin), true);
  }
  const bool fill = h.series.size() <= kFillMaxSeries;
  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < h.series.size(); ++i) {
    legend.push_back(
        {series_name(h.series[i].label, i), kPalette[i % kPalette.size()], "", fill, false});
  }
  const Render render = [&](const Frame& f, Occupancy& occ) {
    const double base = h.log_y ? f.bottom : std::clamp(f.px_y(0), f.top, f.bottom);
    std::string data;
    for (std::size_t i = 0; i < h.series.size(); ++i) {
      const HistogramSeries& s = h.series[i];
      const std::string& colour = legend[i].colour;
      std::string d;  // one step outline per run of drawable bins: M base V top H right ... V base
      bool open = false;
      for (std::size_t b = 0; b <= bins; ++b) {
        if (b == bins || !count_ok(s, b)) {
          if (open) d += "V" + px(base);
          open = false;
          continue;
        }
        const double x0 = f.px_x(h.edges[b]), x1 = f.px_x(h.edges[b + 1]);
        const double y = f.px_y(s.counts[b]);
        if (!open) d += fmt::format("M{} {}", px(x0), px(base));
        d += fmt::format("V{}H{}", px(y), px(x1));
        open = true;
        occ.mark_rect(x0, y, x1, base);
      }
      if (d.empty()) continue;
      data += fmt::format("<path d=\"{}\" fill=\"{}\"{} stroke=\"{}\" stroke-width=\"1.5\"{}/>\n",
                          d, fill ? colour : "none", fill ? " fill-opacity=\"0.25\"" : "", colour,
                          dash_attr(i));
    }
    return data;
  };
  return assemble(make_frame(linear_axis(xmin, xmax, false), ya), title, h.xlabel, ylabel, legend,
                  render);
}

std::string curve_svg(const Curve& c) {
  const std::string& title = c.title.empty() ? c.id : c.title;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  auto point_ok = [&](const Series& s, std::size_t k) {
    return usable(s.x[k], c.log_x) && usable(s.y[k], c.log_y);
  };
  std::vector<std::size_t> plottable(c.series.size(), 0);
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const Series& s = c.series[i];
    for (std::size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k) {
      if (!point_ok(s, k)) continue;
      ++plottable[i];
      xmin = std::min(xmin, s.x[k]);
      xmax = std::max(xmax, s.x[k]);
      ymin = std::min(ymin, s.y[k]);
      ymax = std::max(ymax, s.y[k]);
    }
  }
  if (!(xmin <= xmax)) return no_data_svg(title, c.xlabel, c.ylabel);
  Axis xa = c.log_x ? log_axis_around(xmin, xmax) : linear_axis(xmin, xmax, false);
  Axis ya;
  if (c.log_y) {
    ya = log_axis_around(ymin, ymax);
  } else {
    // 4% margin, not crossing zero (an error that is >= 0 gets an axis starting at 0)
    const double m = 0.04 * (ymax - ymin);
    ya = linear_axis(ymin >= 0 ? std::max(ymin - m, 0.0) : ymin - m,
                     ymax <= 0 ? std::min(ymax + m, 0.0) : ymax + m, true);
  }
  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    legend.push_back({series_name(c.series[i].label, i), kPalette[i % kPalette.size()],
                      kDashes[i / kPalette.size() % kDashes.size()], false,
                      plottable[i] <= kMarkerMaxPoints});
  }
  const Render render = [&](const Frame& f, Occupancy& occ) {
    std::string data;
    for (std::size_t i = 0; i < c.series.size(); ++i) {
      const Series& s = c.series[i];
      const std::string& colour = legend[i].colour;
      const bool markers = legend[i].marker;
      const std::size_t stride =
          plottable[i] > kSvgMaxPoints ? (3 * plottable[i] + kSvgMaxPoints - 1) / kSvgMaxPoints : 1;
      std::string g;
      std::vector<double> rx, ry;  // one run of plottable points, in pixels
      auto flush = [&] {
        if (rx.empty()) return;
        const std::vector<std::size_t> keep = decimate_indices(ry, stride);
        if (keep.size() == 1 && !markers) {
          g += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2\" stroke=\"none\" fill=\"{}\"/>\n",
                           px(rx[0]), px(ry[0]), colour);
        } else if (keep.size() > 1) {
          g += "<polyline points=\"";
          for (std::size_t j = 0; j < keep.size(); ++j) {
            g += fmt::format("{}{},{}", j ? " " : "", px(rx[keep[j]]), px(ry[keep[j]]));
            if (j > 0) {
              occ.mark_segment(rx[keep[j - 1]], ry[keep[j - 1]], rx[keep[j]], ry[keep[j]]);
            }
          }
          g += "\"/>\n";
        }
        occ.mark(rx[0], ry[0]);
        for (std::size_t j = 0; markers && j < rx.size(); ++j) {
          g += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" stroke=\"none\" fill=\"{}\"/>\n",
                           px(rx[j]), px(ry[j]), colour);
        }
        rx.clear();
        ry.clear();
      };
      for (std::size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k) {
        if (!point_ok(s, k)) {
          flush();  // a skipped point breaks the line
          continue;
        }
        rx.push_back(f.px_x(s.x[k]));
        ry.push_back(f.px_y(s.y[k]));
      }
      flush();
      data += fmt::format(
          "<g fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" "
          "stroke-linejoin=\"round\" stroke-linecap=\"round\"{}>\n",
          colour, dash_attr(i));
      data += g + "</g>\n";
    }
    return data;
  };
  return assemble(make_frame(std::move(xa), std::move(ya)), title, c.xlabel, c.ylabel, legend,
                  render);
}

}  // namespace fp4lab::exp
