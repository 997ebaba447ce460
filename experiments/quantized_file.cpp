// `fp4lab quantize` / `fp4lab dequantize` (see quantized_file.hpp): a streaming safetensors
// writer (header first, since every size follows from the shapes; data placed with pwrite into
// an AtomicFile's temporary) and the two commands, which hold one tensor at a time in memory.
#include "experiments/quantized_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/atomic_write.hpp"
#include "core/io/npy.hpp"
#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"

#ifndef FP4LAB_VERSION
#define FP4LAB_VERSION "unknown"
#endif

namespace fp4lab::exp {
namespace {

using json = nlohmann::json;
using formats::BlockFormat;
using formats::ScaleLayout;

/// A command-line mistake: printed with the usage, exit status 2.
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// ---- the streaming writer ----

/// One tensor of an output file, its data written later.
struct PlannedEntry {
  std::string name;
  std::string dtype;  // F32, BF16, F16 or U8
  std::vector<std::int64_t> shape;
};

/// Position in the reference implementation's Dtype enum of the dtypes written here; the
/// reference writer orders data by it (descending), so larger elements come first, aligned.
int dtype_rank(std::string_view d) {
  if (d == "F32") return 17;
  if (d == "BF16") return 14;
  if (d == "F16") return 13;
  if (d == "U8") return 4;
  return -1;
}

std::array<std::uint8_t, 8> le64(std::uint64_t v) {
  std::array<std::uint8_t, 8> b{};
  for (int i = 0; i < 8; ++i)
    b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
  return b;
}

/// Writes a safetensors file whose entries are all declared up front: the header (byte for
/// byte what core::serialize_safetensors writes for the same entries) goes out first, then
/// each entry's bytes, in any order and in pieces, land at their offsets. commit() renames
/// the temporary over the destination; destroyed uncommitted, nothing is left behind.
class StreamingSafetensorsWriter {
 public:
  StreamingSafetensorsWriter(const std::string& path, const std::vector<PlannedEntry>& entries,
                             const std::map<std::string, std::string>& metadata) {
    std::set<std::string_view> seen;
    std::vector<const PlannedEntry*> order;
    std::map<std::string_view, std::uint64_t> sizes;
    for (const PlannedEntry& e : entries) {
      if (e.name == "__metadata__" || !seen.insert(e.name).second || dtype_rank(e.dtype) < 0) {
        throw std::logic_error("output entry '" + e.name + "' is reserved, repeated or has dtype " +
                               e.dtype);
      }
      const int bits = core::safetensors_dtype_bits(e.dtype);
      sizes[e.name] = static_cast<std::uint64_t>(core::shape_numel(e.shape)) * (bits / 8);
      order.push_back(&e);
    }
    std::sort(order.begin(), order.end(), [](const PlannedEntry* a, const PlannedEntry* b) {
      const int ra = dtype_rank(a->dtype), rb = dtype_rank(b->dtype);
      return ra != rb ? ra > rb : a->name < b->name;
    });
    std::string h = "{";
    try {
      if (!metadata.empty()) h += "\"__metadata__\":" + json(metadata).dump();
      std::uint64_t offset = 0;
      for (const PlannedEntry* e : order) {
        const std::uint64_t size = sizes[e->name];
        if (h.size() > 1) h += ",";
        h += json(e->name).dump() + ":{\"dtype\":" + json(e->dtype).dump() +
             ",\"shape\":" + json(e->shape).dump() + ",\"data_offsets\":[" +
             std::to_string(offset) + "," + std::to_string(offset + size) + "]}";
        slots_[e->name] = Slot{offset, size, 0};
        offset += size;
      }
    } catch (const json::exception& ex) {  // names that are not valid UTF-8
      throw std::invalid_argument(std::string("output header: ") + ex.what());
    }
    h += "}";
    h.append((8 - h.size() % 8) % 8, ' ');
    file_ = std::make_unique<core::AtomicFile>(path);
    file_->write(le64(h.size()));
    file_->write(h);
    data_start_ = 8 + h.size();
    fd_ = ::open(file_->temp_path().c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0)
      throw core::IoError(core::io_error_message(file_->temp_path(), "cannot open", errno));
  }

  ~StreamingSafetensorsWriter() {
    if (fd_ >= 0) ::close(fd_);
  }  // file_ removes the temporary unless committed

  StreamingSafetensorsWriter(const StreamingSafetensorsWriter&) = delete;
  StreamingSafetensorsWriter& operator=(const StreamingSafetensorsWriter&) = delete;

  /// Writes `bytes` at byte `at` of entry `name`'s data.
  void write(std::string_view name, std::span<const std::uint8_t> bytes, std::uint64_t at = 0) {
    const auto it = slots_.find(name);
    if (it == slots_.end() || at + bytes.size() > it->second.size) {
      throw std::logic_error("write to entry '" + std::string(name) + "' out of its bounds");
    }
    std::uint64_t off = data_start_ + it->second.offset + at;
    const std::uint8_t* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
      const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(off));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        throw core::IoError(
            core::io_error_message(file_->temp_path(), "cannot write", n < 0 ? errno : EIO));
      }
      p += n;
      off += static_cast<std::uint64_t>(n);
      left -= static_cast<std::size_t>(n);
    }
    it->second.written += bytes.size();
  }

  /// Checks every entry was written in full, then renames the file into place.
  void commit() {
    for (const auto& [name, s] : slots_) {
      if (s.written != s.size) {
        throw std::logic_error(
            fmt::format("entry '{}': {} of {} bytes written", name, s.written, s.size));
      }
    }
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0)
      throw core::IoError(core::io_error_message(file_->temp_path(), "cannot close", errno));
    file_->commit();  // fsyncs the inode (whichever descriptor wrote it), renames, fsyncs the
                      // directory
  }

 private:
  struct Slot {
    std::uint64_t offset = 0, size = 0, written = 0;
  };
  std::unique_ptr<core::AtomicFile> file_;
  int fd_ = -1;
  std::uint64_t data_start_ = 0;
  std::map<std::string, Slot, std::less<>> slots_;
};

// ---- arguments ----

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
};

/// Splits argv[1..] into positionals, `--name value` / `--name=value` options and flags.
ParsedArgs parse_args(int argc, char** argv, const std::vector<std::string>& value_options,
                      const std::vector<std::string>& flag_options) {
  ParsedArgs out;
  auto accepted = [&] {
    std::string s;
    for (const auto& o : value_options) s += (s.empty() ? "--" : ", --") + o + " VALUE";
    for (const auto& o : flag_options) s += ", --" + o;
    return s;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      out.flags.insert("help");
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      out.positional.push_back(a);
      continue;
    }
    std::string key = a.substr(2), value;
    const std::size_t eq = key.find('=');
    const bool has_value = eq != std::string::npos;
    if (has_value) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    }
    if (std::find(flag_options.begin(), flag_options.end(), key) != flag_options.end()) {
      if (has_value) throw UsageError("--" + key + " takes no value");
      out.flags.insert(key);
      continue;
    }
    if (std::find(value_options.begin(), value_options.end(), key) == value_options.end()) {
      throw UsageError("unknown option '" + a + "'; accepted: " + accepted());
    }
    if (!has_value) {
      if (i + 1 >= argc) throw UsageError("--" + key + " needs a value");
      value = argv[++i];
    }
    if (!out.values.emplace(key, value).second) throw UsageError("--" + key + " given twice");
  }
  return out;
}

int parse_threads(const ParsedArgs& a) {
  const auto it = a.values.find("threads");
  if (it == a.values.end()) return 0;
  const std::string& s = it->second;
  if (s.empty() || s.size() > 4 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(s) > 1024) {
    throw UsageError("--threads takes an integer in [0, 1024] (0: all cores), got '" + s + "'");
  }
  return std::stoi(s);
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// "a, b, c" of at most `limit` names, then "... (N in all)".
std::string name_list(const std::vector<std::string>& names, std::size_t limit = 20) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > limit) s += fmt::format(", ... ({} in all)", names.size());
  return s;
}

/// Refuses to write over the input (it is still mapped while being read).
void check_not_same_file(const std::string& in, const std::string& out) {
  std::error_code ec;
  if (std::filesystem::equivalent(in, out, ec)) {
    throw UsageError("--out " + out + " is the input file; write to another path");
  }
}

/// Drops a finished tensor's pages of a read-only mapping from this process (they stay in the
/// page cache), so that the resident set does not grow with the input file. Best effort.
void release_pages(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto b = reinterpret_cast<std::uintptr_t>(bytes.data()) & ~(page - 1);
  const auto e =
      (reinterpret_cast<std::uintptr_t>(bytes.data()) + bytes.size() + page - 1) & ~(page - 1);
  ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

std::span<const std::uint8_t> bytes_of(const void* p, std::size_t n) {
  return {static_cast<const std::uint8_t*>(p), n};
}

// ---- quantize ----

constexpr const char* kQuantizeUsage =
    "usage: fp4lab quantize IN.safetensors|IN.npy --recipe SPEC --out OUT.safetensors\n"
    "                       [--tensors GLOB] [--swizzle] [--threads N] [--allow-nonfinite] "
    "[--quiet]\n"
    "  writes NAME.codes, NAME.scales (or NAME.group_scales, NAME.zero_points for int4),\n"
    "  NAME.tensor_scale and NAME.amax for every F32/F16/BF16 tensor (those matching GLOB);\n"
    "  a .npy input's tensor is named after the file. --swizzle stores block scales in the\n"
    "  128x4 layout of Blackwell GEMMs. NaN/Inf inputs fail unless --allow-nonfinite.\n";

/// One input tensor to quantize.
struct InputTensor {
  std::string name;
  core::TensorView view;            // shape [1] for a scalar
  std::vector<std::int64_t> shape;  // as in the file ([] for a scalar)
  std::span<const std::uint8_t> raw;
};

/// The sizes of one tensor's outputs (they follow from the shape and the recipe alone).
struct TensorPlan {
  std::int64_t rows = 0, cols = 0, padded_cols = 0, scale_cols = 0;
  std::int64_t scale_bytes = 0;  // 8-bit block scales in the chosen layout (0 for int4)
};

TensorPlan plan_tensor(std::int64_t rows, std::int64_t cols, const formats::Recipe& r,
                       ScaleLayout l) {
  TensorPlan p;
  p.rows = rows;
  p.cols = cols;
  p.padded_cols = (cols + r.block_size - 1) / r.block_size * r.block_size;
  p.scale_cols = p.padded_cols / r.block_size;
  if (r.format != BlockFormat::kINT4) {
    p.scale_bytes = static_cast<std::int64_t>(
        formats::padded_scale_rows(static_cast<std::size_t>(rows), l) *
        formats::padded_scale_cols(static_cast<std::size_t>(p.scale_cols), l));
  }
  return p;
}

std::vector<std::int64_t> scales_shape(const TensorPlan& p, ScaleLayout l) {
  if (l == ScaleLayout::kRowMajor) return {p.rows, p.scale_cols};
  return {p.scale_bytes};
}

/// The entries written for one quantized tensor.
std::vector<PlannedEntry> quantized_entries(const std::string& name, const TensorPlan& p,
                                            const formats::Recipe& r, ScaleLayout l) {
  std::vector<PlannedEntry> e;
  e.push_back({name + ".codes", "U8", {p.rows, p.padded_cols / 2}});
  if (r.format == BlockFormat::kINT4) {
    e.push_back({name + ".group_scales", "F32", {p.rows, p.scale_cols}});
    e.push_back({name + ".zero_points", "U8", {p.rows, p.scale_cols}});
  } else {
    e.push_back({name + ".scales", "U8", scales_shape(p, l)});
  }
  e.push_back({name + ".tensor_scale", "F32", {1}});
  e.push_back({name + ".amax", "F32", {1}});
  return e;
}

/// The input's tensors to quantize (views into `st` or `npy`, which must outlive them).
std::vector<InputTensor> select_inputs(const std::string& path, const std::string& glob,
                                       std::optional<core::SafetensorsFile>& st,
                                       std::optional<core::NpyArray>& npy, bool quiet) {
  std::vector<InputTensor> out;
  if (ends_with(path, ".npy")) {
    npy.emplace(core::read_npy(path));
    const std::string name = std::filesystem::path(path).stem().string();
    if (npy->dtype() == core::NpyDType::kU8) {
      throw std::invalid_argument(path +
                                  " holds uint8 data ('|u1'); quantize takes F32, F16 or BF16");
    }
    if (!glob.empty() && !core::glob_match(glob, name)) {
      throw std::invalid_argument(path + ": its tensor '" + name + "' does not match --tensors " +
                                  glob);
    }
    if (npy->numel() == 0)
      throw std::invalid_argument(path + " is an empty array " + core::shape_string(npy->shape()));
    out.push_back({name, npy->view(), npy->shape(), npy->raw()});
    return out;
  }
  if (!ends_with(path, ".safetensors")) {
    throw UsageError("input '" + path + "': expected a .safetensors or .npy file");
  }
  st.emplace(core::open_safetensors(path));
  const std::vector<std::string> names = glob.empty() ? st->names() : st->select(glob);
  if (names.empty()) {
    if (st->size() == 0) throw std::invalid_argument(path + " holds no tensors");
    throw std::invalid_argument(path + ": no tensor matches --tensors '" + glob +
                                "'; the file holds " + std::to_string(st->size()) + ": " +
                                name_list(st->names()));
  }
  std::vector<std::string> skipped;
  for (const std::string& n : names) {
    const core::SafetensorsInfo& i = st->info(n);
    if (i.dtype != "F32" && i.dtype != "F16" && i.dtype != "BF16") {
      skipped.push_back(n + " (" + i.dtype + ")");
    } else if (i.numel() == 0) {
      skipped.push_back(n + " (empty " + core::shape_string(i.shape) + ")");
    } else {
      out.push_back({n, st->view(n), i.shape, st->raw(n)});
    }
  }
  if (!skipped.empty() && !quiet) {
    fmt::print(
        stderr,
        "fp4lab quantize: skipping {} tensor{} that {} not F32, F16 or BF16 (or empty): {}\n",
        skipped.size(), skipped.size() == 1 ? "" : "s", skipped.size() == 1 ? "is" : "are",
        name_list(skipped));
  }
  if (out.empty()) {
    throw std::invalid_argument(path + ": none of the " + std::to_string(names.size()) +
                                " selected tensors is F32, F16 or BF16: " + name_list(skipped));
  }
  return out;
}

int quantize_main(int argc, char** argv) {
  const ParsedArgs a = parse_args(argc, argv, {"recipe", "out", "tensors", "threads"},
                                  {"swizzle", "allow-nonfinite", "quiet"});
  if (a.flags.count("help")) {
    std::fputs(kQuantizeUsage, stdout);
    return 0;
  }
  if (a.positional.size() != 1) {
    throw UsageError(a.positional.empty()
                         ? "give one input file"
                         : "give one input file, got " + std::to_string(a.positional.size()));
  }
  if (!a.values.count("recipe")) throw UsageError("--recipe SPEC is required (e.g. nvfp4:te)");
  if (!a.values.count("out")) throw UsageError("--out OUT.safetensors is required");
  const std::string in = a.positional[0], out = a.values.at("out");
  const std::string glob = a.values.count("tensors") ? a.values.at("tensors") : "";
  const int threads = parse_threads(a);
  const bool quiet = a.flags.count("quiet") > 0,
             allow_nonfinite = a.flags.count("allow-nonfinite") > 0;
  const formats::Recipe recipe = core::parse_recipe(a.values.at("recipe"));
  ScaleLayout layout =
      a.flags.count("swizzle") ? ScaleLayout::kSwizzled128x4 : ScaleLayout::kRowMajor;
  if (recipe.format == BlockFormat::kINT4 && layout != ScaleLayout::kRowMajor) {
    layout = ScaleLayout::kRowMajor;  // the swizzle is for 8-bit scales of block-scaled GEMMs
    if (!quiet)
      fmt::print(stderr,
                 "fp4lab quantize: --swizzle ignored: int4 group scales are stored row-major\n");
  }
  core::validate_recipe(recipe);
  if (recipe.overflow == formats::Fp4Overflow::kReferenceUnclamped) {
    throw std::invalid_argument(
        "ref_unclamped can give 8, which no E2M1 code holds: it has no stored form");
  }
  const std::string spec = core::recipe_to_spec(recipe);
  check_not_same_file(in, out);

  std::optional<core::SafetensorsFile> st;
  std::optional<core::NpyArray> npy;
  const std::vector<InputTensor> inputs = select_inputs(in, glob, st, npy, quiet);

  std::vector<PlannedEntry> entries;
  std::vector<TensorPlan> plans;
  std::map<std::string, std::string> meta{{"fp4lab.format", std::string(kQuantizedFileFormat)},
                                          {"fp4lab.version", FP4LAB_VERSION}};
  json names = json::array();
  for (const InputTensor& t : inputs) {
    plans.push_back(plan_tensor(t.view.rows(), t.view.cols(), recipe, layout));
    for (PlannedEntry& e : quantized_entries(t.name, plans.back(), recipe, layout))
      entries.push_back(std::move(e));
    names.push_back(t.name);
    meta[t.name + ".recipe"] = spec;
    meta[t.name + ".shape"] = json(t.shape).dump();
    meta[t.name + ".dtype"] = core::dtype_name(t.view.dtype());
    meta[t.name + ".scale_layout"] = scale_layout_name(layout);
  }
  meta["fp4lab.tensors"] = names.dump();

  StreamingSafetensorsWriter writer(out, entries, meta);
  std::vector<std::string> nonfinite;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const InputTensor& t = inputs[k];
    const TensorPlan& p = plans[k];
    const auto t0 = std::chrono::steady_clock::now();
    const core::QuantizedTensor q =
        core::quantize(t.view, core::QuantizeOptions{recipe, layout, threads, false});
    if (q.padded_cols != p.padded_cols || q.scale_cols != p.scale_cols ||
        static_cast<std::int64_t>(q.scales.size()) != p.scale_bytes) {
      throw std::logic_error("tensor '" + t.name +
                             "': quantized sizes differ from the planned ones");
    }
    if (q.nonfinite > 0) nonfinite.push_back(fmt::format("{}: {}", t.name, q.nonfinite));
    const float amax = formats::uses_tensor_scale(recipe)
                           ? q.tensor_scale.amax
                           : core::tensor_amax(t.view, recipe, threads);
    writer.write(t.name + ".codes", q.codes);
    if (recipe.format == BlockFormat::kINT4) {
      writer.write(t.name + ".group_scales",
                   bytes_of(q.group_scales.data(), q.group_scales.size() * 4));
      writer.write(t.name + ".zero_points", q.zero_points);
    } else {
      writer.write(t.name + ".scales", q.scales);
    }
    writer.write(t.name + ".tensor_scale", bytes_of(&q.tensor_scale.decode, 4));
    writer.write(t.name + ".amax", bytes_of(&amax, 4));
    release_pages(t.raw);
    if (!quiet) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "[{}/{}] {} {} {} -> {} ({:.2f} s)\n", k + 1, inputs.size(), t.name,
                 core::shape_string(t.shape), core::dtype_name(t.view.dtype()), spec, s);
    }
  }
  if (!nonfinite.empty()) {
    const std::string list = name_list(nonfinite);
    if (!allow_nonfinite) {
      throw std::invalid_argument(
          fmt::format("{} tensor{} NaN/Inf inputs (name: count) {}; nothing was written (pass "
                      "--allow-nonfinite "
                      "to store them as the recipe encodes them)",
                      nonfinite.size(), nonfinite.size() == 1 ? " holds" : "s hold", list));
    }
    fmt::print(stderr, "fp4lab quantize: warning: NaN/Inf inputs (name: count) {}\n", list);
  }
  writer.commit();
  if (!quiet) fmt::print(stderr, "wrote {} ({} tensors, {})\n", out, inputs.size(), spec);
  return 0;
}

// ---- dequantize ----

constexpr const char* kDequantizeUsage =
    "usage: fp4lab dequantize IN.safetensors --out OUT.safetensors [--dtype f32|bf16|f16]\n"
    "                         [--threads N] [--quiet]\n"
    "  IN is a file written by fp4lab quantize; every tensor comes back in its original shape.\n";

/// One quantized tensor of a file, validated, its arrays viewing the mapping.
struct StoredTensor {
  std::string name;
  formats::Recipe recipe;
  std::string spec;
  ScaleLayout layout = ScaleLayout::kRowMajor;
  std::vector<std::int64_t> shape;
  TensorPlan plan;
  std::span<const std::uint8_t> codes, scales, group_scales, zero_points;
  formats::TensorScale tensor_scale;
};

const std::string& metadata_value(const core::SafetensorsFile& f, const std::string& key) {
  const auto it = f.metadata().find(key);
  if (it == f.metadata().end()) {
    throw core::FormatError(f.source() + ": metadata \"" + key +
                            "\" is missing (not written by fp4lab quantize?)");
  }
  return it->second;
}

/// The bytes of entry `name`, which must have `dtype` and `shape`.
std::span<const std::uint8_t> expect_entry(const core::SafetensorsFile& f, const std::string& name,
                                           const char* dtype,
                                           const std::vector<std::int64_t>& shape) {
  if (!f.contains(name)) {
    throw core::FormatError(f.source() + ": tensor '" + name + "' is missing; the file holds " +
                            name_list(f.names()));
  }
  const core::SafetensorsInfo& i = f.info(name);
  if (i.dtype != dtype || i.shape != shape) {
    throw core::FormatError(f.source() + ": tensor '" + name + "' is " + i.dtype + " " +
                            core::shape_string(i.shape) + ", expected " + dtype + " " +
                            core::shape_string(shape));
  }
  return f.raw(name);
}

float read_f32(std::span<const std::uint8_t> b) {
  float v;
  std::memcpy(&v, b.data(), 4);
  return v;
}

StoredTensor read_stored(const core::SafetensorsFile& f, const std::string& name) {
  StoredTensor s;
  s.name = name;
  s.spec = metadata_value(f, name + ".recipe");
  try {
    s.recipe = core::parse_recipe(s.spec);
    s.layout = parse_scale_layout(metadata_value(f, name + ".scale_layout"));
  } catch (const std::invalid_argument& ex) {
    throw core::FormatError(f.source() + ": tensor '" + name + "': " + ex.what());
  }
  json shape;
  try {
    shape = json::parse(metadata_value(f, name + ".shape"));
    s.shape = shape.get<std::vector<std::int64_t>>();
    core::shape_numel(s.shape);
  } catch (const std::exception& ex) {
    throw core::FormatError(f.source() + ": metadata \"" + name +
                            ".shape\" is not a shape: " + ex.what());
  }
  const std::int64_t numel = core::shape_numel(s.shape);
  const std::int64_t cols = s.shape.empty() ? 1 : s.shape.back();
  if (numel == 0)
    throw core::FormatError(f.source() + ": tensor '" + name + "' has an empty shape");
  s.plan = plan_tensor(numel / cols, cols, s.recipe, s.layout);
  const TensorPlan& p = s.plan;
  s.codes = expect_entry(f, name + ".codes", "U8", {p.rows, p.padded_cols / 2});
  if (s.recipe.format == BlockFormat::kINT4) {
    s.group_scales = expect_entry(f, name + ".group_scales", "F32", {p.rows, p.scale_cols});
    s.zero_points = expect_entry(f, name + ".zero_points", "U8", {p.rows, p.scale_cols});
  } else {
    s.scales = expect_entry(f, name + ".scales", "U8", scales_shape(p, s.layout));
  }
  const float decode = read_f32(expect_entry(f, name + ".tensor_scale", "F32", {1}));
  const float amax = read_f32(expect_entry(f, name + ".amax", "F32", {1}));
  s.tensor_scale = formats::tensor_scale(s.recipe, amax);
  if (formats::bit_cast<std::uint32_t>(s.tensor_scale.decode) !=
      formats::bit_cast<std::uint32_t>(decode)) {
    throw core::FormatError(
        fmt::format("{}: tensor '{}': stored tensor scale {} does not follow from amax {} under {} "
                    "(expected {}); the file is inconsistent",
                    f.source(), name, decode, amax, s.spec, s.tensor_scale.decode));
  }
  return s;
}

core::DType parse_dtype(const std::string& s) {
  if (s == "f32") return core::DType::kF32;
  if (s == "bf16") return core::DType::kBF16;
  if (s == "f16") return core::DType::kF16;
  throw UsageError("--dtype takes f32, bf16 or f16, got '" + s + "'");
}

/// Dequantizes rows [r0, r1) of `s` (r0 a multiple of 128, so swizzled tiles stay whole).
core::Tensor dequantize_rows(const StoredTensor& s, std::int64_t r0, std::int64_t r1,
                             core::DType dtype, int threads) {
  const TensorPlan& p = s.plan;
  core::QuantizedTensor q;
  q.recipe = s.recipe;
  q.layout = s.layout;
  q.shape = {r1 - r0, p.cols};
  q.rows = r1 - r0;
  q.cols = p.cols;
  q.padded_cols = p.padded_cols;
  q.scale_cols = p.scale_cols;
  q.tensor_scale = s.tensor_scale;
  const auto slice = [](std::span<const std::uint8_t> b, std::int64_t from, std::int64_t to) {
    return std::vector<std::uint8_t>(b.begin() + from, b.begin() + to);
  };
  q.codes = slice(s.codes, r0 * p.padded_cols / 2, r1 * p.padded_cols / 2);
  if (s.recipe.format == BlockFormat::kINT4) {
    q.group_scales.resize(static_cast<std::size_t>((r1 - r0) * p.scale_cols));
    std::memcpy(q.group_scales.data(), s.group_scales.data() + r0 * p.scale_cols * 4,
                q.group_scales.size() * 4);
    q.zero_points = slice(s.zero_points, r0 * p.scale_cols, r1 * p.scale_cols);
  } else if (s.layout == ScaleLayout::kRowMajor) {
    q.scales = slice(s.scales, r0 * p.scale_cols, r1 * p.scale_cols);
  } else {
    const auto tile = static_cast<std::int64_t>(
        formats::padded_scale_cols(static_cast<std::size_t>(p.scale_cols), s.layout) / 4 * 512);
    q.scales = slice(s.scales, r0 / 128 * tile, (r1 + 127) / 128 * tile);
  }
  return core::dequantize(q, dtype, threads);
}

int dequantize_main(int argc, char** argv) {
  const ParsedArgs a = parse_args(argc, argv, {"out", "dtype", "threads"}, {"quiet"});
  if (a.flags.count("help")) {
    std::fputs(kDequantizeUsage, stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("give one input file");
  if (!a.values.count("out")) throw UsageError("--out OUT.safetensors is required");
  const std::string in = a.positional[0], out = a.values.at("out");
  const core::DType dtype = parse_dtype(a.values.count("dtype") ? a.values.at("dtype") : "f32");
  const int threads = parse_threads(a);
  const bool quiet = a.flags.count("quiet") > 0;
  check_not_same_file(in, out);
  if (!ends_with(in, ".safetensors"))
    throw UsageError("input '" + in + "': expected a .safetensors file");

  const core::SafetensorsFile f = core::open_safetensors(in);
  if (metadata_value(f, "fp4lab.format") != kQuantizedFileFormat) {
    throw core::FormatError(in + ": metadata fp4lab.format is '" +
                            metadata_value(f, "fp4lab.format") + "', expected '" +
                            std::string(kQuantizedFileFormat) + "'");
  }
  std::vector<std::string> names;
  try {
    names = json::parse(metadata_value(f, "fp4lab.tensors")).get<std::vector<std::string>>();
  } catch (const json::exception& ex) {
    throw core::FormatError(in +
                            ": metadata fp4lab.tensors is not a JSON array of names: " + ex.what());
  }
  if (names.empty()) throw core::FormatError(in + ": metadata fp4lab.tensors lists no tensors");
  std::vector<StoredTensor> stored;
  std::vector<PlannedEntry> entries;
  std::map<std::string, std::string> meta{{"fp4lab.version", FP4LAB_VERSION}};
  for (const std::string& n : names) {
    stored.push_back(read_stored(f, n));
    entries.push_back({n, core::dtype_name(dtype), stored.back().shape});
    meta[n + ".recipe"] = stored.back().spec;
  }

  StreamingSafetensorsWriter writer(out, entries, meta);
  constexpr std::int64_t kChunkElements = std::int64_t{1} << 24;  // ~64 MB of FP32 output at a time
  for (std::size_t k = 0; k < stored.size(); ++k) {
    const StoredTensor& s = stored[k];
    const auto t0 = std::chrono::steady_clock::now();
    const std::int64_t rows = s.plan.rows, cols = s.plan.cols;
    const std::int64_t chunk = std::max<std::int64_t>(128, kChunkElements / cols / 128 * 128);
    for (std::int64_t r0 = 0; r0 < rows; r0 += chunk) {
      const std::int64_t r1 = std::min(rows, r0 + chunk);
      const core::Tensor t = dequantize_rows(s, r0, r1, dtype, threads);
      writer.write(s.name, {t.data(), t.size_bytes()},
                   static_cast<std::uint64_t>(r0 * cols) * core::dtype_size(dtype));
    }
    release_pages(s.codes);
    if (!quiet) {
      const double sec =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "[{}/{}] {} {} {} -> {} ({:.2f} s)\n", k + 1, stored.size(), s.name,
                 core::shape_string(s.shape), s.spec, core::dtype_name(dtype), sec);
    }
  }
  writer.commit();
  if (!quiet) fmt::print(stderr, "wrote {} ({} tensors)\n", out, stored.size());
  return 0;
}

/// Runs a command body: usage errors exit 2 with the usage, other failures exit 1.
int guarded(const char* command, const char* usage, int (*body)(int, char**), int argc,
            char** argv) {
  try {
    return body(argc, argv);
  } catch (const UsageError& ex) {
    fmt::print(stderr, "fp4lab {}: {}\n{}", command, ex.what(), usage);
    return 2;
  } catch (const std::exception& ex) {
    fmt::print(stderr, "fp4lab {}: error: {}\n", command, ex.what());
    return 1;
  }
}

}  // namespace

const char* scale_layout_name(ScaleLayout layout) {
  return layout == ScaleLayout::kRowMajor ? "row_major" : "swizzled_128x4";
}

ScaleLayout parse_scale_layout(std::string_view name) {
  if (name == "row_major") return ScaleLayout::kRowMajor;
  if (name == "swizzled_128x4" || name == "swizzled") return ScaleLayout::kSwizzled128x4;
  throw std::invalid_argument("scale layout '" + std::string(name) +
                              "' is not known; accepted: row_major, swizzled_128x4 (or swizzled)");
}

int run_quantize_command(int argc, char** argv) {
  return guarded("quantize", kQuantizeUsage, quantize_main, argc, argv);
}

int run_dequantize_command(int argc, char** argv) {
  return guarded("dequantize", kDequantizeUsage, dequantize_main, argc, argv);
}

}  // namespace fp4lab::exp
