// Host API of the CUDA block quantizer: the formats/ block functions run on the GPU over
// 1-D blocks of a float array, for cross-checking against the CPU (the GPU twin of
// formats::quantize_block). Throws std::runtime_error when no usable GPU is present.
#pragma once

#include <cstdint>
#include <vector>

#include "formats/block.hpp"

namespace fp4lab::kernels {

/// Number of CUDA devices (0 when the driver has none or is absent).
int device_count();

/// Quantizes x (n values, n a multiple of recipe.block_size) in 1-D blocks on the GPU with the
/// given tensor scale: codes (one per byte), dequantized values and per-block scale codes.
/// Stochastic rounding bits come from formats::rounding_bits(seed, index), as on the CPU.
/// Throws std::runtime_error (no device, CUDA error) or std::invalid_argument (bad length).
void fake_quantize_blocks(const formats::Recipe& recipe, const formats::TensorScale& ts,
                          const std::vector<float>& x, std::vector<std::uint8_t>& codes,
                          std::vector<float>& dequant, std::vector<std::uint8_t>& scale_codes);

}  // namespace fp4lab::kernels
