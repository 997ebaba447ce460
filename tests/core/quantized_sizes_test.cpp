// core::quantized_sizes (the one place the sizes of a quantized tensor are computed, for the
// CPU and the GPU quantizer) against what core::quantize allocates, for awkward shapes.
#include "core/quantized_sizes.hpp"

#include <doctest/doctest.h>

#include <string>

#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"

namespace {

using namespace fp4lab;

TEST_SUITE("core.quantized_sizes") {
  TEST_CASE("the sizes are those of core::quantize's output in both scale layouts") {
    for (const char* spec : {"nvfp4:te", "mxfp4:floor", "nvint4", "nvfp4:te:bs=32", "mxfp4:even:bs=8:2d",
                             "int4:g64:asym:bf16", "nvfp4:te:rht"}) {
      const formats::Recipe r = core::parse_recipe(spec);
      for (const auto& shape : {std::vector<std::int64_t>{130, 77}, std::vector<std::int64_t>{3, 1, 16},
                                std::vector<std::int64_t>{1000}}) {
        const core::Tensor x(core::DType::kBF16, shape);
        for (formats::ScaleLayout layout : {formats::ScaleLayout::kRowMajor, formats::ScaleLayout::kSwizzled128x4}) {
          if (layout == formats::ScaleLayout::kSwizzled128x4 && r.format == formats::BlockFormat::kINT4) continue;
          const core::QuantizedTensor q = core::quantize(x.view(), core::QuantizeOptions{r, layout, 1, false});
          const core::QuantizedSizes s = core::quantized_sizes(r, layout, q.rows, q.cols);
          INFO(spec << " " << core::shape_string(shape));
          CHECK(s.rows == x.view().rows());
          CHECK(s.cols == x.view().cols());
          CHECK(s.padded_cols == q.padded_cols);
          CHECK(s.scale_cols == q.scale_cols);
          CHECK(s.code_bytes == q.codes.size());
          CHECK(s.scale_bytes == q.scales.size());
          CHECK(s.group_count == q.group_scales.size());
          CHECK(s.group_count == q.zero_points.size());
        }
      }
    }
  }
}

}  // namespace
