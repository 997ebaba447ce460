// SVG plots (see svg.hpp): the plot model's Scene written as SVG elements: grid, the data
// clipped to the plot area, frame, title and axis labels, ticks, legend.
#include "experiments/export/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fp4lab::exp {
namespace {

using plot::Scene;

/// Pixels with at most 2 decimals and no trailing zeros.
std::string px(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string colour(const Scene& sc, std::size_t series) {
  return plot::hex(sc.figure.series[series].colour);
}

/// ` stroke-dasharray="..."` of a series beyond the palette, empty for a solid line.
std::string dash_attr(const Scene& sc, std::size_t series) {
  const auto& d = plot::kDashes[sc.figure.series[series].dash];
  std::string s;
  for (double v : d) {
    if (v <= 0) continue;
    if (!s.empty()) s += ' ';
    s += px(v);
  }
  return s.empty() ? "" : " stroke-dasharray=\"" + s + "\"";
}

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
void draw_labels(std::string& o, const Scene& sc) {
  const plot::Figure& f = sc.figure;
  const plot::Box& a = sc.area;
  const double w = kSvgWidth, h = kSvgHeight;
  const double fs = std::clamp(
      (w - 40) / plot::estimated_text_width(f.title.empty() ? "x" : f.title, 1), 9.0, 17.0);
  o += fmt::format(
      "<text x=\"{}\" y=\"30\" font-size=\"{}\" font-weight=\"bold\" text-anchor=\"middle\">{}"
      "</text>\n",
      px(w / 2), px(fs), xml_escape(f.title));
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">{}</text>\n",
                   px((a.x0 + a.x1) / 2), px(h - 16), xml_escape(f.xlabel));
  const double cy = (a.y0 + a.y1) / 2;
  o += fmt::format(
      "<text x=\"24\" y=\"{0}\" font-size=\"13\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 24 {0})\">{1}</text>\n",
      px(cy), xml_escape(f.ylabel));
  o += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333333\"/>\n",
      px(a.x0), px(a.y0), px(a.width()), px(a.height()));
}

std::string tick_label_svg(const plot::TickLabel& l, double x, double y, const char* anchor) {
  std::string s = fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}", px(x), px(y), anchor,
                              xml_escape(l.base));
  if (!l.sup.empty()) s += "<tspan dy=\"-5\" font-size=\"8\">" + xml_escape(l.sup) + "</tspan>";
  return s + "</text>\n";
}

/// Grid lines (under the data).
void draw_grid(std::string& o, const Scene& sc) {
  const plot::Box& a = sc.area;
  std::string minor, major;
  for (double t : sc.figure.x.minor)
    minor += fmt::format("M{} {}V{}", px(sc.x_px(t)), px(a.y0), px(a.y1));
  for (double t : sc.figure.y.minor)
    minor += fmt::format("M{} {}H{}", px(a.x0), px(sc.y_px(t)), px(a.x1));
  for (double t : sc.figure.x.major)
    major += fmt::format("M{} {}V{}", px(sc.x_px(t)), px(a.y0), px(a.y1));
  for (double t : sc.figure.y.major)
    major += fmt::format("M{} {}H{}", px(a.x0), px(sc.y_px(t)), px(a.x1));
  if (!minor.empty()) o += "<path fill=\"none\" stroke=\"#f0f0f0\" d=\"" + minor + "\"/>\n";
  if (!major.empty()) o += "<path fill=\"none\" stroke=\"#e0e0e0\" d=\"" + major + "\"/>\n";
}

/// Tick marks and tick labels (over the frame).
void draw_ticks(std::string& o, const Scene& sc) {
  const plot::Axis &x = sc.figure.x, &y = sc.figure.y;
  const plot::Box& a = sc.area;
  std::string d;
  for (double t : x.major) d += fmt::format("M{} {}v5", px(sc.x_px(t)), px(a.y1));
  for (double t : x.minor) d += fmt::format("M{} {}v3", px(sc.x_px(t)), px(a.y1));
  for (double t : y.major) d += fmt::format("M{} {}h-5", px(a.x0), px(sc.y_px(t)));
  for (double t : y.minor) d += fmt::format("M{} {}h-3", px(a.x0), px(sc.y_px(t)));
  o += "<path fill=\"none\" stroke=\"#333333\" d=\"" + d + "\"/>\n";
  o += "<g font-size=\"11\" fill=\"#222222\">\n";
  for (std::size_t i = 0; i < x.major.size(); ++i) {
    o += tick_label_svg(x.labels[i], sc.x_px(x.major[i]), a.y1 + 18, "middle");
  }
  for (std::size_t i = 0; i < y.major.size(); ++i) {
    o += tick_label_svg(y.labels[i], a.x0 - 8, sc.y_px(y.major[i]) + 4, "end");
  }
  o += "</g>\n";
}

void draw_legend(std::string& o, const Scene& sc) {
  const plot::Legend& lg = sc.legend;
  if (lg.rows.empty()) return;
  o += fmt::format(
      "<g font-size=\"12\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" "
      "fill-opacity=\"0.9\" stroke=\"#999999\"/>\n",
      px(lg.box.x0), px(lg.box.y0), px(lg.box.width()), px(lg.box.height()));
  for (const plot::LegendRow& r : lg.rows) {
    const plot::FigureSeries& s = sc.figure.series[r.series];
    const std::string c = colour(sc, r.series);
    const double sw = r.swatch_x1 - r.swatch_x0;
    if (s.fill) {  // a filled swatch (filled histograms), else a line
      o += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\" "
          "stroke=\"{}\" stroke-width=\"1.5\"/>\n",
          px(r.swatch_x0 + 2), px(r.cy - 5), px(sw - 4), c, px(plot::fill_opacity(sc.figure.kind)),
          c);
    } else {
      o += fmt::format("<path d=\"M{} {}h{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                       px(r.swatch_x0), px(r.cy), px(sw), c, dash_attr(sc, r.series));
      if (s.markers) {
        o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>\n",
                         px(r.swatch_x0 + sw / 2), px(r.cy), c);
      }
    }
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", px(r.text_x), px(r.cy + 4),
                     xml_escape(s.label));
  }
  o += "</g>\n";
}

/// The data primitives, one group or path per series, in series order.
std::string draw_data(const Scene& sc) {
  std::string data;
  for (std::size_t i = 0; i < sc.figure.series.size(); ++i) {
    const std::string c = colour(sc, i);
    if (sc.figure.kind == plot::SeriesKind::bars) {
      for (const plot::Steps& st : sc.steps) {
        for (const plot::Bar& b : st.series == i ? st.bars : std::vector<plot::Bar>{}) {
          data += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                              px(b.x0), px(std::min(b.top, st.base)), px(b.x1 - b.x0),
                              px(std::abs(st.base - b.top)), c);
        }
      }
      continue;
    }
    if (sc.figure.kind == plot::SeriesKind::steps) {
      std::string d;  // one step outline per run of bins: M base V top H right ... V base
      for (const plot::Steps& st : sc.steps) {
        if (st.series != i || st.bars.empty()) continue;
        d += fmt::format("M{} {}", px(st.bars.front().x0), px(st.base));
        for (const plot::Bar& b : st.bars) d += fmt::format("V{}H{}", px(b.top), px(b.x1));
        d += fmt::format("V{}", px(st.base));
      }
      if (d.empty()) continue;
      const bool fill = sc.figure.series[i].fill;
      const std::string opacity =
          fill ? fmt::format(" fill-opacity=\"{}\"", px(plot::kFillOpacity)) : std::string();
      data += fmt::format("<path d=\"{}\" fill=\"{}\"{} stroke=\"{}\" stroke-width=\"1.5\"{}/>\n",
                          d, fill ? c : "none", opacity, c, dash_attr(sc, i));
      continue;
    }
    std::string g;
    for (const plot::Line& l : sc.lines) {
      if (l.series != i) continue;
      g += "<polyline points=\"";
      for (std::size_t j = 0; j < l.points.size(); ++j) {
        g += fmt::format("{}{},{}", j ? " " : "", px(l.points[j].x), px(l.points[j].y));
      }
      g += "\"/>\n";
    }
    for (const plot::Dot& d : sc.dots) {
      if (d.series != i) continue;
      g += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" stroke=\"none\" fill=\"{}\"/>\n",
                       px(d.at.x), px(d.at.y), px(d.radius), c);
    }
    data += fmt::format(
        "<g fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" "
        "stroke-linejoin=\"round\" stroke-linecap=\"round\"{}>\n",
        c, dash_attr(sc, i));
    data += g + "</g>\n";
  }
  return data;
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

plot::Style svg_style() {
  plot::Style s;
  s.figure = {0, 0, kSvgWidth, kSvgHeight};
  s.top = 52;
  s.right = 24;
  s.bottom = 62;
  s.left = 48;  // 14 margin, 16 y label, 10 gap, 8 before the tick labels
  s.tick_font = 11;
  s.legend_font = 12;
  s.text_width = plot::estimated_text_width;
  s.max_points = kSvgMaxPoints;
  return s;
}

std::string scene_svg(const Scene& sc) {
  std::string o = open_svg(sc.figure.title);
  const plot::Box& a = sc.area;
  if (!sc.figure.has_data) {
    draw_labels(o, sc);
    o += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"16\" fill=\"#777777\" text-anchor=\"middle\">"
        "no data</text>\n",
        px((a.x0 + a.x1) / 2), px((a.y0 + a.y1) / 2));
    return o + "</svg>\n";
  }
  o += fmt::format(
      "<defs><clipPath id=\"plot-area\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
      "</clipPath></defs>\n",
      px(a.x0), px(a.y0), px(a.width()), px(a.height()));
  draw_grid(o, sc);
  o += "<g clip-path=\"url(#plot-area)\">\n" + draw_data(sc) + "</g>\n";
  draw_labels(o, sc);
  draw_ticks(o, sc);
  draw_legend(o, sc);
  return o + "</svg>\n";
}

std::string histogram_svg(const Histogram& h) {
  return scene_svg(plot::layout(plot::histogram_figure(h), svg_style()));
}

std::string curve_svg(const Curve& c) {
  return scene_svg(plot::layout(plot::curve_figure(c), svg_style()));
}

}  // namespace fp4lab::exp
