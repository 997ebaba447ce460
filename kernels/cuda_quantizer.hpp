// The CUDA device quantizer (core/device_quantizer.hpp) over kernels/quantize.hpp: what the CLI
// and the GUI install as the "cuda" device when built with the CUDA part.
#pragma once

#include <memory>

#include "core/device_quantizer.hpp"

namespace fp4lab::kernels {

/// The CUDA quantizer on device 0; throws std::runtime_error without a GPU ("cuda: no CUDA
/// device"). Pass it to core::set_device_quantizer_factory.
std::unique_ptr<core::DeviceQuantizer> make_cuda_quantizer();

}  // namespace fp4lab::kernels
