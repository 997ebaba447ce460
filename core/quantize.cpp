// Whole-tensor quantize, dequantize and fake-quantize on the CPU (see quantize.hpp).
#include "core/quantize.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>

#include "core/block_axis.hpp"
#include "core/parallel.hpp"
#include "core/simd/simd.hpp"
#include "core/simd/tensor_paths.hpp"
#include "formats/philox.hpp"
#include "formats/rht.hpp"

namespace fp4lab::core {
namespace {

using formats::BlockShape;
using formats::ElementRounding;
using formats::Recipe;
using formats::Transform;

/// How a tensor is cut into quantization units (a 1-D block, or a 2-D tile of block rows).
struct Plan {
  std::int64_t rows = 0, cols = 0, padded_cols = 0;
  int bs = 16;
  int codes_per_byte = 2;  // 2 (4-bit codes) or 1 (3/6/8-bit codes)
  bool two_d = false, rht = false, stochastic = false;
  std::int64_t row_blocks = 0;  // blocks per row
  std::int64_t unit_rows = 0;   // rows of units (rows, or tiles down the tensor)
  std::int64_t units() const { return unit_rows * row_blocks; }
  std::int64_t rows_in_unit(std::int64_t ur) const {
    if (!two_d) return 1;
    return std::min<std::int64_t>(bs, rows - ur * bs);
  }
  std::int64_t first_row(std::int64_t ur) const { return two_d ? ur * bs : ur; }
};

Plan make_plan(const TensorView& x, const Recipe& r) {
  validate_recipe(r);
  if (x.numel() == 0) throw std::invalid_argument("empty tensor: nothing to quantize (shape " + shape_string(x.shape()) + ")");
  Plan p;
  p.rows = x.rows();
  p.cols = x.cols();
  p.bs = r.block_size;
  p.codes_per_byte = formats::format_traits(r.format).codes_per_byte;
  p.two_d = r.shape == BlockShape::k2D;
  p.rht = r.transform == Transform::kRht16;
  p.stochastic = r.rounding != ElementRounding::kNearestEven;
  const QuantizedSizes sizes = quantized_sizes(r, formats::ScaleLayout::kRowMajor, p.rows, p.cols);
  p.padded_cols = sizes.padded_cols;
  p.row_blocks = sizes.scale_cols;
  p.unit_rows = p.two_d ? (p.rows + p.bs - 1) / p.bs : p.rows;
  return p;
}

/// Reads one row segment [c0, c0 + bs) as floats (zeros past the end), RHT applied if asked.
void read_segment(const TensorView& x, const Plan& p, std::int64_t row, std::int64_t c0, float* out) {
  const std::int64_t avail = std::clamp<std::int64_t>(p.cols - c0, 0, p.bs);
  x.to_float(row * p.cols + c0, std::span<float>(out, static_cast<std::size_t>(avail)));
  std::fill(out + avail, out + p.bs, 0.0f);
  if (p.rht) {
    float tmp[16];
    for (int g = 0; g < p.bs; g += 16) {
      formats::rht16_forward(out + g, tmp);
      std::copy(tmp, tmp + 16, out + g);
    }
  }
}

/// Gathers one unit into `buf` (rows of the unit one after another); returns the count.
int gather_unit(const TensorView& x, const Plan& p, std::int64_t unit, float* buf) {
  const std::int64_t ur = unit / p.row_blocks, rb = unit % p.row_blocks;
  const std::int64_t nr = p.rows_in_unit(ur), r0 = p.first_row(ur);
  for (std::int64_t k = 0; k < nr; ++k) read_segment(x, p, r0 + k, rb * p.bs, buf + k * p.bs);
  return static_cast<int>(nr * p.bs);
}

void fill_random_bits(const Plan& p, const Recipe& r, std::int64_t unit, std::uint32_t* bits) {
  const std::int64_t ur = unit / p.row_blocks, rb = unit % p.row_blocks;
  const std::int64_t nr = p.rows_in_unit(ur), r0 = p.first_row(ur);
  for (std::int64_t k = 0; k < nr; ++k) {
    const std::uint64_t base = static_cast<std::uint64_t>((r0 + k) * p.padded_cols + rb * p.bs);
    for (int i = 0; i < p.bs; ++i) bits[k * p.bs + i] = formats::rounding_bits(r.seed, base + i);
  }
}

/// Writes one row segment of values to `out` (inverse RHT first if asked), dropping padding.
void write_segment(Tensor& out, const Plan& p, std::int64_t row, std::int64_t c0, float* vals) {
  if (p.rht) {
    float tmp[16];
    for (int g = 0; g < p.bs; g += 16) {
      formats::rht16_inverse(vals + g, tmp);
      std::copy(tmp, tmp + 16, vals + g);
    }
  }
  const std::int64_t avail = std::clamp<std::int64_t>(p.cols - c0, 0, p.bs);
  for (std::int64_t i = 0; i < avail; ++i) vals[i] = formats::canonical_nan(vals[i]);
  if (out.dtype() == DType::kF32) {
    std::copy(vals, vals + avail, reinterpret_cast<float*>(out.data()) + row * p.cols + c0);
    return;
  }
  for (std::int64_t i = 0; i < avail; ++i) out.set(row * p.cols + c0 + i, vals[i]);
}

/// Runs the block quantizer over every unit; codes/scales go to `q`, values to `fake`.
void run_units(const TensorView& x, const Recipe& r, const Plan& p, const formats::TensorScale& ts, int threads,
               QuantizedTensor* q, Tensor* fake, std::vector<formats::BlockRecord>* records) {
  const int max_n = p.bs * (p.two_d ? p.bs : 1);
  std::atomic<std::int64_t> nonfinite{0};
  if (!p.two_d && !p.rht && simd::supports(r)) {  // the SIMD twin of the loop below (core/simd/)
    const simd::BlockGrid g{p.rows, p.cols, p.padded_cols, p.row_blocks, p.bs};
    parallel_for(p.units(), threads, [&](std::int64_t begin, std::int64_t end) {
      nonfinite += simd::quantize_units(x, r, ts, g, begin, end, q, fake, records ? records->data() : nullptr);
    });
    if (q) q->nonfinite = nonfinite.load();
    return;
  }
  parallel_for(p.units(), threads, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> buf(static_cast<std::size_t>(max_n)), deq(fake ? max_n : 0);
    std::vector<std::uint32_t> bits(p.stochastic ? max_n : 0);
    std::vector<std::uint8_t> codes(q ? max_n : 0);
    std::int64_t bad = 0;
    for (std::int64_t u = begin; u < end; ++u) {
      const int n = gather_unit(x, p, u, buf.data());
      if (p.stochastic) fill_random_bits(p, r, u, bits.data());
      formats::BlockIO io{buf.data(), n, p.stochastic ? bits.data() : nullptr, q ? codes.data() : nullptr,
                          fake ? deq.data() : nullptr};
      const formats::BlockRecord rec = formats::quantize_block(r, ts, io);
      bad += rec.nonfinite;
      if (records) (*records)[static_cast<std::size_t>(u)] = rec;
      const std::int64_t ur = u / p.row_blocks, rb = u % p.row_blocks;
      const std::int64_t nr = p.rows_in_unit(ur), r0 = p.first_row(ur);
      for (std::int64_t k = 0; k < nr; ++k) {
        const std::int64_t row = r0 + k;
        if (q) {
          const std::uint8_t* src = codes.data() + k * p.bs;
          if (p.codes_per_byte == 1) {  // 3/6/8-bit codes: one per byte
            std::copy(src, src + p.bs, q->codes.data() + row * p.padded_cols + rb * p.bs);
          } else {
            std::uint8_t* dst = q->codes.data() + (row * p.padded_cols + rb * p.bs) / 2;
            for (int i = 0; i < p.bs; i += 2) dst[i / 2] = formats::pack_pair(src[i], src[i + 1]);
          }
          const std::size_t idx = static_cast<std::size_t>(row * p.row_blocks + rb);
          if (!formats::stores_scale_codes(r.format)) {
            q->group_scales[idx] = rec.scale.group_scale;
            q->zero_points[idx] = rec.scale.zero_point;
          } else {
            q->scales[formats::scale_offset(static_cast<std::size_t>(row), static_cast<std::size_t>(rb),
                                            static_cast<std::size_t>(p.row_blocks), q->layout)] = rec.scale.code;
          }
        }
        if (fake) write_segment(*fake, p, row, rb * p.bs, deq.data() + k * p.bs);
      }
    }
    nonfinite += bad;  // a sum of integers: the same for any thread count
  });
  if (q) q->nonfinite = nonfinite.load();
}

}  // namespace

void validate_recipe(const Recipe& r) {
  if (r.block_size < formats::kMinBlockSize || r.block_size > formats::kMaxBlockSize || r.block_size % 2 != 0) {
    throw std::invalid_argument("block size " + std::to_string(r.block_size) + " is not supported: use an even size in [" +
                                std::to_string(formats::kMinBlockSize) + ", " + std::to_string(formats::kMaxBlockSize) +
                                "]");
  }
  if (r.transform == Transform::kRht16 && r.block_size % 16 != 0) {
    throw std::invalid_argument("the 16-point RHT needs a block size that is a multiple of 16, got " +
                                std::to_string(r.block_size));
  }
  if (r.overflow == formats::Fp4Overflow::kReferenceUnclamped &&
      !(r.format == formats::BlockFormat::kNVFP4 && r.nv == formats::NvRecipe::kFourOverSix) &&
      r.format != formats::BlockFormat::kIF4) {
    throw std::invalid_argument("the unclamped FP4 cast (reference bug) exists only for 4/6 recipes and IF4");
  }
  if (formats::is_family_format(r.format) && r.rounding != ElementRounding::kNearestEven) {
    throw std::invalid_argument(std::string("stochastic rounding is not offered for ") +
                                formats::format_traits(r.format).label + ": the FORMATS.md §9 formats round to nearest");
  }
}

formats::BlockScale QuantizedTensor::block_scale(std::int64_t r, std::int64_t c) const {
  const std::int64_t b = c / recipe.block_size;
  formats::BlockScale s;
  if (!formats::stores_scale_codes(recipe.format)) {
    s.group_scale = group_scales[static_cast<std::size_t>(r * scale_cols + b)];
    s.zero_point = zero_points[static_cast<std::size_t>(r * scale_cols + b)];
  } else {
    s.code = scales[formats::scale_offset(static_cast<std::size_t>(r), static_cast<std::size_t>(b),
                                          static_cast<std::size_t>(scale_cols), layout)];
  }
  return s;
}

float tensor_amax(const TensorView& x, const Recipe& recipe, int threads, int block_axis) {
  if (recipe.transform == Transform::kRht16 && block_axis_moves(block_axis, x.shape())) {
    return tensor_amax(move_axis_last(x, block_axis).view(), recipe, threads);  // rotated along the axis
  }
  normalize_block_axis(block_axis, x.shape().size());
  const Plan p = make_plan(x, recipe);
  if (!p.rht && simd::enabled()) return simd::tensor_amax(x, threads);  // max: any order, same bits
  float amax = 0.0f;
  std::mutex amax_mutex;
  parallel_for(p.rows * p.row_blocks, threads, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> buf(static_cast<std::size_t>(p.bs));
    float m = 0.0f;
    for (std::int64_t s = begin; s < end; ++s) {
      read_segment(x, p, s / p.row_blocks, (s % p.row_blocks) * p.bs, buf.data());
      for (float v : buf) m = formats::fmax_nan_ignoring(m, formats::abs_bits(v));
    }
    std::lock_guard<std::mutex> lock(amax_mutex);  // max is order independent
    amax = formats::fmax_nan_ignoring(amax, m);
  });
  return amax;
}

QuantizedTensor quantize(const TensorView& x, const QuantizeOptions& options) {
  return quantize_and_dequantize(x, options, nullptr);
}

QuantizedTensor quantize_and_dequantize(const TensorView& x, const QuantizeOptions& options, Tensor* values,
                                        DType out_dtype) {
  if (block_axis_moves(options.block_axis, x.shape())) {  // quantize with the axis moved last
    QuantizeOptions last = options;
    last.block_axis = -1;
    Tensor blocked_values;
    QuantizedTensor q = quantize_and_dequantize(move_axis_last(x, options.block_axis).view(), last,
                                                values ? &blocked_values : nullptr, out_dtype);
    q.shape = x.shape();
    q.block_axis = normalize_block_axis(options.block_axis, x.shape().size());
    if (values) *values = restore_axis(blocked_values.view(), x.shape(), q.block_axis);
    return q;
  }
  normalize_block_axis(options.block_axis, x.shape().size());  // a bad axis on a 1-D tensor too
  const Recipe& r = options.recipe;
  const Plan p = make_plan(x, r);
  if (r.overflow == formats::Fp4Overflow::kReferenceUnclamped) {
    throw std::invalid_argument("the unclamped FP4 cast can give 8, which no E2M1 code holds: use fake_quantize");
  }
  QuantizedTensor q;
  q.recipe = r;
  q.layout = options.layout;
  q.shape = x.shape();
  q.rows = p.rows;
  q.cols = p.cols;
  q.padded_cols = p.padded_cols;
  q.scale_cols = p.row_blocks;
  const QuantizedSizes sizes = quantized_sizes(r, options.layout, p.rows, p.cols);
  q.codes.assign(sizes.code_bytes, 0);
  q.group_scales.assign(sizes.group_count, 0.0f);  // grouped INT4 only (0 otherwise)
  q.zero_points.assign(sizes.group_count, 0);
  q.scales.assign(sizes.scale_bytes, 0);  // 8-bit scales (0 for INT4)
  const float amax = formats::uses_tensor_scale(r) ? tensor_amax(x, r, options.threads) : 0.0f;
  q.tensor_scale = formats::tensor_scale(r, amax);
  if (options.keep_records) q.records.resize(static_cast<std::size_t>(p.units()));
  // run_units writes every element: a tensor of this dtype and shape is reused as it is (a caller
  // quantizing one tensor under several recipes saves a fresh allocation and its page faults)
  if (values && !(values->dtype() == out_dtype && values->shape() == x.shape() && values->data() != x.data())) {
    *values = Tensor::uninitialized(out_dtype, x.shape());
  }
  run_units(x, r, p, q.tensor_scale, options.threads, &q, values, options.keep_records ? &q.records : nullptr);
  return q;
}

Tensor dequantize(const QuantizedTensor& q, DType out_dtype, int threads) {
  Plan p;
  p.rows = q.rows;
  p.cols = q.cols;
  p.padded_cols = q.padded_cols;
  p.bs = q.recipe.block_size;
  p.rht = q.recipe.transform == Transform::kRht16;
  p.row_blocks = q.scale_cols;
  const bool moved = block_axis_moves(q.block_axis, q.shape);
  Tensor out = Tensor::uninitialized(out_dtype, blocked_shape(q.shape, q.block_axis));  // every segment written
  if (out.numel() != p.rows * p.cols) {
    throw std::invalid_argument("dequantize: shape " + shape_string(q.shape) + " does not hold " +
                                std::to_string(q.rows) + " x " + std::to_string(q.cols) + " elements");
  }
  parallel_for(p.rows * p.row_blocks, threads, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> vals(static_cast<std::size_t>(p.bs));
    for (std::int64_t s = begin; s < end; ++s) {
      const std::int64_t row = s / p.row_blocks, c0 = (s % p.row_blocks) * p.bs;
      const formats::BlockScale bs = q.block_scale(row, c0);
      if (formats::format_traits(q.recipe.format).codes_per_byte == 1) {  // one code per byte
        const std::uint8_t* bytes = q.codes.data() + row * p.padded_cols + c0;
        for (int i = 0; i < p.bs; ++i) {
          vals[static_cast<std::size_t>(i)] = formats::dequantize_code(q.recipe, q.tensor_scale, bs, bytes[i]);
        }
        write_segment(out, p, row, c0, vals.data());
        continue;
      }
      // the 16 values a code can take in this block, from the same dequantize_code
      float lut[16];
      for (std::uint8_t c = 0; c < 16; ++c) lut[c] = formats::dequantize_code(q.recipe, q.tensor_scale, bs, c);
      const std::uint8_t* packed = q.codes.data() + (row * p.padded_cols + c0) / 2;
      for (int i = 0; i < p.bs; i += 2) {
        vals[static_cast<std::size_t>(i)] = lut[packed[i / 2] & 0xFu];
        vals[static_cast<std::size_t>(i) + 1] = lut[packed[i / 2] >> 4];
      }
      write_segment(out, p, row, c0, vals.data());
    }
  });
  return moved ? restore_axis(out.view(), q.shape, q.block_axis) : out;
}

Tensor fake_quantize(const TensorView& x, const Recipe& recipe, DType out_dtype, int threads,
                     std::vector<formats::BlockRecord>* records, int block_axis) {
  if (block_axis_moves(block_axis, x.shape())) {
    const Tensor blocked = fake_quantize(move_axis_last(x, block_axis).view(), recipe, out_dtype, threads, records);
    return restore_axis(blocked.view(), x.shape(), block_axis);
  }
  normalize_block_axis(block_axis, x.shape().size());
  const Plan p = make_plan(x, recipe);
  const float amax = formats::uses_tensor_scale(recipe) ? tensor_amax(x, recipe, threads) : 0.0f;
  const formats::TensorScale ts = formats::tensor_scale(recipe, amax);
  Tensor out = Tensor::uninitialized(out_dtype, x.shape());  // run_units writes every element
  if (records) records->assign(static_cast<std::size_t>(p.units()), formats::BlockRecord{});
  run_units(x, recipe, p, ts, threads, nullptr, &out, records);
  return out;
}

}  // namespace fp4lab::core
