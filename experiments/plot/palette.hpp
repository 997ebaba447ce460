// The plot model's colours: one series palette (Okabe & Ito 2008, colour-blind safe) with dash
// patterns beyond it, and the heat-map ramp. Both the Cairo export and the GUI take colours here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace fp4lab::exp::plot {

/// An opaque sRGB colour.
struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;  ///< channels, 0..255
  bool operator==(const Rgb&) const = default;
};

/// Twelve series colours: the Okabe-Ito eight (colour-blind safe) first, ordered so the first
/// ones contrast most, then brown, purple, olive and teal; black is replaced by a mid grey
/// (readable on the export's white and the GUI's dark background) and yellow, faint on white,
/// is last. Exported figures add a marker shape per series (cairo_draw.hpp) on top.
inline constexpr std::array<Rgb, 12> kPalette = {{{0x00, 0x72, 0xB2},
                                                  {0xD5, 0x5E, 0x00},
                                                  {0x00, 0x9E, 0x73},
                                                  {0xE6, 0x9F, 0x00},
                                                  {0xCC, 0x79, 0xA7},
                                                  {0x56, 0xB4, 0xE9},
                                                  {0x8C, 0x56, 0x4B},
                                                  {0xAA, 0x44, 0x99},
                                                  {0x99, 0x99, 0x33},
                                                  {0x44, 0xAA, 0x99},
                                                  {0x88, 0x88, 0x88},
                                                  {0xF0, 0xE4, 0x42}}};

/// Dash patterns (on/off pixel lengths, 0-terminated) of series beyond the palette:
/// series i uses kDashes[i / 12 % 4]; the first is solid.
inline constexpr std::array<std::array<double, 4>, 4> kDashes = {
    {{0, 0, 0, 0}, {7, 3, 0, 0}, {2, 2, 0, 0}, {8, 3, 2, 3}}};

/// Opacity of a histogram's fill under its outline.
inline constexpr double kFillOpacity = 0.25;

/// The colour of series i (cycled over kPalette; negative i count from the end).
Rgb series_colour(std::ptrdiff_t i);

/// The dash pattern index of series i (0: solid).
std::size_t series_dash(std::size_t i);

/// "#RRGGBB" of a colour (upper-case hex).
std::string hex(Rgb c);

/// The heat-map ramp at t in [0, 1] (clamped): dark blue at 0 to orange at 1.
Rgb heat_colour(double t);

/// The colour of a cell with no value (NaN) on a heat map.
inline constexpr Rgb kNoValue = {90, 90, 90};

}  // namespace fp4lab::exp::plot
