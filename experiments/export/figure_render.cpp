// Figures through Cairo (see figure_render.hpp): one drawing code for every surface: grid, the
// data clipped to the plot area, frame, texts, ticks, legend; heat maps and bar charts alike.
#include "experiments/export/figure_render.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "core/split.hpp"
#include "experiments/export/cairo_draw.hpp"

namespace fp4lab::exp {
namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t s) {
  if (s != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(s));
  }
}

/// Runs `draw` on a fresh surface of `format` and returns the file's bytes.
template <class Draw>
std::string render(ImageFormat format, Draw draw) {
  std::string out;
  cairo_surface_t* surface = nullptr;
  double scale = 1;
  switch (format) {
    case ImageFormat::svg:
      surface = cairo_svg_surface_create_for_stream(append, &out, kFigureWidth, kFigureHeight);
      cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
      break;
    case ImageFormat::pdf:
      surface = cairo_pdf_surface_create_for_stream(append, &out, kFigureWidth, kFigureHeight);
      break;
    case ImageFormat::png:
      scale = kPngScale;
      surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                           static_cast<int>(kFigureWidth * scale),
                                           static_cast<int>(kFigureHeight * scale));
      break;
  }
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> s(surface,
                                                                        cairo_surface_destroy);
  check(cairo_surface_status(surface));
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, scale, scale);
  draw(cr);
  const cairo_status_t st = cairo_status(cr);
  cairo_destroy(cr);
  check(st);
  cairo_surface_flush(surface);
  if (format == ImageFormat::png) check(cairo_surface_write_to_png_stream(surface, append, &out));
  cairo_surface_finish(surface);
  check(cairo_surface_status(surface));
  return out;
}

}  // namespace

std::string_view extension(ImageFormat f) {
  switch (f) {
    case ImageFormat::svg:
      return "svg";
    case ImageFormat::png:
      return "png";
    case ImageFormat::pdf:
      return "pdf";
  }
  return "svg";
}

std::vector<ImageFormat> parse_formats(std::string_view list) {
  std::vector<ImageFormat> out;
  for (const std::string_view name : core::split_list(list)) {
    ImageFormat f;
    if (name == "svg") {
      f = ImageFormat::svg;
    } else if (name == "png") {
      f = ImageFormat::png;
    } else if (name == "pdf") {
      f = ImageFormat::pdf;
    } else {
      throw std::invalid_argument("unknown figure format '" + std::string(name) +
                                  "' (expected svg, png or pdf, comma-separated)");
    }
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
  return out;
}

std::string format_list(const std::vector<ImageFormat>& formats) {
  std::string s;
  for (ImageFormat f : formats) s += (s.empty() ? "" : ",") + std::string(extension(f));
  return s;
}

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

plot::Style figure_style() {
  plot::Style s;
  s.figure = {0, 0, kFigureWidth, kFigureHeight};
  s.top = 52;
  s.right = 24;
  s.bottom = 62;
  s.left = 48;  // 14 margin, 16 y label, 10 gap, 8 before the tick labels
  s.tick_font = 11;
  s.legend_font = 12;
  s.text_width = cairo_text_width;
  s.max_points = plot::kMaxPoints;
  return s;
}

std::string render_scene(const plot::Scene& sc, ImageFormat format) {
  return render(format, [&](cairo_t* cr) { draw_scene(cr, sc, {0, 0, kFigureWidth, kFigureHeight}, light_theme()); });
}

std::string histogram_file(const Histogram& h, ImageFormat format) {
  return render_scene(plot::layout(plot::histogram_figure(h), figure_style()), format);
}

std::string curve_file(const Curve& c, ImageFormat format) {
  return render_scene(plot::layout(plot::curve_figure(c), figure_style()), format);
}

std::string heat_map_file(const plot::HeatMap& m, ImageFormat format) {
  return render(format, [&](cairo_t* cr) {
    draw_heat_map(cr, m, {0, 0, kFigureWidth, kFigureHeight}, light_theme());
  });
}

std::string bar_chart_file(const plot::BarChart& b, ImageFormat format) {
  return render(format, [&](cairo_t* cr) {
    draw_bar_chart(cr, b, {0, 0, kFigureWidth, kFigureHeight}, light_theme());
  });
}

}  // namespace fp4lab::exp
