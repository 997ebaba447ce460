// Stress tensors for cross-checks (tests/support/stress_tensors.hpp).
#include "tests/support/stress_tensors.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "core/random.hpp"

namespace fp4lab::testing {

using core::fill_normal;
using core::uniform01;

Tensor scale_jump_tensor(DType dtype, std::int64_t rows, std::int64_t cols, std::uint64_t seed) {
  std::vector<float> v(static_cast<std::size_t>(rows * cols));
  fill_normal(v, seed);
  const int lo = dtype == DType::kF16 ? -14 : -40, hi = dtype == DType::kF16 ? 10 : 40;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double u = uniform01(seed ^ 0x5CA1Eull, i / 16);
    v[i] = std::ldexp(v[i], lo + static_cast<int>(u * (hi - lo + 1)));
  }
  return Tensor::from_floats(v, dtype, {rows, cols});
}

Tensor edge_value_tensor(DType dtype, std::int64_t rows, std::int64_t cols, NonFinite nonfinite) {
  constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
  constexpr float kInf = std::numeric_limits<float>::infinity();
  std::vector<float> edges = {2688.0f, 6.0f,  0.25f,   0.75f,  1.25f,   1.75f, 2.5f,   3.5f,
                              5.0f,    -0.25f, -0.75f, -2.5f,  -5.0f,   0.0f,  -0.0f,  1e-40f,
                              -1e-40f, 1.4e-45f, 9.2e-41f, 5.96e-8f, 6.1e-5f, 464.0f, 448.0f, 480.0f,
                              -464.0f, 65504.0f, 1e-8f,   -6.0f,  3.0f,    0.5f,  7.0f,   0.125f};
  if (nonfinite == NonFinite::kInclude) edges.insert(edges.end(), {kNan, -kNan, kInf, -kInf});
  if (dtype != DType::kF16) edges.push_back(1e30f);
  std::vector<float> v(static_cast<std::size_t>(rows * cols));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = edges[(i * 7 + i / 13) % edges.size()];
  return Tensor::from_floats(v, dtype, {rows, cols});
}

}  // namespace fp4lab::testing
