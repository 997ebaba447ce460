// The package consumer: uses fp4lab::formats (an element encoder), fp4lab::core (a recipe spec
// and a whole-tensor quantize) and fp4lab::experiments (the registry) from an installed tree.
#include <cstdio>
#include <vector>

#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/experiment.hpp"
#include "formats/e2m1.hpp"

int main() {
  using namespace fp4lab;
  if (formats::fp4_e2m1::from(2.9f).to_float() != 3.0f) return 1;
  std::vector<float> v(64);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) - 31.5f;
  core::QuantizeOptions o;
  o.recipe = core::parse_recipe("nvfp4:4over6:mse");
  const core::QuantizedTensor q = core::quantize(core::TensorView(v.data(), core::DType::kF32, {2, 32}), o);
  const core::Tensor y = core::dequantize(q);
  exp::Registry reg;
  exp::register_all(reg);
  if (!reg.find("compare") || q.codes.size() != 32 || y.numel() != 64) return 1;
  std::printf("consumer: %s, amax %g, %zu experiments\n", core::recipe_to_spec(q.recipe).c_str(), q.tensor_scale.amax,
              reg.all().size());
  return 0;
}
