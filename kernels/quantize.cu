// Launchers of the GPU whole-tensor quantizer (kernels/quantize.hpp): checks, path choice
// (fast 1-D paths for NVFP4/NVINT4 at 16 and MXFP4 at 32, a generic per-unit kernel otherwise).
#include <algorithm>
#include <stdexcept>

#include "kernels/cuda_check.hpp"
#include "kernels/quantize.cuh"

namespace fp4lab::kernels::detail {

/// Per 32-bit word of two 16-bit values: |v| bits with NaN replaced by 0, as two lanes.
template <core::DType D>
__device__ __forceinline__ std::uint32_t abs_pair_no_nan(std::uint32_t w) {
  constexpr std::uint32_t kInf = D == core::DType::kBF16 ? 0x7F807F80u : 0x7C007C00u;
  const std::uint32_t a = w & 0x7FFF7FFFu;
  return a & ~__vcmpgtu2(a, kInf);
}

/// Float bits of |v| with NaN replaced by 0 (the ordering of these bits is the ordering of
/// the values, so an unsigned max is fmax_nan_ignoring over |x|).
__device__ __forceinline__ std::uint32_t abs_bits_no_nan(std::uint32_t u) {
  const std::uint32_t a = u & 0x7FFFFFFFu;
  return a > 0x7F800000u ? 0u : a;
}

/// max |x| ignoring NaN over n elements: 16-byte loads four deep, a grid-stride loop, a CTA
/// reduction, and one atomicMax on the float bits per CTA (non-negative floats order as
/// unsigned integers, so the result is independent of the order).
template <core::DType D>
__global__ void __launch_bounds__(kAmaxThreads) amax_kernel(const void* x, std::int64_t n, bool vec,
                                                            std::uint32_t* amax_bits) {
  constexpr int kPer = 16 / Elem<D>::kSize;
  const std::int64_t tid = static_cast<std::int64_t>(blockIdx.x) * kAmaxThreads + threadIdx.x;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * kAmaxThreads;
  const std::int64_t nvec = vec ? n / kPer : 0;
  const uint4* src = static_cast<const uint4*>(x);
  std::uint32_t m = 0;  // two 16-bit lanes for BF16/FP16, float bits for FP32
  auto fold = [&](const uint4& w) {
    const std::uint32_t u[4] = {w.x, w.y, w.z, w.w};
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      if constexpr (Elem<D>::kSize == 4) {
        m = max(m, abs_bits_no_nan(u[j]));
      } else {
        m = __vmaxu2(m, abs_pair_no_nan<D>(u[j]));
      }
    }
  };
  std::int64_t i = tid;
  for (; i + 3 * stride < nvec; i += 4 * stride) {
    const uint4 a = src[i], b = src[i + stride], c = src[i + 2 * stride], d = src[i + 3 * stride];
    fold(a);
    fold(b);
    fold(c);
    fold(d);
  }
  for (; i < nvec; i += stride) fold(src[i]);
  std::uint32_t f = 0;  // float bits of this thread's max
  if constexpr (Elem<D>::kSize == 4) {
    f = m;
  } else {
    const std::uint32_t h = max(m & 0xFFFFu, m >> 16);
    f = __float_as_uint(Elem<D>::to_float(h));
  }
  for (std::int64_t k = nvec * kPer + tid; k < n; k += stride) {
    const std::uint32_t raw = static_cast<const typename Elem<D>::T*>(x)[k];
    f = max(f, abs_bits_no_nan(__float_as_uint(Elem<D>::to_float(raw))));
  }
  f = __reduce_max_sync(0xFFFFFFFFu, f);
  __shared__ std::uint32_t warp_max[kAmaxThreads / 32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_max[warp] = f;
  __syncthreads();
  if (warp == 0) {
    f = lane < kAmaxThreads / 32 ? warp_max[lane] : 0u;
    f = __reduce_max_sync(0xFFFFFFFFu, f);
    if (lane == 0 && f != 0) atomicMax(amax_bits, f);
  }
}

/// One thread per 1-D block row segment: codes and scales back to values with
/// formats::dequantize_code (the function core::dequantize builds its table from).
__global__ void __launch_bounds__(kThreads)
    dequantize_kernel(const formats::Recipe r, const formats::ScaleLayout layout, const std::int64_t rows,
                      const std::int64_t cols, const std::int64_t padded_cols, const std::int64_t row_blocks,
                      const DeviceQuantized q, void* out, const core::DType od) {
  const std::int64_t unit = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (unit >= rows * row_blocks) return;
  const formats::TensorScale ts = q.tensor_scale != nullptr ? *q.tensor_scale : formats::TensorScale{};
  const std::int64_t row = unit / row_blocks, rb = unit - row * row_blocks, c0 = rb * r.block_size;
  formats::BlockScale s;
  if (!formats::stores_scale_codes(r.format)) {
    s.group_scale = q.group_scales[unit];
    s.zero_point = q.zero_points[unit];
  } else {
    s.code = q.scales[formats::scale_offset(static_cast<std::size_t>(row), static_cast<std::size_t>(rb),
                                            static_cast<std::size_t>(row_blocks), layout)];
  }
  for (int i = 0; i < r.block_size && c0 + i < cols; ++i) {
    const std::size_t at = static_cast<std::size_t>(row * padded_cols + c0 + i);
    const std::uint8_t code = formats::format_traits(r.format).codes_per_byte == 1 ? q.codes[at]  // FORMATS.md §9
                                                                                    : formats::unpack_code(q.codes, at);
    store_one(out, od, row * cols + c0 + i, formats::dequantize_code(r, ts, s, code));
  }
}

/// Thresholded / high-precision simulated fake-quantization (FORMATS.md §8), one thread per
/// 1-D block: the twin of core::simulate_quantize, through formats::simulate_quantize_block.
template <core::DType D>
__global__ void __launch_bounds__(kThreads)
    simulate_kernel(const QuantizeParams p, const formats::SimulateOptions o) {
  const formats::Recipe r = p.recipe;
  const std::int64_t unit = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  const formats::TensorScale ts = formats::tensor_scale(r, tensor_amax(r, p.amax_bits));
  if (unit >= p.rows * p.row_blocks) return;
  const int bs = r.block_size;
  const std::int64_t row = unit / p.row_blocks, rb = unit - row * p.row_blocks, c0 = rb * bs;
  float x[formats::kMaxBlockSize], deq[formats::kMaxBlockSize];
  std::uint32_t bits[formats::kMaxBlockSize];
  for (int i = 0; i < bs; ++i) x[i] = c0 + i < p.cols ? load_one<D>(p.x, row * p.cols + c0 + i) : 0.0f;
  const bool stochastic = r.rounding != formats::ElementRounding::kNearestEven;
  if (stochastic) {
    const std::uint64_t base = static_cast<std::uint64_t>(row * p.padded_cols + c0);
    for (int i = 0; i < bs; ++i) bits[i] = formats::rounding_bits(r.seed, base + i);
  }
  (void)formats::simulate_quantize_block(r, ts, o, formats::BlockIO{x, bs, stochastic ? bits : nullptr, nullptr, deq});
  for (int i = 0; i < bs && c0 + i < p.cols; ++i) store_one(p.out, p.out_dtype, row * p.cols + c0 + i, deq[i]);
}

}  // namespace fp4lab::kernels::detail

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
  if (r.format == formats::BlockFormat::kIF4 && r.sum == formats::SumOrder::kSeq &&
      r.overflow == formats::Fp4Overflow::kSaturate) {
    path = Path::kIf4;
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
