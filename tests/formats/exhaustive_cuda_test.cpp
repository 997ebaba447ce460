// Bit-exact comparison of formats/ with CUDA 13's host conversions (FORMATS.md §1, §9): all 2^32
// floats, all bf16/fp16, 20M doubles (8M for FP6), every decoder code, and the fp16/bf16 helpers
// of ieee.hpp. FP8/FP4/E8M0 in their CUDA modes; FP6 E2M3/E3M2 in cudaRoundNearest/Zero.
// FP4LAB_EXHAUSTIVE_STRIDE=k samples every k-th input of the large sweeps (sanitizer builds).
#include <doctest/doctest.h>

#if !defined(FP4LAB_HAVE_CUDA_HEADERS)

TEST_SUITE("formats.exhaustive") {
  TEST_CASE("CUDA comparisons are skipped when the CUDA headers are absent") {
    MESSAGE("CUDA headers absent: exhaustive comparisons skipped");
  }
}

#else

// CUDA's host code has unused parameters; keep -Wextra quiet about headers we don't own.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "formats/e2m1.hpp"
#include "formats/e4m3.hpp"
#include "formats/e5m2.hpp"
#include "formats/e8m0.hpp"
#include "formats/fp6.hpp"
#include "formats/ieee.hpp"

namespace {

namespace fp = fp4lab::formats;
using fp::Rounding;
using fp::Saturation;

constexpr Saturation kSat = Saturation::kSatFinite;
constexpr Saturation kNoSat = Saturation::kNoSat;

// ---------------------------------------------------------------------------------------------
// Tallies: per mode, how many inputs were compared, how many differed, the first few that did.

struct Mismatch {
  std::uint64_t input;
  std::uint32_t cuda;
  std::uint32_t ours;
};

constexpr std::size_t kExamples = 3;

struct ModeStats {
  std::uint64_t checked = 0;
  std::uint64_t mismatches = 0;
  std::uint64_t noted = 0;         // a side count (the double quirk rows: CUDA's quirk seen)
  std::vector<Mismatch> examples;  // the kExamples smallest mismatching inputs seen

  void record(std::uint64_t input, std::uint32_t cuda, std::uint32_t ours) {
    ++mismatches;
    for (const Mismatch& m : examples) {
      if (m.input == input) return;  // the double inputs can repeat
    }
    examples.push_back({input, cuda, ours});
    std::sort(examples.begin(), examples.end(),
              [](const Mismatch& a, const Mismatch& b) { return a.input < b.input; });
    if (examples.size() > kExamples) examples.pop_back();
  }
  void merge(const ModeStats& other) {
    checked += other.checked;
    mismatches += other.mismatches;
    noted += other.noted;
    examples.insert(examples.end(), other.examples.begin(), other.examples.end());
    std::sort(examples.begin(), examples.end(),
              [](const Mismatch& a, const Mismatch& b) { return a.input < b.input; });
    const auto same_input = [](const Mismatch& a, const Mismatch& b) { return a.input == b.input; };
    examples.erase(std::unique(examples.begin(), examples.end(), same_input), examples.end());
    if (examples.size() > kExamples) examples.resize(kExamples);
  }
};

struct RowName {
  const char* format;
  const char* mode;
};

template <std::size_t N>
struct Tally {
  std::array<ModeStats, N> rows;
  void merge(const Tally& other) {
    for (std::size_t i = 0; i < N; ++i) rows[i].merge(other.rows[i]);
  }
};

/// Prints the table, then CHECKs every row for zero mismatches and rows [0, rows_with_inputs)
/// for having seen inputs (rows of rare inputs may be empty under a large sampling stride).
template <std::size_t N>
void report(const char* title, const Tally<N>& tally, const std::array<RowName, N>& names,
            int input_hex_digits, int code_hex_digits, double seconds,
            std::size_t rows_with_inputs = N) {
  std::printf("\n%s  (%.1f s)\n", title, seconds);
  std::printf("  %-6s %-40s %16s %12s\n", "format", "mode", "inputs checked", "mismatches");
  for (std::size_t i = 0; i < N; ++i) {
    const ModeStats& s = tally.rows[i];
    std::printf("  %-6s %-40s %16llu %12llu\n", names[i].format, names[i].mode,
                static_cast<unsigned long long>(s.checked),
                static_cast<unsigned long long>(s.mismatches));
    for (const Mismatch& m : s.examples) {
      std::printf("      input 0x%0*llx  cuda 0x%0*x  ours 0x%0*x\n", input_hex_digits,
                  static_cast<unsigned long long>(m.input), code_hex_digits, m.cuda,
                  code_hex_digits, m.ours);
    }
  }
  std::fflush(stdout);
  for (std::size_t i = 0; i < N; ++i) {
    INFO(std::string(title) << ": " << std::string(names[i].format) << " "
                            << std::string(names[i].mode));
    if (i < rows_with_inputs) CHECK(tally.rows[i].checked > 0);
    CHECK(tally.rows[i].mismatches == 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Parallel driver and sampling stride.

/// FP4LAB_EXHAUSTIVE_STRIDE (default 1): the large sweeps visit every k-th input only.
std::uint64_t sweep_stride() {
  static const std::uint64_t stride = [] {
    const char* env = std::getenv("FP4LAB_EXHAUSTIVE_STRIDE");
    const unsigned long long k = env ? std::strtoull(env, nullptr, 10) : 1;
    const std::uint64_t s = k == 0 ? 1 : k;
    std::printf("FP4LAB_EXHAUSTIVE_STRIDE = %llu (%s)\n", static_cast<unsigned long long>(s),
                s == 1 ? "every input" : "sampled");
    return s;
  }();
  return stride;
}

/// Calls body(begin, end, tally) over [0, count) in chunks shared out among the hardware
/// threads, and returns the merged tally.
template <class TallyT, class Body>
TallyT parallel_sweep(std::uint64_t count, Body body) {
  constexpr std::uint64_t kChunk = 1u << 16;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::uint64_t> next{0};
  std::vector<TallyT> partial(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (;;) {
        const std::uint64_t begin = next.fetch_add(kChunk);
        if (begin >= count) break;
        body(begin, std::min(count, begin + kChunk), partial[t]);
      }
    });
  }
  for (std::thread& th : pool) th.join();
  TallyT total;
  for (const TallyT& p : partial) total.merge(p);
  return total;
}

/// "0x.." for doctest's INFO (doctest 2.4 prints a const char* as a pointer).
std::string hex_string(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---------------------------------------------------------------------------------------------
// The ten encoding modes, computed by CUDA and by us for one input in a single pass.

constexpr std::size_t kModeCount = 10;
constexpr std::size_t kE8m0RzNoSat = 7;
using Codes = std::array<std::uint8_t, kModeCount>;

constexpr std::array<RowName, kModeCount> kModeNames{{
    {"E4M3", "rn satfinite"},
    {"E4M3", "rn nosat"},
    {"E5M2", "rn satfinite"},
    {"E5M2", "rn nosat"},
    {"E2M1", "cudaRoundNearest"},
    {"E2M1", "cudaRoundZero"},
    {"E8M0", "cudaRoundZero satfinite"},
    {"E8M0", "cudaRoundZero nosat"},
    {"E8M0", "cudaRoundPosInf satfinite"},
    {"E8M0", "cudaRoundPosInf nosat"},
}};

template <class T>
inline Codes our_codes(T x) {
  return {fp::fp8_e4m3::from(x, kSat).bits,
          fp::fp8_e4m3::from(x, kNoSat).bits,
          fp::fp8_e5m2::from(x, kSat).bits,
          fp::fp8_e5m2::from(x, kNoSat).bits,
          fp::fp4_e2m1::from(x, Rounding::kNearestEven).bits,
          fp::fp4_e2m1::from(x, Rounding::kTowardZero).bits,
          fp::ue8m0::from(x, kSat, fp::E8m0Rounding::kTowardZero).bits,
          fp::ue8m0::from(x, kNoSat, fp::E8m0Rounding::kTowardZero).bits,
          fp::ue8m0::from(x, kSat, fp::E8m0Rounding::kUp).bits,
          fp::ue8m0::from(x, kNoSat, fp::E8m0Rounding::kUp).bits};
}

inline Codes cuda_codes(float x) {
  return {__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3),
          __nv_cvt_float_to_fp8(x, __NV_NOSAT, __NV_E4M3),
          __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E5M2),
          __nv_cvt_float_to_fp8(x, __NV_NOSAT, __NV_E5M2),
          __nv_cvt_float_to_fp4(x, __NV_E2M1, cudaRoundNearest),
          __nv_cvt_float_to_fp4(x, __NV_E2M1, cudaRoundZero),
          __nv_cvt_float_to_e8m0(x, __NV_SATFINITE, cudaRoundZero),
          __nv_cvt_float_to_e8m0(x, __NV_NOSAT, cudaRoundZero),
          __nv_cvt_float_to_e8m0(x, __NV_SATFINITE, cudaRoundPosInf),
          __nv_cvt_float_to_e8m0(x, __NV_NOSAT, cudaRoundPosInf)};
}

inline Codes cuda_codes(double x) {
  return {__nv_cvt_double_to_fp8(x, __NV_SATFINITE, __NV_E4M3),
          __nv_cvt_double_to_fp8(x, __NV_NOSAT, __NV_E4M3),
          __nv_cvt_double_to_fp8(x, __NV_SATFINITE, __NV_E5M2),
          __nv_cvt_double_to_fp8(x, __NV_NOSAT, __NV_E5M2),
          __nv_cvt_double_to_fp4(x, __NV_E2M1, cudaRoundNearest),
          __nv_cvt_double_to_fp4(x, __NV_E2M1, cudaRoundZero),
          __nv_cvt_double_to_e8m0(x, __NV_SATFINITE, cudaRoundZero),
          __nv_cvt_double_to_e8m0(x, __NV_NOSAT, cudaRoundZero),
          __nv_cvt_double_to_e8m0(x, __NV_SATFINITE, cudaRoundPosInf),
          __nv_cvt_double_to_e8m0(x, __NV_NOSAT, cudaRoundPosInf)};
}

inline Codes cuda_codes(fp::bf16 x) {
  __nv_bfloat16_raw r;
  r.x = x.bits;
  return {__nv_cvt_bfloat16raw_to_fp8(r, __NV_SATFINITE, __NV_E4M3),
          __nv_cvt_bfloat16raw_to_fp8(r, __NV_NOSAT, __NV_E4M3),
          __nv_cvt_bfloat16raw_to_fp8(r, __NV_SATFINITE, __NV_E5M2),
          __nv_cvt_bfloat16raw_to_fp8(r, __NV_NOSAT, __NV_E5M2),
          __nv_cvt_bfloat16raw_to_fp4(r, __NV_E2M1, cudaRoundNearest),
          __nv_cvt_bfloat16raw_to_fp4(r, __NV_E2M1, cudaRoundZero),
          __nv_cvt_bfloat16raw_to_e8m0(r, __NV_SATFINITE, cudaRoundZero),
          __nv_cvt_bfloat16raw_to_e8m0(r, __NV_NOSAT, cudaRoundZero),
          __nv_cvt_bfloat16raw_to_e8m0(r, __NV_SATFINITE, cudaRoundPosInf),
          __nv_cvt_bfloat16raw_to_e8m0(r, __NV_NOSAT, cudaRoundPosInf)};
}

inline Codes cuda_codes(fp::fp16 x) {
  __half_raw r;
  r.x = x.bits;
  // CUDA 13 has no __nv_cvt_halfraw_to_e8m0 (only float, double and bfloat16raw inputs), so the
  // E8M0 reference for an fp16 is CUDA's own exact widening to float followed by the float API.
  const float widened = __half2float(__half(r));
  return {__nv_cvt_halfraw_to_fp8(r, __NV_SATFINITE, __NV_E4M3),
          __nv_cvt_halfraw_to_fp8(r, __NV_NOSAT, __NV_E4M3),
          __nv_cvt_halfraw_to_fp8(r, __NV_SATFINITE, __NV_E5M2),
          __nv_cvt_halfraw_to_fp8(r, __NV_NOSAT, __NV_E5M2),
          __nv_cvt_halfraw_to_fp4(r, __NV_E2M1, cudaRoundNearest),
          __nv_cvt_halfraw_to_fp4(r, __NV_E2M1, cudaRoundZero),
          __nv_cvt_float_to_e8m0(widened, __NV_SATFINITE, cudaRoundZero),
          __nv_cvt_float_to_e8m0(widened, __NV_NOSAT, cudaRoundZero),
          __nv_cvt_float_to_e8m0(widened, __NV_SATFINITE, cudaRoundPosInf),
          __nv_cvt_float_to_e8m0(widened, __NV_NOSAT, cudaRoundPosInf)};
}

// FP6 E2M3 and E3M2 in the two modes CUDA 13 offers for them (cudaRoundNearest, cudaRoundZero),
// both saturating, NaN -> +max (cuda_fp6.h). The other rounding modes are checked against the
// plain value tables in small_elements_test.cpp.

constexpr std::size_t kFp6ModeCount = 4;
using Fp6Codes = std::array<std::uint8_t, kFp6ModeCount>;

constexpr std::array<RowName, kFp6ModeCount> kFp6ModeNames{{
    {"E2M3", "cudaRoundNearest"},
    {"E2M3", "cudaRoundZero"},
    {"E3M2", "cudaRoundNearest"},
    {"E3M2", "cudaRoundZero"},
}};

template <class T>
inline Fp6Codes our_fp6_codes(T x) {
  return {fp::fp6_e2m3::from(x, Rounding::kNearestEven).bits,
          fp::fp6_e2m3::from(x, Rounding::kTowardZero).bits,
          fp::fp6_e3m2::from(x, Rounding::kNearestEven).bits,
          fp::fp6_e3m2::from(x, Rounding::kTowardZero).bits};
}

inline Fp6Codes cuda_fp6_codes(float x) {
  return {__nv_cvt_float_to_fp6(x, __NV_E2M3, cudaRoundNearest),
          __nv_cvt_float_to_fp6(x, __NV_E2M3, cudaRoundZero),
          __nv_cvt_float_to_fp6(x, __NV_E3M2, cudaRoundNearest),
          __nv_cvt_float_to_fp6(x, __NV_E3M2, cudaRoundZero)};
}

inline Fp6Codes cuda_fp6_codes(double x) {
  return {__nv_cvt_double_to_fp6(x, __NV_E2M3, cudaRoundNearest),
          __nv_cvt_double_to_fp6(x, __NV_E2M3, cudaRoundZero),
          __nv_cvt_double_to_fp6(x, __NV_E3M2, cudaRoundNearest),
          __nv_cvt_double_to_fp6(x, __NV_E3M2, cudaRoundZero)};
}

inline Fp6Codes cuda_fp6_codes(fp::bf16 x) {
  __nv_bfloat16_raw r;
  r.x = x.bits;
  return {__nv_cvt_bfloat16raw_to_fp6(r, __NV_E2M3, cudaRoundNearest),
          __nv_cvt_bfloat16raw_to_fp6(r, __NV_E2M3, cudaRoundZero),
          __nv_cvt_bfloat16raw_to_fp6(r, __NV_E3M2, cudaRoundNearest),
          __nv_cvt_bfloat16raw_to_fp6(r, __NV_E3M2, cudaRoundZero)};
}

inline Fp6Codes cuda_fp6_codes(fp::fp16 x) {
  __half_raw r;
  r.x = x.bits;
  return {__nv_cvt_halfraw_to_fp6(r, __NV_E2M3, cudaRoundNearest),
          __nv_cvt_halfraw_to_fp6(r, __NV_E2M3, cudaRoundZero),
          __nv_cvt_halfraw_to_fp6(r, __NV_E3M2, cudaRoundNearest),
          __nv_cvt_halfraw_to_fp6(r, __NV_E3M2, cudaRoundZero)};
}

/// Compares all modes of one input's code arrays (M modes, rows 0..M-1); the caller has
/// already counted it as checked.
template <std::size_t M, std::size_t N>
inline void compare_codes(std::uint64_t input_bits, const std::array<std::uint8_t, M>& cuda,
                          const std::array<std::uint8_t, M>& ours, Tally<N>& tally) {
  static_assert(M <= N);
  for (std::size_t m = 0; m < M; ++m) {
    if (cuda[m] != ours[m]) tally.rows[m].record(input_bits, cuda[m], ours[m]);
  }
}

/// Adds n checked inputs to rows [0, rows) (all rows by default).
template <std::size_t N>
void count_checked(Tally<N>& tally, std::uint64_t n, std::size_t rows = N) {
  for (std::size_t i = 0; i < rows; ++i) tally.rows[i].checked += n;
}

// ---------------------------------------------------------------------------------------------
// Deterministic double inputs: index -> double, independent of the thread split.

constexpr std::uint64_t kDoubleSeed = 0x5EED0F4AB5ull;
constexpr std::uint64_t kDoubleCount = 20'000'000;

inline std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline std::uint64_t dbits(double x) { return fp::bit_cast<std::uint64_t>(x); }
inline double from_dbits(std::uint64_t u) { return fp::bit_cast<double>(u); }

/// Moves a non-negative double by `ulps` representable steps (stays non-negative).
inline double nudge(double a, std::int64_t ulps) {
  const std::uint64_t u = dbits(a);
  if (ulps < 0 && u < static_cast<std::uint64_t>(-ulps)) return from_dbits(-ulps - u);
  return from_dbits(u + static_cast<std::uint64_t>(ulps));
}

/// A positive grid point of one of the four formats, or (when `midpoint`) the exact midpoint
/// between a grid point and the next one up (the next after the max being its overflow tie).
inline double grid_value(std::uint64_t h, bool midpoint) {
  const std::uint64_t pick = h >> 60;
  const std::uint64_t r = h & 0xFFFFFFFu;
  if (pick < 4) {  // E4M3, codes 0x00..0x7E, the one above 448 being 480
    const std::uint8_t c = static_cast<std::uint8_t>(r % 0x7F);
    const double v = fp::fp8_e4m3{c}.to_float();
    if (!midpoint) return v;
    const double up = c == 0x7E ? 480.0 : fp::fp8_e4m3{static_cast<std::uint8_t>(c + 1)}.to_float();
    return (v + up) / 2;
  }
  if (pick < 8) {  // E5M2, codes 0x00..0x7B, the one above 57344 being 65536
    const std::uint8_t c = static_cast<std::uint8_t>(r % 0x7C);
    const double v = fp::fp8_e5m2{c}.to_float();
    if (!midpoint) return v;
    const double up =
        c == 0x7B ? 65536.0 : fp::fp8_e5m2{static_cast<std::uint8_t>(c + 1)}.to_float();
    return (v + up) / 2;
  }
  if (pick < 11) {  // E2M1, codes 0..7, the one above 6 being 8
    const std::uint8_t c = static_cast<std::uint8_t>(r % 8);
    const double v = fp::fp4_e2m1{c}.to_float();
    if (!midpoint) return v;
    const double up = c == 7 ? 8.0 : fp::fp4_e2m1{static_cast<std::uint8_t>(c + 1)}.to_float();
    return (v + up) / 2;
  }
  // E8M0: 2^k for k in [-132, 131] (past both ends), midpoint 1.5 * 2^k
  const int k = static_cast<int>(r % 264) - 132;
  return std::ldexp(midpoint ? 1.5 : 1.0, k);
}

/// Overflow ties, format extremes, float/double extremes, Inf and NaN (nudged: NaN payloads);
/// 0x1.ffffffp127 is where a double stops rounding to FLT_MAX and rounds to Inf as a float.
// clang-format off
constexpr std::array<double, 36> kThresholds{
    0.0,      0.25,     0.5,       0.75,      5.0,       6.0,           7.0,
    8.0,      448.0,    464.0,     480.0,     57344.0,   61440.0,       65536.0,
    0x1p-6,   0x1p-9,   0x1p-10,   0x1.8p-10, 0x1p-14,   0x1p-16,       0x1p-17,
    0x1p-126, 0x1p-127, 0x1p-128,  0x1p-149,  0x1p-150,  0x1p127,       0x1.8p127,
    0x1p128,  0x1.fffffep127,      0x1.ffffffp127,       0x1.fffffffffffffp1023,
    0x1p-1022,          0x1p-1074,            std::numeric_limits<double>::infinity(),
    std::numeric_limits<double>::quiet_NaN(),
};
// clang-format on

/// The index-th double input: random bit patterns, random values over the formats' range,
/// grid points and midpoints (ties) nudged by a few ulps, thresholds, and floats with a tail.
inline double make_double(std::uint64_t index) {
  const std::uint64_t h = splitmix64(kDoubleSeed ^ splitmix64(index));
  const std::uint64_t g = splitmix64(h);
  const std::uint64_t sign = (g & 1u) << 63;
  const std::int64_t ulps = static_cast<std::int64_t>((g >> 1) % 7) - 3;  // -3..3
  double a = 0;
  switch (h & 7u) {
    case 0:
    case 1:
      return from_dbits(g);  // any bit pattern: NaNs, Infs, subnormals, huge and tiny values
    case 2:
    case 3: {  // exponent in [-160, 140], random mantissa
      const std::uint64_t exp = 1023 - 160 + (g >> 8) % 301;
      return from_dbits(sign | (exp << 52) | (splitmix64(g) & 0xFFFFFFFFFFFFFull));
    }
    case 4:
      a = nudge(grid_value(g >> 4, false), ulps);
      break;
    case 5:
      a = nudge(grid_value(g >> 4, true), ulps);
      break;
    case 6:
      a = nudge(kThresholds[(g >> 8) % kThresholds.size()], ulps);
      break;
    default: {  // a finite float plus a random tail below float precision
      std::uint32_t f = static_cast<std::uint32_t>(g >> 16) & 0x7FFFFFFFu;
      if (f >= 0x7F800000u) f &= 0x4FFFFFFFu;  // keep it finite
      const std::int64_t tail = static_cast<std::int64_t>((g >> 48) & 0x1FFFFFFFu) - (1 << 28);
      a = nudge(static_cast<double>(fp::bit_cast<float>(f)), tail);
      break;
    }
  }
  return from_dbits(dbits(a) | sign);
}

constexpr std::uint64_t kFp6DoubleCount = 8'000'000;

/// The index-th double input of the FP6 sweep: make_double's inputs (a quarter), and FP6 grid
/// points, midpoints (with the overflow ties 7.75 and 30) and values in the FP6 range, nudged by
/// -3..3 double ulps or by a tail below float precision.
inline double make_fp6_double(std::uint64_t index) {
  const std::uint64_t h = splitmix64(kDoubleSeed ^ 0xF6F6F6F6ull ^ splitmix64(index));
  const std::uint64_t g = splitmix64(h);
  const std::uint64_t sign = (g & 1u) << 63;
  const std::int64_t ulps = static_cast<std::int64_t>((g >> 1) % 7) - 3;  // -3..3
  const bool e3m2 = (g >> 4) & 1u;
  const std::uint8_t c = static_cast<std::uint8_t>((g >> 8) % 32);
  const double v = e3m2 ? fp::fp6_e3m2{c}.to_float() : fp::fp6_e2m3{c}.to_float();
  const double up = c == 31 ? (e3m2 ? 32.0 : 8.0)
                            : (e3m2 ? fp::fp6_e3m2{static_cast<std::uint8_t>(c + 1)}.to_float()
                                    : fp::fp6_e2m3{static_cast<std::uint8_t>(c + 1)}.to_float());
  double a = 0;
  switch (h & 3u) {
    case 0:
      return make_double(index);
    case 1:
      a = nudge(v, ulps);
      break;
    case 2:
      a = nudge((v + up) / 2, ulps);
      break;
    default: {  // exponent in [-12, 6], random mantissa, a tail below float precision or not
      const std::uint64_t exp = 1023 - 12 + (g >> 16) % 19;
      const std::uint64_t mantissa = splitmix64(g) & 0xFFFFFFFFFFFFFull;
      a = from_dbits((exp << 52) | ((g >> 40) & 1u ? mantissa : mantissa & ~0x1FFFFFFFull));
      break;
    }
  }
  return from_dbits(dbits(a) | sign);
}

// ---------------------------------------------------------------------------------------------
// Decoder and 16-bit helpers.

inline std::uint32_t fbits(float x) { return fp::bit_cast<std::uint32_t>(x); }

/// CUDA's value equals ours bit for bit; a NaN must meet a positive NaN on our side.
bool same_decoded(float cuda, float ours) {
  if (std::isnan(cuda)) return std::isnan(ours) && !std::signbit(ours);
  return fbits(cuda) == fbits(ours);
}

inline bool is_nan16_half(std::uint16_t b) { return (b & 0x7FFFu) > 0x7C00u; }
inline bool is_nan16_bf16(std::uint16_t b) { return (b & 0x7FFFu) > 0x7F80u; }

float cuda_half_to_float(std::uint16_t bits) {
  __half_raw r;
  r.x = bits;
  return __half2float(__half(r));
}

float cuda_bf16_to_float(std::uint16_t bits) {
  __nv_bfloat16_raw r;
  r.x = bits;
  return __bfloat162float(__nv_bfloat16(r));
}

}  // namespace

TEST_SUITE("formats.exhaustive") {
  TEST_CASE("every float32 encodes as CUDA does in all ten modes") {
    // Row 10: fp4_e2m1::from(float) rounds to nearest through e2m1_rne_arith (its integer
    // form on the CPU); its scalar twin, the generic rounding-core encoder, must agree with
    // CUDA on every float as well. Row 11: the FMA form the device runs, here on the CPU.
    // Row 12: the magnitude-only FMA form 4/6's error sums run on the device, against CUDA's code & 7.
    constexpr std::size_t kGenericRow = kModeCount, kFmaRow = kModeCount + 1, kMagnitudeRow = kModeCount + 2;
    constexpr std::size_t kE2m1Nearest = 4;
    std::array<RowName, kModeCount + 3> names{};
    std::copy(kModeNames.begin(), kModeNames.end(), names.begin());
    names[kGenericRow] = {"E2M1", "cudaRoundNearest, encode_generic"};
    names[kFmaRow] = {"E2M1", "cudaRoundNearest, e2m1_rne_fma"};
    names[kMagnitudeRow] = {"E2M1", "cudaRoundNearest & 7, e2m1_magnitude_fma"};

    const std::uint64_t stride = sweep_stride();
    const std::uint64_t count = ((1ull << 32) + stride - 1) / stride;
    const auto start = std::chrono::steady_clock::now();
    const auto tally = parallel_sweep<Tally<kModeCount + 3>>(
        count, [stride](std::uint64_t begin, std::uint64_t end, Tally<kModeCount + 3>& t) {
          for (std::uint64_t i = begin; i < end; ++i) {
            const std::uint32_t u = static_cast<std::uint32_t>(i * stride);
            const float x = fp::bit_cast<float>(u);
            const Codes cuda = cuda_codes(x);
            const Codes ours = our_codes(x);
            if (cuda != ours) compare_codes(u, cuda, ours, t);
            const std::uint8_t generic =
                fp::fp4_e2m1::encode_generic(x, Rounding::kNearestEven, 0, fp::NanPolicy::kCuda);
            if (generic != cuda[kE2m1Nearest]) {
              t.rows[kGenericRow].record(u, cuda[kE2m1Nearest], generic);
            }
            const std::uint8_t fma = fp::fp4_e2m1::e2m1_rne_fma(x);
            if (fma != cuda[kE2m1Nearest]) t.rows[kFmaRow].record(u, cuda[kE2m1Nearest], fma);
            const std::uint8_t mag = fp::fp4_e2m1::e2m1_magnitude_fma(x), want_mag = cuda[kE2m1Nearest] & 0x7u;
            if (mag != want_mag) t.rows[kMagnitudeRow].record(u, want_mag, mag);
          }
          count_checked(t, end - begin);
        });
    report("float32 -> E4M3/E5M2/E2M1/E8M0, all 2^32 bit patterns", tally, names, 8, 2,
           seconds_since(start));
  }

  TEST_CASE("every bf16 and fp16 encodes as CUDA does in all ten modes") {
    const auto start = std::chrono::steady_clock::now();
    const auto bf16_tally = parallel_sweep<Tally<kModeCount>>(
        1u << 16, [](std::uint64_t begin, std::uint64_t end, Tally<kModeCount>& t) {
          for (std::uint64_t i = begin; i < end; ++i) {
            const fp::bf16 x{static_cast<std::uint16_t>(i)};
            compare_codes(i, cuda_codes(x), our_codes(x), t);
          }
          count_checked(t, end - begin);
        });
    report("bf16 -> E4M3/E5M2/E2M1/E8M0, all 2^16 bit patterns", bf16_tally, kModeNames, 4, 2,
           seconds_since(start));

    const auto fp16_tally = parallel_sweep<Tally<kModeCount>>(
        1u << 16, [](std::uint64_t begin, std::uint64_t end, Tally<kModeCount>& t) {
          for (std::uint64_t i = begin; i < end; ++i) {
            const fp::fp16 x{static_cast<std::uint16_t>(i)};
            compare_codes(i, cuda_codes(x), our_codes(x), t);
          }
          count_checked(t, end - begin);
        });
    report("fp16 -> E4M3/E5M2/E2M1/E8M0, all 2^16 bit patterns (E8M0 via __half2float)", fp16_tally,
           kModeNames, 4, 2, seconds_since(start));
  }

  TEST_CASE("random and grid-adjacent doubles encode as CUDA does, apart from two CUDA quirks") {
    // Two double-only CUDA behaviours are left out of rows 0-9 and checked against the
    // float/half/bf16 contract in their own rows ("noted": how often CUDA showed the quirk):
    // - row 10: __nv_cvt_double_to_fp8 does not canonicalise NaN as the float, half and bf16
    //   entry points do: E4M3 gives sign|0x7F, E5M2 sign|0x7E|(top 2 payload bits). Ours gives
    //   0x7F for every NaN input (NanPolicy::kCuda, FORMATS.md §1).
    // - row 11: double RZ NOSAT E8M0 gives 0xFE for finite |x| >= 2^128 (FORMATS.md §1: a
    //   quirk not to copy); ours must give 0xFF (overflow under NOSAT is NaN).
    constexpr std::size_t kNanRow = kModeCount;
    constexpr std::size_t kOverflowRow = kModeCount + 1;
    constexpr std::size_t kRows = kModeCount + 2;
    std::array<RowName, kRows> names{};
    std::copy(kModeNames.begin(), kModeNames.end(), names.begin());
    names[kNanRow] = {"FP8", "any NaN -> 0x7F (quirk rows 0-3)"};
    names[kOverflowRow] = {"E8M0", "rz nosat |x|>=2^128 -> 0xFF (quirk)"};

    const std::uint64_t stride = sweep_stride();
    const std::uint64_t count = kDoubleCount / stride;
    const auto start = std::chrono::steady_clock::now();
    const auto tally = parallel_sweep<Tally<kRows>>(
        count, [stride](std::uint64_t begin, std::uint64_t end, Tally<kRows>& t) {
          std::uint64_t nan_inputs = 0;
          std::uint64_t overflow_inputs = 0;
          for (std::uint64_t i = begin; i < end; ++i) {
            const double x = make_double(i * stride);
            Codes cuda = cuda_codes(x);
            const Codes ours = our_codes(x);
            const std::uint64_t u = dbits(x);
            const std::uint64_t a = u & 0x7FFFFFFFFFFFFFFFull;
            if (a > 0x7FF0000000000000ull) {
              ++nan_inputs;
              ModeStats& row = t.rows[kNanRow];
              bool quirk = false;
              for (std::size_t m = 0; m < 4; ++m) {
                quirk = quirk || cuda[m] != 0x7F;
                if (ours[m] != 0x7F) row.record(u, cuda[m], ours[m]);
                cuda[m] = ours[m];  // left out of rows 0-3
              }
              if (quirk) ++row.noted;
            } else if (a >= dbits(0x1p128) && a < 0x7FF0000000000000ull) {
              ++overflow_inputs;
              ModeStats& row = t.rows[kOverflowRow];
              if (cuda[kE8m0RzNoSat] == 0xFE) ++row.noted;
              if (ours[kE8m0RzNoSat] != 0xFF) row.record(u, cuda[kE8m0RzNoSat], ours[kE8m0RzNoSat]);
              cuda[kE8m0RzNoSat] = ours[kE8m0RzNoSat];  // left out of row 7
            }
            if (cuda != ours) compare_codes(u, cuda, ours, t);
          }
          count_checked(t, end - begin, kModeCount);
          for (std::size_t m = 0; m < 4; ++m) t.rows[m].checked -= nan_inputs;
          t.rows[kE8m0RzNoSat].checked -= overflow_inputs;
          t.rows[kNanRow].checked += nan_inputs;
          t.rows[kOverflowRow].checked += overflow_inputs;
        });
    report("double -> E4M3/E5M2/E2M1/E8M0, random and grid-adjacent inputs", tally, names, 16, 2,
           seconds_since(start), kModeCount);
    const ModeStats& nan_row = tally.rows[kNanRow];
    const ModeStats& overflow_row = tally.rows[kOverflowRow];
    std::printf("  CUDA kept a NaN's sign or payload for %llu of the %llu NaN inputs\n",
                static_cast<unsigned long long>(nan_row.noted),
                static_cast<unsigned long long>(nan_row.checked));
    std::printf("  CUDA gave 0xFE (E8M0 quirk) for %llu of the %llu inputs >= 2^128\n",
                static_cast<unsigned long long>(overflow_row.noted),
                static_cast<unsigned long long>(overflow_row.checked));
    // The E8M0 quirk is as documented for every such input; revisit if CUDA fixes it.
    CHECK(overflow_row.noted == overflow_row.checked);
  }

  TEST_CASE("every float32 encodes to FP6 E2M3 and E3M2 as CUDA does in both its modes") {
    const std::uint64_t stride = sweep_stride();
    const std::uint64_t count = ((1ull << 32) + stride - 1) / stride;
    const auto start = std::chrono::steady_clock::now();
    const auto tally = parallel_sweep<Tally<kFp6ModeCount>>(
        count, [stride](std::uint64_t begin, std::uint64_t end, Tally<kFp6ModeCount>& t) {
          for (std::uint64_t i = begin; i < end; ++i) {
            const std::uint32_t u = static_cast<std::uint32_t>(i * stride);
            const float x = fp::bit_cast<float>(u);
            const Fp6Codes cuda = cuda_fp6_codes(x);
            const Fp6Codes ours = our_fp6_codes(x);
            if (cuda != ours) compare_codes(u, cuda, ours, t);
          }
          count_checked(t, end - begin);
        });
    report("float32 -> E2M3/E3M2, all 2^32 bit patterns", tally, kFp6ModeNames, 8, 2,
           seconds_since(start));
  }

  TEST_CASE("every bf16 and fp16 encodes to FP6 E2M3 and E3M2 as CUDA does in both its modes") {
    const auto start = std::chrono::steady_clock::now();
    Tally<kFp6ModeCount> bf16_tally, fp16_tally;
    for (std::uint32_t b = 0; b < (1u << 16); ++b) {
      const fp::bf16 g{static_cast<std::uint16_t>(b)};
      compare_codes(b, cuda_fp6_codes(g), our_fp6_codes(g), bf16_tally);
      const fp::fp16 h{static_cast<std::uint16_t>(b)};
      compare_codes(b, cuda_fp6_codes(h), our_fp6_codes(h), fp16_tally);
    }
    count_checked(bf16_tally, 1u << 16);
    count_checked(fp16_tally, 1u << 16);
    report("bf16 -> E2M3/E3M2, all 2^16 bit patterns", bf16_tally, kFp6ModeNames, 4, 2,
           seconds_since(start));
    report("fp16 -> E2M3/E3M2, all 2^16 bit patterns", fp16_tally, kFp6ModeNames, 4, 2,
           seconds_since(start));
  }

  TEST_CASE("random and FP6-grid-adjacent doubles encode to FP6 as CUDA does") {
    const std::uint64_t stride = sweep_stride();
    const std::uint64_t count = kFp6DoubleCount / stride;
    const auto start = std::chrono::steady_clock::now();
    const auto tally = parallel_sweep<Tally<kFp6ModeCount>>(
        count, [stride](std::uint64_t begin, std::uint64_t end, Tally<kFp6ModeCount>& t) {
          for (std::uint64_t i = begin; i < end; ++i) {
            const double x = make_fp6_double(i * stride);
            const Fp6Codes cuda = cuda_fp6_codes(x);
            const Fp6Codes ours = our_fp6_codes(x);
            if (cuda != ours) compare_codes(dbits(x), cuda, ours, t);
          }
          count_checked(t, end - begin);
        });
    report("double -> E2M3/E3M2, random and grid-adjacent inputs", tally, kFp6ModeNames, 16, 2,
           seconds_since(start));
  }

  TEST_CASE("every FP8, FP4, FP6 and E8M0 code decodes as CUDA does") {
    for (unsigned c = 0; c < 256; ++c) {
      const std::uint8_t code = static_cast<std::uint8_t>(c);
      INFO(std::string("code ") << hex_string(c));
      const float e4m3 = cuda_half_to_float(__nv_cvt_fp8_to_halfraw(code, __NV_E4M3).x);
      CHECK(same_decoded(e4m3, fp::fp8_e4m3{code}.to_float()));
      const float e5m2 = cuda_half_to_float(__nv_cvt_fp8_to_halfraw(code, __NV_E5M2).x);
      CHECK(same_decoded(e5m2, fp::fp8_e5m2{code}.to_float()));
      // CUDA writes 0x00 as the bf16 subnormal 0x0040 = 2^-127; widening bf16 to float is a
      // 16-bit shift, exact, so the float 2^-127 (0x00400000) compares bit for bit.
      const std::uint16_t e8m0_bf16 = __nv_cvt_e8m0_to_bf16raw(code).x;
      if (c == 0) CHECK(e8m0_bf16 == 0x0040u);
      const float e8m0 = fp::bit_cast<float>(static_cast<std::uint32_t>(e8m0_bf16) << 16);
      CHECK(same_decoded(e8m0, fp::ue8m0{code}.to_float()));
      if (c < 16) {
        const float e2m1 = cuda_half_to_float(__nv_cvt_fp4_to_halfraw(code, __NV_E2M1).x);
        CHECK(same_decoded(e2m1, fp::fp4_e2m1{code}.to_float()));
      }
      if (c < 64) {
        const float e2m3 = cuda_half_to_float(__nv_cvt_fp6_to_halfraw(code, __NV_E2M3).x);
        CHECK(same_decoded(e2m3, fp::fp6_e2m3{code}.to_float()));
        const float e3m2 = cuda_half_to_float(__nv_cvt_fp6_to_halfraw(code, __NV_E3M2).x);
        CHECK(same_decoded(e3m2, fp::fp6_e3m2{code}.to_float()));
      }
    }
    CHECK(fbits(fp::ue8m0{0x00}.to_float()) == 0x00400000u);
  }

  TEST_CASE("fp16 and bf16 widen to float as CUDA does") {
    const std::array<RowName, 2> names{
        {{"fp16", "to_float vs __half2float"}, {"bf16", "to_float vs __bfloat162float"}}};
    const auto start = std::chrono::steady_clock::now();
    Tally<2> tally;
    for (std::uint32_t b = 0; b < (1u << 16); ++b) {
      const std::uint16_t bits = static_cast<std::uint16_t>(b);
      const float h_cuda = cuda_half_to_float(bits);
      const float h_ours = fp::to_float(fp::fp16{bits});
      // NaN payloads may differ; a NaN must still be a NaN on both sides
      const bool h_same = std::isnan(h_cuda) ? std::isnan(h_ours) : fbits(h_cuda) == fbits(h_ours);
      if (!h_same) tally.rows[0].record(b, fbits(h_cuda), fbits(h_ours));
      const float b_cuda = cuda_bf16_to_float(bits);
      const float b_ours = fp::to_float(fp::bf16{bits});
      const bool b_same = std::isnan(b_cuda) ? std::isnan(b_ours) : fbits(b_cuda) == fbits(b_ours);
      if (!b_same) tally.rows[1].record(b, fbits(b_cuda), fbits(b_ours));
    }
    count_checked(tally, 1u << 16);
    report("fp16/bf16 -> float, all 2^16 bit patterns", tally, names, 4, 8, seconds_since(start));
  }

  TEST_CASE("every float32 narrows to bf16 and fp16 as CUDA does") {
    // Both sides are cheap integer code (about 10 s for all 2^32 inputs on two cores), so this
    // sweep is exhaustive too rather than sampled.
    const std::uint64_t stride = sweep_stride();
    const std::uint64_t count = ((1ull << 32) + stride - 1) / stride;
    const std::array<RowName, 2> names{{{"bf16", "bf16_from_float vs __float2bfloat16_rn"},
                                        {"fp16", "fp16_from_float vs __float2half_rn"}}};
    const auto start = std::chrono::steady_clock::now();
    const auto tally = parallel_sweep<Tally<2>>(
        count, [stride](std::uint64_t begin, std::uint64_t end, Tally<2>& t) {
          for (std::uint64_t i = begin; i < end; ++i) {
            const std::uint32_t u = static_cast<std::uint32_t>(i * stride);
            const float x = fp::bit_cast<float>(u);
            const std::uint16_t b_cuda = __nv_bfloat16_raw(__float2bfloat16_rn(x)).x;
            const std::uint16_t b_ours = fp::bf16_from_float(x).bits;
            // NaN payloads may differ; a NaN must still be a NaN on both sides
            if (b_cuda != b_ours && !(is_nan16_bf16(b_cuda) && is_nan16_bf16(b_ours))) {
              t.rows[0].record(u, b_cuda, b_ours);
            }
            const std::uint16_t h_cuda = __half_raw(__float2half_rn(x)).x;
            const std::uint16_t h_ours = fp::fp16_from_float(x).bits;
            if (h_cuda != h_ours && !(is_nan16_half(h_cuda) && is_nan16_half(h_ours))) {
              t.rows[1].record(u, h_cuda, h_ours);
            }
          }
          count_checked(t, end - begin);
        });
    report("float32 -> bf16/fp16 (round to nearest even), all 2^32 bit patterns", tally, names, 8,
           4, seconds_since(start));
  }
}

#endif  // FP4LAB_HAVE_CUDA_HEADERS
