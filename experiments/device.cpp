// The device quantizer registry (see device.hpp).
#include "experiments/device.hpp"

#include <stdexcept>

namespace fp4lab::exp {
namespace {

std::unique_ptr<DeviceQuantizer>& installed() {
  static std::unique_ptr<DeviceQuantizer> q;
  return q;
}

}  // namespace

void set_device_quantizer(std::unique_ptr<DeviceQuantizer> q) { installed() = std::move(q); }

const DeviceQuantizer* select_device(const std::string& device) {
  if (device == "cpu") return nullptr;
  if (device != "cuda") {
    throw std::invalid_argument("parameter 'device': '" + device + "' is not a device; accepted: cpu, cuda");
  }
  if (!installed()) {
    throw std::invalid_argument(
        "parameter 'device': cuda is not available (this fp4lab was built without the CUDA part, or no GPU "
        "was found when it started)");
  }
  return installed().get();
}

}  // namespace fp4lab::exp
