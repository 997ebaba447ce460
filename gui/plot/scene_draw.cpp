// Drawing the plot model's Scene with ImDrawList (see scene_draw.hpp). Dark-theme chrome (grid,
// frame, text); the series colours, ticks, labels and legend rows come from the Scene.
#include "gui/plot/scene_draw.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace fp4lab::gui {
namespace {

namespace plot = exp::plot;

ImVec2 v2(double x, double y) { return ImVec2(static_cast<float>(x), static_cast<float>(y)); }

/// A tick label with its top-left corner at `at`: base, then the superscript smaller and raised.
void tick_label(ImDrawList* dl, const plot::TickLabel& l, ImVec2 at, ImU32 col) {
  ImFont* font = ImGui::GetFont();
  const float fs = ImGui::GetFontSize();
  dl->AddText(font, fs, at, col, l.base.c_str());
  if (l.sup.empty()) return;
  const float w = ImGui::CalcTextSize(l.base.c_str()).x;
  dl->AddText(font, fs * 0.75f, ImVec2(at.x + w + 1, at.y - fs * 0.3f), col, l.sup.c_str());
}

float label_width(const plot::TickLabel& l) {
  const float w = ImGui::CalcTextSize(l.base.c_str()).x;
  return l.sup.empty() ? w : w + 1 + 0.75f * ImGui::CalcTextSize(l.sup.c_str()).x;
}

/// A polyline in the model's dash pattern `dash` (0: solid), the pattern running on across
/// vertices.
void dashed_polyline(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 col, std::size_t dash,
                     float thickness) {
  if (pts.size() < 2) return;
  const auto& pattern = plot::kDashes[dash % plot::kDashes.size()];
  if (pattern[0] <= 0) {
    dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, 0, thickness);
    return;
  }
  std::size_t k = 0;         // the pattern entry being drawn (even: on, odd: off)
  double left = pattern[0];  // pixels left of it
  for (std::size_t i = 1; i < pts.size(); ++i) {
    const ImVec2 a = pts[i - 1], b = pts[i];
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    double at = 0;
    while (at < len) {
      const double step = std::min(left, len - at);
      if (k % 2 == 0) {
        const auto f0 = static_cast<float>(at / len), f1 = static_cast<float>((at + step) / len);
        dl->AddLine(ImVec2(a.x + (b.x - a.x) * f0, a.y + (b.y - a.y) * f0),
                    ImVec2(a.x + (b.x - a.x) * f1, a.y + (b.y - a.y) * f1), col, thickness);
      }
      at += step;
      left -= step;
      if (left <= 0) {
        k = (k + 1) % pattern.size();
        if (pattern[k] <= 0) k = 0;  // patterns are 0-terminated
        left = pattern[k];
      }
    }
  }
}

void draw_grid_and_ticks(ImDrawList* dl, const plot::Scene& sc) {
  const plot::Box& a = sc.area;
  const plot::Axis &x = sc.figure.x, &y = sc.figure.y;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 major = IM_COL32(128, 128, 128, 50), minor = IM_COL32(128, 128, 128, 22);
  const ImU32 mark = IM_COL32(140, 140, 140, 255);
  // no filled plot background: under llvmpipe every large blended area costs milliseconds
  for (double t : x.minor) {
    const double px = sc.x_px(t);
    dl->AddLine(v2(px, a.y0), v2(px, a.y1), minor);
    dl->AddLine(v2(px, a.y1), v2(px, a.y1 + 3), mark);
  }
  for (double t : y.minor) {
    const double py = sc.y_px(t);
    dl->AddLine(v2(a.x0, py), v2(a.x1, py), minor);
    dl->AddLine(v2(a.x0 - 3, py), v2(a.x0, py), mark);
  }
  const float fs = ImGui::GetFontSize();
  for (std::size_t i = 0; i < x.major.size(); ++i) {
    const double px = sc.x_px(x.major[i]);
    dl->AddLine(v2(px, a.y0), v2(px, a.y1), major);
    dl->AddLine(v2(px, a.y1), v2(px, a.y1 + 5), mark);
    tick_label(dl, x.labels[i], v2(px - label_width(x.labels[i]) / 2, a.y1 + 5), text);
  }
  for (std::size_t i = 0; i < y.major.size(); ++i) {
    const double py = sc.y_px(y.major[i]);
    dl->AddLine(v2(a.x0, py), v2(a.x1, py), major);
    dl->AddLine(v2(a.x0 - 5, py), v2(a.x0, py), mark);
    tick_label(dl, y.labels[i], v2(a.x0 - 7 - label_width(y.labels[i]), py - fs / 2), text);
  }
}

void draw_data(ImDrawList* dl, const plot::Scene& sc) {
  std::vector<ImVec2> pts;
  for (const plot::Steps& st : sc.steps) {
    const plot::FigureSeries& s = sc.figure.series[st.series];
    if (sc.figure.kind == plot::SeriesKind::bars) {
      for (const plot::Bar& b : st.bars) {
        dl->AddRectFilled(v2(b.x0, std::min(b.top, st.base)),
                          v2(b.x1 - 1, std::max(b.top, st.base) + 0.5), to_imgui(s.colour));
      }
      continue;
    }
    const ImU32 fill = to_imgui(s.colour, static_cast<float>(plot::kFillOpacity));
    pts.clear();
    pts.push_back(v2(st.bars.front().x0, st.base));
    for (const plot::Bar& b : st.bars) {
      if (s.fill && b.top < st.base) dl->AddRectFilled(v2(b.x0, b.top), v2(b.x1, st.base), fill);
      pts.push_back(v2(b.x0, b.top));
      pts.push_back(v2(b.x1, b.top));
    }
    pts.push_back(v2(st.bars.back().x1, st.base));
    dashed_polyline(dl, pts, to_imgui(s.colour), s.dash, 1.5f);
  }
  for (const plot::Line& l : sc.lines) {
    const plot::FigureSeries& s = sc.figure.series[l.series];
    pts.clear();
    for (const plot::Point& p : l.points) pts.push_back(v2(p.x, p.y));
    dashed_polyline(dl, pts, to_imgui(s.colour), s.dash, 2.0f);
  }
  for (const plot::Dot& d : sc.dots) {
    dl->AddCircleFilled(v2(d.at.x, d.at.y), static_cast<float>(d.radius),
                        to_imgui(sc.figure.series[d.series].colour));
  }
}

}  // namespace

void draw_legend(ImDrawList* dl, const plot::Scene& sc) {
  const plot::Legend& lg = sc.legend;
  if (lg.rows.empty()) return;
  dl->AddRectFilled(v2(lg.box.x0, lg.box.y0), v2(lg.box.x1, lg.box.y1), IM_COL32(20, 22, 28, 220));
  dl->AddRect(v2(lg.box.x0, lg.box.y0), v2(lg.box.x1, lg.box.y1), IM_COL32(110, 110, 110, 255));
  const float fs = ImGui::GetFontSize();
  for (const plot::LegendRow& r : lg.rows) {
    const plot::FigureSeries& s = sc.figure.series[r.series];
    const ImU32 col = to_imgui(s.colour);
    if (s.fill) {
      const ImVec2 a = v2(r.swatch_x0 + 2, r.cy - 5), b = v2(r.swatch_x1 - 2, r.cy + 5);
      dl->AddRectFilled(a, b,
                        to_imgui(s.colour, static_cast<float>(plot::fill_opacity(sc.figure.kind))));
      dl->AddRect(a, b, col, 0, 0, 1.5f);
    } else {
      dashed_polyline(dl, {v2(r.swatch_x0, r.cy), v2(r.swatch_x1, r.cy)}, col, s.dash, 2.0f);
      if (s.markers) dl->AddCircleFilled(v2((r.swatch_x0 + r.swatch_x1) / 2, r.cy), 2.5f, col);
    }
    dl->AddText(v2(r.text_x, r.cy - fs / 2), IM_COL32(230, 230, 230, 255), s.label.c_str());
  }
}

ImU32 to_imgui(plot::Rgb c, float a) {
  return IM_COL32(c.r, c.g, c.b, static_cast<int>(std::clamp(a, 0.0f, 1.0f) * 255));
}

plot::Style gui_style(ImVec2 pos, ImVec2 size) {
  plot::Style s;
  s.figure = {pos.x, pos.y, pos.x + size.x, pos.y + size.y};
  s.top = 22;
  s.right = 12;
  s.bottom = 38;
  s.left = 12;
  s.tick_font = ImGui::GetFontSize();
  s.legend_font = ImGui::GetFontSize();
  s.text_width = [](std::string_view text, double font_size) {
    const std::string t(text);
    return ImGui::CalcTextSize(t.c_str()).x * font_size / ImGui::GetFontSize();
  };
  return s;
}

void draw_scene(ImDrawList* dl, const plot::Scene& sc, LegendPass legend) {
  const plot::Box& a = sc.area;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  if (sc.figure.has_data) draw_grid_and_ticks(dl, sc);
  dl->PushClipRect(v2(a.x0, a.y0), v2(a.x1 + 1, a.y1 + 1), true);
  draw_data(dl, sc);
  dl->PopClipRect();
  dl->AddRect(v2(a.x0, a.y0), v2(a.x1, a.y1), IM_COL32(140, 140, 140, 255));
  const float top = static_cast<float>(a.y0) - 19;
  dl->AddText(v2(a.x0, top), text, sc.figure.title.c_str());
  const float xw = ImGui::CalcTextSize(sc.figure.xlabel.c_str()).x;
  dl->AddText(v2((a.x0 + a.x1 - xw) / 2, a.y1 + 5 + ImGui::GetFontSize() + 2), text,
              sc.figure.xlabel.c_str());
  if (!sc.figure.ylabel.empty()) {
    const float yw = ImGui::CalcTextSize(sc.figure.ylabel.c_str()).x;
    dl->AddText(v2(a.x1 - yw, top), IM_COL32(190, 190, 190, 255), sc.figure.ylabel.c_str());
  }
  if (!sc.figure.has_data) {
    const float w = ImGui::CalcTextSize("no data").x;
    dl->AddText(v2((a.x0 + a.x1 - w) / 2, (a.y0 + a.y1) / 2 - 7), IM_COL32(150, 150, 150, 255),
                "no data");
  }
  if (legend == LegendPass::with_scene) draw_legend(dl, sc);
}

}  // namespace fp4lab::gui
