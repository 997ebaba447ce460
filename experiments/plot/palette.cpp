// The series palette, dashes and the heat-map ramp (see palette.hpp).
#include "experiments/plot/palette.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fp4lab::exp::plot {

Rgb series_colour(std::ptrdiff_t i) {
  const auto n = static_cast<std::ptrdiff_t>(kPalette.size());
  return kPalette[static_cast<std::size_t>(((i % n) + n) % n)];
}

std::size_t series_dash(std::size_t i) { return i / kPalette.size() % kDashes.size(); }

std::string hex(Rgb c) { return fmt::format("#{:02X}{:02X}{:02X}", c.r, c.g, c.b); }

Rgb heat_colour(double t) {
  const double u = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
  auto ch = [u](double a, double b) {
    return static_cast<std::uint8_t>(std::lround(a + (b - a) * u));
  };
  return {ch(20, 235), ch(40, 150), ch(110, 20)};
}

}  // namespace fp4lab::exp::plot
