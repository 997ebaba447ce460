// Synthetic tensors (see synthetic.hpp).
#include "core/synthetic.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/parallel.hpp"
#include "formats/philox.hpp"

namespace fp4lab::core {
namespace {

/// Uniform in [0, 1) for the k-th draw of element i (53 bits).
double draw(std::uint64_t seed, std::uint64_t i, std::uint32_t k) {
  const formats::Philox4 p = formats::philox4x32_10(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
                                                    0x53594E54u /* "SYNT" */, k, static_cast<std::uint32_t>(seed),
                                                    static_cast<std::uint32_t>(seed >> 32));
  const std::uint64_t bits = (static_cast<std::uint64_t>(p.v[0]) << 21) ^ (p.v[1] >> 11);
  return static_cast<double>(bits & ((1ull << 53) - 1)) * 0x1.0p-53;
}

double normal(std::uint64_t seed, std::uint64_t i, std::uint32_t k) {
  const double u1 = 1.0 - draw(seed, i, k), u2 = draw(seed, i, k + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double student_t(std::uint64_t seed, std::uint64_t i, double nu) {
  // Bailey's polar method; draws 2..(2+2*64) are spent on rejections
  for (std::uint32_t k = 2; k < 130; k += 2) {
    const double u = 2.0 * draw(seed, i, k) - 1.0, v = 2.0 * draw(seed, i, k + 1) - 1.0;
    const double w = u * u + v * v;
    if (w > 0.0 && w < 1.0) return u * std::sqrt(nu * (std::pow(w, -2.0 / nu) - 1.0) / w);
  }
  return 0.0;  // probability (1 - pi/4)^64 < 1e-42
}

/// The draws of element i: everything random about it, nothing that scales it.
struct ElementDraw {
  double unit = 0;     ///< the base value at scale 1 (mixture: the unscaled normal)
  double outlier = 0;  ///< signed (0.5 + u) when the element is an outlier, else 0
  bool wide = false;   ///< mixture: the wide component
};

ElementDraw draw_element(const SyntheticSpec& s, std::uint64_t i) {
  ElementDraw d;
  switch (s.distribution) {
    case Distribution::kNormal:
    case Distribution::kMixture:
      d.unit = normal(s.seed, i, 2);
      break;
    case Distribution::kLaplace: {
      const double u = draw(s.seed, i, 2) - 0.5;
      d.unit = (u < 0 ? 1.0 : -1.0) * std::log1p(-2.0 * std::fabs(u));
      break;
    }
    case Distribution::kStudentT:
      d.unit = student_t(s.seed, i, s.nu);
      break;
    case Distribution::kUniform:
      d.unit = 2.0 * draw(s.seed, i, 2) - 1.0;
      break;
    case Distribution::kLogNormal: {
      const double mag = std::exp(s.lognormal_sigma * normal(s.seed, i, 2));
      d.unit = draw(s.seed, i, 4) < 0.5 ? -mag : mag;
      break;
    }
  }
  if (s.distribution == Distribution::kMixture) d.wide = draw(s.seed, i, 4) < s.mixture_weight;
  if (s.outlier_fraction > 0 && draw(s.seed, i, 200) < s.outlier_fraction) {
    d.outlier = (draw(s.seed, i, 201) < 0.5 ? -1.0 : 1.0) * (0.5 + draw(s.seed, i, 202));
  }
  return d;
}

/// exp(spread * z_row): a pure function of the row.
double row_factor(const SyntheticSpec& s, std::int64_t row) {
  return std::exp(s.row_scale_spread * normal(s.seed ^ 0x524F5753ull, static_cast<std::uint64_t>(row), 300));
}

/// The element's value from its draws: the one formula make_synthetic and assemble_synthetic
/// share. Each product is one rounding, in a fixed order (sign flips are exact, so
/// scale * (-sign * L) is the bits of (-scale * sign) * L, and (magnitude * scale) * (sign * h)
/// those of ((sign * magnitude) * scale) * h).
double assemble(const SyntheticSpec& s, const ElementDraw& d, double factor) {
  double v = 0;
  if (d.outlier != 0) {
    v = (s.outlier_magnitude * s.scale) * d.outlier;
  } else if (s.distribution == Distribution::kMixture) {
    v = (s.scale * (d.wide ? s.mixture_scale : 1.0)) * d.unit;
  } else {
    v = s.scale * d.unit;
  }
  return s.row_scale_spread > 0 ? v * factor : v;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("synthetic tensor: " + what);
}

}  // namespace

Distribution parse_distribution(const std::string& name) {
  std::string accepted;
  for (Distribution d : kDistributions) {
    if (name == distribution_name(d)) return d;
    accepted += (accepted.empty() ? "" : ", ") + std::string(distribution_name(d));
  }
  throw std::invalid_argument("unknown distribution '" + name + "'; accepted: " + accepted);
}

std::vector<std::string> distribution_names() {
  std::vector<std::string> out;
  for (Distribution d : kDistributions) out.emplace_back(distribution_name(d));
  return out;
}

const char* distribution_name(Distribution d) {
  switch (d) {
    case Distribution::kNormal:
      return "normal";
    case Distribution::kLaplace:
      return "laplace";
    case Distribution::kStudentT:
      return "student_t";
    case Distribution::kUniform:
      return "uniform";
    case Distribution::kLogNormal:
      return "lognormal";
    case Distribution::kMixture:
      return "mixture";
  }
  return "?";
}

namespace {

void validate(const SyntheticSpec& s) {
  require(!s.shape.empty() && s.shape.size() <= 4, "shape must have 1 to 4 dimensions");
  for (std::int64_t d : s.shape) require(d > 0, "every dimension must be positive, got " + shape_string(s.shape));
  const std::int64_t n = shape_numel(s.shape);
  require(n <= (std::int64_t{1} << 34), "at most 2^34 elements, got " + std::to_string(n));
  require(std::isfinite(s.scale) && s.scale > 0 && s.scale < 1e30, "scale must be in (0, 1e30)");
  require(std::isfinite(s.nu) && s.nu > 0 && s.nu <= 1e6, "nu must be in (0, 1e6]");
  require(std::isfinite(s.lognormal_sigma) && s.lognormal_sigma >= 0 && s.lognormal_sigma <= 10,
          "lognormal_sigma must be in [0, 10]");
  require(s.mixture_weight >= 0 && s.mixture_weight <= 1, "mixture_weight must be in [0, 1]");
  require(std::isfinite(s.mixture_scale) && s.mixture_scale > 0 && s.mixture_scale < 1e6, "mixture_scale must be in (0, 1e6)");
  require(s.outlier_fraction >= 0 && s.outlier_fraction <= 1, "outlier_fraction must be in [0, 1]");
  require(std::isfinite(s.outlier_magnitude) && s.outlier_magnitude >= 0 && s.outlier_magnitude < 1e6,
          "outlier_magnitude must be in [0, 1e6)");
  require(std::isfinite(s.row_scale_spread) && s.row_scale_spread >= 0 && s.row_scale_spread <= 10,
          "row_scale_spread must be in [0, 10]");
}

/// Fills t over all cores: element i is assemble(spec, at(i), factor of its row).
template <class At>
void fill(Tensor& t, const SyntheticSpec& s, int threads, const At& at, const std::vector<double>* factors) {
  const std::int64_t cols = s.shape.back();
  parallel_for(t.numel(), threads, [&](std::int64_t b, std::int64_t e) {
    std::int64_t factor_row = -1;  // the row whose scale factor `factor` holds
    double factor = 1.0;
    for (std::int64_t i = b; i < e; ++i) {
      if (s.row_scale_spread > 0 && i / cols != factor_row) {  // drawn once per row
        factor_row = i / cols;
        factor = factors ? (*factors)[static_cast<std::size_t>(factor_row)] : row_factor(s, factor_row);
      }
      t.set(i, static_cast<float>(assemble(s, at(i), factor)));
    }
  });
}

}  // namespace

Tensor make_synthetic(const SyntheticSpec& s, int threads) {
  validate(s);
  Tensor t(s.dtype, s.shape);
  fill(t, s, threads, [&s](std::int64_t i) { return draw_element(s, static_cast<std::uint64_t>(i)); }, nullptr);
  return t;
}

SyntheticDraws draw_synthetic(const SyntheticSpec& s, int threads) {
  validate(s);
  SyntheticDraws d;
  d.spec = s;
  const std::int64_t n = shape_numel(s.shape), cols = s.shape.back();
  d.unit.resize(static_cast<std::size_t>(n));
  d.outlier.resize(static_cast<std::size_t>(n));
  if (s.distribution == Distribution::kMixture) d.wide.resize(static_cast<std::size_t>(n));
  parallel_for(n, threads, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const ElementDraw one = draw_element(s, static_cast<std::uint64_t>(i));
      const auto k = static_cast<std::size_t>(i);
      d.unit[k] = one.unit;
      d.outlier[k] = one.outlier;
      if (!d.wide.empty()) d.wide[k] = one.wide ? 1 : 0;
    }
  });
  if (s.row_scale_spread > 0) {
    d.row_factor.resize(static_cast<std::size_t>(n / cols));
    for (std::int64_t r = 0; r < n / cols; ++r) d.row_factor[static_cast<std::size_t>(r)] = row_factor(s, r);
  }
  return d;
}

bool same_draws(const SyntheticSpec& a, const SyntheticSpec& b) {
  return a.distribution == b.distribution && a.shape == b.shape && a.dtype == b.dtype && a.seed == b.seed &&
         a.nu == b.nu && a.lognormal_sigma == b.lognormal_sigma && a.mixture_weight == b.mixture_weight &&
         a.outlier_fraction == b.outlier_fraction && a.row_scale_spread == b.row_scale_spread;
}

Tensor assemble_synthetic(const SyntheticDraws& d, const SyntheticSpec& s, int threads) {
  validate(s);
  require(same_draws(d.spec, s), "the draws were made for " + describe(d.spec) + ", not for " + describe(s) +
                                 " (only scale, mixture_scale and outlier_magnitude may differ)");
  const auto n = static_cast<std::size_t>(shape_numel(s.shape));
  const bool complete = d.unit.size() == n && d.outlier.size() == n &&
                        d.wide.size() == (s.distribution == Distribution::kMixture ? n : 0) &&
                        (s.row_scale_spread > 0 ? d.row_factor.size() == n / static_cast<std::size_t>(s.shape.back())
                                                : d.row_factor.empty());
  require(complete, "the draws for " + describe(d.spec) + " are incomplete");
  Tensor t(s.dtype, s.shape);
  fill(
      t, s, threads,
      [&d](std::int64_t i) {
        const auto k = static_cast<std::size_t>(i);
        return ElementDraw{d.unit[k], d.outlier[k], !d.wide.empty() && d.wide[k] != 0};
      },
      &d.row_factor);
  return t;
}

std::string describe(const SyntheticSpec& s) {
  std::ostringstream o;
  o << distribution_name(s.distribution) << "(scale=" << s.scale;
  if (s.distribution == Distribution::kStudentT) o << ", nu=" << s.nu;
  if (s.distribution == Distribution::kLogNormal) o << ", sigma=" << s.lognormal_sigma;
  if (s.distribution == Distribution::kMixture) o << ", weight=" << s.mixture_weight << ", wide=" << s.mixture_scale;
  o << ")";
  if (s.outlier_fraction > 0) o << " outliers(" << s.outlier_fraction << ", x" << s.outlier_magnitude << ")";
  if (s.row_scale_spread > 0) o << " row_spread=" << s.row_scale_spread;
  o << " " << shape_string(s.shape) << " " << dtype_name(s.dtype) << " seed=" << s.seed;
  return o.str();
}

}  // namespace fp4lab::core
