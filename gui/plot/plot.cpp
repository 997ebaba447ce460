// ImDrawList plots: each builds the plot model's figure (experiments/plot/), places it for
// ImGui's font and draws it with draw_scene, then adds what is interactive (cursor, tooltips,
// zoom). Heat map colours and bar/number-line ticks come from the same model.
#include "gui/plot/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "experiments/plot/layout.hpp"
#include "gui/plot/scene_draw.hpp"

namespace fp4lab::gui {
namespace {

namespace plot = exp::plot;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ImVec2 v2(double x, double y) { return ImVec2(static_cast<float>(x), static_cast<float>(y)); }

ImVec2 resolve_size(ImVec2 size) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(100.0f, avail.x + size.x);
  if (size.y <= 0) size.y = std::max(80.0f, avail.y + size.y);
  return size;
}

/// Reserves the plot's region, places the figure in it, draws it, and reads the mouse.
struct Placed {
  plot::Scene sc;
  ImDrawList* dl = nullptr;
  PlotInput in;
};

Placed place(const char* id, ImVec2 size, plot::Figure fig) {
  Placed p;
  size = resolve_size(size);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  p.dl = ImGui::GetWindowDrawList();
  p.sc = plot::layout(std::move(fig), gui_style(pos, size));
  draw_scene(p.dl, p.sc, LegendPass::later);
  const plot::Box& a = p.sc.area;
  p.in.area_min = v2(a.x0, a.y0);
  p.in.area_max = v2(a.x1, a.y1);
  const ImVec2 m = ImGui::GetIO().MousePos;
  const bool inside = m.x >= a.x0 && m.x <= a.x1 && m.y >= a.y0 && m.y <= a.y1;
  p.in.hovered = ImGui::IsItemHovered() && inside;
  p.in.dragging = ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  if (p.in.hovered || p.in.dragging) {
    p.in.x = p.sc.x_value(std::clamp<double>(m.x, a.x0, a.x1));
    p.in.y = p.sc.y_value(std::clamp<double>(m.y, a.y0, a.y1));
  }
  p.dl->PushClipRect(p.in.area_min, p.in.area_max, true);
  return p;
}

/// A figure with given axes and no data series (the bars or rows are drawn over it).
plot::Figure frame_figure(std::string title, std::string xlabel, std::string ylabel, plot::Axis x,
                          plot::Axis y) {
  plot::Figure f;
  f.title = std::move(title);
  f.xlabel = std::move(xlabel);
  f.ylabel = std::move(ylabel);
  f.has_data = true;
  f.x = std::move(x);
  f.y = std::move(y);
  return f;
}

}  // namespace

ImU32 series_color(int i, float a) { return to_imgui(plot::series_colour(i), a); }

std::string short_number(double v) {
  char buf[32];
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e5 || a < 1e-3) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

double series_value_at(const exp::Series& s, double x) {
  const std::size_t n = std::min(s.x.size(), s.y.size());
  if (n == 0 || x < s.x.front() || x > s.x[n - 1]) return kNaN;
  const auto it = std::lower_bound(s.x.begin(), s.x.begin() + static_cast<std::ptrdiff_t>(n), x);
  const std::size_t k = static_cast<std::size_t>(it - s.x.begin());
  if (k == 0) return s.y[0];
  const double x0 = s.x[k - 1], x1 = s.x[k];
  const double w = x1 > x0 ? (x - x0) / (x1 - x0) : 0.0;
  return s.y[k - 1] + w * (s.y[k] - s.y[k - 1]);
}

PlotInput line_plot(const char* id, const exp::Curve& c, ImVec2 size, const LinePlotOptions& opt) {
  Placed p = place(id, size, plot::curve_figure(c, opt.visible));
  const plot::Scene& sc = p.sc;
  const plot::Box& a = sc.area;
  if (opt.marker_x && std::isfinite(*opt.marker_x) && sc.figure.has_data &&
      plot::usable(*opt.marker_x, c.log_x)) {
    const double px = sc.x_px(sc.figure.x.t(*opt.marker_x));
    p.dl->AddLine(v2(px, a.y0), v2(px, a.y1), IM_COL32(255, 80, 80, 255), 2.0f);
  }
  if (opt.cursor && p.in.hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    p.dl->AddLine(ImVec2(m.x, p.in.area_min.y), ImVec2(m.x, p.in.area_max.y),
                  IM_COL32(255, 255, 255, 90));
    std::string tip = c.xlabel + " = " + short_number(p.in.x);
    for (std::size_t k = 0; k < c.series.size(); ++k) {
      if (!opt.visible.empty() && k < opt.visible.size() && !opt.visible[k]) continue;
      const double v = series_value_at(c.series[k], p.in.x);
      if (!std::isfinite(v)) continue;
      const double py = plot::usable(v, c.log_y) ? sc.y_px(sc.figure.y.t(v)) : a.y1;
      p.dl->AddCircle(ImVec2(m.x, static_cast<float>(std::clamp(py, a.y0, a.y1))), 4,
                      series_color(static_cast<int>(k)));
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.5g", v);
      tip += "\n" + c.series[k].label + ": " + buf;
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
  p.dl->PopClipRect();
  draw_legend(p.dl, p.sc);
  return p.in;
}

PlotInput histogram_plot(const char* id, const exp::Histogram& h, ImVec2 size,
                         const std::vector<bool>& visible) {
  Placed p = place(id, size, plot::histogram_figure(h, visible));
  if (p.in.hovered && h.edges.size() > 1) {
    const auto it = std::upper_bound(h.edges.begin(), h.edges.end(), p.in.x);
    const std::size_t b =
        static_cast<std::size_t>(std::max<std::ptrdiff_t>(1, it - h.edges.begin()) - 1);
    if (b + 1 < h.edges.size()) {
      std::string tip =
          "bin [" + short_number(h.edges[b]) + ", " + short_number(h.edges[b + 1]) + ")";
      for (const auto& s : h.series) {
        if (b < s.counts.size()) tip += "\n" + s.label + ": " + short_number(s.counts[b]);
      }
      ImGui::SetTooltip("%s", tip.c_str());
    }
  }
  p.dl->PopClipRect();
  draw_legend(p.dl, p.sc);
  return p.in;
}

HeatCell heat_map(const char* id, std::span<const double> cells, int rows, int cols, double lo,
                  double hi, ImVec2 size, const std::string& bar_label) {
  HeatCell hc;
  size = resolve_size(size);
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (rows <= 0 || cols <= 0) return hc;
  if (!bar_label.empty()) {  // the colour bar's caption on a line of its own, right-aligned
    const float line = ImGui::GetTextLineHeightWithSpacing();
    const float w = ImGui::CalcTextSize(bar_label.c_str()).x;
    dl->AddText(ImVec2(std::max(p.x, p.x + size.x - w), p.y), ImGui::GetColorU32(ImGuiCol_Text), bar_label.c_str());
    p.y += line;
    size.y = std::max(1.0f, size.y - line);
  }
  // colour bar at the right, its ticks labelled with values (the same ticks as the export)
  const plot::Axis scale = plot::linear_axis(lo, hi > lo ? hi : lo + 1, false);
  float label_w = 0;
  for (const plot::TickLabel& l : scale.labels) label_w = std::max(label_w, ImGui::CalcTextSize(l.base.c_str()).x);
  const float bar = 18, bar_x1 = p.x + size.x - label_w - 6;
  const float cw = (size.x - bar - 14 - label_w) / cols, ch = size.y / rows;
  auto colour = [&](double v) -> ImU32 {
    if (!std::isfinite(v)) return to_imgui(plot::kNoValue);
    return to_imgui(plot::heat_colour((v - lo) / (hi > lo ? hi - lo : 1.0)));
  };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const ImVec2 a(p.x + c * cw, p.y + r * ch);
      dl->AddRectFilled(a, ImVec2(a.x + cw + 0.5f, a.y + ch + 0.5f),
                        colour(cells[static_cast<std::size_t>(r * cols + c)]));
    }
  }
  for (int k = 0; k < 32; ++k) {
    const float y0 = p.y + size.y * k / 32, y1 = p.y + size.y * (k + 1) / 32;
    dl->AddRectFilled(ImVec2(bar_x1 - bar, y0), ImVec2(bar_x1, y1), colour(hi - (hi - lo) * (k + 0.5) / 32));
  }
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  for (std::size_t i = 0; i < scale.major.size(); ++i) {
    const float y = p.y + size.y * static_cast<float>(1 - (scale.major[i] - scale.lo) / (scale.hi - scale.lo));
    dl->AddLine(ImVec2(bar_x1, y), ImVec2(bar_x1 + 3, y), text);
    dl->AddText(ImVec2(bar_x1 + 5, y - ImGui::GetFontSize() / 2), text, scale.labels[i].base.c_str());
  }
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int c = static_cast<int>((m.x - p.x) / cw), r = static_cast<int>((m.y - p.y) / ch);
    if (c >= 0 && c < cols && r >= 0 && r < rows) {
      hc = {r, c};
      dl->AddRect(ImVec2(p.x + c * cw, p.y + r * ch),
                  ImVec2(p.x + (c + 1) * cw, p.y + (r + 1) * ch), IM_COL32(255, 255, 255, 255), 0,
                  0, 2);
    }
  }
  return hc;
}

PlotInput bar_chart(const char* id, const std::vector<std::string>& series_labels,
                    const std::vector<std::vector<double>>& values, ImVec2 size) {
  std::size_t groups = 0;
  for (const auto& s : values) groups = std::max(groups, s.size());
  Placed p = place(id, size,
                   plot::bar_figure("Per-element error (dequantized - x)", "element index", "error",
                                    series_labels, values));
  const float zero = static_cast<float>(p.sc.y_px(0.0));
  p.dl->AddLine(ImVec2(p.in.area_min.x, zero), ImVec2(p.in.area_max.x, zero),
                IM_COL32(220, 220, 220, 160));
  if (p.in.hovered) {
    const long g = std::lround(p.in.x);
    if (g >= 0 && static_cast<std::size_t>(g) < groups) {
      std::string tip = "element " + std::to_string(g);
      for (std::size_t k = 0; k < values.size(); ++k) {
        if (static_cast<std::size_t>(g) < values[k].size()) {
          char buf[48];
          std::snprintf(buf, sizeof buf, "%.6g", values[k][static_cast<std::size_t>(g)]);
          tip +=
              "\n" + (k < series_labels.size() ? series_labels[k] : std::string("?")) + ": " + buf;
        }
      }
      ImGui::SetTooltip("%s", tip.c_str());
    }
  }
  p.dl->PopClipRect();
  draw_legend(p.dl, p.sc);
  return p.in;
}

PlotInput number_line(const char* id, const std::vector<NumberLineRow>& rows, NumberLineView& view,
                      ImVec2 size) {
  plot::Axis y;  // rows, no ticks
  y.lo = 0;
  y.hi = std::max<double>(1, double(rows.size()));
  // the view's lo/hi are already log10 |x| when view.log: a linear axis over them
  Placed p = place(id, size,
                   frame_figure(view.log ? "values, log10 |x| (wheel: zoom, drag: pan)"
                                         : "values (wheel: zoom, drag: pan)",
                                view.log ? "log10 |value|" : "value", "",
                                plot::linear_axis(view.lo, view.hi, false), y));
  const plot::Scene& sc = p.sc;
  const float a0y = p.in.area_min.y, a1y = p.in.area_max.y;
  const float rh = (a1y - a0y) / std::max<float>(1, static_cast<float>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const float top = a0y + rh * r, mid = top + rh / 2;
    const ImU32 col = series_color(static_cast<int>(r));
    p.dl->AddLine(ImVec2(p.in.area_min.x, mid), ImVec2(p.in.area_max.x, mid),
                  IM_COL32(120, 120, 120, 120));
    for (double v : rows[r].values) {
      if (!std::isfinite(v)) continue;
      double u = v;
      if (view.log) {
        if (v <= 0) continue;
        u = std::log10(v);
      }
      if (u < view.lo || u > view.hi) continue;
      const float px = static_cast<float>(sc.x_px(u));
      p.dl->AddLine(ImVec2(px, mid - rh * 0.3f), ImVec2(px, mid + rh * 0.3f), col, 1.5f);
    }
    p.dl->AddText(ImVec2(p.in.area_min.x + 4, top + 2), IM_COL32(235, 235, 235, 255),
                  rows[r].label.c_str());
  }
  // zoom around the mouse with the wheel, pan by dragging
  ImGuiIO& io = ImGui::GetIO();
  if (p.in.hovered && io.MouseWheel != 0) {
    const double k = io.MouseWheel > 0 ? 0.8 : 1.25, c = p.in.x;
    view.lo = c + (view.lo - c) * k;
    view.hi = c + (view.hi - c) * k;
  }
  if (p.in.dragging && io.MouseDelta.x != 0) {
    const double per_px = (view.hi - view.lo) / std::max(1.0f, p.in.area_max.x - p.in.area_min.x);
    view.lo -= io.MouseDelta.x * per_px;
    view.hi -= io.MouseDelta.x * per_px;
  }
  if (p.in.hovered) {
    const double v = view.log ? std::pow(10.0, p.in.x) : p.in.x;
    std::string tip = "x = " + short_number(v);
    for (const auto& row : rows) {
      double best = NAN, dist = INFINITY;
      for (double w : row.values) {
        if (!std::isfinite(w) || (view.log && w <= 0)) continue;
        const double d = view.log ? std::fabs(std::log10(w) - p.in.x) : std::fabs(w - v);
        if (d < dist) {
          dist = d;
          best = w;
        }
      }
      if (std::isfinite(best)) tip += "\n" + row.label + ": nearest " + short_number(best);
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
  p.dl->PopClipRect();
  draw_legend(p.dl, p.sc);
  return p.in;
}

}  // namespace fp4lab::gui
