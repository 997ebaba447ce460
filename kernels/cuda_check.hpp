// The one CUDA error check of the host drivers: throws std::runtime_error("what: CUDA's message").
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace fp4lab::kernels {

/// Throws std::runtime_error("what: CUDA's message") unless `e` is cudaSuccess.
inline void cuda_check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

}  // namespace fp4lab::kernels
