// FP32 matrix products with Eigen on fixed row slices (linalg.hpp).
#include "experiments/linalg.hpp"

#include <algorithm>
#include <stdexcept>

#include <Eigen/Core>

#include "core/parallel.hpp"

namespace fp4lab::exp {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void gemm_abt(std::span<const float> a, std::span<const float> b, std::span<float> y, std::int64_t m,
              std::int64_t n, std::int64_t k, int threads) {
  if (static_cast<std::int64_t>(a.size()) != m * k || static_cast<std::int64_t>(b.size()) != n * k ||
      static_cast<std::int64_t>(y.size()) != m * n) {
    throw std::invalid_argument("gemm_abt: operand sizes do not match m, n, k");
  }
  Eigen::initParallel();
  Eigen::setNbThreads(1);
  Eigen::setCpuCacheSizes(32 * 1024, 1024 * 1024, 8 * 1024 * 1024);
  const Eigen::Map<const RowMatrix> ma(a.data(), m, k), mb(b.data(), n, k);
  constexpr std::int64_t kSlice = 64;
  core::parallel_for((m + kSlice - 1) / kSlice, threads, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t s = begin; s < end; ++s) {
      const std::int64_t r0 = s * kSlice, rows = std::min(kSlice, m - r0);
      Eigen::Map<RowMatrix> my(y.data() + r0 * n, rows, n);
      my.noalias() = ma.middleRows(r0, rows) * mb.transpose();
    }
  });
}

std::vector<float> gemm_abt(const std::vector<float>& a, const std::vector<float>& b, std::int64_t m,
                            std::int64_t n, std::int64_t k, int threads) {
  std::vector<float> y(static_cast<std::size_t>(m * n));
  gemm_abt(std::span<const float>(a), std::span<const float>(b), std::span<float>(y), m, n, k, threads);
  return y;
}

}  // namespace fp4lab::exp
