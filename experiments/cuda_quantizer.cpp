// The CUDA device quantizer of experiments/device.hpp over kernels/quantize.hpp. Built into
// the `fp4lab` CLI (and the GPU tests) only with the CUDA part.
#include <cuda_runtime.h>

#include <cstring>
#include <stdexcept>

#include "core/metrics.hpp"
#include "experiments/device.hpp"
#include "kernels/block_quantize.hpp"
#include "kernels/metrics.hpp"
#include "kernels/quantize.hpp"

namespace fp4lab::exp {
namespace {

kernels::GpuDType gpu_dtype(core::DType d) { return static_cast<kernels::GpuDType>(static_cast<int>(d)); }

core::Tensor f32_tensor(const std::vector<std::uint8_t>& bytes, const std::vector<std::int64_t>& shape) {
  core::Tensor t(core::DType::kF32, shape);
  if (bytes.size() != t.size_bytes()) throw std::runtime_error("cuda: output size mismatch");
  std::memcpy(t.data(), bytes.data(), bytes.size());
  return t;
}

class CudaQuantizer : public DeviceQuantizer {
 public:
  CudaQuantizer() {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) throw std::runtime_error("cuda: no device");
    name_ = std::string("cuda (") + prop.name + ", sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ")";
  }
  std::string name() const override { return name_; }

  core::QuantizedTensor quantize(const core::TensorView& x, const formats::Recipe& r) const override {
    core::validate_recipe(r);
    kernels::GpuQuantized g;
    std::string error;
    if (!kernels::gpu_quantize(r, formats::ScaleLayout::kRowMajor, gpu_dtype(x.dtype()), x.data(), x.rows(),
                               x.cols(), g, error)) {
      throw std::runtime_error("cuda quantize: " + error);
    }
    core::QuantizedTensor q;
    q.recipe = r;
    q.layout = g.layout;
    q.shape = x.shape();
    q.rows = g.shape.rows;
    q.cols = g.shape.cols;
    q.padded_cols = g.shape.padded_cols;
    q.scale_cols = g.shape.scale_cols;
    q.codes = std::move(g.codes);
    q.scales = std::move(g.scales);
    q.group_scales = std::move(g.group_scales);
    q.zero_points = std::move(g.zero_points);
    q.tensor_scale = g.tensor_scale;
    q.nonfinite = core::tensor_stats(x).nonfinite;
    return q;
  }

  core::Tensor dequantize(const core::QuantizedTensor& q) const override {
    kernels::GpuQuantized g;
    g.recipe = q.recipe;
    g.layout = q.layout;
    g.shape = kernels::quantized_shape(q.recipe, q.layout, q.rows, q.cols);
    g.codes = q.codes;
    g.scales = q.scales;
    g.group_scales = q.group_scales;
    g.zero_points = q.zero_points;
    g.tensor_scale = q.tensor_scale;
    std::vector<std::uint8_t> out;
    std::string error;
    if (!kernels::gpu_dequantize(g, kernels::GpuDType::kF32, out, error)) {
      throw std::runtime_error("cuda dequantize: " + error);
    }
    return f32_tensor(out, q.shape);
  }

  core::Tensor fake_quantize(const core::TensorView& x, const formats::Recipe& r) const override {
    core::validate_recipe(r);
    std::vector<std::uint8_t> out;
    std::string error;
    if (!kernels::gpu_fake_quantize(r, gpu_dtype(x.dtype()), x.data(), x.rows(), x.cols(),
                                    kernels::GpuDType::kF32, out, error)) {
      throw std::runtime_error("cuda fake-quantize: " + error);
    }
    return f32_tensor(out, x.shape());
  }

  DeviceEvaluation evaluate(const core::TensorView& x, const formats::Recipe& r, double rms, int bins) const override {
    core::validate_recipe(r);
    kernels::GpuEvaluation g;
    std::string error;
    if (!kernels::gpu_evaluate(r, gpu_dtype(x.dtype()), x.data(), x.rows(), x.cols(), 1.0 / rms, bins, g, error)) {
      throw std::runtime_error("cuda evaluate: " + error);
    }
    DeviceEvaluation e;
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

std::unique_ptr<DeviceQuantizer> make_cuda_quantizer() {
  if (kernels::device_count() == 0) throw std::runtime_error("cuda: no CUDA device");
  return std::make_unique<CudaQuantizer>();
}

}  // namespace fp4lab::exp
