// Launchers of the GPU whole-tensor quantizer (kernels/quantize.hpp): checks, path choice
// (fast 1-D paths for NVFP4/NVINT4 at 16 and MXFP4 at 32, a generic per-unit kernel otherwise).
#include <algorithm>
#include <stdexcept>

#include "kernels/cuda_check.hpp"
#include "kernels/quantize.cuh"

namespace fp4lab::kernels {
namespace {

using detail::Mode;
using detail::Path;
using detail::QuantizeParams;

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

/// Multiprocessors of the current device (cached per device).
int sm_count() {
  static int cached[64] = {};
  int dev = 0;
  if (cudaGetDevice(&dev) != cudaSuccess || dev < 0 || dev >= 64) return 132;
  if (cached[dev] == 0) {
    int n = 0;
    if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n <= 0) n = 132;
    cached[dev] = n;
  }
  return cached[dev];
}

unsigned grid_for(std::int64_t units, int threads) {
  return static_cast<unsigned>((units + threads - 1) / threads);
}

/// The fast path a 1-D recipe can take, if any.
bool fast_path(const formats::Recipe& r, Path& path) {
  if (r.shape != formats::BlockShape::k1D || r.transform != formats::Transform::kNone) return false;
  // stochastic rounding: the te kernel only (the generic kernel draws the same bits)
  if (r.rounding != formats::ElementRounding::kNearestEven &&
      !(r.format == formats::BlockFormat::kNVFP4 && r.nv == formats::NvRecipe::kTe && r.block_size == 16)) {
    return false;
  }
  if (r.format == formats::BlockFormat::kMXFP4 && r.block_size == 32) {
    path = Path::kMxfp4;
    return true;
  }
  if (r.block_size != 16) return false;
  if (r.format == formats::BlockFormat::kNVFP4) {
    // the 4/6 specialisations sum errors left to right; other orders take kAny
    const bool saturating_four_six = r.nv == formats::NvRecipe::kFourOverSix &&
                                     r.overflow == formats::Fp4Overflow::kSaturate &&
                                     r.sum == formats::SumOrder::kSeq;
    // kFourOverSix takes every other rule: mae, abs_max and static_6/static_4 (one candidate)
    path = r.nv == formats::NvRecipe::kTe                            ? Path::kTe
           : saturating_four_six && r.rule == formats::FourSixRule::kMse ? Path::kFourSixMse
           : saturating_four_six                                      ? Path::kFourOverSix
                                                                      : Path::kAny;
    return true;
  }
  if (r.format == formats::BlockFormat::kNVINT4) {
    path = Path::kAny;
    return true;
  }
  return false;
}

template <Mode M>
void launch_quantize(const QuantizeParams& p, core::DType dtype, bool allow_fast, cudaStream_t s) {
  Path path{};
  const bool fast = allow_fast && fast_path(p.recipe, path);
  const std::int64_t units = fast ? p.rows * p.row_blocks : p.unit_rows * p.row_blocks;
  const int per_thread = fast ? detail::units_per_thread(path) : 1;
  const unsigned grid = grid_for(units, detail::kThreads * per_thread);
  if (fast) {
    switch (dtype) {
      case core::DType::kF32:
        detail::launch_fast<core::DType::kF32, M>(path, grid, s, p);
        break;
      case core::DType::kBF16:
        detail::launch_fast<core::DType::kBF16, M>(path, grid, s, p);
        break;
      case core::DType::kF16:
        detail::launch_fast<core::DType::kF16, M>(path, grid, s, p);
        break;
    }
  } else {
    switch (dtype) {
      case core::DType::kF32:
        detail::launch_unit<core::DType::kF32, M>(grid, s, p);
        break;
      case core::DType::kBF16:
        detail::launch_unit<core::DType::kBF16, M>(grid, s, p);
        break;
      case core::DType::kF16:
        detail::launch_unit<core::DType::kF16, M>(grid, s, p);
        break;
    }
  }
  cuda_check(cudaGetLastError(), fast ? "quantize kernel launch" : "quantize (generic) kernel launch");
}

/// Throws std::invalid_argument with gpu_unsupported_reason when the GPU cannot run the recipe.
void require_supported(const formats::Recipe& recipe) {
  const std::string why = gpu_unsupported_reason(recipe);
  if (!why.empty()) throw std::invalid_argument(why);
}

/// The parameters shared by quantize and fake-quantize; throws std::invalid_argument on bad input.
QuantizeParams make_params(const formats::Recipe& recipe, formats::ScaleLayout layout, const void* x,
                           core::DType dtype, std::int64_t rows, std::int64_t cols, const std::uint32_t* amax_bits) {
  require_supported(recipe);
  if (rows <= 0 || cols <= 0) {
    throw std::invalid_argument("empty tensor: nothing to quantize (" + std::to_string(rows) + " x " +
                                std::to_string(cols) + ")");
  }
  if (x == nullptr) throw std::invalid_argument("null input pointer");
  if (formats::uses_tensor_scale(recipe) && amax_bits == nullptr) {
    throw std::invalid_argument("this recipe has a tensor scale: pass the amax from amax_async");
  }
  const core::QuantizedSizes shape = core::quantized_sizes(recipe, layout, rows, cols);
  QuantizeParams p{};
  p.recipe = recipe;
  p.layout = layout;
  p.x = x;
  p.rows = rows;
  p.cols = cols;
  p.padded_cols = shape.padded_cols;
  p.row_blocks = shape.scale_cols;
  p.unit_rows = recipe.shape == formats::BlockShape::k2D ? (rows + recipe.block_size - 1) / recipe.block_size : rows;
  p.vec_in = aligned16(x) && (cols * static_cast<std::int64_t>(core::dtype_size(dtype))) % 16 == 0;
  p.index32 = rows * shape.scale_cols < (std::int64_t{1} << 31);
  p.contiguous = recipe.block_size > 0 && cols % recipe.block_size == 0;
  p.amax_bits = amax_bits;
  return p;
}

/// make_params for the kernels that write values (rows x cols of out_dtype) instead of codes.
QuantizeParams make_value_params(const formats::Recipe& recipe, const void* x, core::DType dtype, std::int64_t rows,
                                 std::int64_t cols, const std::uint32_t* amax_bits, void* out, core::DType out_dtype) {
  QuantizeParams p = make_params(recipe, formats::ScaleLayout::kRowMajor, x, dtype, rows, cols, amax_bits);
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  p.out = out;
  p.out_dtype = out_dtype;
  p.vec_out = aligned16(out) && (cols * static_cast<std::int64_t>(core::dtype_size(out_dtype))) % 16 == 0;
  return p;
}

}  // namespace

std::string gpu_unsupported_reason(const formats::Recipe& r) {
  if (r.block_size < formats::kMinBlockSize || r.block_size > formats::kMaxBlockSize || r.block_size % 2 != 0) {
    return "block size " + std::to_string(r.block_size) + " is not supported: use an even size in [" +
           std::to_string(formats::kMinBlockSize) + ", " + std::to_string(formats::kMaxBlockSize) + "]";
  }
  if (r.overflow == formats::Fp4Overflow::kReferenceUnclamped &&
      !(r.format == formats::BlockFormat::kNVFP4 && r.nv == formats::NvRecipe::kFourOverSix)) {
    return "the unclamped FP4 cast (reference bug) exists only for 4/6 recipes";
  }
  if (r.transform != formats::Transform::kNone) {
    return "the random Hadamard transform is not on the GPU yet (formats::kRhtSigns is host-only)";
  }
  if (r.shape == formats::BlockShape::k2D && r.block_size * r.block_size > detail::kMaxUnit) {
    return "2-D tiles on the GPU go up to 16x16, not " + std::to_string(r.block_size) + "x" +
           std::to_string(r.block_size);
  }
  return "";
}

void amax_async(const void* x, core::DType dtype, std::int64_t n, std::uint32_t* amax_bits, void* stream) {
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  cuda_check(cudaMemsetAsync(amax_bits, 0, sizeof(std::uint32_t), s), "amax reset");
  if (n <= 0) return;
  const bool vec = aligned16(x);
  const std::int64_t words = (n * static_cast<std::int64_t>(core::dtype_size(dtype)) + 15) / 16;
  const std::int64_t want = (words + 4 * detail::kAmaxThreads - 1) / (4 * detail::kAmaxThreads);
  const unsigned grid = static_cast<unsigned>(std::max<std::int64_t>(1, std::min<std::int64_t>(want, sm_count() * 8)));
  constexpr int kT = detail::kAmaxThreads;
  switch (dtype) {
    case core::DType::kF32:
      detail::amax_kernel<core::DType::kF32><<<grid, kT, 0, s>>>(x, n, vec, amax_bits);
      break;
    case core::DType::kBF16:
      detail::amax_kernel<core::DType::kBF16><<<grid, kT, 0, s>>>(x, n, vec, amax_bits);
      break;
    case core::DType::kF16:
      detail::amax_kernel<core::DType::kF16><<<grid, kT, 0, s>>>(x, n, vec, amax_bits);
      break;
  }
  cuda_check(cudaGetLastError(), "amax kernel launch");
}

void quantize_async(const formats::Recipe& recipe, formats::ScaleLayout layout, const void* x, core::DType dtype,
                    std::int64_t rows, std::int64_t cols, const std::uint32_t* amax_bits, const DeviceQuantized& out,
                    void* stream) {
  QuantizeParams p = make_params(recipe, layout, x, dtype, rows, cols, amax_bits);
  if (recipe.overflow == formats::Fp4Overflow::kReferenceUnclamped) {
    throw std::invalid_argument("the unclamped FP4 cast can give 8, which no E2M1 code holds: use fake_quantize");
  }
  const bool int4 = !formats::stores_scale_codes(recipe.format);
  if (out.codes == nullptr || (!int4 && out.scales == nullptr) ||
      (int4 && (out.group_scales == nullptr || out.zero_points == nullptr))) {
    throw std::invalid_argument("missing output buffer (codes, scales, or INT4 group scales and zero points)");
  }
  p.q = out;
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  const core::QuantizedSizes shape = core::quantized_sizes(recipe, layout, rows, cols);
  // the swizzle pads rows to 128 and scale columns to 4: zero the padding, as the CPU does
  if (!int4 && layout == formats::ScaleLayout::kSwizzled128x4 &&
      shape.scale_bytes != static_cast<std::size_t>(rows * shape.scale_cols)) {
    cuda_check(cudaMemsetAsync(out.scales, 0, shape.scale_bytes, s), "scale padding reset");
  }
  launch_quantize<Mode::kQuantize>(p, dtype, aligned16(out.codes), s);
}

void fake_quantize_async(const formats::Recipe& recipe, const void* x, core::DType dtype, std::int64_t rows,
                         std::int64_t cols, const std::uint32_t* amax_bits, void* out, core::DType out_dtype,
                         void* stream) {
  const QuantizeParams p = make_value_params(recipe, x, dtype, rows, cols, amax_bits, out, out_dtype);
  launch_quantize<Mode::kFake>(p, dtype, true, static_cast<cudaStream_t>(stream));
}

void simulate_quantize_async(const formats::Recipe& recipe, const formats::SimulateOptions& options,
                             const void* x, core::DType dtype, std::int64_t rows, std::int64_t cols,
                             const std::uint32_t* amax_bits, void* out, core::DType out_dtype, void* stream) {
  if (!formats::simulate_supported(recipe) || recipe.shape != formats::BlockShape::k1D) {
    throw std::invalid_argument("simulated quantization supports NVFP4 te and the 4/6 recipes with 1-D blocks");
  }
  if (options.threshold != options.threshold) {
    throw std::invalid_argument("simulated quantization: the threshold is NaN");
  }
  const QuantizeParams p = make_value_params(recipe, x, dtype, rows, cols, amax_bits, out, out_dtype);
  const unsigned grid = grid_for(p.rows * p.row_blocks, detail::kThreads);
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case core::DType::kF32:
      detail::simulate_kernel<core::DType::kF32><<<grid, detail::kThreads, 0, s>>>(p, options);
      break;
    case core::DType::kBF16:
      detail::simulate_kernel<core::DType::kBF16><<<grid, detail::kThreads, 0, s>>>(p, options);
      break;
    case core::DType::kF16:
      detail::simulate_kernel<core::DType::kF16><<<grid, detail::kThreads, 0, s>>>(p, options);
      break;
  }
  cuda_check(cudaGetLastError(), "simulate kernel launch");
}

void dequantize_async(const formats::Recipe& recipe, formats::ScaleLayout layout, std::int64_t rows,
                      std::int64_t cols, const DeviceQuantized& in, void* out, core::DType out_dtype, void* stream) {
  require_supported(recipe);
  if (rows <= 0 || cols <= 0 || out == nullptr || in.codes == nullptr) {
    throw std::invalid_argument("dequantize: empty tensor or null buffer");
  }
  const core::QuantizedSizes shape = core::quantized_sizes(recipe, layout, rows, cols);
  const std::int64_t units = rows * shape.scale_cols;
  detail::dequantize_kernel<<<grid_for(units, detail::kThreads), detail::kThreads, 0,
                              static_cast<cudaStream_t>(stream)>>>(recipe, layout, rows, cols, shape.padded_cols,
                                                                   shape.scale_cols, in, out, out_dtype);
  cuda_check(cudaGetLastError(), "dequantize kernel launch");
}

}  // namespace fp4lab::kernels
