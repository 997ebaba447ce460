// CUDA twin of formats::quantize_block: one thread per 1-D block, calling the same
// header-only functions the CPU uses (FP4LAB_HD), so both compute the same bits.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "formats/philox.hpp"
#include "kernels/block_quantize.hpp"
#include "kernels/cuda_check.hpp"

namespace fp4lab::kernels {
namespace {

constexpr int kMaxBlock = formats::kMaxBlockSize;

__global__ void quantize_blocks_kernel(formats::Recipe recipe, formats::TensorScale ts, const float* x,
                                       std::int64_t blocks, std::uint8_t* codes, float* dequant,
                                       std::uint8_t* scale_codes) {
  const std::int64_t b = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (b >= blocks) return;
  const int n = recipe.block_size;
  std::uint32_t bits[kMaxBlock];
  const bool stochastic = recipe.rounding != formats::ElementRounding::kNearestEven;
  if (stochastic) {
    for (int i = 0; i < n; ++i) bits[i] = formats::rounding_bits(recipe.seed, static_cast<std::uint64_t>(b * n + i));
  }
  formats::BlockIO io{x + b * n, n, stochastic ? bits : nullptr, codes + b * n, dequant + b * n};
  const formats::BlockRecord rec = formats::quantize_block(recipe, ts, io);
  scale_codes[b] = rec.scale.code;
}

}  // namespace

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // no driver or no device: clear the sticky error, report none
    return 0;
  }
  return n;
}

void fake_quantize_blocks(const formats::Recipe& recipe, const formats::TensorScale& ts, const std::vector<float>& x,
                          std::vector<std::uint8_t>& codes, std::vector<float>& dequant,
                          std::vector<std::uint8_t>& scale_codes) {
  if (device_count() == 0) throw std::runtime_error("no CUDA device");
  const int n = recipe.block_size;
  if (n < formats::kMinBlockSize || n > kMaxBlock || x.size() % static_cast<std::size_t>(n) != 0) {
    throw std::invalid_argument("length " + std::to_string(x.size()) + " is not a multiple of the block size " +
                                std::to_string(n));
  }
  const std::int64_t blocks = static_cast<std::int64_t>(x.size()) / n;
  codes.assign(x.size(), 0);
  dequant.assign(x.size(), 0.0f);
  scale_codes.assign(static_cast<std::size_t>(blocks), 0);
  float *dx = nullptr, *dq = nullptr;
  std::uint8_t *dc = nullptr, *ds = nullptr;
  auto free_all = [&] {
    cudaFree(dx);
    cudaFree(dq);
    cudaFree(dc);
    cudaFree(ds);
  };
  try {
    cuda_check(cudaMalloc(&dx, x.size() * sizeof(float)), "cudaMalloc");
    cuda_check(cudaMalloc(&dq, x.size() * sizeof(float)), "cudaMalloc");
    cuda_check(cudaMalloc(&dc, x.size()), "cudaMalloc");
    cuda_check(cudaMalloc(&ds, static_cast<std::size_t>(blocks)), "cudaMalloc");
    cuda_check(cudaMemcpy(dx, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice), "copy in");
    const int threads = 128;
    const unsigned grid = static_cast<unsigned>((blocks + threads - 1) / threads);
    quantize_blocks_kernel<<<grid, threads>>>(recipe, ts, dx, blocks, dc, dq, ds);
    cuda_check(cudaGetLastError(), "kernel launch");
    cuda_check(cudaDeviceSynchronize(), "kernel");
    cuda_check(cudaMemcpy(codes.data(), dc, x.size(), cudaMemcpyDeviceToHost), "copy out");
    cuda_check(cudaMemcpy(dequant.data(), dq, x.size() * sizeof(float), cudaMemcpyDeviceToHost), "copy out");
    cuda_check(cudaMemcpy(scale_codes.data(), ds, static_cast<std::size_t>(blocks), cudaMemcpyDeviceToHost),
               "copy out");
  } catch (...) {
    free_all();
    throw;
  }
  free_all();
}

}  // namespace fp4lab::kernels
