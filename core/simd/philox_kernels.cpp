// SIMD Philox4x32-10 (see simd.hpp): the counters of consecutive elements, one per 64-bit lane,
// through formats/philox.hpp's ten rounds (each 32x32->64 product one MulEven), bit for bit.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/simd/philox_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>

#include "core/simd/simd.hpp"
#include "formats/philox.hpp"

HWY_BEFORE_NAMESPACE();
namespace fp4lab::core::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {
using D64 = hn::ScalableTag<std::uint64_t>;
using V64 = hn::Vec<D64>;

constexpr int kRounds = formats::kPhiloxRounds;
constexpr std::uint32_t kM0 = formats::kPhiloxM0, kM1 = formats::kPhiloxM1;
constexpr std::uint32_t kW0 = formats::kPhiloxW0, kW1 = formats::kPhiloxW1;

/// The 64-bit product of each lane's low 32 bits (the lane holds no more) with m.
HWY_INLINE V64 mul_wide(V64 a, std::uint32_t m) {
#if HWY_TARGET == HWY_SCALAR
  return a * hn::Set(D64(), m);  // one 64-bit lane: a < 2^32, so the product is exact
#else
  const hn::Repartition<std::uint32_t, D64> d32;
  return hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, hn::Set(D64(), m)));
#endif
}

/// The draw bits of the lanes' counters (index, index >> 32, stream, k): every state word is a
/// 32-bit value in the low half of its 64-bit lane.
HWY_INLINE V64 draw_bits(V64 index, V64 stream, V64 k, const std::uint32_t* k0, const std::uint32_t* k1) {
  const D64 d;
  const V64 low = hn::Set(d, 0xFFFFFFFFull);
  V64 c0 = hn::And(index, low), c1 = hn::ShiftRight<32>(index), c2 = stream, c3 = k;
  for (int r = 0; r < kRounds; ++r) {
    const V64 p0 = mul_wide(c0, kM0), p1 = mul_wide(c2, kM1);  // hi:lo of the 32x32 products
    const V64 n0 = hn::Xor(hn::Xor(hn::ShiftRight<32>(p1), c1), hn::Set(d, k0[r]));
    const V64 n2 = hn::Xor(hn::Xor(hn::ShiftRight<32>(p0), c3), hn::Set(d, k1[r]));
    c0 = n0;
    c1 = hn::And(p1, low);
    c2 = n2;
    c3 = hn::And(p0, low);
  }
  // v[0] << 21 ^ v[1] >> 11: 53 bits
  return hn::And(hn::Xor(hn::ShiftLeft<21>(c0), hn::ShiftRight<11>(c1)), hn::Set(d, (1ull << 53) - 1));
}
}  // namespace

void PhiloxDrawsImpl(std::uint64_t seed, std::uint64_t first, std::int64_t count, std::uint32_t stream,
                     std::uint32_t k, std::uint64_t* out53) {
  const D64 d;
  const std::int64_t L = static_cast<std::int64_t>(hn::Lanes(d));
  std::uint32_t k0[kRounds], k1[kRounds];  // the key of each round
  k0[0] = static_cast<std::uint32_t>(seed);
  k1[0] = static_cast<std::uint32_t>(seed >> 32);
  for (int r = 1; r < kRounds; ++r) {
    k0[r] = k0[r - 1] + kW0;
    k1[r] = k1[r - 1] + kW1;
  }
  const V64 vs = hn::Set(d, stream), vk = hn::Set(d, k), step = hn::Set(d, static_cast<std::uint64_t>(L));
  V64 index = hn::Iota(d, first);  // wraps modulo 2^64 like the scalar index
  std::int64_t i = 0;
  for (; i + L <= count; i += L) {
    hn::StoreU(draw_bits(index, vs, vk, k0, k1), d, out53 + i);
    index = hn::Add(index, step);
  }
  if (i < count) {  // the last partial vector through a buffer
    HWY_ALIGN std::uint64_t tail[64];
    hn::Store(draw_bits(index, vs, vk, k0, k1), d, tail);
    std::copy(tail, tail + (count - i), out53 + i);
  }
}

}  // namespace fp4lab::core::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fp4lab::core::simd {

HWY_EXPORT(PhiloxDrawsImpl);

void philox_draws(std::uint64_t seed, std::uint64_t first, std::int64_t count, std::uint32_t stream, std::uint32_t k,
                  std::uint64_t* out53) {
  HWY_DYNAMIC_DISPATCH(PhiloxDrawsImpl)(seed, first, count, stream, k, out53);
}

}  // namespace fp4lab::core::simd
#endif  // HWY_ONCE
