// test_kernels' main: doctest as usual, but a run that passed without a CUDA device exits with
// kSkipReturnCode, which ctest (SKIP_RETURN_CODE) reports as skipped, not passed: every GPU
// comparison returned early. Failures still fail; with a GPU the status is doctest's.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "kernels/block_quantize.hpp"

/// The exit status that tests/CMakeLists.txt declares as the kernels test's SKIP_RETURN_CODE.
constexpr int kSkipReturnCode = 77;

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit() || rc != 0) return rc;
  if (fp4lab::kernels::device_count() == 0) {
    std::printf("no CUDA device: the GPU-vs-CPU checks were skipped; exiting %d (ctest: skipped)\n",
                kSkipReturnCode);
    return kSkipReturnCode;
  }
  return rc;
}
