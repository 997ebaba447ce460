// Tensor sources for experiments (see tensor_source.hpp).
#include "experiments/tensor_source.hpp"

#include <cstring>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "core/io/npy.hpp"
#include "core/io/safetensors.hpp"
#include "core/synthetic.hpp"
#include "experiments/common.hpp"

namespace fp4lab::exp {

Params source_default_params() {
  return {{"input", ""},           {"tensor", ""},          {"distribution", "normal"}, {"rows", 1024},
          {"cols", 1024},          {"dtype", "bf16"},       {"seed", 1},                {"scale", 1.0},
          {"nu", 4.0},             {"lognormal_sigma", 1.0}, {"mixture_weight", 0.05},   {"mixture_scale", 10.0},
          {"outlier_fraction", 0.001}, {"outlier_magnitude", 20.0}, {"row_scale_spread", 0.5}};
}

std::vector<std::pair<std::string, std::string>> source_param_help() {
  return {{"input", "a .safetensors or .npy file; empty for a synthetic tensor"},
          {"tensor", "with a .safetensors input: the tensor name"},
          {"distribution", "synthetic: normal, laplace, student_t, uniform, lognormal, mixture"},
          {"rows", "synthetic: rows (1 to 65536)"},
          {"cols", "synthetic: columns (1 to 65536)"},
          {"dtype", "synthetic: f32, bf16 or f16"},
          {"seed", "synthetic: seed (also seeds stochastic rounding)"},
          {"scale", "synthetic: sigma / scale of the distribution"},
          {"nu", "synthetic: Student-t degrees of freedom"},
          {"lognormal_sigma", "synthetic: log-normal sigma"},
          {"mixture_weight", "synthetic: probability of the wide mixture component"},
          {"mixture_scale", "synthetic: the wide component's scale relative to scale"},
          {"outlier_fraction", "synthetic: fraction of elements replaced by outliers"},
          {"outlier_magnitude", "synthetic: outlier size in units of scale"},
          {"row_scale_spread", "synthetic: each row scaled by exp(spread * z), like LLM channels"}};
}

namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

/// Copies a mapped view into an owned tensor (the mapping is closed on return).
core::Tensor copy_of(const core::TensorView& v) {
  core::Tensor t(v.dtype(), v.shape());
  if (t.size_bytes() != 0) std::memcpy(t.data(), v.data(), t.size_bytes());  // empty: data() may be null
  return t;
}

void load_file(const std::string& path, const std::string& name, SourceTensor& out) {
  if (ends_with(path, ".npy")) {
    if (!name.empty()) throw std::invalid_argument("tensor '" + name + "': a .npy file holds one tensor; leave tensor empty");
    const core::NpyArray a = core::read_npy(path);
    out.tensor = copy_of(a.view());
    out.description = path + " " + core::shape_string(a.shape()) + " " + core::dtype_name(out.tensor.dtype());
  } else if (ends_with(path, ".safetensors")) {
    const core::SafetensorsFile f = core::open_safetensors(path);
    std::string chosen = name;
    if (chosen.empty()) {
      if (f.size() != 1) {
        std::string names;
        for (const std::string& n : f.names()) names += (names.empty() ? "" : ", ") + n;
        throw std::invalid_argument(path + " holds " + std::to_string(f.size()) + " tensors; choose one with tensor: " + names);
      }
      chosen = f.names().front();
    }
    out.tensor = copy_of(f.view(chosen));
    out.description = path + ":" + chosen + " " + core::shape_string(out.tensor.shape()) + " " +
                      core::dtype_name(out.tensor.dtype());
  } else {
    throw std::invalid_argument("input '" + path + "': expected a .safetensors or .npy file");
  }
  if (out.tensor.numel() == 0) throw std::invalid_argument("input " + out.description + " is an empty tensor");
  out.hash = fnv1a_hex(out.tensor.data(), out.tensor.size_bytes());
}

/// The last synthetic tensor of at most kCacheBytes, with its description and hash: the GUI's
/// panels and batch runs ask for the same tensor again and again, and generating it (Philox,
/// log, cos per element) and hashing it cost more than copying it.
constexpr std::size_t kCacheBytes = 64u << 20;

struct SyntheticCache {
  std::mutex mutex;
  std::string key;
  SourceTensor value;
};

SyntheticCache& synthetic_cache() {
  static SyntheticCache c;
  return c;
}

/// Every field that determines a synthetic tensor, bit for bit.
std::string cache_key(const core::SyntheticSpec& s) {
  std::ostringstream k;
  k.precision(17);
  k << static_cast<int>(s.distribution) << ' ' << static_cast<int>(s.dtype) << ' ' << s.seed << ' ' << s.scale
    << ' ' << s.nu << ' ' << s.lognormal_sigma << ' ' << s.mixture_weight << ' ' << s.mixture_scale << ' '
    << s.outlier_fraction << ' ' << s.outlier_magnitude << ' ' << s.row_scale_spread;
  for (std::int64_t d : s.shape) k << ' ' << d;
  return k.str();
}

SourceTensor copy_source(const SourceTensor& s) {
  SourceTensor c;
  c.tensor = core::Tensor(s.tensor.dtype(), s.tensor.shape());
  std::memcpy(c.tensor.data(), s.tensor.data(), s.tensor.size_bytes());
  c.description = s.description;
  c.hash = s.hash;
  c.seed = s.seed;
  return c;
}

}  // namespace

SourceTensor load_source(const Params& p, int threads) {
  SourceTensor out;
  const std::string input = p.at("input").get<std::string>();
  out.seed = static_cast<std::uint64_t>(read_int(p, "seed", 0, (1ll << 53)));
  if (!input.empty()) {
    load_file(input, p.at("tensor").get<std::string>(), out);
    return out;
  }
  core::SyntheticSpec s;
  s.distribution = core::parse_distribution(p.at("distribution").get<std::string>());
  s.shape = {read_int(p, "rows", 1, 65536), read_int(p, "cols", 1, 65536)};
  const std::string dt = p.at("dtype").get<std::string>();
  if (dt == "f32") {
    s.dtype = core::DType::kF32;
  } else if (dt == "bf16") {
    s.dtype = core::DType::kBF16;
  } else if (dt == "f16") {
    s.dtype = core::DType::kF16;
  } else {
    throw std::invalid_argument("dtype '" + dt + "' is not accepted: f32, bf16 or f16");
  }
  s.seed = out.seed;
  s.scale = read_double(p, "scale", 1e-30, 1e30);
  s.nu = read_double(p, "nu", 1e-3, 1e6);
  s.lognormal_sigma = read_double(p, "lognormal_sigma", 0, 10);
  s.mixture_weight = read_double(p, "mixture_weight", 0, 1);
  s.mixture_scale = read_double(p, "mixture_scale", 1e-6, 1e6);
  s.outlier_fraction = read_double(p, "outlier_fraction", 0, 1);
  s.outlier_magnitude = read_double(p, "outlier_magnitude", 0, 1e6);
  s.row_scale_spread = read_double(p, "row_scale_spread", 0, 10);
  const std::string key = cache_key(s);
  SyntheticCache& cache = synthetic_cache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.key == key) return copy_source(cache.value);
  }
  out.tensor = core::make_synthetic(s, threads);
  out.description = core::describe(s);
  out.hash = fnv1a_hex(out.tensor.data(), out.tensor.size_bytes());
  if (out.tensor.size_bytes() <= kCacheBytes) {
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.value = copy_source(out);
    cache.key = key;
  }
  return out;
}

}  // namespace fp4lab::exp
