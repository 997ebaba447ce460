// SIMD twins of the whole-tensor block quantizers (Google Highway, runtime dispatch over the
// targets compiled in: SSSE3/SSE4/AVX2/AVX-512 on x86). Each lane owns one block, so every
// per-block sum runs in the scalar order of formats/ (FORMATS.md §2-4): the bits are the same.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error_stats.hpp"
#include "formats/block_types.hpp"

namespace fp4lab::core::simd {

/// Blocks one call of quantize_blocks handles at most, and the multiple its buffers are padded
/// to (the widest vector holds 16 float lanes).
inline constexpr int kGroupBlocks = 64;

/// True when quantize_blocks covers the recipe bit for bit: NVFP4 te, modelopt, torchao and
/// 4/6 (mse, mae, abs_max, static_6, static_4), MXFP4 (every scale mode), NVINT4, IF4 (mse, mae,
/// abs_max); round to nearest even, saturating FP4, left-to-right error sums, 1-D blocks whose
/// size is a multiple of 8, no RHT. Others stay scalar.
/// False everywhere while set_enabled(false).
bool supports(const formats::Recipe& r);

/// Turns the SIMD paths on (default) or off (the scalar formats/ code everywhere): for
/// benchmarks and tests that compare the two.
void set_enabled(bool on);
/// Whether the SIMD paths are on.
bool enabled();

/// Quantizes `count` (<= kGroupBlocks) blocks of r.block_size floats stored one after another
/// at x, which holds kGroupBlocks blocks (those past `count` are read and ignored). Writes one
/// record per block, the packed codes when packed is non-null (block_size / 8 words per block,
/// pack_pair's nibble order) and, when dequant is non-null, the fake-quantized values; both
/// buffers hold kGroupBlocks blocks. Bit-identical to formats::quantize_block on each block.
void quantize_blocks(const formats::Recipe& r, const formats::TensorScale& t, const float* x, int count,
                     formats::BlockRecord* records, std::uint32_t* packed, float* dequant);

/// e2m1_value(e2m1_code(v)) of n floats computed without the code, as the values-only path
/// does (the element rounding of fake-quantize; for the tests that compare it with formats/).
void e2m1_round_values(const float* v, std::int64_t n, float* out);

/// max |x| over n floats, NaN ignored (formats::fmax_nan_ignoring's rule; 0 when n = 0).
float amax_f32(const float* x, std::int64_t n);
/// max |x| over n BF16 values (raw bits), NaN ignored.
float amax_bf16(const std::uint16_t* x, std::int64_t n);
/// Widens n BF16 values (raw bits) to float, exactly.
void bf16_to_f32(const std::uint16_t* x, std::int64_t n, float* out);
/// canonical_nan(v) of n floats into `out` (FP32).
void f32_store_canonical(const float* v, std::int64_t n, float* out);
/// bf16_from_float(canonical_nan(v)) of n floats into `out` (raw BF16 bits).
void bf16_store_canonical(const float* v, std::int64_t n, std::uint16_t* out);

/// error_bin and relative_bin (core/error_stats.hpp) of n (x, x_hat) pairs into eb and rb,
/// -1 where the scalar functions give -1 (whatever x is: the caller skips non-finite x).
void histogram_bins(const float* x, const float* q, std::int64_t n, double inv_rms, int bins, std::int32_t* eb,
                    std::int32_t* rb);

/// histogram_slot (core/error_stats.hpp) of n bins b in place, element i of x at index i:
/// b[i] becomes the counter of histogram `hist` element i bumps (x and b from one chunk start).
void histogram_slots(const float* x, std::int64_t n, int bins, int hist, std::int32_t* b);

/// scaled_bin (core/error_stats.hpp) of n values x with their blocks' factors into sb.
void scaled_bins(const float* x, const double* factor, std::int64_t n, int bins, std::int32_t* sb);

/// The scalar add_block sums of `chunks` chunks of chunk_len elements each (chunk c at
/// x + c * x_stride and q + c * q_stride), every chunk a run of whole blocks of bs elements,
/// into out[0..chunks): bit for bit the scalar sums (each lane sums one chunk in element order).
/// Needs bs <= formats::kMaxBlockSize and strides * 16 < 2^31.
void metric_chunks(const float* x, std::int64_t x_stride, const float* q, std::int64_t q_stride, std::int64_t chunk_len,
                   int chunks, int bs, MetricSums* out);

/// The 53 random bits ((v[0] << 21) ^ (v[1] >> 11), masked to 53 bits) of
/// formats::philox4x32_10(i, i >> 32, stream, k, seed, seed >> 32) for the `count` indices
/// i = first, first + 1, ... (modulo 2^64) into out53[0..count): a synthetic tensor's draws.
void philox_draws(std::uint64_t seed, std::uint64_t first, std::int64_t count, std::uint32_t stream, std::uint32_t k,
                  std::uint64_t* out53);

/// The Highway targets compiled into this binary that this CPU supports, best first (this
/// lifts any use_target restriction).
std::vector<std::int64_t> available_targets();
/// Restricts dispatch to `target` (one of available_targets()); 0 goes back to the best.
void use_target(std::int64_t target);
/// The target dispatch uses now.
std::int64_t current_target();
/// A target's name ("AVX3" is AVX-512, "EMU128" plain C++ on 128-bit "vectors").
std::string target_name(std::int64_t target);

}  // namespace fp4lab::core::simd
