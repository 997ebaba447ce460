// The launchers of the whole-tensor quantize kernels for one input dtype: included by
// quantize_f32.cu, quantize_bf16.cu and quantize_f16.cu, each instantiating its dtype, so the
// kernel instantiations (minutes of cicc and ptxas per architecture together) compile in three
// translation units in parallel. Declared in kernels/quantize.cuh; called by quantize.cu.
#pragma once

#include "kernels/quantize.cuh"

namespace fp4lab::kernels::detail {

template <core::DType D, Mode M, bool kSR>
void launch_fast_rounding(Path path, unsigned grid, cudaStream_t s, const QuantizeParams& p) {
  constexpr int kT = kThreads;
  if constexpr (kSR) {
    // stochastic rounding has a fast kernel for te only (TE's recipe for gradients); fast_path
    // sends the other stochastic recipes to the generic kernel (the same bits)
    quantize_block_kernel<D, 16, Path::kTe, M, true><<<grid, kT, 0, s>>>(p);
    return;
  } else {
    switch (path) {
      case Path::kTe:
        quantize_block_kernel<D, 16, Path::kTe, M, false><<<grid, kT, 0, s>>>(p);
        break;
      case Path::kFourSixMse:
        quantize_block_kernel<D, 16, Path::kFourSixMse, M, false><<<grid, kT, 0, s>>>(p);
        break;
      case Path::kFourOverSix:
        quantize_block_kernel<D, 16, Path::kFourOverSix, M, false><<<grid, kT, 0, s>>>(p);
        break;
      case Path::kMxfp4:
        quantize_block_kernel<D, 32, Path::kMxfp4, M, false><<<grid, kT, 0, s>>>(p);
        break;
      case Path::kIf4:
        quantize_block_kernel<D, 16, Path::kIf4, M, false><<<grid, kT, 0, s>>>(p);
        break;
      case Path::kAny:
        quantize_block_kernel<D, 16, Path::kAny, M, false><<<grid, kT, 0, s>>>(p);
        break;
    }
  }
}

template <core::DType D, Mode M>
void launch_fast(Path path, unsigned grid, cudaStream_t s, const QuantizeParams& p) {
  if (p.recipe.rounding == formats::ElementRounding::kNearestEven) {
    launch_fast_rounding<D, M, false>(path, grid, s, p);
  } else {
    launch_fast_rounding<D, M, true>(path, grid, s, p);
  }
}

template <core::DType D, Mode M>
void launch_unit(unsigned grid, cudaStream_t s, const QuantizeParams& p) {
  quantize_unit_kernel<D, M><<<grid, kThreads, 0, s>>>(p);
}

/// Instantiates the launchers of one input dtype, both modes.
#define FP4LAB_INSTANTIATE_QUANTIZE_LAUNCH(D)                                                         \
  template void launch_fast<D, Mode::kQuantize>(Path, unsigned, cudaStream_t, const QuantizeParams&); \
  template void launch_fast<D, Mode::kFake>(Path, unsigned, cudaStream_t, const QuantizeParams&);     \
  template void launch_unit<D, Mode::kQuantize>(unsigned, cudaStream_t, const QuantizeParams&);       \
  template void launch_unit<D, Mode::kFake>(unsigned, cudaStream_t, const QuantizeParams&);

}  // namespace fp4lab::kernels::detail
