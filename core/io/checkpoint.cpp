// Checkpoints of every kind behind one interface (checkpoint.hpp). A sharded safetensors index
// is {"metadata": {...}, "weight_map": {tensor: shard file}}; shards are plain file names in the
// index's folder, every shard tensor must be listed, every listed tensor must be in its shard.
#include "core/io/checkpoint.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/gguf.hpp"
#include "core/io/npy.hpp"
#include "core/io/safetensors.hpp"

namespace fp4lab::core {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool float_dtype(const std::string& d) { return d == "F32" || d == "F16" || d == "BF16"; }

Tensor copy_of(const TensorView& v) {
  Tensor t(v.dtype(), v.shape());
  if (t.size_bytes() != 0) std::memcpy(t.data(), v.data(), t.size_bytes());
  return t;
}

}  // namespace

struct Checkpoint::Impl {
  std::vector<SafetensorsFile> shards;
  std::map<std::string, std::size_t, std::less<>> shard_of;  // safetensors: tensor -> shard
  std::unique_ptr<GgufFile> gguf;
  std::unique_ptr<NpyArray> npy;
};

Checkpoint::Checkpoint() : impl_(std::make_unique<Impl>()) {}
Checkpoint::Checkpoint(Checkpoint&&) noexcept = default;
Checkpoint& Checkpoint::operator=(Checkpoint&&) noexcept = default;
Checkpoint::~Checkpoint() = default;

Checkpoint Checkpoint::open(const std::string& path) {
  Checkpoint c;
  c.source_ = path;
  Impl& im = *c.impl_;
  auto add_safetensors = [&](SafetensorsFile f) {
    const std::size_t k = im.shards.size();
    for (const std::string& n : f.names()) {
      if (!im.shard_of.emplace(n, k).second) {
        throw FormatError(path + ": tensor '" + n + "' appears in two shards");
      }
      const SafetensorsInfo& i = f.info(n);
      c.entries_.push_back({n, i.dtype, i.shape.empty() ? std::vector<std::int64_t>{1} : i.shape, float_dtype(i.dtype),
                            i.shape.empty()});
    }
    im.shards.push_back(std::move(f));
  };
  if (ends_with(path, ".safetensors.index.json")) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(io_error_message(path, "cannot open", errno));
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {
      throw FormatError(path + ": not a valid index (JSON: " + e.what() + ")");
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object()) {
      throw FormatError(path + ": not a valid index (no \"weight_map\" object)");
    }
    std::map<std::string, std::vector<std::string>> listed;  // shard -> tensors
    for (const auto& [name, shard] : j["weight_map"].items()) {
      if (!shard.is_string()) throw FormatError(path + ": weight_map['" + name + "'] is not a file name");
      const std::string s = shard.get<std::string>();
      if (s.empty() || s.find('/') != std::string::npos || s == "." || s == ".." || !ends_with(s, ".safetensors")) {
        throw FormatError(path + ": weight_map['" + name + "'] = '" + s +
                          "' is not a .safetensors file name in the index's folder");
      }
      listed[s].push_back(name);
    }
    if (listed.empty()) throw FormatError(path + ": the weight_map is empty");
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    for (const auto& [shard, names] : listed) {
      const std::size_t before = c.entries_.size();
      add_safetensors(open_safetensors((dir / shard).string()));
      const SafetensorsFile& f = im.shards.back();
      if (f.size() != names.size()) {
        throw FormatError(path + ": shard " + shard + " holds " + std::to_string(f.size()) + " tensors, the index lists " +
                          std::to_string(names.size()));
      }
      for (const std::string& n : names) {
        if (!f.contains(n)) throw FormatError(path + ": tensor '" + n + "' is not in its shard " + shard);
      }
      (void)before;
    }
  } else if (ends_with(path, ".safetensors")) {
    add_safetensors(open_safetensors(path));
  } else if (ends_with(path, ".gguf")) {
    im.gguf = std::make_unique<GgufFile>(open_gguf(path));
    for (const GgufTensorInfo& t : im.gguf->tensors()) {
      c.entries_.push_back({t.name, ggml_type_name(t.type), t.shape, ggml_type_supported(t.type)});
    }
  } else if (ends_with(path, ".npy")) {
    im.npy = std::make_unique<NpyArray>(read_npy(path));
    const std::string stem = std::filesystem::path(path).stem().string();
    const bool is_float = im.npy->dtype() != NpyDType::kU8;
    c.entries_.push_back({stem, is_float ? dtype_name(im.npy->view().dtype()) : "U8", im.npy->shape(), is_float});
  } else {
    throw std::invalid_argument("checkpoint '" + path +
                                "': expected .safetensors, .safetensors.index.json, .gguf or .npy");
  }
  std::sort(c.entries_.begin(), c.entries_.end(),
            [](const CheckpointEntry& a, const CheckpointEntry& b) { return a.name < b.name; });
  return c;
}

const CheckpointEntry& Checkpoint::entry(std::string_view name) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                                   [](const CheckpointEntry& e, std::string_view n) { return e.name < n; });
  if (it == entries_.end() || it->name != name) {
    throw FormatError(source_ + ": no tensor named '" + std::string(name) + "'");
  }
  return *it;
}

Tensor Checkpoint::load(std::string_view name) const {
  const CheckpointEntry& e = entry(name);
  if (!e.is_float) {
    throw FormatError(source_ + ": tensor '" + e.name + "' is " + e.dtype + ", not float data fp4lab reads");
  }
  if (impl_->gguf) {
    const std::vector<float> v = impl_->gguf->dequantize(impl_->gguf->tensor(name));
    return Tensor::from_floats(v, DType::kF32, e.shape);
  }
  if (impl_->npy) return copy_of(impl_->npy->view());
  const SafetensorsFile& f = impl_->shards[impl_->shard_of.find(name)->second];
  return copy_of(f.view(name));
}

std::span<const std::uint8_t> Checkpoint::raw(std::string_view name) const {
  const CheckpointEntry& e = entry(name);
  if (impl_->gguf) {
    if (!float_dtype(e.dtype)) {
      throw FormatError(source_ + ": tensor '" + e.name + "' is GGUF type " + e.dtype + ", not stored as F32, F16 or BF16");
    }
    return impl_->gguf->raw(impl_->gguf->tensor(name));
  }
  if (impl_->npy) return impl_->npy->raw();
  return impl_->shards[impl_->shard_of.find(name)->second].raw(std::string(name));
}

}  // namespace fp4lab::core
