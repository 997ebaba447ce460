// The GUI's plots and the Cairo export draw one plot model: the same Scene gives the exported
// figure its colours and the ImDrawList the same colours; the GUI's palette is the model's.
#include "gui/plot/plot.hpp"

#include <doctest/doctest.h>
#include <imgui.h>

#include <cstdint>
#include <set>
#include <string>

#include "experiments/export/cairo_draw.hpp"
#include "experiments/export/figure_render.hpp"
#include "experiments/plot/layout.hpp"
#include "gui/plot/scene_draw.hpp"
#include "tests/gui/headless_imgui.hpp"

using namespace fp4lab;
namespace plot = fp4lab::exp::plot;

namespace {

/// An ImGui context without a backend, one window open for drawing.
struct HeadlessWindow {
  HeadlessWindow() {
    gui::testing::create_headless_context();
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(1000, 700));
    ImGui::Begin("plot test");
  }
  ~HeadlessWindow() {
    ImGui::End();
    ImGui::Render();
    ImGui::DestroyContext();
  }
  /// The colours of the vertices the window's draw list holds from vertex `from` on.
  static std::set<ImU32> colours(int from = 0) {
    std::set<ImU32> out;
    const ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int i = from; i < dl->VtxBuffer.Size; ++i) out.insert(dl->VtxBuffer[i].col);
    return out;
  }
};

exp::Curve three_series_curve() {
  exp::Curve c;
  c.id = "err";
  c.title = "Error by value";
  c.xlabel = "value";
  c.ylabel = "error";
  c.log_y = true;
  c.series = {{"NVFP4", {1, 2, 3, 4}, {1e-3, 1e-2, 1e-1, 1}},
              {"MXFP4", {1, 2, 3, 4}, {2e-3, 2e-2, 2e-1, 2}},
              {"INT4", {1, 2, 3, 4}, {5e-3, 5e-3, 5e-3, 5e-3}}};
  return c;
}

}  // namespace

TEST_SUITE("gui.plot.model") {
  TEST_CASE("the exported figure and the GUI draw one scene's series colours") {
    HeadlessWindow win;
    const plot::Scene sc = plot::layout(plot::curve_figure(three_series_curve()), exp::figure_style());
    REQUIRE(sc.figure.y.labels.size() >= 3);
    REQUIRE(sc.figure.series.size() == 3);

    // the Cairo figure (any format: one drawing code) shows each series in its model colour
    cairo_surface_t* img =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, exp::kFigureWidth, exp::kFigureHeight);
    cairo_t* cr = cairo_create(img);
    exp::draw_scene(cr, sc, {0, 0, exp::kFigureWidth, exp::kFigureHeight}, exp::light_theme());
    cairo_destroy(cr);
    cairo_surface_flush(img);
    std::set<std::uint32_t> figure_colours;
    const unsigned char* d = cairo_image_surface_get_data(img);
    for (int y = 0; y < exp::kFigureHeight; ++y) {
      for (int x = 0; x < exp::kFigureWidth; ++x) {
        const unsigned char* p = d + y * cairo_image_surface_get_stride(img) + x * 4;
        figure_colours.insert(std::uint32_t(p[2]) << 16 | std::uint32_t(p[1]) << 8 | p[0]);
      }
    }
    cairo_surface_destroy(img);
    for (const plot::FigureSeries& s : sc.figure.series) {
      const std::uint32_t rgb = std::uint32_t(s.colour.r) << 16 | std::uint32_t(s.colour.g) << 8 | s.colour.b;
      CHECK_MESSAGE(figure_colours.count(rgb) == 1, s.label);
    }

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int before = dl->VtxBuffer.Size;
    gui::draw_scene(dl, sc);
    const std::set<ImU32> drawn = HeadlessWindow::colours(before);
    for (const plot::FigureSeries& s : sc.figure.series) {
      CHECK_MESSAGE(drawn.count(gui::to_imgui(s.colour)) == 1, s.label);
    }
  }
  TEST_CASE("the GUI's line plot colours its series from the model's palette, in source order") {
    HeadlessWindow win;
    const int before = ImGui::GetWindowDrawList()->VtxBuffer.Size;
    gui::line_plot("##p", three_series_curve(), ImVec2(600, 300));
    const std::set<ImU32> drawn = HeadlessWindow::colours(before);
    for (int i = 0; i < 3; ++i) {
      CHECK(gui::series_color(i) == gui::to_imgui(plot::series_colour(i)));
      CHECK(drawn.count(gui::series_color(i)) == 1);
    }
    CHECK(drawn.count(gui::series_color(3)) == 0);  // no fourth series
  }
  TEST_CASE("the GUI's layout takes the model's ticks unchanged for its own font") {
    HeadlessWindow win;
    const plot::Figure f = plot::curve_figure(three_series_curve());
    const plot::Scene gui_scene = plot::layout(f, gui::gui_style(ImVec2(10, 10), ImVec2(600, 300)));
    const plot::Scene figure_scene = plot::layout(f, exp::figure_style());
    CHECK(gui_scene.figure.x.labels == figure_scene.figure.x.labels);
    CHECK(gui_scene.figure.y.labels == figure_scene.figure.y.labels);
    CHECK(gui_scene.figure.y.major == figure_scene.figure.y.major);
    REQUIRE(gui_scene.legend.rows.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(gui_scene.legend.rows[i].series == i);
    CHECK(gui_scene.area.x0 > 10);
    CHECK(gui_scene.area.x1 <= 610);
  }
}
