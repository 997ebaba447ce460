// `compare --device cuda` against `compare --device cpu`: the same Result (every metric and
// histogram count), since the GPU quantizes to the same bits and computes the metrics and
// histograms with the same functions in the same summation order (kernels/metrics.cu).
// Skipped without a GPU.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "core/device_quantizer.hpp"
#include "tests/support/stress_tensors.hpp"
#include "core/io/npy.hpp"
#include "experiments/experiment.hpp"
#include "kernels/block_quantize.hpp"
#include "kernels/cuda_quantizer.hpp"

namespace {

using namespace fp4lab;

TEST_SUITE("kernels.compare_device") {
  TEST_CASE("compare on the GPU gives the CPU's result, and cuda without a quantizer is refused") {
    exp::Registry reg;
    exp::register_all(reg);
    const exp::Experiment* compare = reg.find("compare");
    REQUIRE(compare != nullptr);
    core::set_device_quantizer_factory({});
    CHECK_THROWS_WITH_AS(compare->run({{"device", "cuda"}, {"rows", 64}, {"cols", 64}}, nullptr),
                         doctest::Contains("cuda is not available"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(compare->run({{"device", "tpu"}}, nullptr), doctest::Contains("accepted: cpu, cuda"),
                         std::invalid_argument);
    core::set_device_quantizer_factory(kernels::make_cuda_quantizer);
    if (kernels::device_count() == 0) {
      CHECK_THROWS_WITH_AS(compare->run({{"device", "cuda"}, {"rows", 64}, {"cols", 64}}, nullptr),
                           doctest::Contains("no CUDA device"), std::invalid_argument);
      core::set_device_quantizer_factory({});
      MESSAGE("no CUDA device: compare --device cuda against the CPU skipped");
      return;
    }
    const exp::Params base = {{"rows", 300},
                              {"cols", 520},
                              {"outlier_fraction", 0.01},
                              {"recipes", "nvfp4:te,nvfp4:modelopt,nvfp4:4over6:mse,nvfp4:te:sr:seed=3,"
                                          "mxfp4:rceil,nvint4,int4:g64:asym,nvfp4:4over6:mse:ref_unclamped"}};
    // `compare` with these parameters on both devices: the same Result JSON
    auto same_result = [&](const exp::Params& p, const std::string& what) {
      exp::Params on_cpu = p, on_gpu = p;
      on_cpu["device"] = "cpu";
      on_gpu["device"] = "cuda";
      nlohmann::json a = exp::to_json(compare->run(on_cpu, nullptr));
      nlohmann::json b = exp::to_json(compare->run(on_gpu, nullptr));
      a["provenance"].erase("params");
      b["provenance"].erase("params");
      CHECK_MESSAGE(a == b, what);
    };
    same_result(base, "synthetic 300 x 520");
    // edge tensors (NaN, Inf, zeros, subnormals, ties, saturation) in every dtype, awkward
    // shapes: metrics and histograms exactly as on the CPU (NaN/Inf inputs only counted)
    const core::DType dtypes[] = {core::DType::kF32, core::DType::kBF16, core::DType::kF16};
    int files = 0;
    auto same_on_both = [&](const core::Tensor& t, int bins, const char* what) {  // as a .npy input
      const std::string path = "/tmp/fp4lab_compare_device_" + std::to_string(files++) + ".npy";
      core::write_npy(path, t.view());
      same_result({{"input", path}, {"recipes", base.at("recipes")}, {"bins", bins}}, what + (" " + path));
      std::remove(path.c_str());
    };
    for (core::DType dt : dtypes) {
      for (const auto nf : {testing::NonFinite::kInclude, testing::NonFinite::kExclude}) {
        same_on_both(testing::edge_value_tensor(dt, 37, 75, nf), 37, "edge tensor");
      }
    }
    for (core::DType dt : dtypes) {  // block maxima over the whole E4M3 range, partial blocks
      same_on_both(testing::scale_jump_tensor(dt, 33, 100, 20261201u + files), 101, "scale-jump tensor");
    }
    MESSAGE(files << " edge and scale-jump tensors compared on cpu and cuda");
    core::set_device_quantizer_factory({});
  }
}

}  // namespace
