// The compiled part of the fp4lab Python package (fp4lab._fp4lab), thin over core/ and
// experiments/ (and kernels/ when built with CUDA); python/fp4lab/__init__.py wraps it.
#include <nanobind/nanobind.h>

#include "python/src/bindings.hpp"

NB_MODULE(_fp4lab, m) {
  m.doc() = "fp4lab's compiled core: recipes, quantization, element conversions, experiments.";
  m.attr("version") = FP4LAB_VERSION;
  m.attr("git_revision") = FP4LAB_GIT_REVISION;
  fp4lab::python::bind_quantize(m);
  fp4lab::python::bind_elements(m);
  fp4lab::python::bind_experiments(m);
  fp4lab::python::bind_cuda(m);
}
