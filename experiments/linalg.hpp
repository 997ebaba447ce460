// FP32 matrix products on the CPU with Eigen, deterministic for any thread count (used by the
// gemm experiment and the language-model forward pass).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace fp4lab::exp {

/// Y (m x n) = A (m x k) · B (n x k)^T in FP32, all row-major. Eigen runs single-threaded on
/// fixed 64-row slices of A with fixed cache sizes, so its blocking (and so the order of every
/// sum) depends only on the shapes, not on the host's caches or the thread count (across
/// machines: for binaries built with the same SIMD flags).
void gemm_abt(std::span<const float> a, std::span<const float> b, std::span<float> y, std::int64_t m,
              std::int64_t n, std::int64_t k, int threads);

/// The same, returning Y.
std::vector<float> gemm_abt(const std::vector<float>& a, const std::vector<float>& b, std::int64_t m,
                            std::int64_t n, std::int64_t k, int threads);

}  // namespace fp4lab::exp
