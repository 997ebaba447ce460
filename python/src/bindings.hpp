// The parts of the fp4lab Python module (module.cpp registers each): recipes and whole-tensor
// quantization, element conversions, experiments, and the CUDA path.
#pragma once

#include <nanobind/nanobind.h>

namespace fp4lab::python {

/// Recipe, QuantizedTensor, parse_recipe, recipes, quantize, dequantize, fake_quantize.
void bind_quantize(nanobind::module_& m);
/// Element encoders and decoders (to_element / from_element codes).
void bind_elements(nanobind::module_& m);
/// Experiments: list and run, the Result as JSON text.
void bind_experiments(nanobind::module_& m);
/// The CUDA path over kernels/quantize.hpp (or, in CPU-only builds, functions saying so).
void bind_cuda(nanobind::module_& m);

}  // namespace fp4lab::python
