// Tensor sources for experiments (see tensor_source.hpp).
#include "experiments/tensor_source.hpp"

#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/io/checkpoint.hpp"
#include "core/block_axis.hpp"
#include "core/io/npy.hpp"
#include "core/io/safetensors.hpp"
#include "core/synthetic.hpp"
#include "experiments/common.hpp"

namespace fp4lab::exp {

const ParamSpecs& source_params() {
  static const ParamSpecs kSpecs = {
      string_param("input", "", "a .safetensors or .npy file; empty for a synthetic tensor"),
      string_param("tensor", "", "with a .safetensors input: the tensor name"),
      choice_param("distribution", "normal", core::distribution_names(), "synthetic: the distribution"),
      int_param("rows", 1024, 1, 65536, "synthetic: rows"),
      int_param("cols", 1024, 1, 65536, "synthetic: columns"),
      choice_param("dtype", "bf16", {"f32", "bf16", "f16"}, "synthetic: the dtype"),
      int_param("seed", 1, 0, std::int64_t{1} << 53, "synthetic: seed (also seeds stochastic rounding)"),
      number_param("scale", 1.0, 1e-30, 1e30, "synthetic: sigma / scale of the distribution"),
      number_param("nu", 4.0, 1e-3, 1e6, "synthetic: Student-t degrees of freedom"),
      number_param("lognormal_sigma", 1.0, 0, 10, "synthetic: log-normal sigma"),
      number_param("mixture_weight", 0.05, 0, 1, "synthetic: probability of the wide mixture component"),
      number_param("mixture_scale", 10.0, 1e-6, 1e6, "synthetic: the wide component's scale relative to scale"),
      number_param("outlier_fraction", 0.001, 0, 1, "synthetic: fraction of elements replaced by outliers"),
      number_param("outlier_magnitude", 20.0, 0, 1e6, "synthetic: outlier size in units of scale"),
      number_param("row_scale_spread", 0.5, 0, 10, "synthetic: each row scaled by exp(spread * z), like LLM channels"),
      int_param("block_axis", -1, -8, 7,
                "the axis blocks run along (-1: the last; negative counts from the end): the tensor is "
                "used with that axis moved last"),
  };
  return kSpecs;
}

core::SyntheticSpec synthetic_spec(const Params& p) {
  for (const ParamSpec& s : source_params()) {
    if (p.contains(s.key)) validate_param(s, p.at(s.key));  // callers outside an experiment too
  }
  core::SyntheticSpec s;
  if (p.contains("distribution")) s.distribution = core::parse_distribution(p.at("distribution").get<std::string>());
  if (p.contains("dtype")) {
    const std::string dt = p.at("dtype").get<std::string>();
    s.dtype = dt == "f32" ? core::DType::kF32 : (dt == "bf16" ? core::DType::kBF16 : core::DType::kF16);
  }
  const std::pair<const char*, double*> numbers[] = {
      {"scale", &s.scale},
      {"nu", &s.nu},
      {"lognormal_sigma", &s.lognormal_sigma},
      {"mixture_weight", &s.mixture_weight},
      {"mixture_scale", &s.mixture_scale},
      {"outlier_fraction", &s.outlier_fraction},
      {"outlier_magnitude", &s.outlier_magnitude},
      {"row_scale_spread", &s.row_scale_spread}};
  for (const auto& [key, field] : numbers) {
    if (p.contains(key)) *field = read_double(p, key);
  }
  return s;
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
  } else if (ends_with(path, ".gguf") || ends_with(path, ".safetensors.index.json")) {
    const core::Checkpoint c = core::Checkpoint::open(path);
    if (name.empty()) {
      throw std::invalid_argument(path + " holds " + std::to_string(c.entries().size()) +
                                  " tensors; choose one with tensor (e.g. " + c.entries().front().name + ")");
    }
    out.tensor = c.load(name);
    out.description = path + ":" + name + " " + core::shape_string(out.tensor.shape()) + " " + c.entry(name).dtype +
                      (c.entry(name).dtype == core::dtype_name(out.tensor.dtype()) ? "" : " dequantized to F32");
  } else {
    throw std::invalid_argument("input '" + path +
                                "': expected a .safetensors, .safetensors.index.json, .gguf or .npy file");
  }
  if (out.tensor.numel() == 0) throw std::invalid_argument("input " + out.description + " is an empty tensor");
  out.hash = fnv1a_hex(out.tensor.data(), out.tensor.size_bytes());
}

/// The last synthetic tensor of at most kCacheBytes, with its description and hash: the GUI's
/// panels and batch runs ask for the same tensor again and again, and generating it (Philox,
/// log, cos per element) and hashing it cost more than copying it.
constexpr std::size_t kCacheBytes = 64u << 20;

/// Draws kept for at most this many elements (about 17 bytes each).
constexpr std::int64_t kDrawsElements = std::int64_t{1} << 22;

struct SyntheticCache {
  std::mutex mutex;
  std::string key;
  SourceTensor value;
  /// The scale-free draws of the last tensors (core::SyntheticDraws), kept once two requests in a
  /// row differed only in scale, mixture_scale or outlier_magnitude (a slider): the next such
  /// request is assembled from them, one multiply per element, the same bits as drawing again.
  std::optional<core::SyntheticSpec> last;
  std::shared_ptr<const core::SyntheticDraws> draws;
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

/// Moves the block axis last (README "--block-axis"); the hash stays that of the input.
SourceTensor with_block_axis(SourceTensor src, const Params& p) {
  const int axis = p.contains("block_axis") ? static_cast<int>(read_int(p, "block_axis")) : -1;
  try {
    core::normalize_block_axis(axis, src.tensor.shape().size());
  } catch (const std::invalid_argument& ex) {
    throw std::invalid_argument("block_axis: input " + src.description + ": " + ex.what());
  }
  if (!core::block_axis_moves(axis, src.tensor.shape())) return src;
  const int k = core::normalize_block_axis(axis, src.tensor.shape().size());
  src.tensor = core::move_axis_last(src.tensor.view(), k);
  src.description += fmt::format(", blocked along axis {} (as {})", k, core::shape_string(src.tensor.shape()));
  return src;
}

}  // namespace

core::TensorStats source_stats(const SourceTensor& src, int threads) {
  static std::mutex mutex;
  static std::string last_key;
  static core::TensorStats last;
  const std::string key = src.hash + '\n' + src.description;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!src.hash.empty() && key == last_key) return last;
  }
  const core::TensorStats stats = core::tensor_stats(src.tensor.view(), threads);
  std::lock_guard<std::mutex> lock(mutex);
  last_key = key;
  last = stats;
  return stats;
}

SourceTensor load_source(const Params& p, int threads) {
  return with_block_axis(load_source_as_stored(p, threads), p);
}

SourceTensor load_source_as_stored(const Params& p, int threads) {
  SourceTensor out;
  core::SyntheticSpec s = synthetic_spec(p);
  const std::string input = p.at("input").get<std::string>();
  out.seed = static_cast<std::uint64_t>(read_int(p, "seed"));
  if (!input.empty()) {
    load_file(input, p.at("tensor").get<std::string>(), out);
    return out;
  }
  s.shape = {read_int(p, "rows"), read_int(p, "cols")};
  s.seed = out.seed;
  const std::string key = cache_key(s);
  SyntheticCache& cache = synthetic_cache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.key == key) return copy_source(cache.value);
  }
  std::shared_ptr<const core::SyntheticDraws> draws;
  bool keep_draws = false;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.draws && core::same_draws(cache.draws->spec, s)) {
      draws = cache.draws;
    } else {
      keep_draws = cache.last && core::shape_numel(s.shape) <= kDrawsElements && core::same_draws(*cache.last, s);
    }
    cache.last = s;
  }
  if (keep_draws) {
    draws = std::make_shared<const core::SyntheticDraws>(core::draw_synthetic(s, threads));
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.draws = draws;
  }
  out.tensor = draws ? core::assemble_synthetic(*draws, s, threads) : core::make_synthetic(s, threads);
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
