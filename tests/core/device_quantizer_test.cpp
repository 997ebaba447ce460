// The device-quantizer registry (core/device_quantizer.hpp) without a GPU: "cpu" is the CPU,
// "cuda" without an installed factory (a build without the CUDA part) fails with a clear
// message, and a factory's failure (no GPU) is reported with its own message.
#include "core/device_quantizer.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>

namespace {

using namespace fp4lab;

TEST_SUITE("core.device_quantizer") {
  TEST_CASE("cpu selects no device quantizer and other names are refused") {
    core::set_device_quantizer_factory({});
    CHECK(core::select_device("cpu") == nullptr);
    CHECK_THROWS_WITH_AS(core::select_device("tpu"), doctest::Contains("accepted: cpu, cuda"),
                         std::invalid_argument);
  }

  TEST_CASE("cuda in a build without the CUDA part fails with a clear message") {
    core::set_device_quantizer_factory({});  // what a build without CUDA has: no factory
    CHECK_THROWS_WITH_AS(core::select_device("cuda"),
                         "parameter 'device': cuda is not available (this fp4lab was built "
                         "without the CUDA part)",
                         std::invalid_argument);
  }

  TEST_CASE("a factory that fails (no GPU) is reported with its message, and retried") {
    int calls = 0;
    core::set_device_quantizer_factory([&]() -> std::unique_ptr<core::DeviceQuantizer> {
      ++calls;
      throw std::runtime_error("cuda: no CUDA device");
    });
    CHECK_THROWS_WITH_AS(core::select_device("cuda"),
                         "parameter 'device': cuda is not available: cuda: no CUDA device",
                         std::invalid_argument);
    CHECK_THROWS_AS(core::select_device("cuda"), std::invalid_argument);
    CHECK(calls == 2);
    core::set_device_quantizer_factory({});
  }
}

}  // namespace
