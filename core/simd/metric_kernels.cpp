// SIMD error-metric sums (see simd.hpp): lane j sums chunk j of a run of chunks, element by
// element in order, with the operations of the scalar add_block (core/error_stats.hpp, doubles,
// no contraction), so every chunk's MetricSums has the scalar bits whatever the target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/simd/metric_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>

#include "core/simd/simd.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void MetricChunksImpl(const float* x, std::int64_t x_stride, const float* q, std::int64_t q_stride, std::int64_t chunk_len,
                      int chunks, int bs, MetricSums* out) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const hn::Rebind<std::int32_t, decltype(dd)> di;
  using VD = hn::Vec<decltype(dd)>;
  using MD = hn::Mask<decltype(dd)>;
  const int lanes = static_cast<int>(hn::Lanes(dd));
  const VD zero = hn::Zero(dd), one = hn::Set(dd, 1.0);
  const auto count_if = [&](VD c, MD m) { return hn::Add(c, hn::IfThenElseZero(m, one)); };
  HWY_ALIGN std::int32_t x_offsets[16], q_offsets[16];
  HWY_ALIGN double qblock[16 * formats::kMaxBlockSize];  // the block's x_hat, lane by lane
  for (int c0 = 0; c0 < chunks; c0 += lanes) {
    // lane j reads chunk c0 + j (the last chunk again past the end; those lanes are dropped)
    for (int j = 0; j < lanes; ++j) {
      const int k = std::min(c0 + j, chunks - 1) - c0;  // from chunk c0
      x_offsets[j] = static_cast<std::int32_t>(k * x_stride);
      q_offsets[j] = static_cast<std::int32_t>(k * q_stride);
    }
    const auto x_idx = hn::Load(di, x_offsets), q_idx = hn::Load(di, q_offsets);
    const float* xc = x + static_cast<std::int64_t>(c0) * x_stride;
    const float* qc = q + static_cast<std::int64_t>(c0) * q_stride;
    VD count = zero, nonfinite = zero, nonfinite_results = zero, flushed = zero, saturated = zero;
    VD sum_x2 = zero, sum_q2 = zero, sum_xq = zero, sum_e2 = zero, max_e = zero;
    for (std::int64_t b = 0; b < chunk_len; b += bs) {
      VD qmax = zero;  // the block's largest finite |x_hat|
      for (int i = 0; i < bs; ++i) {
        const VD qv = hn::PromoteTo(dd, hn::GatherIndex(df, qc + b + i, q_idx));
        hn::Store(qv, dd, qblock + static_cast<std::size_t>(i) * static_cast<std::size_t>(lanes));  // read once
        const VD aq = hn::Abs(qv);
        qmax = hn::IfThenElse(hn::And(hn::IsFinite(qv), hn::Lt(qmax, aq)), aq, qmax);
      }
      const MD positive = hn::Gt(qmax, zero);
      for (int i = 0; i < bs; ++i) {
        const VD xv = hn::PromoteTo(dd, hn::GatherIndex(df, xc + b + i, x_idx));
        const VD qv = hn::Load(dd, qblock + static_cast<std::size_t>(i) * static_cast<std::size_t>(lanes));
        const MD fin_x = hn::IsFinite(xv), fin_q = hn::IsFinite(qv);
        nonfinite = count_if(nonfinite, hn::Not(fin_x));
        nonfinite_results = count_if(nonfinite_results, hn::AndNot(fin_q, fin_x));
        const MD ok = hn::And(fin_x, fin_q);
        const VD e = hn::Sub(qv, xv), ae = hn::Abs(e);
        count = count_if(count, ok);
        sum_x2 = hn::IfThenElse(ok, hn::Add(sum_x2, hn::Mul(xv, xv)), sum_x2);
        sum_q2 = hn::IfThenElse(ok, hn::Add(sum_q2, hn::Mul(qv, qv)), sum_q2);
        sum_xq = hn::IfThenElse(ok, hn::Add(sum_xq, hn::Mul(xv, qv)), sum_xq);
        sum_e2 = hn::IfThenElse(ok, hn::Add(sum_e2, hn::Mul(e, e)), sum_e2);
        max_e = hn::IfThenElse(hn::And(ok, hn::Lt(max_e, ae)), ae, max_e);  // max_first
        flushed = count_if(flushed, hn::And(ok, hn::AndNot(hn::Eq(xv, zero), hn::Eq(qv, zero))));
        const MD sat = hn::And(hn::Gt(hn::Abs(xv), qmax), hn::Eq(hn::Abs(qv), qmax));
        saturated = count_if(saturated, hn::And(ok, hn::And(sat, positive)));
      }
    }
    HWY_ALIGN double v[10][16];
    const VD all[10] = {count, nonfinite, nonfinite_results, flushed, saturated, sum_x2, sum_q2, sum_xq, sum_e2, max_e};
    for (int k = 0; k < 10; ++k) hn::Store(all[k], dd, v[k]);
    for (int j = 0; j < lanes && c0 + j < chunks; ++j) {
      MetricSums& s = out[c0 + j];
      s.count = static_cast<std::int64_t>(v[0][j]);
      s.nonfinite = static_cast<std::int64_t>(v[1][j]);
      s.nonfinite_results = static_cast<std::int64_t>(v[2][j]);
      s.flushed = static_cast<std::int64_t>(v[3][j]);
      s.saturated = static_cast<std::int64_t>(v[4][j]);
      s.sum_x2 = v[5][j];
      s.sum_q2 = v[6][j];
      s.sum_xq = v[7][j];
      s.sum_e2 = v[8][j];
      s.max_e = v[9][j];
    }
  }
}

}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fp4lab::core::simd {

HWY_EXPORT(MetricChunksImpl);

void metric_chunks(const float* x, std::int64_t x_stride, const float* q, std::int64_t q_stride, std::int64_t chunk_len,
                   int chunks, int bs, MetricSums* out) {
  HWY_DYNAMIC_DISPATCH(MetricChunksImpl)(x, x_stride, q, q_stride, chunk_len, chunks, bs, out);
}

}  // namespace fp4lab::core::simd
#endif  // HWY_ONCE
