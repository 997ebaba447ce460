// Device side of the GPU whole-tensor quantizer (FORMATS.md §2-7): the quantize kernels (fast
// 1-D paths and the generic per-unit kernel), all calling formats/ so the bits equal the CPU's.
// Included by quantize.cu and quantize_launch.cuh; the amax, dequantize and simulate kernels are
// in quantize.cu; the host API is kernels/quantize.hpp.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "formats/block.hpp"
#include "formats/layout.hpp"
#include "formats/philox.hpp"
#include "formats/simulate.hpp"
#include "kernels/device_io.cuh"
#include "kernels/quantize.hpp"

namespace fp4lab::kernels::detail {

/// Threads per CTA of the quantize and dequantize kernels.
inline constexpr int kThreads = 128;
/// Threads per CTA of the amax kernel.
inline constexpr int kAmaxThreads = 256;
/// Largest unit of the generic kernel: a 1-D block of up to 128 values or a 16x16 tile.
inline constexpr int kMaxUnit = 256;

/// The compile-time specialisation of a 1-D quantize kernel. kAny leaves the format and NVFP4
/// recipe to the Recipe at run time (modelopt, torchao, NVINT4 at block size 16).
/// kFourSixMse also pins the 4/6 rule to MSE (the default rule: no per-element rule switch);
/// kFourOverSix reads the rule (mae, abs_max, static_6, static_4) at run time.
/// kIf4: IF4 at 16, summed left to right (the other orders take the generic kernel).
enum class Path : std::uint8_t { kTe, kFourSixMse, kFourOverSix, kMxfp4, kIf4, kAny };

/// Whether a kernel writes codes and scales, or fake-quantized values.
enum class Mode : std::uint8_t { kQuantize, kFake };

/// Everything a quantize kernel needs, passed by value.
struct QuantizeParams {
  formats::Recipe recipe;
  formats::ScaleLayout layout;
  const void* x;
  std::int64_t rows, cols, padded_cols, row_blocks, unit_rows;
  bool vec_in;   ///< input base and row pitch 16-byte aligned: full blocks use 16-byte loads
  bool vec_out;  ///< the same for the fake-quantized output
  bool index32;  ///< rows * row_blocks < 2^31: the fast paths split unit indices in 32 bits
  bool contiguous;  ///< cols a multiple of the block: unit u is elements kBS*u .. kBS*u + kBS - 1
  const std::uint32_t* amax_bits;
  DeviceQuantized q;
  void* out;
  core::DType out_dtype;
};

/// Fixes the parts of a recipe that a specialisation is compiled for, so that the switches in
/// formats::quantize_block fold away.
template <Path P>
__device__ __forceinline__ void pin_path(formats::Recipe& r) {
  if constexpr (P == Path::kTe) {
    r.format = formats::BlockFormat::kNVFP4;
    r.nv = formats::NvRecipe::kTe;
  } else if constexpr (P == Path::kFourOverSix || P == Path::kFourSixMse) {
    r.format = formats::BlockFormat::kNVFP4;
    r.nv = formats::NvRecipe::kFourOverSix;
    r.overflow = formats::Fp4Overflow::kSaturate;  // the unclamped reference cast takes kAny
    r.sum = formats::SumOrder::kSeq;               // so do the other summation orders
    if constexpr (P == Path::kFourSixMse) r.rule = formats::FourSixRule::kMse;
  } else if constexpr (P == Path::kMxfp4) {
    r.format = formats::BlockFormat::kMXFP4;
  } else if constexpr (P == Path::kIf4) {
    r.format = formats::BlockFormat::kIF4;
    r.sum = formats::SumOrder::kSeq;                 // the other orders take the generic kernel,
    r.overflow = formats::Fp4Overflow::kSaturate;  // so does the unclamped reference cast
  }
}

/// The tensor amax the CPU would pass to formats::tensor_scale: 0 without a tensor scale.
__device__ __forceinline__ float tensor_amax(const formats::Recipe& r, const std::uint32_t* amax_bits) {
  if (!formats::uses_tensor_scale(r) || amax_bits == nullptr) return 0.0f;
  return __uint_as_float(*amax_bits);
}

/// The two candidates' decode tables (4/6: M=6, M=4; IF4: FP, INT) in a per-thread column of
/// shared memory: entry k of candidate c at col[(8c + k) * kThreads], so a warp's lookups fall in
/// 32 different banks whatever the codes. One load per lookup replaces a chain of seven selects; the entries are
/// the same floats as in the registers (formats::detail::TablesInCandidates).
struct SharedTables {
  static_assert(kThreads == 128, "the column stride below is kThreads");
  float* col;
  __device__ __forceinline__ void stage(int cand, const formats::detail::DecodeTable& t) const {
#pragma unroll
    for (int k = 0; k < 8; ++k) col[(8 * cand + k) * kThreads] = t.v[k];
  }
  __device__ __forceinline__ float operator()(const formats::detail::DecodeTable&, int cand, unsigned k) const {
    unsigned k7 = 0;  // k & 7 behind an asm boundary, so that the index is one shift-and-add
    asm("and.b32 %0, %1, 7;" : "=r"(k7) : "r"(k));
    return col[8 * cand * kThreads + static_cast<int>(k7) * kThreads];
  }
};

/// Units (1-D blocks) each thread of the fast kernels takes, kThreads apart (coalesced): the
/// per-CTA set-up (the tensor scale, the index arithmetic) is paid once for all of them, and
/// more loads are in flight per thread. Measured on the H200 (kernels/NOTES.md, run 8): te is
/// fastest with four, MXFP4 and the others with two; the long 4/6 body with one (a second
/// unrolled copy cost 5 % in instruction fetch, two copies 28 %); IF4's body is as long.
constexpr int units_per_thread(Path p) {
  return p == Path::kTe ? 4 : ((p == Path::kFourSixMse || p == Path::kFourOverSix || p == Path::kIf4) ? 1 : 2);
}
template <Path P>
inline constexpr int kUnitsPerThread = units_per_thread(P);

/// The 4/6 recipes kAny takes (a summation order other than left to right, or the reference's
/// unclamped cast), compiled once: inlined, this general 4/6 body cost about 30 s of cicc time
/// per kAny instantiation and architecture, for recipes kept for bit-exact peer checks.
__device__ __noinline__ inline formats::BlockRecord four_six_any_block(const formats::Recipe& r,
                                                                      const formats::TensorScale& ts,
                                                                      const formats::BlockIO& io) {
  return formats::four_over_six_quantize_block(r, ts, io);
}

/// The block quantizer of a fast path, called directly (not through formats::quantize_block,
/// whose format switch cicc folds only after inlining every format: 27 s instead of 4 s per te
/// instantiation). The fast paths cover NVFP4 and NVINT4 at 16 and MXFP4 at 32 (quantize.cu's
/// fast_path); the 4/6 and IF4 specialisations call four_over_six_quantize_block and
/// intfloat_quantize_block_inline with shared tables (quantize_with_tables).
template <Path P>
__device__ __forceinline__ formats::BlockRecord fast_quantize_block(const formats::Recipe& r,
                                                                    const formats::TensorScale& ts,
                                                                    const formats::BlockIO& io) {
  if constexpr (P == Path::kAny) {
    if (r.format == formats::BlockFormat::kNVINT4) return formats::nvint4_quantize_block(r, ts, io);
    return r.nv == formats::NvRecipe::kFourOverSix ? four_six_any_block(r, ts, io)
                                                   : formats::nvfp4_quantize_block(r, ts, io);
  } else if constexpr (P == Path::kTe) {
    return formats::nvfp4_quantize_block(r, ts, io);
  } else {
    static_assert(P == Path::kMxfp4, "the 4/6 and IF4 paths call their block quantizers with shared tables");
    return formats::mxfp4_quantize_block(r, io);
  }
}

/// The block quantizer of fast path P with the candidates' tables in `tables` (4/6: M=6 and M=4;
/// IF4: FP and INT), or fast_quantize_block for the paths without tables.
template <Path P>
__device__ __forceinline__ formats::BlockRecord quantize_with_tables(const formats::Recipe& r,
                                                                     const formats::TensorScale& ts,
                                                                     const formats::BlockIO& io,
                                                                     const SharedTables& tables) {
  if constexpr (P == Path::kFourSixMse || P == Path::kFourOverSix) {
    return formats::four_over_six_quantize_block(r, ts, io, tables);
  } else if constexpr (P == Path::kIf4) {
    return formats::intfloat_quantize_block_inline(r, ts, io, tables);
  } else {
    return fast_quantize_block<P>(r, ts, io);
  }
}

/// formats::quantize_block compiled once for the generic kernel's six instantiations (one thread
/// per unit of up to 256 values, held in local memory anyway): every format and recipe.
__device__ __noinline__ inline formats::BlockRecord generic_quantize_block(const formats::Recipe& r,
                                                                          const formats::TensorScale& ts,
                                                                          const formats::BlockIO& io) {
  return formats::quantize_block(r, ts, io);
}

/// One unit of the fast kernels: 16-byte loads of a full block, stochastic-rounding bits from
/// (seed, row * padded_cols + col), formats::quantize_block, then one 8- or 16-byte store of
/// packed codes and one scale byte (or the fake-quantized values).
template <core::DType D, int kBS, Path P, Mode M, bool kSR>
__device__ __forceinline__ void quantize_fast_unit(const QuantizeParams& p, const formats::Recipe& r,
                                                   const formats::TensorScale& ts, const SharedTables& tables,
                                                   const std::int64_t unit) {
  if (unit >= p.rows * p.row_blocks) return;
  // Where every row is whole blocks, unit u covers elements [16u, 16u + 16) (or 32u for
  // MXFP4) and codes from byte 8u: no row split for the data; row-major scales are at u, and
  // only swizzled scales need the row and block column.
  std::int64_t row = 0, rb = 0, elem0 = 0, code0 = 0, scale_at = 0;
  bool full = true;
  auto split = [&] {
    if (p.index32) {  // 32-bit division when every unit index fits (a 64-bit one costs ~70 instructions)
      const auto u32 = static_cast<std::uint32_t>(unit), rbs = static_cast<std::uint32_t>(p.row_blocks);
      row = u32 / rbs;
      rb = u32 - static_cast<std::uint32_t>(row) * rbs;
    } else {
      row = unit / p.row_blocks;
      rb = unit - row * p.row_blocks;
    }
  };
  if (p.contiguous) {
    elem0 = unit * kBS;
    code0 = elem0;
    scale_at = unit;
    if (p.layout != formats::ScaleLayout::kRowMajor) {
      split();
      scale_at = static_cast<std::int64_t>(formats::scale_offset(
          static_cast<std::size_t>(row), static_cast<std::size_t>(rb), static_cast<std::size_t>(p.row_blocks), p.layout));
    }
  } else {
    split();
    const std::int64_t c0 = rb * kBS;
    full = c0 + kBS <= p.cols;
    elem0 = row * p.cols + c0;
    code0 = row * p.padded_cols + c0;
    scale_at = static_cast<std::int64_t>(formats::scale_offset(static_cast<std::size_t>(row), static_cast<std::size_t>(rb),
                                                               static_cast<std::size_t>(p.row_blocks), p.layout));
  }
  float x[kBS];
  if (full && p.vec_in) {
    load_vec<D, kBS>(p.x, elem0, x);
  } else {
    const std::int64_t c0 = rb * kBS;
#pragma unroll
    for (int i = 0; i < kBS; ++i) x[i] = c0 + i < p.cols ? load_one<D>(p.x, elem0 + i) : 0.0f;
  }
  // Always pass the bits (zeros unless stochastic: round-to-nearest never reads them), so that
  // no pointer select keeps the array out of registers.
  const std::uint64_t base = static_cast<std::uint64_t>(code0);
  std::uint32_t bits[kBS];
#pragma unroll
  for (int i = 0; i < kBS; ++i) bits[i] = kSR ? formats::rounding_bits(r.seed, base + i) : 0u;
  if constexpr (M == Mode::kQuantize) {
    std::uint32_t w[kBS / 8] = {};
    formats::BlockIO io{x, kBS, bits, nullptr, nullptr};
    io.packed = w;
    const formats::BlockRecord rec = quantize_with_tables<P>(r, ts, io, tables);
    std::uint8_t* dst = p.q.codes + code0 / 2;
    if constexpr (kBS == 16) {
      *reinterpret_cast<uint2*>(dst) = make_uint2(w[0], w[1]);
    } else {
      static_assert(kBS == 32, "fast paths exist for blocks of 16 and 32");
      *reinterpret_cast<uint4*>(dst) = make_uint4(w[0], w[1], w[2], w[3]);
    }
    p.q.scales[scale_at] = rec.scale.code;
  } else {
    float deq[kBS];
    const formats::BlockIO io{x, kBS, bits, nullptr, deq};
    (void)quantize_with_tables<P>(r, ts, io, tables);
    if (full && p.vec_out) {
      store_vec<kBS>(p.out, p.out_dtype, elem0, deq);
    } else {
      const std::int64_t c0 = rb * kBS;
#pragma unroll
      for (int i = 0; i < kBS; ++i) {
        if (c0 + i < p.cols) store_one(p.out, p.out_dtype, elem0 + i, deq[i]);
      }
    }
  }
}


/// kUnitsPerThread 1-D blocks of kBS values (kBS = 16 or 32) per thread through
/// quantize_fast_unit. kSR: stochastic rounding; without it the rounding is pinned to
/// nearest-even at compile time so that the stochastic branches fold away.
template <core::DType D, int kBS, Path P, Mode M, bool kSR>
__global__ void __launch_bounds__(kThreads) quantize_block_kernel(const QuantizeParams p) {
  formats::Recipe r = p.recipe;
  pin_path<P>(r);
  r.block_size = kBS;
  r.shape = formats::BlockShape::k1D;
  r.transform = formats::Transform::kNone;
  if constexpr (!kSR) r.rounding = formats::ElementRounding::kNearestEven;
  const std::int64_t first = static_cast<std::int64_t>(blockIdx.x) * (kThreads * kUnitsPerThread<P>) + threadIdx.x;
  // the tensor scale once per CTA (it holds a float64 division), shared by its threads
  __shared__ formats::TensorScale ts_shared;
  if (threadIdx.x == 0) ts_shared = formats::tensor_scale(r, tensor_amax(r, p.amax_bits));
  __syncthreads();
  const formats::TensorScale ts = ts_shared;
  if constexpr (M == Mode::kQuantize) {
    if (first == 0 && p.q.tensor_scale != nullptr) *p.q.tensor_scale = ts;
  }
  constexpr bool kTwoTables = P == Path::kFourSixMse || P == Path::kFourOverSix || P == Path::kIf4;
  __shared__ float table_mem[kTwoTables ? 16 * kThreads : 1];
  const SharedTables tables{table_mem + threadIdx.x};
#pragma unroll
  for (int j = 0; j < kUnitsPerThread<P>; ++j) {
    quantize_fast_unit<D, kBS, P, M, kSR>(p, r, ts, tables, first + j * kThreads);
  }
}

/// One thread per unit (a 1-D block of any supported size, or a 2-D tile of up to 16x16),
/// for everything the fast paths do not cover, grouped INT4 and the FORMATS.md §9 formats
/// included (3/6/8-bit codes one per byte). Mirrors core's
/// gather_unit / fill_random_bits / run_units step by step.
template <core::DType D, Mode M>
__global__ void __launch_bounds__(kThreads) quantize_unit_kernel(const QuantizeParams p) {
  const formats::Recipe r = p.recipe;
  const std::int64_t unit = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  const formats::TensorScale ts = formats::tensor_scale(r, tensor_amax(r, p.amax_bits));
  if constexpr (M == Mode::kQuantize) {
    if (unit == 0 && p.q.tensor_scale != nullptr) *p.q.tensor_scale = ts;
  }
  if (unit >= p.unit_rows * p.row_blocks) return;
  const int bs = r.block_size;
  const bool two_d = r.shape == formats::BlockShape::k2D;
  const std::int64_t ur = unit / p.row_blocks, rb = unit - ur * p.row_blocks, c0 = rb * bs;
  const std::int64_t r0 = two_d ? ur * bs : ur;
  const int nr = two_d ? static_cast<int>(p.rows - r0 < bs ? p.rows - r0 : bs) : 1;
  const int n = nr * bs;
  float x[kMaxUnit];
  for (int k = 0; k < nr; ++k) {
    for (int i = 0; i < bs; ++i) {
      x[k * bs + i] = c0 + i < p.cols ? load_one<D>(p.x, (r0 + k) * p.cols + c0 + i) : 0.0f;
    }
  }
  const bool stochastic = r.rounding != formats::ElementRounding::kNearestEven;
  std::uint32_t bits[kMaxUnit];
  if (stochastic) {
    for (int k = 0; k < nr; ++k) {
      const std::uint64_t base = static_cast<std::uint64_t>((r0 + k) * p.padded_cols + c0);
      for (int i = 0; i < bs; ++i) bits[k * bs + i] = formats::rounding_bits(r.seed, base + i);
    }
  }
  if constexpr (M == Mode::kQuantize) {
    std::uint8_t codes[kMaxUnit];
    const formats::BlockIO io{x, n, stochastic ? bits : nullptr, codes, nullptr};
    const formats::BlockRecord rec = generic_quantize_block(r, ts, io);
    for (int k = 0; k < nr; ++k) {
      const std::int64_t row = r0 + k;
      if (formats::format_traits(r.format).codes_per_byte == 1) {  // 3/6/8-bit codes (FORMATS.md §9)
        std::uint8_t* dst = p.q.codes + row * p.padded_cols + c0;
        for (int i = 0; i < bs; ++i) dst[i] = codes[k * bs + i];
      } else {
        std::uint8_t* dst = p.q.codes + (row * p.padded_cols + c0) / 2;
        for (int i = 0; i < bs; i += 2) dst[i / 2] = formats::pack_pair(codes[k * bs + i], codes[k * bs + i + 1]);
      }
      const std::int64_t idx = row * p.row_blocks + rb;
      if (!formats::stores_scale_codes(r.format)) {
        p.q.group_scales[idx] = rec.scale.group_scale;
        p.q.zero_points[idx] = rec.scale.zero_point;
      } else {
        p.q.scales[formats::scale_offset(static_cast<std::size_t>(row), static_cast<std::size_t>(rb),
                                         static_cast<std::size_t>(p.row_blocks), p.layout)] = rec.scale.code;
      }
    }
  } else {
    float deq[kMaxUnit];
    const formats::BlockIO io{x, n, stochastic ? bits : nullptr, nullptr, deq};
    (void)generic_quantize_block(r, ts, io);
    for (int k = 0; k < nr; ++k) {
      for (int i = 0; i < bs && c0 + i < p.cols; ++i) {
        store_one(p.out, p.out_dtype, (r0 + k) * p.cols + c0 + i, deq[k * bs + i]);
      }
    }
  }
}

/// Launch the fast kernel of `path` (stochastic rounding: te only) or the generic kernel for
/// input dtype D; defined in quantize_launch.cuh, instantiated one dtype per translation unit.
template <core::DType D, Mode M>
void launch_fast(Path path, unsigned grid, cudaStream_t s, const QuantizeParams& p);
template <core::DType D, Mode M>
void launch_unit(unsigned grid, cudaStream_t s, const QuantizeParams& p);

}  // namespace fp4lab::kernels::detail
