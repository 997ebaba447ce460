// The CUDA device quantizer (kernels/cuda_quantizer.hpp): core::DeviceQuantizer over the host
// drivers of kernels/quantize.hpp and kernels/metrics.hpp, their messages prefixed "cuda ...".
#include "kernels/cuda_quantizer.hpp"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "core/metrics.hpp"
#include "kernels/block_quantize.hpp"
#include "kernels/metrics.hpp"
#include "kernels/quantize.hpp"

namespace fp4lab::kernels {
namespace {

/// Runs `call`, rethrowing any failure as std::runtime_error("what: message").
template <class Call>
auto prefixed(const char* what, const Call& call) {
  try {
    return call();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(what) + ": " + e.what());
  }
}

class CudaQuantizer : public core::DeviceQuantizer {
 public:
  CudaQuantizer() {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess)
      throw std::runtime_error("cuda: no device");
    name_ = std::string("cuda (") + prop.name + ", sm_" + std::to_string(prop.major) +
            std::to_string(prop.minor) + ")";
  }
  std::string name() const override { return name_; }

  core::QuantizedTensor quantize(const core::TensorView& x,
                                 const formats::Recipe& r) const override {
    core::validate_recipe(r);
    core::QuantizedTensor q = prefixed(
        "cuda quantize", [&] { return gpu_quantize(r, formats::ScaleLayout::kRowMajor, x); });
    q.nonfinite = core::tensor_stats(x).nonfinite;
    return q;
  }

  core::Tensor dequantize(const core::QuantizedTensor& q) const override {
    return prefixed("cuda dequantize", [&] { return gpu_dequantize(q, core::DType::kF32); });
  }

  core::Tensor fake_quantize(const core::TensorView& x, const formats::Recipe& r) const override {
    core::validate_recipe(r);
    return prefixed("cuda fake-quantize",
                    [&] { return gpu_fake_quantize(r, x, core::DType::kF32); });
  }

  core::DeviceEvaluation evaluate(const core::TensorView& x, const formats::Recipe& r, double rms,
                                  int bins) const override {
    core::validate_recipe(r);
    const GpuEvaluation g =
        prefixed("cuda evaluate", [&] { return gpu_evaluate(r, x, 1.0 / rms, bins); });
    core::DeviceEvaluation e;
    e.metrics = core::finish_metrics(g.parts);
    e.histograms.err.assign(g.err.begin(), g.err.end());
    e.histograms.rel.assign(g.rel.begin(), g.rel.end());
    e.histograms.scaled.assign(g.scaled.begin(), g.scaled.end());
    return e;
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<core::DeviceQuantizer> make_cuda_quantizer() {
  if (device_count() == 0) throw std::runtime_error("cuda: no CUDA device");
  return std::make_unique<CudaQuantizer>();
}

}  // namespace fp4lab::kernels
