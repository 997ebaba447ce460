// ImDrawList plots: shared axis code (linear 1/2/5 x 10^k ticks, log decades), then the line
// plot, histogram, heat map, bar chart and number line renderers.
#include "gui/plot/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace fp4lab::gui {
namespace {

constexpr float kLeft = 62, kRight = 12, kTop = 22, kBottom = 34;  // margins around the plot area
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// One axis: data range, scale, and pixel range.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  float p0 = 0, p1 = 1;  // pixels of lo and hi
  double t(double v) const { return log ? std::log10(v) : v; }
  double inv_t(double u) const { return log ? std::pow(10.0, u) : u; }
  float to_px(double v) const {
    const double a = t(lo), b = t(hi);
    return static_cast<float>(p0 + (t(v) - a) / (b - a) * (p1 - p0));
  }
  double from_px(float p) const {
    const double a = t(lo), b = t(hi);
    return inv_t(a + (p - p0) / double(p1 - p0) * (b - a));
  }
};

/// Ticks of a linear range (1/2/5 x 10^k steps) or log decades.
std::vector<double> ticks(const Axis& a, int target) {
  std::vector<double> out;
  if (a.log) {
    const int d0 = static_cast<int>(std::ceil(std::log10(a.lo) - 1e-9));
    const int d1 = static_cast<int>(std::floor(std::log10(a.hi) + 1e-9));
    const int stride = std::max(1, (d1 - d0 + 1) / std::max(1, target));
    for (int d = d0; d <= d1; d += stride) out.push_back(std::pow(10.0, d));
    return out;
  }
  const double span = a.hi - a.lo;
  if (!(span > 0)) return {a.lo};
  const double raw = span / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double v = std::ceil(a.lo / step) * step; v <= a.hi + step * 1e-9; v += step) {
    out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return out;
}

/// Finite data range of values (positive only on log axes), padded a little; fallback [0, 1].
void fit(Axis& a, double lo, double hi, bool pad) {
  if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi)) {
    lo = a.log ? 1e-3 : 0.0;
    hi = 1.0;
  }
  if (lo == hi) {
    if (a.log) {
      lo /= 2;
      hi *= 2;
    } else {
      lo -= 0.5;
      hi += 0.5;
    }
  } else if (pad && !a.log) {
    const double m = 0.04 * (hi - lo);
    lo -= m;
    hi += m;
  }
  a.lo = lo;
  a.hi = hi;
}

bool plottable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

/// Reserves the region, draws frame, grid, ticks and labels; returns the draw list.
struct Frame {
  ImDrawList* dl = nullptr;
  ImVec2 a0, a1;  // plot area
  PlotInput in;
};

ImVec2 resolve_size(ImVec2 size) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(100.0f, avail.x + size.x);
  if (size.y <= 0) size.y = std::max(80.0f, avail.y + size.y);
  return size;
}

Frame begin_frame(const char* id, ImVec2 size, Axis& x, Axis& y, const std::string& title,
                  const std::string& xlabel, const std::string& ylabel, bool y_ticks = true) {
  Frame f;
  size = resolve_size(size);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  f.dl = ImGui::GetWindowDrawList();
  f.a0 = ImVec2(p.x + kLeft, p.y + kTop);
  f.a1 = ImVec2(p.x + size.x - kRight, p.y + size.y - kBottom);
  x.p0 = f.a0.x;
  x.p1 = f.a1.x;
  y.p0 = f.a1.y;
  y.p1 = f.a0.y;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 grid = IM_COL32(128, 128, 128, 50);
  // no filled plot background: under llvmpipe every large blended area costs milliseconds
  for (double v : ticks(x, static_cast<int>((f.a1.x - f.a0.x) / 90))) {
    const float px = x.to_px(v);
    f.dl->AddLine(ImVec2(px, f.a0.y), ImVec2(px, f.a1.y), grid);
    const std::string s = short_number(v);
    const float w = ImGui::CalcTextSize(s.c_str()).x;
    f.dl->AddText(ImVec2(px - w / 2, f.a1.y + 3), text, s.c_str());
  }
  for (double v : y_ticks ? ticks(y, static_cast<int>((f.a1.y - f.a0.y) / 50)) : std::vector<double>{}) {
    const float py = y.to_px(v);
    f.dl->AddLine(ImVec2(f.a0.x, py), ImVec2(f.a1.x, py), grid);
    const std::string s = short_number(v);
    const float w = ImGui::CalcTextSize(s.c_str()).x;
    f.dl->AddText(ImVec2(f.a0.x - w - 4, py - 7), text, s.c_str());
  }
  f.dl->AddRect(f.a0, f.a1, IM_COL32(140, 140, 140, 255));
  f.dl->AddText(ImVec2(f.a0.x, p.y + 3), text, title.c_str());
  const float xw = ImGui::CalcTextSize(xlabel.c_str()).x;
  f.dl->AddText(ImVec2((f.a0.x + f.a1.x - xw) / 2, f.a1.y + 17), text, xlabel.c_str());
  if (!ylabel.empty()) {
    const float yw = ImGui::CalcTextSize(ylabel.c_str()).x;
    f.dl->AddText(ImVec2(f.a1.x - yw, p.y + 3), IM_COL32(190, 190, 190, 255), ylabel.c_str());
  }
  const ImVec2 m = ImGui::GetIO().MousePos;
  const bool inside = m.x >= f.a0.x && m.x <= f.a1.x && m.y >= f.a0.y && m.y <= f.a1.y;
  f.in.hovered = ImGui::IsItemHovered() && inside;
  f.in.dragging = ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  f.in.area_min = f.a0;
  f.in.area_max = f.a1;
  if (f.in.hovered || f.in.dragging) {
    f.in.x = x.from_px(std::clamp(m.x, f.a0.x, f.a1.x));
    f.in.y = y.from_px(std::clamp(m.y, f.a0.y, f.a1.y));
  }
  f.dl->PushClipRect(f.a0, f.a1, true);
  return f;
}

void legend(const Frame& f, const std::vector<std::string>& labels, const std::vector<bool>& visible) {
  float y = f.a0.y + 4;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!visible.empty() && !visible[i]) continue;
    const float w = ImGui::CalcTextSize(labels[i].c_str()).x;
    const float x = f.a1.x - w - 26;
    f.dl->AddRectFilled(ImVec2(x - 2, y), ImVec2(f.a1.x - 4, y + 15), IM_COL32(20, 22, 28, 200));
    f.dl->AddRectFilled(ImVec2(x, y + 4), ImVec2(x + 14, y + 11), series_color(static_cast<int>(i)));
    f.dl->AddText(ImVec2(x + 18, y), IM_COL32(230, 230, 230, 255), labels[i].c_str());
    y += 16;
  }
}

}  // namespace

ImU32 series_color(int i, float a) {
  static const int kRgb[][3] = {{230, 159, 0}, {86, 180, 233}, {0, 158, 115}, {240, 228, 66},
                                {0, 114, 178}, {213, 94, 0},   {204, 121, 167}, {200, 200, 200}};
  const int* c = kRgb[((i % 8) + 8) % 8];
  return IM_COL32(c[0], c[1], c[2], static_cast<int>(std::clamp(a, 0.0f, 1.0f) * 255));
}

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
  Axis x, y;
  x.log = c.log_x;
  y.log = c.log_y;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    if (!opt.visible.empty() && !opt.visible[k]) continue;
    const exp::Series& s = c.series[k];
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!plottable(s.x[i], x.log) || !plottable(s.y[i], y.log)) continue;
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]);
      y1 = std::max(y1, s.y[i]);
    }
  }
  fit(x, x0, x1, false);
  if (!y.log && y0 > 0 && y0 < 0.3 * y1) y0 = 0;
  fit(y, y0, y1, true);
  Frame f = begin_frame(id, size, x, y, c.title, c.xlabel, c.ylabel);
  std::vector<ImVec2> pts;
  std::vector<std::string> labels;
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    const exp::Series& s = c.series[k];
    labels.push_back(s.label);
    if (!opt.visible.empty() && !opt.visible[k]) continue;
    const ImU32 col = series_color(static_cast<int>(k));
    const std::size_t n = std::min(s.x.size(), s.y.size());
    // one vertex per pixel column at most: keep each column's min and max
    pts.clear();
    float last_px = -1e9f, lo = 0, hi = 0;
    auto flush = [&]() {
      if (last_px > -1e8f) {
        pts.push_back(ImVec2(last_px, lo));
        if (hi != lo) pts.push_back(ImVec2(last_px, hi));
      }
    };
    for (std::size_t i = 0; i < n; ++i) {
      if (!plottable(s.x[i], x.log) || !plottable(s.y[i], y.log)) {
        flush();
        last_px = -1e9f;
        if (pts.size() > 1) f.dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, 0, 2.0f);
        pts.clear();
        continue;
      }
      const float px = std::floor(x.to_px(s.x[i])), py = y.to_px(s.y[i]);
      if (px != last_px) {
        flush();
        last_px = px;
        lo = hi = py;
      } else {
        lo = std::min(lo, py);
        hi = std::max(hi, py);
      }
    }
    flush();
    if (pts.size() > 1) f.dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, 0, 2.0f);
    if (n <= 50) {
      for (std::size_t i = 0; i < n; ++i) {
        if (plottable(s.x[i], x.log) && plottable(s.y[i], y.log))
          f.dl->AddCircleFilled(ImVec2(x.to_px(s.x[i]), y.to_px(s.y[i])), 2.5f, col);
      }
    }
  }
  if (opt.marker_x && std::isfinite(*opt.marker_x)) {
    const float px = x.to_px(*opt.marker_x);
    f.dl->AddLine(ImVec2(px, f.a0.y), ImVec2(px, f.a1.y), IM_COL32(255, 80, 80, 255), 2.0f);
  }
  if (opt.cursor && f.in.hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    f.dl->AddLine(ImVec2(m.x, f.a0.y), ImVec2(m.x, f.a1.y), IM_COL32(255, 255, 255, 90));
    std::string tip = c.xlabel + " = " + short_number(f.in.x);
    for (std::size_t k = 0; k < c.series.size(); ++k) {
      if (!opt.visible.empty() && !opt.visible[k]) continue;
      const double v = series_value_at(c.series[k], f.in.x);
      if (std::isfinite(v)) {
        f.dl->AddCircle(ImVec2(m.x, y.to_px(std::max(v, y.log ? y.lo : v))), 4, series_color(static_cast<int>(k)));
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.5g", v);
        tip += "\n" + c.series[k].label + ": " + buf;
      }
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
  legend(f, labels, opt.visible);
  f.dl->PopClipRect();
  return f.in;
}

PlotInput histogram_plot(const char* id, const exp::Histogram& h, ImVec2 size, const std::vector<bool>& visible) {
  Axis x, y;
  y.log = h.log_y;
  double y0 = INFINITY, y1 = -INFINITY;
  for (std::size_t k = 0; k < h.series.size(); ++k) {
    if (!visible.empty() && !visible[k]) continue;
    for (double c : h.series[k].counts) {
      if (!plottable(c, y.log)) continue;
      y0 = std::min(y0, c);
      y1 = std::max(y1, c);
    }
  }
  fit(x, h.edges.empty() ? 0.0 : h.edges.front(), h.edges.empty() ? 1.0 : h.edges.back(), false);
  if (!y.log) y0 = 0;
  if (y.log && y0 < INFINITY) y0 = std::max(0.5, y0 * 0.7);
  fit(y, y0, y1 * (y.log ? 1.5 : 1.05), false);
  Frame f = begin_frame(id, size, x, y, h.title, h.xlabel, y.log ? "count (log)" : "count");
  std::vector<std::string> labels;
  const float base = f.a1.y;
  for (std::size_t k = 0; k < h.series.size(); ++k) {
    labels.push_back(h.series[k].label);
    if (!visible.empty() && !visible[k]) continue;
    const auto& cnt = h.series[k].counts;
    const ImU32 fill = series_color(static_cast<int>(k), 0.25f), line = series_color(static_cast<int>(k));
    std::vector<ImVec2> outline;
    for (std::size_t b = 0; b < cnt.size() && b + 1 < h.edges.size(); ++b) {
      const float l = x.to_px(h.edges[b]), r = x.to_px(h.edges[b + 1]);
      const float top = plottable(cnt[b], y.log) ? std::min(base, y.to_px(cnt[b])) : base;
      if (top < base) f.dl->AddRectFilled(ImVec2(l, top), ImVec2(r, base), fill);
      outline.push_back(ImVec2(l, top));
      outline.push_back(ImVec2(r, top));
    }
    if (outline.size() > 1) f.dl->AddPolyline(outline.data(), static_cast<int>(outline.size()), line, 0, 1.0f);
  }
  if (f.in.hovered && h.edges.size() > 1) {
    const auto it = std::upper_bound(h.edges.begin(), h.edges.end(), f.in.x);
    const std::size_t b = static_cast<std::size_t>(std::max<std::ptrdiff_t>(1, it - h.edges.begin()) - 1);
    if (b + 1 < h.edges.size()) {
      std::string tip = "bin [" + short_number(h.edges[b]) + ", " + short_number(h.edges[b + 1]) + ")";
      for (const auto& s : h.series) {
        if (b < s.counts.size()) tip += "\n" + s.label + ": " + short_number(s.counts[b]);
      }
      ImGui::SetTooltip("%s", tip.c_str());
    }
  }
  legend(f, labels, visible);
  f.dl->PopClipRect();
  return f.in;
}

HeatCell heat_map(const char* id, std::span<const double> cells, int rows, int cols, double lo, double hi,
                  ImVec2 size) {
  HeatCell hc;
  size = resolve_size(size);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (rows <= 0 || cols <= 0) return hc;
  const float bar = 18;  // colour bar at the right
  const float cw = (size.x - bar - 8) / cols, ch = size.y / rows;
  auto colour = [&](double v) -> ImU32 {
    if (!std::isfinite(v)) return IM_COL32(90, 90, 90, 255);
    const float t = static_cast<float>(std::clamp((v - lo) / (hi > lo ? hi - lo : 1.0), 0.0, 1.0));
    // dark blue (M=6) to orange (M=4)
    return IM_COL32(static_cast<int>(20 + 215 * t), static_cast<int>(40 + 110 * t), static_cast<int>(110 - 90 * t), 255);
  };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const ImVec2 a(p.x + c * cw, p.y + r * ch);
      dl->AddRectFilled(a, ImVec2(a.x + cw + 0.5f, a.y + ch + 0.5f), colour(cells[static_cast<std::size_t>(r * cols + c)]));
    }
  }
  for (int k = 0; k < 32; ++k) {
    const float y0 = p.y + size.y * k / 32, y1 = p.y + size.y * (k + 1) / 32;
    dl->AddRectFilled(ImVec2(p.x + size.x - bar, y0), ImVec2(p.x + size.x, y1), colour(hi - (hi - lo) * (k + 0.5) / 32));
  }
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int c = static_cast<int>((m.x - p.x) / cw), r = static_cast<int>((m.y - p.y) / ch);
    if (c >= 0 && c < cols && r >= 0 && r < rows) {
      hc = {r, c};
      dl->AddRect(ImVec2(p.x + c * cw, p.y + r * ch), ImVec2(p.x + (c + 1) * cw, p.y + (r + 1) * ch),
                  IM_COL32(255, 255, 255, 255), 0, 0, 2);
    }
  }
  return hc;
}

PlotInput bar_chart(const char* id, const std::vector<std::string>& series_labels,
                    const std::vector<std::vector<double>>& values, ImVec2 size) {
  Axis x, y;
  double y0 = 0, y1 = 0;
  std::size_t groups = 0;
  for (const auto& s : values) {
    groups = std::max(groups, s.size());
    for (double v : s) {
      if (!std::isfinite(v)) continue;
      y0 = std::min(y0, v);
      y1 = std::max(y1, v);
    }
  }
  fit(x, -0.5, std::max<double>(0.5, double(groups) - 0.5), false);
  fit(y, y0, y1, true);
  Frame f = begin_frame(id, size, x, y, "Per-element error (dequantized - x)", "element index", "error");
  const float zero = y.to_px(0.0);
  const std::size_t ns = std::max<std::size_t>(1, values.size());
  const float gw = (x.to_px(1.0) - x.to_px(0.0)) * 0.8f;
  for (std::size_t k = 0; k < values.size(); ++k) {
    for (std::size_t g = 0; g < values[k].size(); ++g) {
      const double v = values[k][g];
      if (!std::isfinite(v)) continue;
      const float l = x.to_px(double(g)) - gw / 2 + gw * k / ns;
      const float py = y.to_px(v);
      f.dl->AddRectFilled(ImVec2(l, std::min(py, zero)), ImVec2(l + gw / ns - 1, std::max(py, zero) + 0.5f),
                          series_color(static_cast<int>(k)));
    }
  }
  f.dl->AddLine(ImVec2(f.a0.x, zero), ImVec2(f.a1.x, zero), IM_COL32(220, 220, 220, 160));
  if (f.in.hovered) {
    const long g = std::lround(f.in.x);
    if (g >= 0 && static_cast<std::size_t>(g) < groups) {
      std::string tip = "element " + std::to_string(g);
      for (std::size_t k = 0; k < values.size(); ++k) {
        if (static_cast<std::size_t>(g) < values[k].size()) {
          char buf[48];
          std::snprintf(buf, sizeof buf, "%.6g", values[k][static_cast<std::size_t>(g)]);
          tip += "\n" + (k < series_labels.size() ? series_labels[k] : std::string("?")) + ": " + buf;
        }
      }
      ImGui::SetTooltip("%s", tip.c_str());
    }
  }
  legend(f, series_labels, {});
  f.dl->PopClipRect();
  return f.in;
}

PlotInput number_line(const char* id, const std::vector<NumberLineRow>& rows, NumberLineView& view, ImVec2 size) {
  Axis x, y;
  x.log = false;  // the view's lo/hi are already log10 |x| when view.log
  x.lo = view.lo;
  x.hi = view.hi;
  y.lo = 0;
  y.hi = std::max<double>(1, double(rows.size()));
  size = resolve_size(size);
  Frame f = begin_frame(id, size, x, y, view.log ? "values, log10 |x| (wheel: zoom, drag: pan)"
                                                 : "values (wheel: zoom, drag: pan)",
                        view.log ? "log10 |value|" : "value", "", false);
  const float rh = (f.a1.y - f.a0.y) / std::max<float>(1, static_cast<float>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const float top = f.a0.y + rh * r, mid = top + rh / 2;
    const ImU32 col = series_color(static_cast<int>(r));
    f.dl->AddLine(ImVec2(f.a0.x, mid), ImVec2(f.a1.x, mid), IM_COL32(120, 120, 120, 120));
    for (double v : rows[r].values) {
      if (!std::isfinite(v)) continue;
      double u = v;
      if (view.log) {
        if (v <= 0) continue;
        u = std::log10(v);
      }
      if (u < view.lo || u > view.hi) continue;
      const float px = x.to_px(u);
      f.dl->AddLine(ImVec2(px, mid - rh * 0.3f), ImVec2(px, mid + rh * 0.3f), col, 1.5f);
    }
    f.dl->AddText(ImVec2(f.a0.x + 4, top + 2), IM_COL32(235, 235, 235, 255), rows[r].label.c_str());
  }
  // zoom around the mouse with the wheel, pan by dragging
  ImGuiIO& io = ImGui::GetIO();
  if (f.in.hovered && io.MouseWheel != 0) {
    const double k = io.MouseWheel > 0 ? 0.8 : 1.25, c = f.in.x;
    view.lo = c + (view.lo - c) * k;
    view.hi = c + (view.hi - c) * k;
  }
  if (f.in.dragging && io.MouseDelta.x != 0) {
    const double per_px = (view.hi - view.lo) / std::max(1.0f, f.a1.x - f.a0.x);
    view.lo -= io.MouseDelta.x * per_px;
    view.hi -= io.MouseDelta.x * per_px;
  }
  if (f.in.hovered) {
    const double v = view.log ? std::pow(10.0, f.in.x) : f.in.x;
    std::string tip = "x = " + short_number(v);
    for (const auto& row : rows) {
      double best = NAN, dist = INFINITY;
      for (double w : row.values) {
        if (!std::isfinite(w) || (view.log && w <= 0)) continue;
        const double d = view.log ? std::fabs(std::log10(w) - f.in.x) : std::fabs(w - v);
        if (d < dist) {
          dist = d;
          best = w;
        }
      }
      if (std::isfinite(best)) tip += "\n" + row.label + ": nearest " + short_number(best);
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
  f.dl->PopClipRect();
  return f.in;
}

}  // namespace fp4lab::gui
