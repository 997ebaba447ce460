// Where an experiment quantizes: on the CPU (core/quantize.hpp), or on a device quantizer that
// the `fp4lab` CLI and the GUI install when built with the CUDA part (kernels/cuda_quantizer.hpp).
// The device twin gives the same bits (`fp4lab verify`), so results do not depend on the device.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/metrics.hpp"
#include "core/quantize.hpp"

namespace fp4lab::core {

/// A recipe's error metrics and histogram counts on one tensor (the `compare` figures).
struct DeviceEvaluation {
  ErrorMetrics metrics;
  ErrorHistograms histograms;  ///< `scaled` empty when the recipe gives no codes
};

/// A whole-tensor quantizer on another device; every call throws std::runtime_error on failure.
class DeviceQuantizer {
 public:
  virtual ~DeviceQuantizer() = default;
  /// e.g. "cuda (NVIDIA H200, sm_90)".
  virtual std::string name() const = 0;
  /// The twin of core::quantize (row-major scales, no records).
  virtual QuantizedTensor quantize(const TensorView& x, const formats::Recipe& r) const = 0;
  /// The twin of core::dequantize to FP32.
  virtual Tensor dequantize(const QuantizedTensor& q) const = 0;
  /// The twin of core::fake_quantize to FP32.
  virtual Tensor fake_quantize(const TensorView& x, const formats::Recipe& r) const = 0;
  /// Quantizes, dequantizes, and computes core::error_metrics and the `compare` histograms
  /// (rms = rms(x), `bins` bins) on the device: only the figures come back.
  virtual DeviceEvaluation evaluate(const TensorView& x, const formats::Recipe& r, double rms,
                                    int bins) const = 0;
};

/// Makes the device quantizer; throws std::runtime_error (e.g. no GPU) when it cannot.
using DeviceQuantizerFactory = std::function<std::unique_ptr<DeviceQuantizer>()>;

/// Installs the factory of the "cuda" device (the CLI and the GUI do, when built with CUDA, with
/// kernels::make_cuda_quantizer); it runs on the first select_device("cuda"), so runs that stay
/// on the CPU never touch the driver.
/// An empty factory removes the device.
void set_device_quantizer_factory(DeviceQuantizerFactory factory);

/// The quantizer a "device" parameter names: null for "cpu", the installed one for "cuda";
/// throws std::invalid_argument for other names, when none is installed, or when the factory
/// fails (its message included).
const DeviceQuantizer* select_device(const std::string& device);

}  // namespace fp4lab::core
