// `fp4lab quantize` / `fp4lab dequantize` (see quantize_command.hpp): arguments (cli::Args),
// progress and messages around core::Checkpoint, core/io's tensor selection, QuantizedWriter and
// read_quantized; each holds one tensor at a time in memory (finished input pages are dropped).
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
#include "core/io/checkpoint.hpp"
#include "core/io/output_guard.hpp"
#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"
#include "core/io/tensor_selection.hpp"
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
    "fp4lab quantize CKPT --recipe SPEC|--recipe-map FILE --out OUT.safetensors\n"
    "                       [--include GLOB]... [--exclude GLOB]... [--tensors GLOB] [--swizzle]\n"
    "                       [--block-axis K] [--threads N] [--allow-nonfinite] [--force] [--quiet]";

constexpr const char* kQuantizeAbout =
    "\n  CKPT: a .safetensors file, a sharded *.safetensors.index.json, a .gguf (types F32, F16,\n"
    "  BF16, Q8_0, Q4_0, Q4_1; any other type is refused by name) or a .npy array (named after\n"
    "  the file), read one tensor at a time. Each quantized tensor NAME is stored as NAME.codes,\n"
    "  NAME.scales (or NAME.group_scales, NAME.zero_points for int4), NAME.tensor_scale and\n"
    "  NAME.amax, with its recipe, block axis and bits/value in the metadata; every other tensor\n"
    "  is passed through unchanged under its own name (non-float data byte for byte; GGUF\n"
    "  Q8_0/Q4_0/Q4_1 tensors dequantized to F32, which the metadata says).\n"
    "  Which tensors are quantized, in this order: non-float data never; --exclude GLOB never\n"
    "  (an explicit exclude wins over everything); with --tensors GLOB only the tensors it\n"
    "  matches; tensors matching --include GLOB (or --tensors) always; the default exclusions\n"
    "  never: *norm*, *.bias, *embed_tokens*, lm_head*, token_embd.weight, output.weight (HF and\n"
    "  GGUF names) and tensors of rank 0 or 1; everything else. A .npy array counts as included.\n"
    "  --include and --tensors patterns that match no tensor are an error; --exclude patterns\n"
    "  and recipe-map rules that match none get a note.\n"
    "  --recipe-map FILE: {\"default\": SPEC, \"rules\": [{\"match\": GLOB, \"recipe\": SPEC}]}, SPEC a\n"
    "  recipe or \"skip\" (passed through); the first matching rule wins, else \"default\", else\n"
    "  --recipe (give one of --recipe and \"default\"); it picks recipes for the tensors chosen above,\n"
    "  it does not override the exclusions. Bad JSON, unknown keys or recipes: an error,\n"
    "  nothing written. --swizzle stores block scales in the 128x4 layout of Blackwell GEMMs.\n"
    "  NaN/Inf inputs fail unless --allow-nonfinite. OUT must end with .safetensors and must not\n"
    "  exist unless --force. --block-axis K runs the blocks along axis K of every quantized tensor\n"
    "  (default -1, the last; negative counts from the end); dequantize restores the layout.\n"
    "  Bits per value count codes, scales and the tensor scale, padding included.";

/// The arguments of `fp4lab quantize`.
struct QuantizeArgs {
  std::string in, recipe, out, tensors, recipe_map;
  std::vector<std::string> include, exclude;
  bool swizzle = false, allow_nonfinite = false, quiet = false, force = false;
  bool compact_2d_scales = false;  ///< 2-D recipes: one stored scale row per tile
  int threads = 0;
  int block_axis = -1;  ///< the axis blocks run along (negative from the end)
};

/// The recipe of --recipe, checked for a stored form.
formats::Recipe parse_storable_recipe(const std::string& spec) {
  const formats::Recipe recipe = core::parse_recipe(spec);
  core::validate_recipe(recipe);
  if (recipe.overflow == formats::Fp4Overflow::kReferenceUnclamped) {
    throw std::invalid_argument(
        "ref_unclamped can give 8, which no E2M1 code holds: it has no stored form");
  }
  return recipe;
}

core::DType float_dtype_of(const std::string& d) {
  return d == "F16" ? core::DType::kF16 : d == "BF16" ? core::DType::kBF16 : core::DType::kF32;
}

int quantize_main(const QuantizeArgs& a) {
  const std::string &in = a.in, &out = a.out;
  const bool quiet = a.quiet;
  const core::RecipeMap map = a.recipe_map.empty() ? core::RecipeMap{} : core::read_recipe_map(a.recipe_map);
  std::optional<formats::Recipe> fallback;
  if (!a.recipe.empty()) fallback = parse_storable_recipe(a.recipe);
  if (!fallback && !map.has_default) {
    throw UsageError("--recipe SPEC is required (or --recipe-map FILE with a \"default\")");
  }
  if (fallback && map.has_default) {
    throw UsageError("--recipe and the recipe map's \"default\" both name the default recipe; give one of them");
  }
  const ScaleLayout layout = a.swizzle ? ScaleLayout::kSwizzled128x4 : ScaleLayout::kRowMajor;
  check_not_same_file(in, out);
  core::check_output_file(out, a.force ? core::Overwrite::kForce : core::Overwrite::kRefuse,
                          ".safetensors");
  if (!ends_with(in, ".safetensors") && !ends_with(in, ".safetensors.index.json") && !ends_with(in, ".gguf") &&
      !ends_with(in, ".npy")) {
    throw UsageError("input '" + in + "': expected a checkpoint: .safetensors.index.json, .gguf, .safetensors or .npy");
  }
  const core::Checkpoint ck = core::Checkpoint::open(in);
  const bool gguf = ends_with(in, ".gguf"), npy = ends_with(in, ".npy");
  std::vector<std::string> names;
  for (const core::CheckpointEntry& e : ck.entries()) names.push_back(e.name);
  if (names.empty()) throw std::invalid_argument(in + " holds no tensors");
  core::SelectionRules rules{a.include, a.exclude, {}, true};
  if (!a.tensors.empty()) rules.only.push_back(a.tensors);
  for (const auto& [flag, patterns] : {std::pair{"--tensors", rules.only}, std::pair{"--include", rules.include}}) {
    for (const std::string& p : core::unmatched_patterns(patterns, names)) {
      throw std::invalid_argument(fmt::format("{}: no tensor matches {} '{}'; the file holds {}: {}", in, flag, p,
                                              names.size(), name_list(names)));
    }
  }
  std::vector<std::string> rule_globs;
  for (const core::RecipeRule& r : map.rules) rule_globs.push_back(r.match);
  for (const auto& [what, patterns] : {std::pair{"--exclude", rules.exclude}, std::pair{"recipe-map rule", rule_globs}}) {
    for (const std::string& p : core::unmatched_patterns(patterns, names)) {
      if (!quiet) fmt::print(stderr, "fp4lab quantize: note: {} '{}' matches no tensor of {}\n", what, p, in);
    }
  }
  if (npy) rules.include.push_back(names.front());  // the one array of a .npy counts as included

  std::vector<core::QuantizedInput> planned;
  std::vector<core::PassThroughInput> passed;
  std::vector<bool> dequantized;  // per pass-through tensor: a GGUF block type dequantized to F32
  std::vector<std::string> why;   // per pass-through tensor: "NAME (DTYPE): reason"
  bool swizzle_note = false;
  for (const core::CheckpointEntry& e : ck.entries()) {
    if (gguf && !e.is_float) {
      throw std::invalid_argument(in + ": tensor '" + e.name + "' has GGUF type " + e.dtype +
                                  ", which fp4lab does not read (it reads F32, F16, BF16, Q8_0, Q4_0, Q4_1); "
                                  "nothing was written");
    }
    const std::vector<std::int64_t> shape = e.scalar ? std::vector<std::int64_t>{} : e.shape;
    core::TensorDecision d = core::decide_tensor(e.name, e.shape, e.is_float, rules, map, fallback);
    if (d.quantize && core::shape_numel(e.shape) == 0) {
      if (npy) throw std::invalid_argument(in + " is an empty array " + core::shape_string(e.shape));
      d = {false, std::nullopt, "empty"};
    }
    if (!d.quantize) {
      const bool deq = gguf && e.dtype != "F32" && e.dtype != "F16" && e.dtype != "BF16";
      passed.push_back({e.name, deq ? "F32" : e.dtype, shape,
                        d.reason + (deq ? "; dequantized from " + e.dtype + " to F32" : "; stored as " + e.dtype)});
      dequantized.push_back(deq);
      why.push_back(e.name + " (" + e.dtype + "): " + d.reason);
      continue;
    }
    try {  // every tensor must have the axis, before any work
      core::normalize_block_axis(a.block_axis, shape.size());
    } catch (const std::invalid_argument& ex) {
      throw UsageError("--block-axis: tensor '" + e.name + "' " + core::shape_string(shape) + ": " + ex.what());
    }
    ScaleLayout l = layout;
    if (!formats::stores_scale_codes(d.recipe->format) && l != ScaleLayout::kRowMajor) {
      l = ScaleLayout::kRowMajor;  // the swizzle is for 8-bit scales of block-scaled GEMMs
      swizzle_note = true;
    }
    planned.push_back({e.name, shape, gguf ? core::DType::kF32 : float_dtype_of(e.dtype), a.block_axis, d.recipe, l});
  }
  if (swizzle_note && !quiet) {
    fmt::print(stderr, "fp4lab quantize: --swizzle ignored: int4 group scales are stored row-major\n");
  }
  if (planned.empty()) {
    throw std::invalid_argument(fmt::format("{}: no tensor to quantize, nothing was written; {} tensor{} would pass "
                                            "through: {}",
                                            in, why.size(), why.size() == 1 ? "" : "s", name_list(why)));
  }
  core::QuantizedWriter writer(out, *planned.front().recipe, *planned.front().layout, planned,
                               a.compact_2d_scales ? core::TileScales::kPerTile : core::TileScales::kPerRow, passed);
  const std::size_t total = planned.size() + passed.size();
  std::vector<std::string> nonfinite;
  double q_bits = 0, q_values = 0, all_bits = 0, all_values = 0;  // for the bits per value
  for (std::size_t k = 0; k < planned.size(); ++k) {
    const core::QuantizedInput& t = planned[k];
    const formats::Recipe& recipe = *t.recipe;
    const auto t0 = std::chrono::steady_clock::now();
    const core::Tensor x = ck.load(t.name);
    const core::QuantizedTensor q =
        core::quantize(x.view(), core::QuantizeOptions{recipe, *t.layout, a.threads, false, a.block_axis});
    if (q.nonfinite > 0) nonfinite.push_back(fmt::format("{}: {}", t.name, q.nonfinite));
    const float amax = formats::uses_tensor_scale(recipe)
                           ? q.tensor_scale.amax
                           : core::tensor_amax(x.view(), recipe, a.threads, a.block_axis);
    writer.write(k, q, amax);
    const core::QuantizedSizes sizes = core::quantized_sizes(recipe, *t.layout, q.rows, q.cols);
    const double values = static_cast<double>(q.rows) * static_cast<double>(q.cols);
    q_bits += 8.0 * static_cast<double>(sizes.total_bytes());
    q_values += values;
    if (!gguf) release_pages(ck.raw(t.name));
    if (!quiet) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "[{}/{}] {} {} {} -> {}{}, {:.3f} bits/value ({:.2f} s)\n", k + 1, total, t.name,
                 core::shape_string(t.shape), core::dtype_name(x.dtype()), core::recipe_to_spec(recipe),
                 q.block_axis >= 0 ? fmt::format(" along axis {}", q.block_axis) : "", sizes.bits_per_value(), s);
    }
  }
  all_bits = q_bits;
  all_values = q_values;
  for (std::size_t k = 0; k < passed.size(); ++k) {
    const core::PassThroughInput& p = passed[k];
    if (dequantized[k]) {
      const core::Tensor x = ck.load(p.name);
      writer.write_passthrough(k, {static_cast<const std::uint8_t*>(x.data()), x.size_bytes()});
    } else {
      writer.write_passthrough(k, ck.raw(p.name));
    }
    const auto n = static_cast<double>(core::shape_numel(p.shape));
    all_bits += n * core::safetensors_dtype_bits(p.dtype);
    all_values += n;
    if (!quiet) {
      fmt::print(stderr, "[{}/{}] {} {} -> pass-through ({})\n", planned.size() + k + 1, total, p.name,
                 core::shape_string(p.shape), p.note);
    }
  }
  if (!nonfinite.empty()) {
    const std::string list = name_list(nonfinite);
    if (!a.allow_nonfinite) {
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
    fmt::print(stderr, "wrote {} ({} tensors quantized, {:.3f} bits/value; {} passed through; {:.3f} bits/value in all)\n",
               out, planned.size(), q_bits / q_values, passed.size(), all_bits / std::max(1.0, all_values));
  }
  return 0;
}

// ---- dequantize ----

constexpr const char* kDequantizeSynopsis =
    "fp4lab dequantize IN.safetensors --out OUT.safetensors [--dtype f32|bf16|f16]\n"
    "                         [--threads N] [--force] [--quiet]";

constexpr const char* kDequantizeAbout =
    "\n  IN is a file written by fp4lab quantize; every tensor comes back in its original shape,\n"
    "  under its own name (pass-through tensors exactly as stored, in their stored dtype).\n"
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
  for (const core::StoredPassThrough& p : f.passthrough) {
    slots.push_back({p.name, p.dtype, p.shape});
    meta[p.name + ".passthrough"] = p.note;
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
  for (const core::StoredPassThrough& p : f.passthrough) {
    writer.write(p.name, p.bytes, 0);  // as stored, byte for byte
    if (!quiet) fmt::print(stderr, "{} {} {} passed through ({})\n", p.name, core::shape_string(p.shape), p.dtype, p.note);
  }
  writer.commit();
  if (!quiet) {
    fmt::print(stderr, "wrote {} ({} tensors, {} of them passed through)\n", out, f.tensors.size() + f.passthrough.size(),
               f.passthrough.size());
  }
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
                 "Quantizes the weight matrices of a checkpoint into a quantized file; the rest passes through.");
  args.positional("CKPT", a.in, "the input: .safetensors, .safetensors.index.json, .gguf or .npy").required();
  args.option("recipe", a.recipe, "recipe spec, e.g. nvfp4:te, mxfp4:rceil, int4:g32:asym:fp16")
      .placeholder("SPEC");
  args.option("recipe-map", a.recipe_map, "per-tensor recipes: a JSON {\"default\", \"rules\"} map")
      .placeholder("FILE");
  args.option("include", a.include, "also quantize tensors matching GLOB despite the default exclusions (repeatable)")
      .placeholder("GLOB");
  args.option("exclude", a.exclude, "never quantize tensors matching GLOB; wins over --include (repeatable)")
      .placeholder("GLOB");
  args.option("out", a.out, "the quantized file to write")
      .placeholder("OUT.safetensors")
      .required();
  args.option("tensors", a.tensors,
              "quantize only the tensors whose names match GLOB (* and ?; the others pass through)")
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
