// `fp4lab quantize` / `fp4lab dequantize` (see quantize_command.hpp): arguments (cli::Args),
// progress and messages around core/io's QuantizedWriter and read_quantized; each holds one
// tensor at a time in memory (finished input pages are dropped from the mapping).
#include "experiments/cli/quantize_command.hpp"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/block_axis.hpp"
#include "core/io/npy.hpp"
#include "core/io/output_guard.hpp"
#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/cli/args.hpp"

#ifndef FP4LAB_VERSION
#define FP4LAB_VERSION "unknown"
#endif

namespace fp4lab::exp {
namespace {

using formats::BlockFormat;
using formats::ScaleLayout;

using cli::UsageError;

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

// ---- quantize ----

constexpr const char* kQuantizeSynopsis =
    "fp4lab quantize IN.safetensors|IN.npy --recipe SPEC --out OUT.safetensors\n"
    "                       [--tensors GLOB] [--swizzle] [--block-axis K] [--threads N]\n"
    "                       [--allow-nonfinite] [--force] [--quiet]";

constexpr const char* kQuantizeAbout =
    "\n  writes NAME.codes, NAME.scales (or NAME.group_scales, NAME.zero_points for int4),\n"
    "  NAME.tensor_scale and NAME.amax for every F32/F16/BF16 tensor (those matching GLOB);\n"
    "  a .npy input's tensor is named after the file. --swizzle stores block scales in the\n"
    "  128x4 layout of Blackwell GEMMs. NaN/Inf inputs fail unless --allow-nonfinite.\n"
    "  OUT must end with .safetensors and must not exist unless --force.\n"
    "  --block-axis K runs the blocks along axis K of every tensor (default -1, the last;\n"
    "  negative counts from the end); the file records it and dequantize restores the layout.\n"
    "  Bits per value count codes, scales and the tensor scale, padding included.";

/// The arguments of `fp4lab quantize`.
struct QuantizeArgs {
  std::string in, recipe, out, tensors;
  bool swizzle = false, allow_nonfinite = false, quiet = false, force = false;
  bool compact_2d_scales = false;  ///< 2-D recipes: one stored scale row per tile
  int threads = 0;
  int block_axis = -1;  ///< the axis blocks run along (negative from the end)
};

/// One input tensor to quantize.
struct InputTensor {
  std::string name;
  core::TensorView view;            // shape [1] for a scalar
  std::vector<std::int64_t> shape;  // as in the file ([] for a scalar)
  std::span<const std::uint8_t> raw;
};

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

int quantize_main(const QuantizeArgs& a) {
  const std::string &in = a.in, &out = a.out, &glob = a.tensors;
  const int threads = a.threads;
  const bool quiet = a.quiet, allow_nonfinite = a.allow_nonfinite;
  const formats::Recipe recipe = core::parse_recipe(a.recipe);
  ScaleLayout layout = a.swizzle ? ScaleLayout::kSwizzled128x4 : ScaleLayout::kRowMajor;
  if (!formats::stores_scale_codes(recipe.format) && layout != ScaleLayout::kRowMajor) {
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
  core::check_output_file(out, a.force ? core::Overwrite::kForce : core::Overwrite::kRefuse,
                          ".safetensors");

  std::optional<core::SafetensorsFile> st;
  std::optional<core::NpyArray> npy;
  const std::vector<InputTensor> inputs = select_inputs(in, glob, st, npy, quiet);

  std::vector<core::QuantizedInput> planned;
  for (const InputTensor& t : inputs) {
    try {  // every tensor must have the axis, before any work
      core::normalize_block_axis(a.block_axis, t.shape.size());
    } catch (const std::invalid_argument& ex) {
      throw UsageError("--block-axis: tensor '" + t.name + "' " + core::shape_string(t.shape) + ": " + ex.what());
    }
    planned.push_back({t.name, t.shape, t.view.dtype(), a.block_axis});
  }
  core::QuantizedWriter writer(out, recipe, layout, planned,
                               a.compact_2d_scales ? core::TileScales::kPerTile : core::TileScales::kPerRow);
  std::vector<std::string> nonfinite;
  double total_bytes = 0, total_values = 0;  // for the file's bits per value
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const InputTensor& t = inputs[k];
    const auto t0 = std::chrono::steady_clock::now();
    const core::QuantizedTensor q =
        core::quantize(t.view, core::QuantizeOptions{recipe, layout, threads, false, a.block_axis});
    if (q.nonfinite > 0) nonfinite.push_back(fmt::format("{}: {}", t.name, q.nonfinite));
    const float amax = formats::uses_tensor_scale(recipe)
                           ? q.tensor_scale.amax
                           : core::tensor_amax(t.view, recipe, threads, a.block_axis);
    writer.write(k, q, amax);
    const core::QuantizedSizes sizes = core::quantized_sizes(recipe, layout, q.rows, q.cols);
    total_bytes += static_cast<double>(sizes.total_bytes());
    total_values += static_cast<double>(q.rows) * static_cast<double>(q.cols);
    release_pages(t.raw);
    if (!quiet) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "[{}/{}] {} {} {} -> {}{}, {:.3f} bits/value ({:.2f} s)\n", k + 1, inputs.size(),
                 t.name, core::shape_string(t.shape), core::dtype_name(t.view.dtype()), spec,
                 q.block_axis >= 0 ? fmt::format(" along axis {}", q.block_axis) : "",
                 sizes.bits_per_value(), s);
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
  if (!quiet) {
    fmt::print(stderr, "wrote {} ({} tensors, {}, {:.3f} bits/value)\n", out, inputs.size(), spec,
               total_bytes * 8.0 / total_values);
  }
  return 0;
}

// ---- dequantize ----

constexpr const char* kDequantizeSynopsis =
    "fp4lab dequantize IN.safetensors --out OUT.safetensors [--dtype f32|bf16|f16]\n"
    "                         [--threads N] [--force] [--quiet]";

constexpr const char* kDequantizeAbout =
    "\n  IN is a file written by fp4lab quantize; every tensor comes back in its original shape.\n"
    "  OUT must end with .safetensors and must not exist unless --force.";

/// The arguments of `fp4lab dequantize`.
struct DequantizeArgs {
  std::string in, out, dtype = "f32";
  bool quiet = false, force = false;
  int threads = 0;
};

core::DType parse_dtype(const std::string& s) {
  if (s == "f32") return core::DType::kF32;
  if (s == "bf16") return core::DType::kBF16;
  return core::DType::kF16;  // the parser admits f32, bf16 and f16 only
}

int dequantize_main(const DequantizeArgs& a) {
  const std::string &in = a.in, &out = a.out;
  const core::DType dtype = parse_dtype(a.dtype);
  const int threads = a.threads;
  const bool quiet = a.quiet;
  check_not_same_file(in, out);
  if (!ends_with(in, ".safetensors"))
    throw UsageError("input '" + in + "': expected a .safetensors file");
  core::check_output_file(out, a.force ? core::Overwrite::kForce : core::Overwrite::kRefuse,
                          ".safetensors");

  const core::QuantizedFile f = core::read_quantized(in);
  std::vector<core::SafetensorsSlot> slots;
  std::map<std::string, std::string> meta{{"fp4lab.version", FP4LAB_VERSION}};
  for (const core::StoredQuantized& s : f.tensors) {
    slots.push_back({s.name, core::dtype_name(dtype), s.shape});
    meta[s.name + ".recipe"] = s.spec;
  }

  core::SafetensorsStreamWriter writer(out, slots, meta);
  constexpr std::int64_t kChunkElements = std::int64_t{1} << 24;  // ~64 MB of FP32 output at a time
  for (std::size_t k = 0; k < f.tensors.size(); ++k) {
    const core::StoredQuantized& s = f.tensors[k];
    const auto t0 = std::chrono::steady_clock::now();
    const std::int64_t rows = s.plan.rows, cols = s.plan.cols;
    const std::int64_t chunk = std::max<std::int64_t>(128, kChunkElements / cols / 128 * 128);
    // blocked along another axis: the whole tensor at once, moved back to its layout
    const bool whole = core::block_axis_moves(s.block_axis, s.shape);
    if (whole) {
      const core::Tensor t = core::dequantize(s.whole(), dtype, threads);
      writer.write(s.name, {t.data(), t.size_bytes()}, 0);
    }
    for (std::int64_t r0 = 0; r0 < rows && !whole; r0 += chunk) {
      const std::int64_t r1 = std::min(rows, r0 + chunk);
      const core::Tensor t = core::dequantize(s.slice_rows(r0, r1), dtype, threads);
      writer.write(s.name, {t.data(), t.size_bytes()},
                   static_cast<std::uint64_t>(r0 * cols) * core::dtype_size(dtype));
    }
    release_pages(s.codes);
    if (!quiet) {
      const double sec =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "[{}/{}] {} {} {} -> {} ({:.2f} s)\n", k + 1, f.tensors.size(), s.name,
                 core::shape_string(s.shape), s.spec, core::dtype_name(dtype), sec);
    }
  }
  writer.commit();
  if (!quiet) fmt::print(stderr, "wrote {} ({} tensors)\n", out, f.tensors.size());
  return 0;
}

/// Adds --threads and --quiet (both commands take them) to `args`, parses argv and runs `body`:
/// --help exits 0, usage errors (also those `body` finds) exit 2 with the synopsis, failures 1.
template <typename Body>
int parse_and_run(const char* command, cli::Args& args, int& threads, bool& quiet, int argc,
                  char** argv, const Body& body) {
  args.threads(threads);
  args.flag("quiet", quiet, "no progress lines");
  if (const std::optional<int> status = args.parse(argc, argv)) return *status;
  try {
    return body();
  } catch (const UsageError& ex) {
    return args.usage_error(ex.what());
  } catch (const std::exception& ex) {
    fmt::print(stderr, "fp4lab {}: error: {}\n", command, ex.what());
    return 1;
  }
}

}  // namespace

int run_quantize_command(int argc, char** argv) {
  QuantizeArgs a;
  cli::Args args("fp4lab quantize",
                 "Quantizes the tensors of a .safetensors or .npy file into a quantized file.");
  args.positional("IN", a.in, "the input: IN.safetensors or IN.npy").required();
  args.option("recipe", a.recipe, "recipe spec, e.g. nvfp4:te, mxfp4:rceil, int4:g32:asym:fp16")
      .placeholder("SPEC")
      .required();
  args.option("out", a.out, "the quantized file to write")
      .placeholder("OUT.safetensors")
      .required();
  args.option("tensors", a.tensors, "quantize only the tensors whose names match GLOB (* and ?)")
      .placeholder("GLOB");
  args.flag("swizzle", a.swizzle, "store block scales in the 128x4 layout of Blackwell GEMMs");
  args.option("block-axis", a.block_axis,
              "the axis blocks run along (-1: the last; negative counts from the end)")
      .placeholder("K");
  args.flag("compact-2d-scales", a.compact_2d_scales,
            "2-D recipes: store one scale row per tile instead of one per row (row-major only)");
  args.flag("allow-nonfinite", a.allow_nonfinite,
            "store NaN/Inf inputs as the recipe encodes them instead of failing");
  args.flag("force", a.force, "overwrite OUT when it exists");
  args.usage(kQuantizeSynopsis).footer(kQuantizeAbout);
  return parse_and_run("quantize", args, a.threads, a.quiet, argc, argv,
                       [&] { return quantize_main(a); });
}

int run_dequantize_command(int argc, char** argv) {
  DequantizeArgs a;
  cli::Args args("fp4lab dequantize",
                 "Dequantizes every tensor of a quantized file back to its original shape.");
  args.positional("IN", a.in, "a file written by fp4lab quantize")
      .placeholder("IN.safetensors")
      .required();
  args.option("out", a.out, "the .safetensors file to write")
      .placeholder("OUT.safetensors")
      .required();
  args.option("dtype", a.dtype, "element type of the output").choices({"f32", "bf16", "f16"});
  args.flag("force", a.force, "overwrite OUT when it exists");
  args.usage(kDequantizeSynopsis).footer(kDequantizeAbout);
  return parse_and_run("dequantize", args, a.threads, a.quiet, argc, argv,
                       [&] { return dequantize_main(a); });
}

}  // namespace fp4lab::exp
