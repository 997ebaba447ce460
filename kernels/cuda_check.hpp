// The one CUDA error check of the host drivers: false with "what: CUDA's message" in `error`.
#pragma once

#include <cuda_runtime.h>

#include <string>

namespace fp4lab::kernels {

inline bool cuda_check(cudaError_t e, const char* what, std::string& error) {
  if (e == cudaSuccess) return true;
  error = std::string(what) + ": " + cudaGetErrorString(e);
  return false;
}

}  // namespace fp4lab::kernels
