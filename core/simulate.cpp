// Simulated quantization of whole tensors and the threshold sweep (see simulate.hpp).
#include "core/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "formats/philox.hpp"

namespace fp4lab::core {
namespace {

using formats::Recipe;

/// How a tensor is cut into 1-D blocks (the 1-D, no-RHT case of quantize.cpp's plan).
struct Blocks {
  std::int64_t rows = 0, cols = 0, padded_cols = 0, row_blocks = 0;
  int bs = 16;
  bool stochastic = false;
  std::int64_t count() const { return rows * row_blocks; }
};

Blocks make_blocks(const TensorView& x, const Recipe& r) {
  validate_simulate_recipe(r);
  if (x.numel() == 0) {
    throw std::invalid_argument("empty tensor: nothing to simulate (shape " +
                                shape_string(x.shape()) + ")");
  }
  Blocks b;
  b.rows = x.rows();
  b.cols = x.cols();
  b.bs = r.block_size;
  b.stochastic = r.rounding != formats::ElementRounding::kNearestEven;
  const QuantizedSizes sizes = quantized_sizes(r, formats::ScaleLayout::kRowMajor, b.rows, b.cols);
  b.padded_cols = sizes.padded_cols;
  b.row_blocks = sizes.scale_cols;
  return b;
}

/// Reads block `k` as floats (zeros past the row's end) and its stochastic-rounding bits,
/// which are quantize.cpp's: rounding_bits(seed, row * padded_cols + column). Returns the
/// number of real (unpadded) values.
int read_block(const TensorView& x, const Blocks& b, const Recipe& r, std::int64_t k, float* buf,
               std::uint32_t* bits) {
  const std::int64_t row = k / b.row_blocks, c0 = (k % b.row_blocks) * b.bs;
  const std::int64_t avail = std::clamp<std::int64_t>(b.cols - c0, 0, b.bs);
  x.to_float(row * b.cols + c0, std::span<float>(buf, static_cast<std::size_t>(avail)));
  std::fill(buf + avail, buf + b.bs, 0.0f);
  if (b.stochastic) {
    const std::uint64_t base = static_cast<std::uint64_t>(row * b.padded_cols + c0);
    for (int i = 0; i < b.bs; ++i) bits[i] = formats::rounding_bits(r.seed, base + i);
  }
  return static_cast<int>(avail);
}

/// The tensor scale the recipe uses for x (amax over the whole tensor).
formats::TensorScale scale_of(const TensorView& x, const Recipe& r, int threads) {
  return formats::tensor_scale(r, tensor_amax(x, r, threads));
}

}  // namespace

void validate_simulate_recipe(const Recipe& r) {
  if (!formats::simulate_supported(r)) {
    throw std::invalid_argument(
        "simulated quantization supports NVFP4 te and the 4/6 recipes, not " + recipe_to_spec(r));
  }
  if (r.shape != formats::BlockShape::k1D) {
    throw std::invalid_argument("simulated quantization supports 1-D blocks only, not 2d (" +
                                recipe_to_spec(r) + ")");
  }
  if (r.transform != formats::Transform::kNone) {
    throw std::invalid_argument("simulated quantization does not support the RHT (" +
                                recipe_to_spec(r) + ")");
  }
  validate_recipe(r);
}

Tensor simulate_quantize(const TensorView& x, const Recipe& recipe,
                         const formats::SimulateOptions& options, DType out, int threads) {
  const Blocks b = make_blocks(x, recipe);
  if (std::isnan(options.threshold)) {
    throw std::invalid_argument("simulate_quantize: the threshold is NaN");
  }
  const formats::TensorScale ts = scale_of(x, recipe, threads);
  Tensor result(out, x.shape());
  float* f32 = out == DType::kF32 ? reinterpret_cast<float*>(result.data()) : nullptr;
  parallel_for(b.count(), threads, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> buf(static_cast<std::size_t>(b.bs)), deq(static_cast<std::size_t>(b.bs));
    std::vector<std::uint32_t> bits(b.stochastic ? b.bs : 0);
    for (std::int64_t k = begin; k < end; ++k) {
      const int avail = read_block(x, b, recipe, k, buf.data(), bits.data());
      formats::simulate_quantize_block(
          recipe, ts, options,
          formats::BlockIO{buf.data(), b.bs, b.stochastic ? bits.data() : nullptr, nullptr,
                           deq.data()});
      const std::int64_t first = (k / b.row_blocks) * b.cols + (k % b.row_blocks) * b.bs;
      for (int i = 0; i < avail; ++i) deq[static_cast<std::size_t>(i)] = formats::canonical_nan(deq[static_cast<std::size_t>(i)]);
      if (f32) {
        std::copy(deq.begin(), deq.begin() + avail, f32 + first);
      } else {
        for (int i = 0; i < avail; ++i) result.set(first + i, deq[static_cast<std::size_t>(i)]);
      }
    }
  });
  return result;
}

namespace {

/// lower_bound over strictly increasing thresholds for m in [0, 6] in O(1): a table of cells
/// over [0, 6] gives a starting index that is then corrected by comparisons, so the answer is
/// exactly std::lower_bound's whatever the table's rounding.
class ThresholdIndex {
 public:
  explicit ThresholdIndex(const std::vector<float>& t) : t_(t), start_(kCells) {
    for (int c = 0; c < kCells; ++c) {
      const float lo = static_cast<float>(6.0 * c / kCells);
      start_[static_cast<std::size_t>(c)] =
          static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), lo) - t.begin());
    }
  }
  /// The first k with t_k >= m.
  std::size_t lower_bound(float m) const {
    const int c = std::clamp(static_cast<int>(m * (kCells / 6.0f)), 0, kCells - 1);
    std::size_t k = start_[static_cast<std::size_t>(c)];
    while (k > 0 && t_[k - 1] >= m) --k;
    while (k < t_.size() && t_[k] < m) ++k;
    return k;
  }

 private:
  static constexpr int kCells = 8192;
  const std::vector<float>& t_;
  std::vector<std::size_t> start_;
};

/// One chunk's per-bin sums. Below: bin k0 = first k with t_k >= m (quantized for k >= k0);
/// above: bin u = first k with t_k > m (quantized for k < u). Bin K means "never" / "always".
struct SweepPart {
  std::vector<double> q_below, h_below, q_above, h_above, n_below, n_above;
  double sse_q = 0, sse_h = 0, sum_x2 = 0;
  std::int64_t count = 0, nonfinite = 0;
  explicit SweepPart(std::size_t bins)
      : q_below(bins, 0.0),
        h_below(bins, 0.0),
        q_above(bins, 0.0),
        h_above(bins, 0.0),
        n_below(bins, 0.0),
        n_above(bins, 0.0) {}
};

}  // namespace

ThresholdSweep threshold_sweep(const TensorView& x, const Recipe& recipe,
                               const std::vector<float>& thresholds,
                               const formats::SimulateOptions& options, int threads) {
  const Blocks b = make_blocks(x, recipe);
  if (thresholds.empty()) throw std::invalid_argument("threshold_sweep: no thresholds");
  for (std::size_t k = 0; k < thresholds.size(); ++k) {
    if (!std::isfinite(thresholds[k]) || (k > 0 && !(thresholds[k] > thresholds[k - 1]))) {
      throw std::invalid_argument(
          "threshold_sweep: thresholds must be finite and strictly increasing");
    }
  }
  const formats::TensorScale ts = scale_of(x, recipe, threads);
  const std::size_t nt = thresholds.size(), bins = nt + 1;
  const ThresholdIndex hint(thresholds);
  // fixed chunks of blocks (a function of the tensor size only), at most 64 of them
  const std::int64_t nb = b.count();
  const std::int64_t chunk = std::max<std::int64_t>(1024, (nb + 63) / 64);
  const std::int64_t nchunks = (nb + chunk - 1) / chunk;
  std::vector<SweepPart> parts(static_cast<std::size_t>(nchunks), SweepPart(bins));
  parallel_for(nchunks, threads, [&](std::int64_t cb, std::int64_t ce) {
    std::vector<float> buf(static_cast<std::size_t>(b.bs));
    std::vector<std::uint32_t> bits(b.stochastic ? b.bs : 0);
    for (std::int64_t c = cb; c < ce; ++c) {
      SweepPart& p = parts[static_cast<std::size_t>(c)];
      for (std::int64_t k = c * chunk; k < std::min(nb, (c + 1) * chunk); ++k) {
        const int avail = read_block(x, b, recipe, k, buf.data(), bits.data());
        const formats::BlockIO io{buf.data(), b.bs, b.stochastic ? bits.data() : nullptr, nullptr,
                                  nullptr};
        const formats::SimulatedScale s = formats::simulate_block_scale(recipe, ts, options, io);
        for (int i = 0; i < avail; ++i) {  // padding is not part of the tensor
          const float xv = buf[static_cast<std::size_t>(i)];
          if (!std::isfinite(xv)) {
            ++p.nonfinite;
            continue;
          }
          const formats::SimulatedElement e =
              formats::simulate_element(recipe, ts, options, s, xv, b.stochastic ? bits[i] : 0u);
          const double dq = double(e.quantized) - xv, dh = double(e.high_precision) - xv;
          const double eq = dq * dq, eh = dh * dh;
          const std::size_t first_ge = hint.lower_bound(e.magnitude);
          const std::size_t first_gt =
              first_ge + (first_ge < nt && thresholds[first_ge] == e.magnitude);
          const std::size_t below =
              options.hp_values ? nt : first_ge;  // hp_values: never quantized
          const std::size_t above = options.hp_values ? 0 : first_gt;
          p.q_below[below] += eq;
          p.h_below[below] += eh;
          p.q_above[above] += eq;
          p.h_above[above] += eh;
          p.n_below[below] += 1.0;
          p.n_above[above] += 1.0;
          p.sse_q += eq;
          p.sse_h += eh;
          p.sum_x2 += double(xv) * xv;
          ++p.count;
        }
      }
    }
  });
  SweepPart total(bins);
  for (const SweepPart& p : parts) {  // in chunk order: the same for any thread count
    for (std::size_t k = 0; k < bins; ++k) {
      total.q_below[k] += p.q_below[k];
      total.h_below[k] += p.h_below[k];
      total.q_above[k] += p.q_above[k];
      total.h_above[k] += p.h_above[k];
      total.n_below[k] += p.n_below[k];
      total.n_above[k] += p.n_above[k];
    }
    total.sse_q += p.sse_q;
    total.sse_h += p.sse_h;
    total.sum_x2 += p.sum_x2;
    total.count += p.count;
    total.nonfinite += p.nonfinite;
  }
  ThresholdSweep out;
  out.thresholds = thresholds;
  out.sse_below.assign(nt, 0.0);
  out.sse_above.assign(nt, 0.0);
  out.quantized_below.assign(nt, 0.0);
  out.quantized_above.assign(nt, 0.0);
  // below at t_k: quantized bins 0..k, HP bins k+1..K; above at t_k: HP bins 0..k, quantized k+1..K
  std::vector<double> q_prefix(bins + 1, 0.0), h_suffix(bins + 1, 0.0), h_prefix(bins + 1, 0.0),
      q_suffix(bins + 1, 0.0), n_prefix(bins + 1, 0.0), n_suffix(bins + 1, 0.0);
  for (std::size_t k = 0; k < bins; ++k) {
    q_prefix[k + 1] = q_prefix[k] + total.q_below[k];
    h_prefix[k + 1] = h_prefix[k] + total.h_above[k];
    n_prefix[k + 1] = n_prefix[k] + total.n_below[k];
  }
  for (std::size_t k = bins; k-- > 0;) {
    h_suffix[k] = h_suffix[k + 1] + total.h_below[k];
    q_suffix[k] = q_suffix[k + 1] + total.q_above[k];
    n_suffix[k] = n_suffix[k + 1] + total.n_above[k];
  }
  for (std::size_t k = 0; k < nt; ++k) {
    out.sse_below[k] = q_prefix[k + 1] + h_suffix[k + 1];
    out.sse_above[k] = h_prefix[k + 1] + q_suffix[k + 1];
    out.quantized_below[k] = n_prefix[k + 1];
    out.quantized_above[k] = n_suffix[k + 1];
  }
  out.sse_quantized = total.sse_q;
  out.sse_high_precision = total.sse_h;
  out.sum_x2 = total.sum_x2;
  out.count = total.count;
  out.nonfinite = total.nonfinite;
  return out;
}

}  // namespace fp4lab::core
