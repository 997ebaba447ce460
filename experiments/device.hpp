// Where an experiment quantizes: on the CPU (core/quantize.hpp), or on a device quantizer that
// the `fp4lab` CLI installs when it is built with the CUDA part (experiments/cuda_quantizer.cpp).
// The device twin gives the same bits (`fp4lab verify`), so results do not depend on the device.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <vector>

#include "core/metrics.hpp"
#include "core/quantize.hpp"

namespace fp4lab::exp {

/// A recipe's error metrics and histogram counts on one tensor (the `compare` figures).
struct DeviceEvaluation {
  core::ErrorMetrics metrics;
  core::ErrorHistograms histograms;  ///< `scaled` empty when the recipe gives no codes
};

/// A whole-tensor quantizer on another device; every call throws std::runtime_error on failure.
class DeviceQuantizer {
 public:
  virtual ~DeviceQuantizer() = default;
  /// e.g. "cuda (NVIDIA H200, sm_90)".
  virtual std::string name() const = 0;
  /// The twin of core::quantize (row-major scales, no records).
  virtual core::QuantizedTensor quantize(const core::TensorView& x, const formats::Recipe& r) const = 0;
  /// The twin of core::dequantize to FP32.
  virtual core::Tensor dequantize(const core::QuantizedTensor& q) const = 0;
  /// The twin of core::fake_quantize to FP32.
  virtual core::Tensor fake_quantize(const core::TensorView& x, const formats::Recipe& r) const = 0;
  /// Quantizes, dequantizes, and computes core::error_metrics and the `compare` histograms
  /// (rms = rms(x), `bins` bins) on the device: only the figures come back.
  virtual DeviceEvaluation evaluate(const core::TensorView& x, const formats::Recipe& r, double rms,
                                    int bins) const = 0;
};

/// Makes the device quantizer; throws std::runtime_error (e.g. no GPU) when it cannot.
using DeviceQuantizerFactory = std::function<std::unique_ptr<DeviceQuantizer>()>;

/// Installs the factory of the "cuda" device (the CLI does, when built with CUDA); it runs on
/// the first select_device("cuda"), so runs that stay on the CPU never touch the driver.
/// An empty factory removes the device.
void set_device_quantizer_factory(DeviceQuantizerFactory factory);

/// The quantizer a "device" parameter names: null for "cpu", the installed one for "cuda";
/// throws std::invalid_argument for other names, when none is installed, or when the factory
/// fails (its message included).
const DeviceQuantizer* select_device(const std::string& device);

#ifdef FP4LAB_HAVE_CUDA
/// The CUDA quantizer over kernels/quantize.hpp; throws std::runtime_error without a GPU.
std::unique_ptr<DeviceQuantizer> make_cuda_quantizer();
#endif

}  // namespace fp4lab::exp
