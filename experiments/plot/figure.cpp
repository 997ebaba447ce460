// Figures of curves and histograms (see figure.hpp): which points can be drawn, the data
// ranges, the fitted axes, and the series' styles in legend order.
#include "experiments/plot/figure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fp4lab::exp::plot {
namespace {

bool shown(const std::vector<bool>& visible, std::size_t i) {
  return visible.empty() || i >= visible.size() || visible[i];
}

std::string series_name(const std::string& label, std::size_t i) {
  return label.empty() ? fmt::format("series {}", i + 1) : truncate_utf8(label, kLegendMaxChars);
}

FigureSeries styled(const std::string& label, std::size_t i) {
  FigureSeries s;
  s.label = series_name(label, i);
  s.index = i;
  s.colour = series_colour(static_cast<std::ptrdiff_t>(i));
  s.dash = series_dash(i);
  return s;
}

/// Equal as data: same length, each pair equal or both NaN.
bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  }
  return true;
}

/// For each shown source series, the earlier shown one with equal data (`equal(i, j)`), or i.
template <class Equal>
std::vector<std::size_t> first_equal(std::size_t n, const std::vector<bool>& visible, Equal equal) {
  std::vector<std::size_t> first(n);
  for (std::size_t i = 0; i < n; ++i) {
    first[i] = i;
    if (!shown(visible, i)) continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (shown(visible, j) && first[j] == j && equal(i, j)) {
        first[i] = j;
        break;
      }
    }
  }
  return first;
}

/// Labels of merged series: each series' `same` list gets the others, its label equal_label.
void merge_labels(Figure& f, const std::vector<std::size_t>& first,
                  const std::vector<std::string>& source_labels) {
  for (FigureSeries& s : f.series) {
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < first.size(); ++i) {
      if (first[i] != s.index) continue;
      s.same.push_back(i);
      labels.push_back(series_name(source_labels[i], i));
    }
    if (labels.size() > 1) s.label = equal_label(labels);
  }
}

}  // namespace

std::string equal_label(const std::vector<std::string>& labels) {
  if (labels.empty()) return "";
  if (labels.size() == 1) return labels[0];
  // the longest prefix ending in ':' and suffix starting with ':' that every label shares
  std::size_t pre = labels[0].size(), suf = labels[0].size();
  for (const std::string& l : labels) {
    std::size_t k = 0;
    while (k < pre && k < l.size() && l[k] == labels[0][k]) ++k;
    pre = k;
    k = 0;
    while (k < suf && k < l.size() && l[l.size() - 1 - k] == labels[0][labels[0].size() - 1 - k]) ++k;
    suf = k;
  }
  const std::string& l0 = labels[0];
  const std::size_t colon = pre == 0 ? std::string::npos : l0.rfind(':', pre - 1);
  pre = colon == std::string::npos ? 0 : colon + 1;
  const std::size_t s_at = suf == 0 ? std::string::npos : l0.find(':', l0.size() - suf);
  suf = s_at == std::string::npos ? 0 : l0.size() - s_at;
  for (const std::string& l : labels) {
    if (pre + suf >= l.size()) pre = suf = 0;  // a label would vanish: write each whole
  }
  std::string o = l0.substr(0, pre);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    o += (i ? " = " : "") + labels[i].substr(pre, labels[i].size() - pre - suf);
  }
  return o + l0.substr(l0.size() - suf);
}

bool usable(double v, bool log) {
  return std::isfinite(v) && std::abs(v) < kHuge && (!log || v > 0);
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string truncate_utf8(std::string_view s, std::size_t n) {
  if (utf8_length(s) <= n) return std::string(s);
  std::size_t count = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n - 3) break;
  }
  return std::string(s.substr(0, i)) + "...";
}

Figure curve_figure(const Curve& c, const std::vector<bool>& visible) {
  Figure f;
  f.title = c.title.empty() ? c.id : c.title;
  f.xlabel = c.xlabel;
  f.ylabel = c.ylabel;
  f.kind = SeriesKind::line;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  const std::vector<std::size_t> first =
      first_equal(c.series.size(), visible, [&](std::size_t i, std::size_t j) {
        return same_values(c.series[i].x, c.series[j].x) &&
               same_values(c.series[i].y, c.series[j].y);
      });
  std::vector<std::string> labels;
  for (const Series& src : c.series) labels.push_back(src.label);
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    if (!shown(visible, i) || first[i] != i) continue;
    const Series& src = c.series[i];
    FigureSeries s = styled(src.label, i);
    std::vector<Point> run;
    for (std::size_t k = 0; k < std::min(src.x.size(), src.y.size()); ++k) {
      if (!usable(src.x[k], c.log_x) || !usable(src.y[k], c.log_y)) {
        if (!run.empty()) s.lines.push_back(std::move(run));
        run.clear();  // a skipped point breaks the line
        continue;
      }
      run.push_back({src.x[k], src.y[k]});
      ++s.points;
      xmin = std::min(xmin, src.x[k]);
      xmax = std::max(xmax, src.x[k]);
      ymin = std::min(ymin, src.y[k]);
      ymax = std::max(ymax, src.y[k]);
    }
    if (!run.empty()) s.lines.push_back(std::move(run));
    s.markers = s.points <= kMarkerMaxPoints;
    f.series.push_back(std::move(s));
  }
  merge_labels(f, first, labels);
  f.has_data = xmin <= xmax;
  if (!f.has_data) return f;
  f.x = c.log_x ? log_axis_around(xmin, xmax) : linear_axis(xmin, xmax, false);
  f.y = value_axis(ymin, ymax, c.log_y);
  return f;
}

Figure histogram_figure(const Histogram& h, const std::vector<bool>& visible) {
  Figure f;
  f.title = h.title.empty() ? h.id : h.title;
  f.xlabel = h.xlabel;
  f.ylabel = h.log_y ? "count (log)" : "count";
  f.kind = SeriesKind::steps;
  const std::size_t bins = h.edges.size() < 2 ? 0 : h.edges.size() - 1;
  auto bin_ok = [&](std::size_t b) {
    return usable(h.edges[b], false) && usable(h.edges[b + 1], false) &&
           h.edges[b + 1] > h.edges[b];
  };
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  const std::vector<std::size_t> first =
      first_equal(h.series.size(), visible, [&](std::size_t i, std::size_t j) {
        return same_values(h.series[i].counts, h.series[j].counts);
      });
  std::vector<std::string> labels;
  std::size_t drawn = 0;
  for (std::size_t i = 0; i < h.series.size(); ++i) {
    labels.push_back(h.series[i].label);
    drawn += shown(visible, i) && first[i] == i;
  }
  const bool fill = drawn <= kFillMaxSeries;
  for (std::size_t i = 0; i < h.series.size(); ++i) {
    if (!shown(visible, i) || first[i] != i) continue;
    const HistogramSeries& src = h.series[i];
    FigureSeries s = styled(src.label, i);
    s.fill = fill;
    std::vector<Bin> run;
    for (std::size_t b = 0; b < bins; ++b) {
      if (b >= src.counts.size() || !bin_ok(b) || !usable(src.counts[b], h.log_y)) {
        if (!run.empty()) s.steps.push_back(std::move(run));
        run.clear();
        continue;
      }
      run.push_back({h.edges[b], h.edges[b + 1], src.counts[b]});
      ++s.points;
      xmin = std::min(xmin, h.edges[b]);
      xmax = std::max(xmax, h.edges[b + 1]);
      ymin = std::min(ymin, src.counts[b]);
      ymax = std::max(ymax, src.counts[b]);
    }
    if (!run.empty()) s.steps.push_back(std::move(run));
    f.series.push_back(std::move(s));
  }
  merge_labels(f, first, labels);
  f.has_data = xmax > xmin;
  if (!f.has_data) return f;
  f.x = linear_axis(xmin, xmax, false);
  if (h.log_y) {
    f.y = log_count_axis(ymin, ymax);
  } else {
    ymin = std::min(ymin, 0.0);
    ymax = std::max(ymax, 0.0);
    f.y = linear_axis(ymin, ymax + 0.05 * (ymax - ymin), true);
  }
  return f;
}

Figure bar_figure(std::string title, std::string xlabel, std::string ylabel,
                  const std::vector<std::string>& series_labels,
                  const std::vector<std::vector<double>>& values) {
  Figure f;
  f.title = std::move(title);
  f.xlabel = std::move(xlabel);
  f.ylabel = std::move(ylabel);
  f.kind = SeriesKind::bars;
  f.has_data = true;
  const std::size_t n = std::max(series_labels.size(), values.size());
  const double width = 0.8 / static_cast<double>(std::max<std::size_t>(1, values.size()));
  double ymin = 0, ymax = 0;
  std::size_t groups = 0;
  for (std::size_t i = 0; i < n; ++i) {
    FigureSeries s = styled(i < series_labels.size() ? series_labels[i] : std::string(), i);
    s.fill = true;
    std::vector<Bin> run;
    const std::vector<double>& v = i < values.size() ? values[i] : std::vector<double>{};
    groups = std::max(groups, v.size());
    for (std::size_t g = 0; g < v.size(); ++g) {
      if (!usable(v[g], false)) {
        if (!run.empty()) s.steps.push_back(std::move(run));
        run.clear();
        continue;
      }
      const double x0 = static_cast<double>(g) - 0.4 + width * static_cast<double>(i);
      run.push_back({x0, x0 + width, v[g]});
      ++s.points;
      ymin = std::min(ymin, v[g]);
      ymax = std::max(ymax, v[g]);
    }
    if (!run.empty()) s.steps.push_back(std::move(run));
    f.series.push_back(std::move(s));
  }
  f.x = linear_axis(-0.5, std::max(0.5, static_cast<double>(groups) - 0.5), false);
  f.y = value_axis(ymin, ymax, false);
  return f;
}

}  // namespace fp4lab::exp::plot
