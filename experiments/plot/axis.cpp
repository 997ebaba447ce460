// Axis fitting and nice ticks (see axis.hpp).
#include "experiments/plot/axis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fp4lab::exp::plot {

double Axis::t(double v) const { return log ? std::log10(v) : v; }

double Axis::value(double u) const { return log ? std::pow(10.0, u) : u; }

double nice_step(double raw) {
  const double e = std::floor(std::log10(raw));
  const double p = std::pow(10.0, e);
  const double f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

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

Axis log_axis_around(double dmin, double dmax) {
  const double tlo = std::log10(dmin), thi = std::log10(dmax);
  const double m = thi - tlo < 1e-9 ? 0.5 : 0.04 * (thi - tlo);
  return log_axis(tlo - m, thi + m);
}

Axis log_count_axis(double cmin, double cmax) {
  const double lo = std::floor(std::log10(cmin) - 0.3), thi = std::log10(cmax);
  return log_axis(lo, thi + 0.04 * (thi - lo));
}

Axis value_axis(double dmin, double dmax, bool log) {
  if (log) return log_axis_around(dmin, dmax);
  const double m = 0.04 * (dmax - dmin);
  return linear_axis(dmin >= 0 ? std::max(dmin - m, 0.0) : dmin - m,
                     dmax <= 0 ? std::min(dmax + m, 0.0) : dmax + m, true);
}

}  // namespace fp4lab::exp::plot
