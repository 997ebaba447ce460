// Synthetic tensors (see synthetic.hpp): Philox draws (batched over chunks of elements with SIMD
// where it is on), Box-Muller and friends per element, in the one scalar formula.
#include "core/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/parallel.hpp"
#include "core/simd/simd.hpp"
#include "formats/philox.hpp"

namespace fp4lab::core {
namespace {

/// The counter word that keeps synthetic draws apart from other Philox streams.
constexpr std::uint32_t kStream = 0x53594E54u;  // "SYNT"

/// Uniform in [0, 1) from 53 random bits.
double unit_of(std::uint64_t bits53) { return static_cast<double>(bits53) * 0x1.0p-53; }

/// Uniform in [0, 1) for the k-th draw of element i (53 bits).
double draw(std::uint64_t seed, std::uint64_t i, std::uint32_t k) {
  const formats::Philox4 p = formats::philox4x32_10(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
                                                    kStream, k, static_cast<std::uint32_t>(seed),
                                                    static_cast<std::uint32_t>(seed >> 32));
  const std::uint64_t bits = (static_cast<std::uint64_t>(p.v[0]) << 21) ^ (p.v[1] >> 11);
  return unit_of(bits & ((1ull << 53) - 1));
}

// Box-Muller in three parts, so that a chunk can run each over all its elements in turn.
/// log(u1) of Box-Muller, u1 = 1 - draw k.
double box_muller_log(double draw_k) { return std::log(1.0 - draw_k); }
/// cos(2 pi u2) of Box-Muller, u2 = draw k + 1.
double box_muller_cos(double draw_k1) { return std::cos(2.0 * M_PI * draw_k1); }
/// sqrt(-2 log(u1)) cos(2 pi u2) from the two parts.
double box_muller_of(double log_u1, double cos_u2) { return std::sqrt(-2.0 * log_u1) * cos_u2; }

/// Box-Muller from the draws k and k + 1 of one element.
double box_muller(double draw_k, double draw_k1) {
  return box_muller_of(box_muller_log(draw_k), box_muller_cos(draw_k1));
}

double normal(std::uint64_t seed, std::uint64_t i, std::uint32_t k) {
  return box_muller(draw(seed, i, k), draw(seed, i, k + 1));
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

/// Element i's draws, its uniform draw k being u(k) and box_muller(u(2), u(3)) being z(): the one
/// formula of the scalar and the batched paths.
template <class Uniform, class Normal>
ElementDraw element_from(const SyntheticSpec& s, std::uint64_t i, const Uniform& u, const Normal& z) {
  ElementDraw d;
  switch (s.distribution) {
    case Distribution::kNormal:
    case Distribution::kMixture:
      d.unit = z();
      break;
    case Distribution::kLaplace: {
      const double v = u(2) - 0.5;
      d.unit = (v < 0 ? 1.0 : -1.0) * std::log1p(-2.0 * std::fabs(v));
      break;
    }
    case Distribution::kStudentT:
      d.unit = student_t(s.seed, i, s.nu);
      break;
    case Distribution::kUniform:
      d.unit = 2.0 * u(2) - 1.0;
      break;
    case Distribution::kLogNormal: {
      const double mag = std::exp(s.lognormal_sigma * z());
      d.unit = u(4) < 0.5 ? -mag : mag;
      break;
    }
  }
  if (s.distribution == Distribution::kMixture) d.wide = u(4) < s.mixture_weight;
  if (s.outlier_fraction > 0 && u(200) < s.outlier_fraction) {
    d.outlier = (u(201) < 0.5 ? -1.0 : 1.0) * (0.5 + u(202));
  }
  return d;
}

ElementDraw draw_element(const SyntheticSpec& s, std::uint64_t i) {
  const auto u = [&](std::uint32_t k) { return draw(s.seed, i, k); };
  return element_from(s, i, u, [&] { return box_muller(u(2), u(3)); });
}

/// Elements whose draws one batch computes together.
constexpr std::int64_t kChunk = 512;

/// The draws of elements [b, b + n) (n <= kChunk) into out: the Philox words of the draws every
/// element takes (k = 2, 3, 4 and the outlier test 200, as the distribution needs them) computed
/// for the whole chunk at once with SIMD, the rest per element; the bits of draw_element.
void draw_chunk(const SyntheticSpec& s, std::int64_t b, std::int64_t n, ElementDraw* out) {
  if (!simd::enabled()) {
    for (std::int64_t j = 0; j < n; ++j) out[j] = draw_element(s, static_cast<std::uint64_t>(b + j));
    return;
  }
  const Distribution dist = s.distribution;
  const bool student = dist == Distribution::kStudentT;
  const bool two = !student, three = two && dist != Distribution::kLaplace && dist != Distribution::kUniform;
  const bool four = dist == Distribution::kMixture || dist == Distribution::kLogNormal;
  const bool outliers = s.outlier_fraction > 0;
  std::uint64_t bits[4][kChunk];  // draws 2, 3, 4, 200
  double log_u1[kChunk], cos_u2[kChunk], z[kChunk];  // box_muller's parts over the chunk
  const auto first = static_cast<std::uint64_t>(b);
  if (two) simd::philox_draws(s.seed, first, n, kStream, 2, bits[0]);
  if (three) simd::philox_draws(s.seed, first, n, kStream, 3, bits[1]);
  if (four) simd::philox_draws(s.seed, first, n, kStream, 4, bits[2]);
  if (outliers) simd::philox_draws(s.seed, first, n, kStream, 200, bits[3]);
  if (three) {  // box_muller in passes: the libm calls back to back, then sqrt and the product
    for (std::int64_t j = 0; j < n; ++j) log_u1[j] = box_muller_log(unit_of(bits[0][j]));
    for (std::int64_t j = 0; j < n; ++j) cos_u2[j] = box_muller_cos(unit_of(bits[1][j]));
    for (std::int64_t j = 0; j < n; ++j) z[j] = box_muller_of(log_u1[j], cos_u2[j]);
  }
  for (std::int64_t j = 0; j < n; ++j) {
    const std::uint64_t i = first + static_cast<std::uint64_t>(j);
    out[j] = element_from(s, i, [&](std::uint32_t k) {
      switch (k) {  // the batched draws (element_from asks only for those the flags above hold)
        case 2:
          return unit_of(bits[0][j]);
        case 3:
          return unit_of(bits[1][j]);
        case 4:
          return unit_of(bits[2][j]);
        case 200:
          return unit_of(bits[3][j]);
        default:
          return draw(s.seed, i, k);
      }
    }, [&] { return z[j]; });
  }
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

/// Fills t over all cores, kChunk elements at a time: draws_of(b, n, out) gives the draws of
/// elements [b, b + n), and element i is assemble(spec, its draws, factor of its row).
template <class DrawsOf>
void fill(Tensor& t, const SyntheticSpec& s, int threads, const DrawsOf& draws_of, const std::vector<double>* factors) {
  const std::int64_t cols = s.shape.back();
  parallel_for(t.numel(), threads, [&](std::int64_t b, std::int64_t e) {
    std::int64_t factor_row = -1;  // the row whose scale factor `factor` holds
    double factor = 1.0;
    ElementDraw d[kChunk];
    float v[kChunk];
    for (std::int64_t c = b; c < e; c += kChunk) {
      const std::int64_t n = std::min(kChunk, e - c);
      draws_of(c, n, d);
      for (std::int64_t j = 0; j < n; ++j) {
        const std::int64_t i = c + j;
        if (s.row_scale_spread > 0 && i / cols != factor_row) {  // drawn once per row
          factor_row = i / cols;
          factor = factors ? (*factors)[static_cast<std::size_t>(factor_row)] : row_factor(s, factor_row);
        }
        v[j] = static_cast<float>(assemble(s, d[j], factor));
      }
      for (std::int64_t j = 0; j < n; ++j) t.set(c + j, v[j]);
    }
  });
}

}  // namespace

Tensor make_synthetic(const SyntheticSpec& s, int threads) {
  validate(s);
  Tensor t = Tensor::uninitialized(s.dtype, s.shape);  // fill writes every element
  fill(t, s, threads, [&s](std::int64_t b, std::int64_t n, ElementDraw* out) { draw_chunk(s, b, n, out); }, nullptr);
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
    ElementDraw chunk[kChunk];
    for (std::int64_t c = b; c < e; c += kChunk) {
      const std::int64_t m = std::min(kChunk, e - c);
      draw_chunk(s, c, m, chunk);
      for (std::int64_t j = 0; j < m; ++j) {
        const auto k = static_cast<std::size_t>(c + j);
        d.unit[k] = chunk[j].unit;
        d.outlier[k] = chunk[j].outlier;
        if (!d.wide.empty()) d.wide[k] = chunk[j].wide ? 1 : 0;
      }
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
  Tensor t = Tensor::uninitialized(s.dtype, s.shape);  // fill writes every element
  fill(
      t, s, threads,
      [&d](std::int64_t b, std::int64_t n, ElementDraw* out) {
        for (std::int64_t j = 0; j < n; ++j) {
          const auto k = static_cast<std::size_t>(b + j);
          out[j] = ElementDraw{d.unit[k], d.outlier[k], !d.wide.empty() && d.wide[k] != 0};
        }
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
