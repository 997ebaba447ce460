// The device quantizer registry (see device_quantizer.hpp).
#include "core/device_quantizer.hpp"

#include <mutex>
#include <stdexcept>

namespace fp4lab::core {
namespace {

struct Installed {
  std::mutex mutex;
  DeviceQuantizerFactory factory;
  std::unique_ptr<DeviceQuantizer> quantizer;
};

Installed& installed() {
  static Installed i;
  return i;
}

}  // namespace

void set_device_quantizer_factory(DeviceQuantizerFactory factory) {
  Installed& i = installed();
  std::lock_guard<std::mutex> lock(i.mutex);
  i.factory = std::move(factory);
  i.quantizer.reset();
}

const DeviceQuantizer* select_device(const std::string& device) {
  if (device == "cpu") return nullptr;
  if (device != "cuda") {
    throw std::invalid_argument("parameter 'device': '" + device + "' is not a device; accepted: cpu, cuda");
  }
  Installed& i = installed();
  std::lock_guard<std::mutex> lock(i.mutex);
  if (!i.quantizer) {
    if (!i.factory) {
      throw std::invalid_argument("parameter 'device': cuda is not available (this fp4lab was built without the "
                                  "CUDA part)");
    }
    try {
      i.quantizer = i.factory();
    } catch (const std::exception& e) {
      throw std::invalid_argument(std::string("parameter 'device': cuda is not available: ") + e.what());
    }
  }
  return i.quantizer.get();
}

}  // namespace fp4lab::core
