// The whole-tensor quantize kernels for BF16 input (kernels/quantize_launch.cuh).
#include "kernels/quantize_launch.cuh"

namespace fp4lab::kernels::detail {
FP4LAB_INSTANTIATE_QUANTIZE_LAUNCH(core::DType::kBF16)
}  // namespace fp4lab::kernels::detail
