// GPU kernels against their CPU twins (experiments/cli/gpu/cross_check.hpp).
#include "experiments/cli/gpu/cross_check.hpp"

#include <cstring>
#include <stdexcept>

#include "core/metrics.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "core/simulate.hpp"
#include "kernels/metrics.hpp"
#include "kernels/quantize.hpp"

namespace fp4lab::kernels {
namespace {

/// Adds one byte-wise comparison to `c`.
void compare(CrossCheck& c, const std::string& what, const void* cpu, std::size_t cpu_n, const void* gpu,
             std::size_t gpu_n) {
  const auto* a = static_cast<const std::uint8_t*>(cpu);
  const auto* b = static_cast<const std::uint8_t*>(gpu);
  c.bytes_compared += cpu_n;
  if (cpu_n != gpu_n) {
    c.bytes_differing += cpu_n;
    if (c.first_difference.empty()) {
      c.first_difference = what + ": sizes " + std::to_string(cpu_n) + " (CPU) vs " + std::to_string(gpu_n);
    }
    return;
  }
  for (std::size_t i = 0; i < cpu_n; ++i) {
    if (a[i] == b[i]) continue;
    if (c.first_difference.empty()) {
      c.first_difference = what + " byte " + std::to_string(i) + ": CPU " + std::to_string(a[i]) + ", GPU " +
                           std::to_string(b[i]);
    }
    ++c.bytes_differing;
  }
}

/// Runs the GPU side of a check into `out`; when it throws, its message becomes the check's
/// error (one byte counted differing) and the result is false: the caller returns `c`.
template <class T, class Gpu>
bool run_gpu(CrossCheck& c, T& out, Gpu&& gpu) {
  try {
    out = gpu();
    return true;
  } catch (const std::exception& e) {
    c.error = e.what();
    ++c.bytes_differing;
    return false;
  }
}

}  // namespace

const std::vector<std::string>& cross_check_recipe_specs() {
  static const std::vector<std::string> specs = {
      "nvfp4:te", "nvfp4:modelopt", "nvfp4:torchao", "nvfp4:4over6:mse", "nvfp4:4over6:mae",
      "nvfp4:4over6:abs_max", "nvfp4:static_6", "nvfp4:static_4", "mxfp4:floor", "mxfp4:ceil",
      "mxfp4:even", "mxfp4:rceil", "nvint4",
      "nvfp4:te:sr:seed=7", "nvfp4:te:sr_unbiased:seed=8", "nvfp4:4over6:mse:sr:seed=9",
      "nvfp4:torchao:sr_unbiased:seed=3", "mxfp4:floor:sr:seed=10", "nvint4:sr:seed=11",
      "nvfp4:te:bs=32", "nvfp4:4over6:mse:bs=8", "nvfp4:modelopt:bs=24", "mxfp4:floor:bs=16",
      "mxfp4:rceil:bs=64", "nvint4:bs=128", "nvfp4:te:2d", "nvfp4:4over6:mse:2d",
      "nvfp4:static_4:bs=8:2d", "mxfp4:even:bs=8:2d", "nvfp4:te:2d:sr:seed=12",
      "int4:g128:sym:fp32", "int4:g32:asym:bf16", "int4:g64:sym:fp16:sr:seed=5",
      "nvfp4:4over6:mse:ref_unclamped", "nvfp4:4over6:mse:sum=pairs", "nvfp4:4over6:mae:sum=tree",
      "nvfp4:4over6:mse:2d:sum=tree", "nvfp4:torchao:torch_cuda", "nvfp4:torchao_1level",
      // FORMATS.md §9: every block format, IF rules, MX modes, bs=8 and a 2-D tile
      "nvfp6:e2m3", "nvfp6:e3m2", "mxfp6:e2m3", "mxfp6:e3m2:rceil", "mxfp8:e4m3", "mxfp8:e5m2:rceil",
      "nvfp3", "mxfp3", "nvint3", "nvint6", "if4:mse", "if4:mae", "if4:abs_max", "if3:mse", "if6:e2m3:mse",
      "if6:e3m2:abs_max", "if4:mse:bs=8", "if3:mae:bs=8", "nvfp3:bs=8", "mxfp3:rceil:bs=8", "nvint3:bs=8",
      "mxfp6:e2m3:bs=8", "if4:mse:2d", "nvfp6:e3m2:bs=8:2d", "if4:mse:sum=tree", "if6:e2m3:mae:sum=pairs"};
  return specs;
}

CrossCheck cross_check(const std::string& spec, const core::Tensor& x) {
  CrossCheck c;
  const formats::Recipe r = core::parse_recipe(spec);
  if (r.overflow != formats::Fp4Overflow::kReferenceUnclamped) {
    for (formats::ScaleLayout layout : {formats::ScaleLayout::kRowMajor, formats::ScaleLayout::kSwizzled128x4}) {
      if (layout == formats::ScaleLayout::kSwizzled128x4 && !formats::stores_scale_codes(r.format)) continue;
      const std::string ln = layout == formats::ScaleLayout::kRowMajor ? "row-major " : "swizzled ";
      core::QuantizeOptions opt;
      opt.recipe = r;
      opt.layout = layout;
      const core::QuantizedTensor cq = core::quantize(x.view(), opt);
      core::QuantizedTensor gq;
      if (!run_gpu(c, gq, [&] { return gpu_quantize(r, layout, x.view()); })) return c;
      compare(c, ln + "codes", cq.codes.data(), cq.codes.size(), gq.codes.data(), gq.codes.size());
      compare(c, ln + "scales", cq.scales.data(), cq.scales.size(), gq.scales.data(), gq.scales.size());
      compare(c, ln + "group scales", cq.group_scales.data(), cq.group_scales.size() * sizeof(float),
              gq.group_scales.data(), gq.group_scales.size() * sizeof(float));
      compare(c, ln + "zero points", cq.zero_points.data(), cq.zero_points.size(), gq.zero_points.data(),
              gq.zero_points.size());
      compare(c, ln + "tensor scale", &cq.tensor_scale, sizeof(cq.tensor_scale), &gq.tensor_scale,
              sizeof(gq.tensor_scale));
      const core::DType od = layout == formats::ScaleLayout::kRowMajor ? core::DType::kF32 : core::DType::kBF16;
      const core::Tensor cd = core::dequantize(cq, od);
      core::Tensor gdq;
      if (!run_gpu(c, gdq, [&] { return gpu_dequantize(gq, od); })) return c;
      compare(c, ln + "dequantized", cd.data(), cd.size_bytes(), gdq.data(), gdq.size_bytes());
    }
  }
  for (core::DType od : {core::DType::kF32, core::DType::kBF16, core::DType::kF16}) {
    if (od != core::DType::kF32 && od != x.dtype()) continue;
    const core::Tensor cf = core::fake_quantize(x.view(), r, od);
    core::Tensor gf;
    if (!run_gpu(c, gf, [&] { return gpu_fake_quantize(r, x.view(), od); })) return c;
    compare(c, std::string("fake-quantized to ") + core::dtype_name(od), cf.data(), cf.size_bytes(), gf.data(),
            gf.size_bytes());
  }
  return c;
}

const std::vector<SimulateCase>& cross_check_simulate_cases() {
  static const std::vector<SimulateCase> cases = [] {
    using formats::ThresholdDirection;
    std::vector<SimulateCase> c;
    for (float t : {0.0f, 2.5f, 3.5f, 5.0f, 6.0f}) {
      formats::SimulateOptions below, above;
      below.threshold = above.threshold = t;
      below.dir = ThresholdDirection::kQuantizeBelow;
      above.dir = ThresholdDirection::kQuantizeAbove;
      c.push_back({"t<=" + std::to_string(t).substr(0, 3), below});
      c.push_back({"t>=" + std::to_string(t).substr(0, 3), above});
    }
    formats::SimulateOptions hs, hv, rt;
    hs.hp_scales = true;
    hv.hp_values = true;
    rt.threshold = 2.5f;
    rt.reconstruction = formats::HpReconstruction::kFp32RoundTrip;
    c.push_back({"hp_scales", hs});
    c.push_back({"hp_values", hv});
    c.push_back({"t<=2.5 fp32 round trip", rt});
    return c;
  }();
  return cases;
}

CrossCheck cross_check_simulate(const std::string& spec, const formats::SimulateOptions& options,
                                const core::Tensor& x) {
  CrossCheck c;
  const formats::Recipe r = core::parse_recipe(spec);
  for (core::DType od : {core::DType::kF32, x.dtype()}) {
    const core::Tensor cf = core::simulate_quantize(x.view(), r, options, od);
    core::Tensor gf;
    if (!run_gpu(c, gf, [&] { return gpu_simulate_quantize(r, options, x.view(), od); })) return c;
    compare(c, std::string("simulated to ") + core::dtype_name(od), cf.data(), cf.size_bytes(), gf.data(),
            gf.size_bytes());
    if (od == x.dtype()) break;
  }
  return c;
}

CrossCheck cross_check_metrics(const std::string& spec, const core::Tensor& x, int bins) {
  CrossCheck c;
  const formats::Recipe r = core::parse_recipe(spec);
  const core::TensorView xv = x.view();
  const core::TensorStats stats = core::tensor_stats(xv);
  const double rms = stats.rms > 0 ? stats.rms : 1.0;
  // the CPU, as `compare` runs it
  const bool has_codes = r.overflow == formats::Fp4Overflow::kSaturate;
  core::Tensor fake;
  core::QuantizedTensor q;
  if (has_codes) {
    q = core::quantize_and_dequantize(xv, core::QuantizeOptions{r, formats::ScaleLayout::kRowMajor, 0, false}, &fake);
  } else {
    fake = core::fake_quantize(xv, r, core::DType::kF32);
  }
  const core::ErrorMetrics cm = core::error_metrics(xv, fake.view(), r.block_size);
  const core::ErrorHistograms ch = core::error_histograms(xv, fake.view(), has_codes ? &q : nullptr, rms, bins);
  // the GPU
  GpuEvaluation g;
  // nothing is compared before: a throw leaves 1 byte differing, and names the error as the
  // difference
  if (!run_gpu(c, g, [&] { return gpu_evaluate(r, xv, 1.0 / rms, bins); })) {
    c.first_difference = c.error;
    return c;
  }
  const core::ErrorMetrics gm = core::finish_metrics(g.parts);
  const double cpu_m[] = {double(cm.count), double(cm.nonfinite), cm.mse, cm.rmse, cm.rel_rmse, cm.sqnr_db,
                          cm.max_abs_err, cm.cosine, cm.frac_flushed, cm.frac_saturated};
  const double gpu_m[] = {double(gm.count), double(gm.nonfinite), gm.mse, gm.rmse, gm.rel_rmse, gm.sqnr_db,
                          gm.max_abs_err, gm.cosine, gm.frac_flushed, gm.frac_saturated};
  compare(c, "metrics (count, nonfinite, mse, rmse, rel_rmse, sqnr, max_err, cosine, flushed, saturated)", cpu_m,
          sizeof cpu_m, gpu_m, sizeof gpu_m);
  auto counts = [](const std::vector<unsigned long long>& v) { return std::vector<double>(v.begin(), v.end()); };
  const std::vector<double> ge = counts(g.err), gr = counts(g.rel), gs = counts(g.scaled);
  compare(c, "error histogram", ch.err.data(), ch.err.size() * sizeof(double), ge.data(), ge.size() * sizeof(double));
  compare(c, "relative-error histogram", ch.rel.data(), ch.rel.size() * sizeof(double), gr.data(),
          gr.size() * sizeof(double));
  if (has_codes) {
    compare(c, "scaled-value histogram", ch.scaled.data(), ch.scaled.size() * sizeof(double), gs.data(),
            gs.size() * sizeof(double));
  }
  return c;
}

}  // namespace fp4lab::kernels
