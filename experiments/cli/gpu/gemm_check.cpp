// GEMM cross-check (experiments/cli/gpu/gemm_check.hpp): operands quantized on the CPU by formats/ and core/,
// multiplied by cuBLASLt in hardware formats, compared with the float64 and FP32 products of the
// same operands dequantized. Layout "TN": A and B are row-major m x k and n x k (column-major
// k x m and k x n for cuBLASLt, A transposed), D is column-major m x n.
#include "experiments/cli/gpu/gemm_check.hpp"

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>

#include "core/parallel.hpp"
#include "core/quantize.hpp"
#include "core/random.hpp"
#include "core/recipe_spec.hpp"
#include "formats/e4m3.hpp"
#include "kernels/block_quantize.hpp"

namespace fp4lab::kernels {
namespace {

/// cudaMalloc'd memory freed on scope exit.
struct DeviceArray {
  void* p = nullptr;
  DeviceArray() = default;
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { cudaFree(p); }
};

std::string cuda_message(cudaError_t e, const char* what) {
  return std::string(what) + ": " + cudaGetErrorString(e);
}

bool upload(DeviceArray& d, const void* host, std::size_t bytes, std::string& error) {
  cudaError_t e = cudaMalloc(&d.p, bytes ? bytes : 1);
  if (e == cudaSuccess && bytes) e = cudaMemcpy(d.p, host, bytes, cudaMemcpyHostToDevice);
  if (e != cudaSuccess) error = cuda_message(e, "upload");
  return e == cudaSuccess;
}

/// One operand as cuBLASLt takes it: element type, data, optional scale (per tensor or per
/// block), and its exact values in float64 for the reference.
struct Operand {
  cudaDataType type = CUDA_R_32F;
  std::vector<std::uint8_t> data;
  std::vector<std::uint8_t> scale_bytes;  ///< block scales, 128x4 swizzled
  int scale_mode = -1;                    ///< cublasLtMatmulMatrixScale_t, -1: no scale pointer
  std::vector<double> exact;              ///< rows x k values the hardware multiplies (exact)
  double alpha_part = 1.0;                ///< per-tensor factor folded into alpha
};

/// Status of a cuBLASLt call as text.
std::string lt_message(cublasStatus_t s, const char* what) {
  return std::string(what) + " failed (cublasStatus " + std::to_string(static_cast<int>(s)) + ")";
}

/// D = alpha * op(A) * op(B) on the device through cuBLASLt; false with `why` when cuBLASLt has
/// no algorithm for these types (that GEMM is then reported as skipped).
bool lt_gemm(cublasLtHandle_t h, const Operand& a, const Operand& b, int m, int n, int k,
             float alpha, std::vector<float>& d_host, std::string& why) {
  DeviceArray da, db, dsa, dsb, dd, ws;
  if (!upload(da, a.data.data(), a.data.size(), why) || !upload(db, b.data.data(), b.data.size(), why)) {
    return false;
  }
  if (a.scale_mode >= 0 && !upload(dsa, a.scale_bytes.data(), a.scale_bytes.size(), why)) return false;
  if (b.scale_mode >= 0 && !upload(dsb, b.scale_bytes.data(), b.scale_bytes.size(), why)) return false;
  const std::size_t d_bytes = sizeof(float) * static_cast<std::size_t>(m) * n;
  const std::size_t ws_bytes = 64u << 20;
  if (cudaMalloc(&dd.p, d_bytes) != cudaSuccess || cudaMalloc(&ws.p, ws_bytes) != cudaSuccess) {
    why = "cudaMalloc of the output or workspace failed";
    return false;
  }
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, ld = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  bool ok = false;
  do {
    cublasStatus_t s = cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
    if (s != CUBLAS_STATUS_SUCCESS) { why = lt_message(s, "cublasLtMatmulDescCreate"); break; }
    const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof(ta));
    cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof(tb));
    if (a.scale_mode >= 0 || b.scale_mode >= 0) {
      const std::int32_t ma = a.scale_mode, mb = b.scale_mode;
      s = cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &ma, sizeof(ma));
      if (s == CUBLAS_STATUS_SUCCESS) {
        s = cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &mb, sizeof(mb));
      }
      if (s != CUBLAS_STATUS_SUCCESS) { why = lt_message(s, "setting the block scale mode"); break; }
    }
    if (a.scale_mode >= 0) {
      cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &dsa.p, sizeof(dsa.p));
    }
    if (b.scale_mode >= 0) {
      cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &dsb.p, sizeof(dsb.p));
    }
    if ((s = cublasLtMatrixLayoutCreate(&la, a.type, k, m, k)) != CUBLAS_STATUS_SUCCESS ||
        (s = cublasLtMatrixLayoutCreate(&lb, b.type, k, n, k)) != CUBLAS_STATUS_SUCCESS ||
        (s = cublasLtMatrixLayoutCreate(&ld, CUDA_R_32F, m, n, m)) != CUBLAS_STATUS_SUCCESS) {
      why = lt_message(s, "cublasLtMatrixLayoutCreate");
      break;
    }
    cublasLtMatmulPreferenceCreate(&pref);
    const std::uint64_t wsb = ws_bytes;
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &wsb, sizeof(wsb));
    cublasLtMatmulHeuristicResult_t res{};
    int found = 0;
    s = cublasLtMatmulAlgoGetHeuristic(h, desc, la, lb, ld, ld, pref, 1, &res, &found);
    if (s != CUBLAS_STATUS_SUCCESS || found == 0) {
      why = "cuBLASLt has no algorithm for these types on this device (" + lt_message(s, "heuristic") + ")";
      break;
    }
    const float beta = 0.0f;
    s = cublasLtMatmul(h, desc, &alpha, da.p, la, db.p, lb, &beta, dd.p, ld, dd.p, ld, &res.algo, ws.p,
                       ws_bytes, nullptr);
    if (s != CUBLAS_STATUS_SUCCESS) { why = lt_message(s, "cublasLtMatmul"); break; }
    const cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) { why = cuda_message(e, "GEMM"); break; }
    d_host.resize(static_cast<std::size_t>(m) * n);
    if (cudaMemcpy(d_host.data(), dd.p, d_bytes, cudaMemcpyDeviceToHost) != cudaSuccess) {
      why = "copying D back failed";
      break;
    }
    ok = true;
  } while (false);
  if (pref) cublasLtMatmulPreferenceDestroy(pref);
  if (ld) cublasLtMatrixLayoutDestroy(ld);
  if (lb) cublasLtMatrixLayoutDestroy(lb);
  if (la) cublasLtMatrixLayoutDestroy(la);
  if (desc) cublasLtMatmulDescDestroy(desc);
  return ok;
}

/// R = alpha * A * B^T in float64 (column-major m x n), over all cores.
std::vector<double> reference(const std::vector<double>& a, const std::vector<double>& b, int m, int n,
                              int k, double alpha) {
  std::vector<double> r(static_cast<std::size_t>(m) * n);
  core::parallel_for(m, 0, [&](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i) {
      const double* ar = a.data() + i * k;
      for (int j = 0; j < n; ++j) {
        const double* br = b.data() + static_cast<std::size_t>(j) * k;
        double s = 0;
        for (int t = 0; t < k; ++t) s += ar[t] * br[t];
        r[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * m] = alpha * s;
      }
    }
  });
  return r;
}

/// ||d - r|| / ||r|| and max |d - r|; NaN anywhere gives NaN (never passes).
void errors(const std::vector<float>& d, const std::vector<double>& r, double& rel, double& max_abs) {
  double num = 0, den = 0;
  max_abs = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const double e = static_cast<double>(d[i]) - r[i];
    num += e * e;
    den += r[i] * r[i];
    max_abs = std::isnan(e) || std::fabs(e) > max_abs ? std::fabs(e) : max_abs;
  }
  rel = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

/// FP32 operand of exact values (the simulated GEMM's input).
Operand fp32_operand(const std::vector<double>& exact) {
  Operand o;
  o.type = CUDA_R_32F;
  o.data.resize(exact.size() * sizeof(float));
  auto* f = reinterpret_cast<float*>(o.data.data());
  for (std::size_t i = 0; i < exact.size(); ++i) f[i] = static_cast<float>(exact[i]);  // exact
  o.exact = exact;
  return o;
}

/// E4M3 operand with a per-tensor scale 448 / amax (codes = e4m3(x * 448 / amax), satfinite);
/// the decode scale amax / 448 goes into alpha.
Operand fp8_operand(const std::vector<float>& x) {
  float amax = 0;
  for (float v : x) amax = std::fmax(amax, std::fabs(v));
  const float enc = amax > 0 ? 448.0f / amax : 1.0f;
  Operand o;
  o.type = CUDA_R_8F_E4M3;
  o.alpha_part = 1.0 / enc;
  o.data.resize(x.size());
  o.exact.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const formats::fp8_e4m3 c = formats::fp8_e4m3::from(x[i] * enc);
    o.data[i] = c.bits;
    o.exact[i] = c.to_float();
  }
  return o;
}

/// NVFP4 (te) or MXFP4 (floor) operand: packed E2M1 codes and 128x4-swizzled block scales from
/// core::quantize; the NVFP4 tensor scale goes into alpha.
Operand fp4_operand(const std::vector<float>& x, int rows, int k, const char* spec) {
  core::QuantizeOptions opt;
  opt.recipe = core::parse_recipe(spec);
  opt.layout = formats::ScaleLayout::kSwizzled128x4;
  const core::Tensor t = core::Tensor::from_floats(x, core::DType::kF32, {rows, k});
  const core::QuantizedTensor q = core::quantize(t.view(), opt);
  const bool nv = opt.recipe.format == formats::BlockFormat::kNVFP4;
  Operand o;
  o.type = CUDA_R_4F_E2M1;
  o.scale_mode = nv ? CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3 : CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0;
  o.data = q.codes;
  o.scale_bytes = q.scales;
  o.alpha_part = nv ? q.tensor_scale.decode : 1.0;
  o.exact.resize(x.size());
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < k; ++c) {
      // exact value without the tensor scale: E2M1 value times the block scale
      const formats::BlockScale s = q.block_scale(r, c);
      const double bs = nv ? formats::ue4m3{s.code}.to_float() : formats::ue8m0{s.code}.to_float();
      o.exact[static_cast<std::size_t>(r) * k + c] = formats::e2m1_value(q.code(r, c)) * bs;
    }
  }
  return o;
}

}  // namespace

std::vector<GemmCheck> check_gemms(int m, int n, int k, std::uint64_t seed) {
  std::vector<GemmCheck> out;
  if (device_count() == 0) throw std::runtime_error("no CUDA device");
  if (m < 128 || n < 128 || k < 128 || m % 128 || n % 128 || k % 128) {
    throw std::invalid_argument("GEMM sizes must be multiples of 128 (the block-scale swizzle tiles 128 rows)");
  }
  int dev = 0, major = 0, minor = 0;
  cudaGetDevice(&dev);
  cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev);
  cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev);
  const int cc = major * 10 + minor;
  cublasLtHandle_t h = nullptr;
  if (cublasLtCreate(&h) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasLtCreate failed");
  std::unique_ptr<cublasLtContext, decltype(&cublasLtDestroy)> guard(h, cublasLtDestroy);
  std::vector<float> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(n) * k);
  core::fill_normal(a, seed);
  core::fill_normal(b, seed + 1);

  struct Case {
    const char* name;
    int min_cc;
    std::function<Operand(const std::vector<float>&, int)> make;
  };
  const std::vector<Case> cases = {
      {"fp8 e4m3 x e4m3, per-tensor scales 448/amax", 89,
       [](const std::vector<float>& x, int) { return fp8_operand(x); }},
      {"nvfp4 (te) x nvfp4, VEC16_UE4M3 block scales", 100,
       [k](const std::vector<float>& x, int rows) { return fp4_operand(x, rows, k, "nvfp4:te"); }},
      {"mxfp4 (floor) x mxfp4, VEC32_UE8M0 block scales", 100,
       [k](const std::vector<float>& x, int rows) { return fp4_operand(x, rows, k, "mxfp4:floor"); }},
  };
  for (const Case& c : cases) {
    GemmCheck g;
    g.name = c.name;
    g.m = m;
    g.n = n;
    g.k = k;
    g.noise_bound = k * std::ldexp(1.0, -24);
    if (cc < c.min_cc) {
      g.note = "needs sm_" + std::to_string(c.min_cc) + "+, this device is sm_" + std::to_string(cc);
      out.push_back(g);
      continue;
    }
    const Operand qa = c.make(a, m), qb = c.make(b, n);
    const float alpha = static_cast<float>(qa.alpha_part * qb.alpha_part);
    const std::vector<double> r = reference(qa.exact, qb.exact, m, n, k, alpha);
    std::vector<float> d_hw, d_fp32;
    std::string why;
    if (!lt_gemm(h, qa, qb, m, n, k, alpha, d_hw, why)) {
      g.note = why;
      out.push_back(g);
      continue;
    }
    if (!lt_gemm(h, fp32_operand(qa.exact), fp32_operand(qb.exact), m, n, k, alpha, d_fp32, why)) {
      throw std::runtime_error("the FP32 reference GEMM failed: " + why);
    }
    double unused = 0;
    errors(d_hw, r, g.rel_err_hw, g.max_abs_hw);
    errors(d_fp32, r, g.rel_err_fp32, unused);
    g.ran = true;
    g.within_noise = g.rel_err_hw <= g.noise_bound;
    g.note = "cuBLASLt, compute 32F, D fp32, TN";
    out.push_back(g);
  }
  return out;
}

}  // namespace fp4lab::kernels
