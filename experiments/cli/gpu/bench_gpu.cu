// `fp4lab bench` (experiments/cli/gpu/commands.hpp): bandwidth of the GPU quantizer (kernels/quantize.hpp) on BF16 inputs of
// 16 MiB to 2 GiB against a device-to-device copy of the same input in the same run. CUDA
// events, warm-up, median of >= 20 runs, inputs rotated over more than the L2 holds.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "formats/philox.hpp"
#include "experiments/cli/args.hpp"
#include "experiments/cli/gpu/commands.hpp"
#include "kernels/quantize.hpp"

namespace {

using namespace fp4lab;
using core::DType;

#define FP4LAB_CUDA_CHECK(call)                                                           \
  do {                                                                                    \
    const cudaError_t e_ = (call);                                                        \
    if (e_ != cudaSuccess) {                                                              \
      std::fprintf(stderr, "CUDA error %s at %s:%d: %s\n", cudaGetErrorString(e_), __FILE__, \
                   __LINE__, #call);                                                      \
      std::exit(2);                                                                       \
    }                                                                                     \
  } while (0)

/// Runs `call`; when it throws, prints "what failed: message" and exits 2.
template <class Call>
void require(const Call& call, const char* what) {
  try {
    call();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s failed: %s\n", what, e.what());
    std::exit(2);
  }
}

/// Command-line options.
struct Options {
  std::vector<int> sizes_mib = {16, 64, 256, 1024, 2048};
  int runs = 25;
  int warmup = 3;
  std::int64_t cols = 8192;
  std::string csv;
  std::string dump_dir;
  int dump_mib = 256;
};

/// Random BF16 normals (Box-Muller on Philox bits; not bit-reproduced anywhere, just data),
/// with one value in 4096 ten times larger so that blocks differ in scale.
__global__ void fill_bf16(std::uint16_t* x, std::int64_t n, std::uint64_t seed) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const formats::Philox4 p = formats::philox4x32_10(static_cast<std::uint32_t>(i),
                                                      static_cast<std::uint32_t>(i >> 32), 0x42454E43u, 0u,
                                                      static_cast<std::uint32_t>(seed), 0u);
    const float u1 = (static_cast<float>(p.v[0] >> 8) + 1.0f) * (1.0f / 16777216.0f);
    const float u2 = static_cast<float>(p.v[1] >> 8) * (1.0f / 16777216.0f);
    float v = sqrtf(-2.0f * logf(u1)) * cospif(2.0f * u2);
    if ((p.v[2] & 4095u) == 0) v *= 10.0f;
    x[i] = formats::bf16_from_float(v).bits;
  }
}

/// One measured operation: median and min over runs, and the bytes it must move.
struct Result {
  std::string op;
  int size_mib = 0;
  double median_ms = 0, min_ms = 0;
  double bytes = 0;
  double gbps() const { return bytes / (median_ms * 1e-3) / 1e9; }
};

/// Times `fn(k)` (k = buffer index, rotated) with a pair of events per run; median of runs.
template <class Fn>
Result time_op(const char* op, int size_mib, double bytes, int nbuf, const Options& o, Fn fn) {
  for (int i = 0; i < o.warmup; ++i) fn(i % nbuf);
  FP4LAB_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<cudaEvent_t> ev(2 * static_cast<std::size_t>(o.runs));
  for (auto& e : ev) FP4LAB_CUDA_CHECK(cudaEventCreate(&e));
  for (int i = 0; i < o.runs; ++i) {
    FP4LAB_CUDA_CHECK(cudaEventRecord(ev[2 * i]));
    fn((i + o.warmup) % nbuf);
    FP4LAB_CUDA_CHECK(cudaEventRecord(ev[2 * i + 1]));
  }
  FP4LAB_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<double> ms(static_cast<std::size_t>(o.runs));
  for (int i = 0; i < o.runs; ++i) {
    float t = 0;
    FP4LAB_CUDA_CHECK(cudaEventElapsedTime(&t, ev[2 * i], ev[2 * i + 1]));
    ms[i] = t;
  }
  for (auto& e : ev) cudaEventDestroy(e);
  std::sort(ms.begin(), ms.end());
  Result r;
  r.op = op;
  r.size_mib = size_mib;
  r.median_ms = o.runs % 2 ? ms[o.runs / 2] : 0.5 * (ms[o.runs / 2 - 1] + ms[o.runs / 2]);
  r.min_ms = ms.front();
  r.bytes = bytes;
  return r;
}

bool write_file(const std::string& path, const void* data, std::size_t bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(data, 1, bytes, f) == bytes;
  return std::fclose(f) == 0 && ok;
}

/// Reads the options into `o`; an exit status when the command should stop (--help, a mistake).
std::optional<int> parse(int argc, char** argv, Options& o) {
  cli::Args args("fp4lab bench", "Bandwidth of the GPU quantizer on BF16 inputs against a device-to-device copy.");
  args.option("sizes-mib", o.sizes_mib, "input sizes in MiB").range(1, 1 << 20);
  args.option("runs", o.runs, "timed runs per size").range(1, 100000);
  args.option("warmup", o.warmup, "untimed runs first").range(0, 100000);
  args.option("cols", o.cols, "columns of the input").range(16, 1 << 24);
  args.option("csv", o.csv, "also write the figures to FILE").placeholder("FILE");
  args.option("dump-dir", o.dump_dir, "write DIR/input.bf16, codes.u8, scales.u8 (NVFP4 te, row-major) and "
                                     "meta.txt for kernels/peer_torch.py").placeholder("DIR");
  args.option("dump-mib", o.dump_mib, "the size --dump-dir writes").range(1, 1 << 20);
  args.usage_exit_code(1);
  return args.parse(argc, argv);
}

/// Writes the BF16 input and our NVFP4-te codes, scales and tensor scale for the peer check.
void dump(const Options& o, const void* dx, std::int64_t rows, std::int64_t cols, std::uint32_t* damax,
          const kernels::DeviceQuantized& dq, const core::QuantizedSizes& shape) {
  formats::Recipe te;
  FP4LAB_CUDA_CHECK(cudaMemset(dq.codes, 0xA5, shape.code_bytes));  // poison: every byte must be written
  FP4LAB_CUDA_CHECK(cudaMemset(dq.scales, 0xA5, shape.scale_bytes));
  require([&] { kernels::amax_async(dx, DType::kBF16, rows * cols, damax, nullptr); }, "amax");
  require([&] { kernels::quantize_async(te, formats::ScaleLayout::kRowMajor, dx, DType::kBF16, rows, cols, damax,
                                        dq, nullptr); },
          "quantize");
  FP4LAB_CUDA_CHECK(cudaDeviceSynchronize());
  const std::size_t in_bytes = static_cast<std::size_t>(rows * cols) * 2;
  std::vector<std::uint8_t> in(in_bytes), codes(shape.code_bytes), scales(shape.scale_bytes);
  formats::TensorScale ts;
  FP4LAB_CUDA_CHECK(cudaMemcpy(in.data(), dx, in_bytes, cudaMemcpyDeviceToHost));
  FP4LAB_CUDA_CHECK(cudaMemcpy(codes.data(), dq.codes, codes.size(), cudaMemcpyDeviceToHost));
  FP4LAB_CUDA_CHECK(cudaMemcpy(scales.data(), dq.scales, scales.size(), cudaMemcpyDeviceToHost));
  FP4LAB_CUDA_CHECK(cudaMemcpy(&ts, dq.tensor_scale, sizeof ts, cudaMemcpyDeviceToHost));
  const std::string d = o.dump_dir;
  bool ok = write_file(d + "/input.bf16", in.data(), in.size()) &&
            write_file(d + "/codes.u8", codes.data(), codes.size()) &&
            write_file(d + "/scales.u8", scales.data(), scales.size());
  FILE* f = std::fopen((d + "/meta.txt").c_str(), "w");
  ok = ok && f != nullptr;
  if (f != nullptr) {
    std::uint32_t bits[3];
    std::memcpy(&bits[0], &ts.amax, 4);
    std::memcpy(&bits[1], &ts.encode, 4);
    std::memcpy(&bits[2], &ts.decode, 4);
    std::fprintf(f, "recipe nvfp4:te\nlayout row-major\nrows %lld\ncols %lld\n", static_cast<long long>(rows),
                 static_cast<long long>(cols));
    std::fprintf(f, "amax_bits 0x%08x\nencode_bits 0x%08x\ndecode_bits 0x%08x\n", bits[0], bits[1], bits[2]);
    std::fprintf(f, "amax %.9g\nencode %.9g\ndecode %.9g\n", ts.amax, ts.encode, ts.decode);
    ok = std::fclose(f) == 0 && ok;
  }
  std::printf("dump %s: %s (%lld x %lld BF16, amax %.9g)\n", d.c_str(), ok ? "written" : "FAILED",
              static_cast<long long>(rows), static_cast<long long>(cols), ts.amax);
  if (!ok) std::exit(2);
}

}  // namespace

namespace fp4lab::kernels {

int bench_main(int argc, char** argv) {
  Options o;
  if (const auto rc = parse(argc, argv, o)) return *rc;
  int ndev = 0;
  if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0) {
    std::fprintf(stderr, "fp4lab bench: no CUDA device, nothing to measure\n");
    return 3;
  }
  cudaDeviceProp prop{};
  FP4LAB_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s, sm_%d%d, %d SMs, L2 %.1f MB, memory %.1f GiB\n", prop.name, prop.major, prop.minor,
              prop.multiProcessorCount, prop.l2CacheSize / 1e6, prop.totalGlobalMem / 1073741824.0);
  std::printf("GB/s count the bytes an op must move: input read once + codes + scales written "
              "(copy: read + write); ops with a tensor scale also run amax, a second read.\n");
  formats::Recipe te, four6, mx, if4, nvfp6;
  four6.nv = formats::NvRecipe::kFourOverSix;
  formats::Recipe four6_mae = four6, four6_absmax = four6;
  four6_mae.rule = formats::FourSixRule::kMae;
  four6_absmax.rule = formats::FourSixRule::kAbsMax;
  if4.format = formats::BlockFormat::kIF4;  // FORMATS.md §9, rule mse, bs 16
  formats::Recipe if4_absmax = if4;
  if4_absmax.rule = formats::FourSixRule::kAbsMax;
  nvfp6.format = formats::BlockFormat::kNVFP6_E2M3;
  mx.format = formats::BlockFormat::kMXFP4;
  mx.block_size = 32;
  std::vector<Result> all;
  const double l2_floor = std::max<double>(512.0 * 1048576.0, 8.0 * prop.l2CacheSize);
  for (int mib : o.sizes_mib) {
    const std::int64_t n = static_cast<std::int64_t>(mib) * 1048576 / 2;
    if (mib <= 0 || n % o.cols != 0) {
      std::printf("size %d MiB: not a whole number of %lld-column rows, skipped\n", mib,
                  static_cast<long long>(o.cols));
      continue;
    }
    const std::int64_t rows = n / o.cols, cols = o.cols;
    const double in_bytes = static_cast<double>(n) * 2;
    const int nbuf = static_cast<int>(std::max(1.0, std::ceil(l2_floor / in_bytes)));
    const core::QuantizedSizes s16 = core::quantized_sizes(te, formats::ScaleLayout::kRowMajor, rows, cols);
    const core::QuantizedSizes s32 = core::quantized_sizes(mx, formats::ScaleLayout::kRowMajor, rows, cols);
    const core::QuantizedSizes s6 = core::quantized_sizes(nvfp6, formats::ScaleLayout::kRowMajor, rows, cols);
    const double need = nbuf * (2 * in_bytes + s6.code_bytes + s16.scale_bytes) + 64.0 * 1048576;
    std::size_t free_b = 0, total_b = 0;
    FP4LAB_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    if (need > 0.9 * static_cast<double>(free_b)) {
      std::printf("size %d MiB: needs %.1f GiB, %.1f GiB free, skipped\n", mib, need / 1073741824.0,
                  free_b / 1073741824.0);
      continue;
    }
    std::vector<void*> in(nbuf), dst(nbuf);
    std::vector<kernels::DeviceQuantized> q(nbuf);
    for (int k = 0; k < nbuf; ++k) {
      FP4LAB_CUDA_CHECK(cudaMalloc(&in[k], static_cast<std::size_t>(in_bytes)));
      FP4LAB_CUDA_CHECK(cudaMalloc(&dst[k], static_cast<std::size_t>(in_bytes)));
      FP4LAB_CUDA_CHECK(cudaMalloc(&q[k].codes, s6.code_bytes));  // one code per byte: the largest
      FP4LAB_CUDA_CHECK(cudaMalloc(&q[k].scales, s16.scale_bytes));
      FP4LAB_CUDA_CHECK(cudaMalloc(&q[k].tensor_scale, sizeof(formats::TensorScale)));
      fill_bf16<<<prop.multiProcessorCount * 8, 256>>>(static_cast<std::uint16_t*>(in[k]), n, 1000 + k);
      FP4LAB_CUDA_CHECK(cudaGetLastError());
    }
    std::uint32_t* damax = nullptr;
    FP4LAB_CUDA_CHECK(cudaMalloc(&damax, sizeof(std::uint32_t) * nbuf));
    FP4LAB_CUDA_CHECK(cudaDeviceSynchronize());
    const double out16 = static_cast<double>(s16.code_bytes + s16.scale_bytes);
    const double out32 = static_cast<double>(s32.code_bytes + s32.scale_bytes);
    const double out6 = static_cast<double>(s6.code_bytes + s6.scale_bytes);
    std::vector<Result> here;
    here.push_back(time_op("copy (d2d)", mib, 2 * in_bytes, nbuf, o, [&](int k) {
      FP4LAB_CUDA_CHECK(cudaMemcpyAsync(dst[k], in[k], static_cast<std::size_t>(in_bytes), cudaMemcpyDeviceToDevice));
    }));
    here.push_back(time_op("amax", mib, in_bytes, nbuf, o, [&](int k) {
      require([&] { kernels::amax_async(in[k], DType::kBF16, n, damax + k, nullptr); }, "amax");
    }));
    // one row: amax first where `with_amax` (the tensor-scale recipes' full cost), then quantize;
    // without it the amax of an earlier row is given (delayed scaling, as TE runs it)
    const auto quantize_row = [&](const char* op, const formats::Recipe& r, formats::ScaleLayout layout,
                                  double out_bytes, bool with_amax) {
      const bool scaled = formats::uses_tensor_scale(r);
      here.push_back(time_op(op, mib, in_bytes + out_bytes, nbuf, o, [&](int k) {
        if (with_amax && scaled) require([&] { kernels::amax_async(in[k], DType::kBF16, n, damax + k, nullptr); }, "amax");
        require([&] { kernels::quantize_async(r, layout, in[k], DType::kBF16, rows, cols, scaled ? damax + k : nullptr,
                                              q[k], nullptr); },
                "quantize");
      }));
    };
    constexpr auto kRow = formats::ScaleLayout::kRowMajor;
    quantize_row("nvfp4-te (amax+quantize)", te, kRow, out16, true);
    quantize_row("nvfp4-te (quantize only)", te, kRow, out16, false);
    quantize_row("nvfp4-te swizzled (quantize only)", te, formats::ScaleLayout::kSwizzled128x4, out16, false);
    quantize_row("4/6-mse (amax+quantize)", four6, kRow, out16, true);
    quantize_row("4/6-mse (quantize only)", four6, kRow, out16, false);
    quantize_row("4/6-mae (quantize only)", four6_mae, kRow, out16, false);
    quantize_row("4/6-abs_max (quantize only)", four6_absmax, kRow, out16, false);
    quantize_row("mxfp4-floor (quantize)", mx, kRow, out32, false);
    quantize_row("if4-mse (amax+quantize)", if4, kRow, out16, true);
    quantize_row("if4-mse (quantize only)", if4, kRow, out16, false);
    quantize_row("if4-abs_max (quantize only)", if4_absmax, kRow, out16, false);
    quantize_row("nvfp6-e2m3 (amax+quantize)", nvfp6, kRow, out6, true);
    const double copy_gbps = here.front().gbps();
    std::printf("\n%d MiB BF16 input (%lld x %lld), %d rotating buffer(s), %d runs after %d warm-up\n", mib,
                static_cast<long long>(rows), static_cast<long long>(cols), nbuf, o.runs, o.warmup);
    std::printf("  %-36s %10s %10s %9s %8s\n", "op", "median ms", "min ms", "GB/s", "vs copy");
    for (const Result& r : here) {
      std::printf("  %-36s %10.4f %10.4f %9.1f %8.3f\n", r.op.c_str(), r.median_ms, r.min_ms, r.gbps(),
                  r.gbps() / copy_gbps);
    }
    std::fflush(stdout);
    if (!o.dump_dir.empty() && mib == o.dump_mib) dump(o, in[0], rows, cols, damax, q[0], s16);
    all.insert(all.end(), here.begin(), here.end());
    for (int k = 0; k < nbuf; ++k) {
      cudaFree(in[k]);
      cudaFree(dst[k]);
      cudaFree(q[k].codes);
      cudaFree(q[k].scales);
      cudaFree(q[k].tensor_scale);
    }
    cudaFree(damax);
  }
  if (!o.csv.empty()) {
    FILE* f = std::fopen(o.csv.c_str(), "w");
    if (f != nullptr) {
      std::fprintf(f, "op,size_mib,median_ms,min_ms,bytes,gbps,ratio_to_copy\n");
      double copy = 0;
      for (const Result& r : all) {
        if (r.op == "copy (d2d)") copy = r.gbps();
        std::fprintf(f, "%s,%d,%.6f,%.6f,%.0f,%.3f,%.4f\n", r.op.c_str(), r.size_mib, r.median_ms, r.min_ms, r.bytes,
                     r.gbps(), r.gbps() / copy);
      }
      std::fclose(f);
    }
  }
  // summary: GB/s per op and size, and the ratio to the copy measured at the same size
  std::vector<int> sizes;
  std::vector<std::string> ops;
  for (const Result& r : all) {
    if (std::find(sizes.begin(), sizes.end(), r.size_mib) == sizes.end()) sizes.push_back(r.size_mib);
    if (std::find(ops.begin(), ops.end(), r.op) == ops.end()) ops.push_back(r.op);
  }
  std::printf("\nsummary on %s: GB/s (ratio to the d2d copy of the same input)\n", prop.name);
  std::printf("  %-36s", "op \\ input MiB");
  for (int s : sizes) std::printf(" %17d", s);
  std::printf("\n");
  for (const std::string& op : ops) {
    std::printf("  %-36s", op.c_str());
    for (int s : sizes) {
      double g = 0, c = 0;
      for (const Result& r : all) {
        if (r.size_mib == s && r.op == op) g = r.gbps();
        if (r.size_mib == s && r.op == "copy (d2d)") c = r.gbps();
      }
      std::printf("    %7.1f (%5.3f)", g, c > 0 ? g / c : 0.0);
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace fp4lab::kernels
