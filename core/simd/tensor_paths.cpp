// Whole-tensor loops over the SIMD block quantizers (see tensor_paths.hpp).
#include "core/simd/tensor_paths.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/parallel.hpp"
#include "core/simd/simd.hpp"

namespace fp4lab::core::simd {

void load_floats(const TensorView& x, std::int64_t begin, std::int64_t n, float* out) {
  if (n <= 0) return;
  if (x.dtype() == DType::kBF16) {
    bf16_to_f32(static_cast<const std::uint16_t*>(x.data()) + begin, n, out);
    return;
  }
  x.to_float(begin, std::span<float>(out, static_cast<std::size_t>(n)));  // FP32: a copy; FP16: scalar
}

void store_floats(Tensor& out, std::int64_t begin, const float* v, std::int64_t n) {
  if (n <= 0) return;
  if (out.dtype() == DType::kF32) {
    f32_store_canonical(v, n, reinterpret_cast<float*>(out.data()) + begin);
  } else if (out.dtype() == DType::kBF16) {
    bf16_store_canonical(v, n, reinterpret_cast<std::uint16_t*>(out.data()) + begin);
  } else {
    for (std::int64_t i = 0; i < n; ++i) out.set(begin + i, formats::canonical_nan(v[i]));
  }
}

std::int64_t quantize_units(const TensorView& x, const formats::Recipe& r, const formats::TensorScale& ts,
                            const BlockGrid& g, std::int64_t begin, std::int64_t end, QuantizedTensor* q,
                            Tensor* fake, formats::BlockRecord* records) {
  const std::size_t group_values = static_cast<std::size_t>(kGroupBlocks) * static_cast<std::size_t>(g.bs);
  std::vector<float> buf(group_values, 0.0f), deq(fake ? group_values : 0);
  std::vector<std::uint32_t> packed(group_values / 8);
  std::vector<formats::BlockRecord> recs(kGroupBlocks);
  const bool contiguous = g.cols == g.padded_cols;  // no padding: a run of blocks is a run of values
  std::int64_t bad = 0;
  for (std::int64_t u0 = begin; u0 < end; u0 += kGroupBlocks) {
    const int count = static_cast<int>(std::min<std::int64_t>(kGroupBlocks, end - u0));
    if (contiguous) {
      load_floats(x, u0 * g.bs, static_cast<std::int64_t>(count) * g.bs, buf.data());
    } else {
      for (int k = 0; k < count; ++k) {
        const std::int64_t u = u0 + k, row = u / g.row_blocks, c0 = (u % g.row_blocks) * g.bs;
        const std::int64_t avail = std::clamp<std::int64_t>(g.cols - c0, 0, g.bs);
        float* dst = buf.data() + static_cast<std::ptrdiff_t>(k) * g.bs;
        load_floats(x, row * g.cols + c0, avail, dst);
        std::fill(dst + avail, dst + g.bs, 0.0f);
      }
    }
    quantize_blocks(r, ts, buf.data(), count, recs.data(), q ? packed.data() : nullptr, fake ? deq.data() : nullptr);
    for (int k = 0; k < count; ++k) {
      bad += recs[static_cast<std::size_t>(k)].nonfinite;
      if (records) records[u0 + k] = recs[static_cast<std::size_t>(k)];
    }
    if (q) {
      std::memcpy(q->codes.data() + u0 * g.bs / 2, packed.data(), static_cast<std::size_t>(count) * g.bs / 2);
      for (int k = 0; k < count; ++k) {
        const std::int64_t u = u0 + k;
        q->scales[formats::scale_offset(static_cast<std::size_t>(u / g.row_blocks),
                                        static_cast<std::size_t>(u % g.row_blocks),
                                        static_cast<std::size_t>(g.row_blocks), q->layout)] =
            recs[static_cast<std::size_t>(k)].scale.code;
      }
    }
    if (fake) {
      if (contiguous) {
        store_floats(*fake, u0 * g.bs, deq.data(), static_cast<std::int64_t>(count) * g.bs);
      } else {
        for (int k = 0; k < count; ++k) {
          const std::int64_t u = u0 + k, row = u / g.row_blocks, c0 = (u % g.row_blocks) * g.bs;
          const std::int64_t avail = std::clamp<std::int64_t>(g.cols - c0, 0, g.bs);
          store_floats(*fake, row * g.cols + c0, deq.data() + static_cast<std::ptrdiff_t>(k) * g.bs, avail);
        }
      }
    }
  }
  return bad;
}

float tensor_amax(const TensorView& x, int threads) {
  constexpr std::int64_t kChunk = 1 << 16;
  const std::int64_t n = x.numel(), chunks = (n + kChunk - 1) / kChunk;
  float amax = 0.0f;
  std::mutex amax_mutex;
  parallel_for(chunks, threads, [&](std::int64_t cb, std::int64_t ce) {
    std::vector<float> tmp(x.dtype() == DType::kF16 ? kChunk : 0);
    float m = 0.0f;
    for (std::int64_t c = cb; c < ce; ++c) {
      const std::int64_t b = c * kChunk, len = std::min(kChunk, n - b);
      if (x.dtype() == DType::kF32) {
        m = formats::fmax_nan_ignoring(m, amax_f32(static_cast<const float*>(x.data()) + b, len));
      } else if (x.dtype() == DType::kBF16) {
        m = formats::fmax_nan_ignoring(m, amax_bf16(static_cast<const std::uint16_t*>(x.data()) + b, len));
      } else {
        x.to_float(b, std::span<float>(tmp.data(), static_cast<std::size_t>(len)));
        m = formats::fmax_nan_ignoring(m, amax_f32(tmp.data(), len));
      }
    }
    std::lock_guard<std::mutex> lock(amax_mutex);  // max is order independent
    amax = formats::fmax_nan_ignoring(amax, m);
  });
  return amax;
}

}  // namespace fp4lab::core::simd
