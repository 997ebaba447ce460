// The quantized file (see quantized_file.hpp): its layout planned from shapes and recipe,
// written through the streaming safetensors writer, and read back with every array's dtype and
// shape and the tensor scale checked against the metadata.
#include "core/io/quantized_file.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

#include "core/block_axis.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "formats/block.hpp"

#ifndef FP4LAB_VERSION
#define FP4LAB_VERSION "unknown"
#endif

namespace fp4lab::core {
namespace {

using json = nlohmann::json;
using formats::BlockFormat;
using formats::ScaleLayout;

/// "a, b, c" of at most `limit` names, then "... (N in all)".
std::string name_list(const std::vector<std::string>& names, std::size_t limit = 20) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > limit) s += ", ... (" + std::to_string(names.size()) + " in all)";
  return s;
}

/// The shortest text that reads back as `v`, as fmt's "{}" writes it (exponent form below
/// 1e-4 and from 1e16 on).
std::string float_text(float v) {
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
  const std::string s(buf, end);
  const std::size_t e = s.find('e');
  if (e == std::string::npos) return s;  // nan, inf
  const int exp = std::stoi(s.substr(e + 1));
  if (exp < -4 || exp >= 16) return s;
  const bool negative = s[0] == '-';
  std::string digits;
  for (std::size_t i = negative ? 1 : 0; i < e; ++i) {
    if (s[i] != '.') digits += s[i];
  }
  std::string out = negative ? "-" : "";
  if (exp < 0) return out + "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
  const auto whole = static_cast<std::size_t>(exp) + 1;
  if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0');
  return out + digits.substr(0, whole) + "." + digits.substr(whole);
}

std::span<const std::uint8_t> bytes_of(const void* p, std::size_t n) {
  return {static_cast<const std::uint8_t*>(p), n};
}

float read_f32(std::span<const std::uint8_t> b) {
  float v;
  std::memcpy(&v, b.data(), 4);
  return v;
}

/// Bytes of codes per row: padded_cols / 2 for 4-bit codes, padded_cols for 3/6/8-bit codes.
std::int64_t code_cols(const QuantizedPlan& p, const formats::Recipe& r) {
  return p.padded_cols / formats::format_traits(r.format).codes_per_byte;
}

/// The safetensors dtype grouped INT4 scales are stored in: the recipe's (files before
/// 2026-12 hold F32 whatever the recipe; read_stored accepts both).
const char* group_scale_dtype(const formats::Recipe& r) {
  return r.int4_scale == formats::ScaleDtype::kFP16 ? "F16" : (r.int4_scale == formats::ScaleDtype::kBF16 ? "BF16" : "F32");
}

/// Whether zero points are stored: asymmetric grouped INT4 only (symmetric ones are all 0).
bool stores_zero_points(const formats::Recipe& r) {
  return !formats::stores_scale_codes(r.format) && r.int4 == formats::Int4Scheme::kAsymmetric;
}

/// Grouped INT4 scales (already rounded to their dtype) as the bytes of that dtype.
std::vector<std::uint8_t> group_scale_bytes(const std::vector<float>& v, const formats::Recipe& r) {
  if (r.int4_scale == formats::ScaleDtype::kFP32) {
    std::vector<std::uint8_t> b(v.size() * 4);
    if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
    return b;
  }
  std::vector<std::uint8_t> b(v.size() * 2);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::uint16_t h = r.int4_scale == formats::ScaleDtype::kFP16 ? formats::fp16_from_float(v[i]).bits
                                                                       : formats::bf16_from_float(v[i]).bits;
    std::memcpy(b.data() + 2 * i, &h, 2);
  }
  return b;
}

/// Rows of tiles of a 2-D recipe (the rows of a per-tile scale array).
std::int64_t tile_rows(const QuantizedPlan& p, const formats::Recipe& r) {
  return (p.rows + r.block_size - 1) / r.block_size;
}

/// The arrays stored for one tensor.
std::vector<SafetensorsSlot> quantized_slots(const std::string& name, const QuantizedPlan& p,
                                             const formats::Recipe& r, ScaleLayout l, TileScales ts) {
  std::vector<SafetensorsSlot> e;
  e.push_back({name + ".codes", "U8", {p.rows, code_cols(p, r)}});
  if (!formats::stores_scale_codes(r.format)) {
    e.push_back({name + ".group_scales", group_scale_dtype(r), {p.rows, p.scale_cols}});
    if (stores_zero_points(r)) e.push_back({name + ".zero_points", "U8", {p.rows, p.scale_cols}});
  } else if (ts == TileScales::kPerTile) {
    e.push_back({name + ".scales", "U8", {tile_rows(p, r), p.scale_cols}});
  } else {
    e.push_back({name + ".scales", "U8", scales_shape(p, l)});
  }
  e.push_back({name + ".tensor_scale", "F32", {1}});
  e.push_back({name + ".amax", "F32", {1}});
  return e;
}

const std::string& metadata_value(const SafetensorsFile& f, const std::string& key) {
  const auto it = f.metadata().find(key);
  if (it == f.metadata().end()) {
    throw FormatError(f.source() + ": metadata \"" + key +
                      "\" is missing (not written by fp4lab quantize?)");
  }
  return it->second;
}

/// The bytes of entry `name`, which must have `dtype` and `shape`.
std::span<const std::uint8_t> expect_entry(const SafetensorsFile& f, const std::string& name,
                                           const char* dtype,
                                           const std::vector<std::int64_t>& shape) {
  if (!f.contains(name)) {
    throw FormatError(f.source() + ": tensor '" + name + "' is missing; the file holds " +
                      name_list(f.names()));
  }
  const SafetensorsInfo& i = f.info(name);
  if (i.dtype != dtype || i.shape != shape) {
    throw FormatError(f.source() + ": tensor '" + name + "' is " + i.dtype + " " +
                      shape_string(i.shape) + ", expected " + dtype + " " + shape_string(shape));
  }
  return f.raw(name);
}

StoredQuantized read_stored(const SafetensorsFile& f, const std::string& name) {
  StoredQuantized s;
  s.name = name;
  s.spec = metadata_value(f, name + ".recipe");
  try {
    s.recipe = parse_recipe(s.spec);
    s.layout = parse_scale_layout(metadata_value(f, name + ".scale_layout"));
  } catch (const std::invalid_argument& ex) {
    throw FormatError(f.source() + ": tensor '" + name + "': " + ex.what());
  }
  try {
    const json shape = json::parse(metadata_value(f, name + ".shape"));
    if (!shape.is_array()) throw std::invalid_argument("not a JSON array");
    for (const json& d : shape) {
      if (!d.is_number_integer())
        throw std::invalid_argument("holds a JSON " + std::string(d.type_name()));
      s.shape.push_back(d.get<std::int64_t>());
    }
    shape_numel(s.shape);
  } catch (const std::exception& ex) {
    throw FormatError(f.source() + ": metadata \"" + name +
                      ".shape\" is not a shape: " + ex.what());
  }
  const std::string& dtype = metadata_value(f, name + ".dtype");
  if (dtype == dtype_name(DType::kF32)) {
    s.dtype = DType::kF32;
  } else if (dtype == dtype_name(DType::kF16)) {
    s.dtype = DType::kF16;
  } else if (dtype == dtype_name(DType::kBF16)) {
    s.dtype = DType::kBF16;
  } else {
    throw FormatError(f.source() + ": metadata \"" + name + ".dtype\" is '" + dtype +
                      "'; fp4lab quantize stores F32, F16 or BF16 inputs only");
  }
  const std::int64_t numel = shape_numel(s.shape);
  if (numel == 0) throw FormatError(f.source() + ": tensor '" + name + "' has an empty shape");
  s.block_axis = s.shape.empty() ? 0 : static_cast<int>(s.shape.size()) - 1;  // absent: the last
  if (const auto it = f.metadata().find(name + ".block_axis"); it != f.metadata().end()) {
    try {
      const json axis = json::parse(it->second);
      if (!axis.is_number_integer()) throw std::invalid_argument("not an integer");
      const std::int64_t a = axis.get<std::int64_t>();
      if (a < 0 || a >= static_cast<std::int64_t>(std::max<std::size_t>(1, s.shape.size())))
        throw std::invalid_argument("not in [0, rank)");
      s.block_axis = static_cast<int>(a);
    } catch (const std::exception& ex) {
      throw FormatError(f.source() + ": metadata \"" + name + ".block_axis\" = '" + it->second +
                        "' is not an axis of shape " + shape_string(s.shape) + ": " + ex.what());
    }
  }
  const std::vector<std::int64_t> blocked = blocked_shape(s.shape, s.block_axis);
  const std::int64_t cols = blocked.empty() ? 1 : blocked.back();
  s.plan = plan_quantized(numel / cols, cols, s.recipe, s.layout);
  const QuantizedPlan& p = s.plan;
  s.codes = expect_entry(f, name + ".codes", "U8", {p.rows, code_cols(p, s.recipe)});
  if (!formats::stores_scale_codes(s.recipe.format)) {
    // the recipe's dtype, or F32 as files before 2026-12 store every dtype; held as FP32
    const std::string gs = name + ".group_scales";
    const char* dtype = f.contains(gs) && f.info(gs).dtype == "F32" ? "F32" : group_scale_dtype(s.recipe);
    const std::span<const std::uint8_t> raw = expect_entry(f, gs, dtype, {p.rows, p.scale_cols});
    if (std::string_view(dtype) == "F32") {
      s.group_scales = raw;
    } else {
      auto owned = std::make_shared<std::vector<std::uint8_t>>(raw.size() * 2);
      for (std::size_t i = 0; i < raw.size() / 2; ++i) {
        std::uint16_t h;
        std::memcpy(&h, raw.data() + 2 * i, 2);
        const float v = s.recipe.int4_scale == formats::ScaleDtype::kFP16 ? formats::to_float(formats::fp16{h})
                                                                          : formats::to_float(formats::bf16{h});
        std::memcpy(owned->data() + 4 * i, &v, 4);
      }
      s.group_scales = *owned;
      s.owned_group_scales = std::move(owned);
    }
    // asymmetric files store zero points; symmetric ones are all 0 (older files store them)
    const std::string zp = name + ".zero_points";
    if (stores_zero_points(s.recipe) || f.contains(zp)) {
      s.zero_points = expect_entry(f, zp, "U8", {p.rows, p.scale_cols});
    } else {
      s.owned_zero_points = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(p.rows * p.scale_cols));
      s.zero_points = *s.owned_zero_points;
    }
  } else if (f.metadata().count(name + ".tile_scales") && metadata_value(f, name + ".tile_scales") != "per_row") {
    if (metadata_value(f, name + ".tile_scales") != "per_tile" || s.recipe.shape != formats::BlockShape::k2D ||
        s.layout != ScaleLayout::kRowMajor) {
      throw FormatError(f.source() + ": tensor '" + name + "': metadata \"" + name + ".tile_scales\" is '" +
                        metadata_value(f, name + ".tile_scales") +
                        "'; accepted: per_row, or per_tile with a 2-D recipe in the row_major layout");
    }
    const std::span<const std::uint8_t> tiles =
        expect_entry(f, name + ".scales", "U8", {tile_rows(p, s.recipe), p.scale_cols});
    auto rows = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(p.rows * p.scale_cols));
    for (std::int64_t r = 0; r < p.rows; ++r) {
      std::memcpy(rows->data() + r * p.scale_cols, tiles.data() + r / s.recipe.block_size * p.scale_cols,
                  static_cast<std::size_t>(p.scale_cols));
    }
    s.scales = *rows;
    s.owned_scales = std::move(rows);
    s.tile_scales = TileScales::kPerTile;
  } else {
    s.scales = expect_entry(f, name + ".scales", "U8", scales_shape(p, s.layout));
  }
  const float decode = read_f32(expect_entry(f, name + ".tensor_scale", "F32", {1}));
  const float amax = read_f32(expect_entry(f, name + ".amax", "F32", {1}));
  s.tensor_scale = formats::tensor_scale(s.recipe, amax);
  if (formats::bit_cast<std::uint32_t>(s.tensor_scale.decode) !=
      formats::bit_cast<std::uint32_t>(decode)) {
    throw FormatError(f.source() + ": tensor '" + name + "': stored tensor scale " +
                      float_text(decode) + " does not follow from amax " + float_text(amax) +
                      " under " + s.spec + " (expected " + float_text(s.tensor_scale.decode) +
                      "); the file is inconsistent");
  }
  return s;
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

QuantizedPlan plan_quantized(std::int64_t rows, std::int64_t cols, const formats::Recipe& r,
                             ScaleLayout l) {
  const QuantizedSizes s = quantized_sizes(r, l, rows, cols);  // the one size function
  return {rows, cols, s.padded_cols, s.scale_cols, static_cast<std::int64_t>(s.scale_bytes)};
}

std::vector<std::int64_t> scales_shape(const QuantizedPlan& p, ScaleLayout l) {
  if (l == ScaleLayout::kRowMajor) return {p.rows, p.scale_cols};
  return {p.scale_bytes};
}

// ---- writing ----

QuantizedWriter::QuantizedWriter(const std::string& path, const formats::Recipe& recipe,
                                 ScaleLayout layout, std::span<const QuantizedInput> tensors,
                                 TileScales tile_scales, std::span<const PassThroughInput> passthrough) {
  const auto check = [&](const formats::Recipe& r, ScaleLayout l) {
    if (!formats::stores_scale_codes(r.format) && l != ScaleLayout::kRowMajor)
      throw std::invalid_argument("int4 group scales are stored row-major only");
  };
  check(recipe, layout);
  if (tile_scales == TileScales::kPerTile &&
      (recipe.shape != formats::BlockShape::k2D || layout != ScaleLayout::kRowMajor ||
       !formats::stores_scale_codes(recipe.format))) {
    throw std::invalid_argument("per-tile scale storage needs a 2-D recipe with 8-bit scales in the row_major layout");
  }
  std::vector<SafetensorsSlot> slots;
  std::map<std::string, std::string> meta{{"fp4lab.format", std::string(kQuantizedFileFormat)},
                                          {"fp4lab.version", FP4LAB_VERSION},
                                          {"fp4lab.format_version", std::to_string(kQuantizedFileVersion)}};
  json names = json::array();
  for (const QuantizedInput& t : tensors) {
    const formats::Recipe& r = t.recipe ? *t.recipe : recipe;
    const ScaleLayout l = t.layout ? *t.layout : layout;
    check(r, l);
    // per-tile storage where this tensor's recipe allows it (a 2-D recipe with 8-bit scales, row-major)
    const TileScales ts = r.shape == formats::BlockShape::k2D && l == ScaleLayout::kRowMajor &&
                                  formats::stores_scale_codes(r.format) ? tile_scales : TileScales::kPerRow;
    const std::int64_t numel = shape_numel(t.shape);
    if (numel == 0) throw std::invalid_argument("tensor '" + t.name + "' is empty");
    const int axis = normalize_block_axis(t.block_axis, t.shape.size());
    const std::vector<std::int64_t> blocked = blocked_shape(t.shape, axis);
    const std::int64_t cols = blocked.empty() ? 1 : blocked.back();
    plans_.push_back(plan_quantized(numel / cols, cols, r, l));
    for (SafetensorsSlot& e : quantized_slots(t.name, plans_.back(), r, l, ts)) slots.push_back(std::move(e));
    recipes_.push_back(r);
    tile_scales_.push_back(ts);
    names_.push_back(t.name);
    names.push_back(t.name);
    meta[t.name + ".recipe"] = recipe_to_spec(r);
    meta[t.name + ".shape"] = json(t.shape).dump();
    meta[t.name + ".dtype"] = dtype_name(t.dtype);
    meta[t.name + ".scale_layout"] = scale_layout_name(l);
    meta[t.name + ".block_axis"] = std::to_string(axis);
    meta[t.name + ".bits_per_value"] =
        float_text(static_cast<float>(quantized_sizes(r, l, numel / cols, cols).bits_per_value()));
    if (ts == TileScales::kPerTile) meta[t.name + ".tile_scales"] = "per_tile";
  }
  meta["fp4lab.tensors"] = names.dump();
  if (!passthrough.empty()) {
    json pass = json::array();
    for (const PassThroughInput& t : passthrough) {
      slots.push_back({t.name, t.dtype, t.shape});
      passthrough_.push_back(t.name);
      pass.push_back(t.name);
      meta[t.name + ".passthrough"] = t.note;
      meta[t.name + ".bits_per_value"] = std::to_string(safetensors_dtype_bits(t.dtype));
    }
    meta["fp4lab.passthrough"] = pass.dump();
    meta["fp4lab.format_version"] = std::to_string(kQuantizedFileVersionPassThrough);
  }
  file_ = std::make_unique<SafetensorsStreamWriter>(path, slots, meta);
}

QuantizedWriter::~QuantizedWriter() = default;

void QuantizedWriter::write(std::size_t k, const QuantizedTensor& q, float amax) {
  const QuantizedPlan& p = plans_.at(k);
  const std::string& name = names_[k];
  const formats::Recipe& recipe = recipes_[k];
  if (q.rows != p.rows || q.cols != p.cols || q.padded_cols != p.padded_cols ||
      q.scale_cols != p.scale_cols || static_cast<std::int64_t>(q.scales.size()) != p.scale_bytes) {
    throw std::logic_error("tensor '" + name + "': quantized sizes differ from the planned ones");
  }
  file_->write(name + ".codes", q.codes);
  if (!formats::stores_scale_codes(recipe.format)) {
    file_->write(name + ".group_scales", group_scale_bytes(q.group_scales, recipe));
    if (stores_zero_points(recipe)) file_->write(name + ".zero_points", q.zero_points);
  } else if (tile_scales_[k] == TileScales::kPerTile) {
    std::vector<std::uint8_t> tiles;  // the first row of each tile (every row of a tile holds the same)
    for (std::int64_t r = 0; r < p.rows; r += recipe.block_size) {
      tiles.insert(tiles.end(), q.scales.begin() + r * p.scale_cols, q.scales.begin() + (r + 1) * p.scale_cols);
    }
    file_->write(name + ".scales", tiles);
  } else {
    file_->write(name + ".scales", q.scales);
  }
  file_->write(name + ".tensor_scale", bytes_of(&q.tensor_scale.decode, 4));
  file_->write(name + ".amax", bytes_of(&amax, 4));
}

void QuantizedWriter::write_passthrough(std::size_t k, std::span<const std::uint8_t> bytes) {
  file_->write(passthrough_.at(k), bytes);
}

void QuantizedWriter::commit() { file_->commit(); }

void write_quantized(const std::string& path, std::span<const QuantizedOutput> tensors, TileScales tile_scales) {
  if (tensors.empty()) throw std::invalid_argument("write_quantized: no tensors");
  std::vector<QuantizedInput> inputs;
  for (const QuantizedOutput& t : tensors) {
    const QuantizedTensor& q = *t.q;
    const QuantizedTensor& first = *tensors.front().q;
    if (recipe_to_spec(q.recipe) != recipe_to_spec(first.recipe) || q.layout != first.layout) {
      throw std::invalid_argument("write_quantized: tensor '" + t.name +
                                  "' has another recipe or scale layout than the first");
    }
    inputs.push_back({t.name, q.shape, t.dtype, q.block_axis, std::nullopt, std::nullopt});
  }
  const QuantizedTensor& first = *tensors.front().q;
  QuantizedWriter w(path, first.recipe, first.layout, inputs, tile_scales);
  for (std::size_t k = 0; k < tensors.size(); ++k) w.write(k, *tensors[k].q, tensors[k].amax);
  w.commit();
}

// ---- reading ----

QuantizedTensor StoredQuantized::slice_rows(std::int64_t r0, std::int64_t r1) const {
  const QuantizedPlan& p = plan;
  QuantizedTensor q;
  q.recipe = recipe;
  q.layout = layout;
  q.shape = {r1 - r0, p.cols};
  q.rows = r1 - r0;
  q.cols = p.cols;
  q.padded_cols = p.padded_cols;
  q.scale_cols = p.scale_cols;
  q.tensor_scale = tensor_scale;
  const auto slice = [](std::span<const std::uint8_t> b, std::int64_t from, std::int64_t to) {
    return std::vector<std::uint8_t>(b.begin() + from, b.begin() + to);
  };
  q.codes = slice(codes, r0 * code_cols(p, recipe), r1 * code_cols(p, recipe));
  if (!formats::stores_scale_codes(recipe.format)) {
    q.group_scales.resize(static_cast<std::size_t>((r1 - r0) * p.scale_cols));
    if (!q.group_scales.empty()) {  // an empty slice: no memcpy on null pointers
      std::memcpy(q.group_scales.data(), group_scales.data() + r0 * p.scale_cols * 4,
                  q.group_scales.size() * 4);
    }
    q.zero_points = slice(zero_points, r0 * p.scale_cols, r1 * p.scale_cols);
  } else if (layout == ScaleLayout::kRowMajor) {
    q.scales = slice(scales, r0 * p.scale_cols, r1 * p.scale_cols);
  } else {
    const auto tile = static_cast<std::int64_t>(
        formats::padded_scale_cols(static_cast<std::size_t>(p.scale_cols), layout) / 4 * 512);
    q.scales = slice(scales, r0 / 128 * tile, (r1 + 127) / 128 * tile);
  }
  return q;
}

QuantizedTensor StoredQuantized::whole() const {
  QuantizedTensor q = slice_rows(0, plan.rows);
  q.shape = shape;
  q.block_axis = block_axis;
  return q;
}

const StoredQuantized* QuantizedFile::find(std::string_view name) const {
  for (const StoredQuantized& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool is_quantized_file(const SafetensorsFile& f) {
  const auto it = f.metadata().find("fp4lab.format");
  return it != f.metadata().end() && it->second == kQuantizedFileFormat;
}

QuantizedFile read_quantized(SafetensorsFile file) {
  QuantizedFile out;
  out.file = std::move(file);
  const SafetensorsFile& f = out.file;
  const std::string& in = f.source();
  if (metadata_value(f, "fp4lab.format") != kQuantizedFileFormat) {
    throw FormatError(in + ": metadata fp4lab.format is '" + metadata_value(f, "fp4lab.format") +
                      "', expected '" + std::string(kQuantizedFileFormat) + "'");
  }
  std::vector<std::string> names;
  try {
    names = json::parse(metadata_value(f, "fp4lab.tensors")).get<std::vector<std::string>>();
  } catch (const json::exception& ex) {
    throw FormatError(in + ": metadata fp4lab.tensors is not a JSON array of names: " + ex.what());
  }
  if (names.empty()) throw FormatError(in + ": metadata fp4lab.tensors lists no tensors");
  // absent: a file of the layout before the field existed (version 1, the 4-bit formats)
  const auto version = f.metadata().find("fp4lab.format_version");
  out.format_version = 1;
  if (version != f.metadata().end()) {
    if (version->second == "1" || version->second == "2" || version->second == "3") {
      out.format_version = version->second[0] - '0';
    } else {
      throw FormatError(in + ": metadata fp4lab.format_version is '" + version->second + "', expected 1 to " +
                        std::to_string(kQuantizedFileVersionPassThrough));
    }
  }
  for (const std::string& n : names) {
    out.tensors.push_back(read_stored(f, n));
    if (out.format_version < 2 && formats::is_family_format(out.tensors.back().recipe.format)) {
      throw FormatError(in + ": tensor '" + n + "' has recipe '" + out.tensors.back().spec +
                        "', which format version 1 cannot hold");
    }
  }
  out.passthrough = read_passthrough(f);
  return out;
}

QuantizedFile read_quantized(const std::string& path) {
  return read_quantized(open_safetensors(path));
}

}  // namespace fp4lab::core
