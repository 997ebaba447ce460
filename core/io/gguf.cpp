// GGUF reader: header, metadata key/values, tensor directory and dequantization (gguf.hpp).
// Layout facts from the GGUF specification in ggml's docs/gguf.md: little-endian, strings as
// u64 length + bytes, data section aligned to general.alignment (default 32).
#include "core/io/gguf.hpp"

#include <bit>
#include <cstring>
#include <limits>

#include "formats/ieee.hpp"

namespace fp4lab::core {
namespace {

constexpr std::uint64_t kMaxArray = std::uint64_t{1} << 28;  // metadata arrays: 268M entries at most
constexpr std::uint64_t kMaxTensors = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxString = std::uint64_t{1} << 30;

struct TypeFacts {
  std::uint32_t id;
  const char* name;
  int block;       // values per block (0: fp4lab does not read this type)
  int block_bytes; // bytes per block
};

// ggml.h's type ids and names; block sizes only for the types fp4lab dequantizes.
constexpr TypeFacts kTypes[] = {
    {0, "F32", 1, 4},     {1, "F16", 1, 2},     {2, "Q4_0", 32, 18},  {3, "Q4_1", 32, 20},
    {6, "Q5_0", 0, 0},    {7, "Q5_1", 0, 0},    {8, "Q8_0", 32, 34},  {9, "Q8_1", 0, 0},
    {10, "Q2_K", 0, 0},   {11, "Q3_K", 0, 0},   {12, "Q4_K", 0, 0},   {13, "Q5_K", 0, 0},
    {14, "Q6_K", 0, 0},   {15, "Q8_K", 0, 0},   {16, "IQ2_XXS", 0, 0}, {17, "IQ2_XS", 0, 0},
    {18, "IQ3_XXS", 0, 0}, {19, "IQ1_S", 0, 0}, {20, "IQ4_NL", 0, 0}, {21, "IQ3_S", 0, 0},
    {22, "IQ2_S", 0, 0},  {23, "IQ4_XS", 0, 0}, {24, "I8", 0, 0},     {25, "I16", 0, 0},
    {26, "I32", 0, 0},    {27, "I64", 0, 0},    {28, "F64", 0, 0},    {29, "IQ1_M", 0, 0},
    {30, "BF16", 1, 2},   {34, "TQ1_0", 0, 0},  {35, "TQ2_0", 0, 0},  {39, "MXFP4", 0, 0},
};

const TypeFacts* facts(std::uint32_t id) {
  for (const TypeFacts& t : kTypes) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

float half_to_float(std::uint16_t h) { return formats::to_float(formats::fp16{h}); }

// A bounds-checked little-endian cursor over the file.
class Cursor {
 public:
  Cursor(std::span<const std::uint8_t> b, const std::string& src) : b_(b), src_(src) {}
  std::size_t pos() const { return pos_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(src_ + ": not a valid GGUF file: " + what + " (at byte " + std::to_string(pos_) + ")");
  }
  const std::uint8_t* take(std::uint64_t n, const char* what) {
    if (n > b_.size() - pos_) fail(std::string("truncated ") + what);
    const std::uint8_t* p = b_.data() + pos_;
    pos_ += static_cast<std::size_t>(n);
    return p;
  }
  template <class T>
  T read(const char* what) {
    T v;
    std::memcpy(&v, take(sizeof(T), what), sizeof(T));
    return v;
  }
  std::string string(const char* what) {
    const auto n = read<std::uint64_t>(what);
    if (n > kMaxString) fail(std::string(what) + " of absurd length " + std::to_string(n));
    const auto* p = take(n, what);
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
  }

 private:
  std::span<const std::uint8_t> b_;
  const std::string& src_;
  std::size_t pos_ = 0;
};

// GGUF metadata value types.
enum : std::uint32_t { kU8, kI8, kU16, kI16, kU32, kI32, kF32v, kBool, kString, kArray, kU64, kI64, kF64v };

nlohmann::json read_value(Cursor& c, std::uint32_t type, int depth) {
  switch (type) {
    case kU8: return c.read<std::uint8_t>("u8 value");
    case kI8: return c.read<std::int8_t>("i8 value");
    case kU16: return c.read<std::uint16_t>("u16 value");
    case kI16: return c.read<std::int16_t>("i16 value");
    case kU32: return c.read<std::uint32_t>("u32 value");
    case kI32: return c.read<std::int32_t>("i32 value");
    case kF32v: return c.read<float>("f32 value");
    case kBool: {
      const auto v = c.read<std::uint8_t>("bool value");
      if (v > 1) c.fail("bool value " + std::to_string(v));
      return v == 1;
    }
    case kString: return c.string("string value");
    case kU64: return c.read<std::uint64_t>("u64 value");
    case kI64: return c.read<std::int64_t>("i64 value");
    case kF64v: return c.read<double>("f64 value");
    case kArray: {
      if (depth > 2) c.fail("arrays nested too deep");
      const auto elem = c.read<std::uint32_t>("array type");
      const auto n = c.read<std::uint64_t>("array length");
      if (n > kMaxArray) c.fail("array of absurd length " + std::to_string(n));
      nlohmann::json a = nlohmann::json::array();
      for (std::uint64_t i = 0; i < n; ++i) a.push_back(read_value(c, elem, depth + 1));
      return a;
    }
    default: c.fail("unknown metadata value type " + std::to_string(type));
  }
}

}  // namespace

std::string ggml_type_name(std::uint32_t type) {
  const TypeFacts* f = facts(type);
  return f ? f->name : "type " + std::to_string(type);
}

bool ggml_type_supported(std::uint32_t type) {
  const TypeFacts* f = facts(type);
  return f && f->block > 0;
}

std::int64_t GgufTensorInfo::numel() const {
  std::int64_t n = 1;
  for (const std::int64_t d : shape) n *= d;
  return n;
}

GgufFile parse_gguf(std::span<const std::uint8_t> bytes, std::string source) {
  GgufFile g;
  g.source_ = std::move(source);
  Cursor c(bytes, g.source_);
  if (bytes.size() < 4 || std::memcmp(bytes.data(), "GGUF", 4) != 0) c.fail("missing the 'GGUF' magic");
  c.take(4, "magic");
  g.version_ = c.read<std::uint32_t>("version");
  if (g.version_ != 2 && g.version_ != 3) c.fail("unsupported version " + std::to_string(g.version_));
  const auto n_tensors = c.read<std::uint64_t>("tensor count");
  const auto n_kv = c.read<std::uint64_t>("metadata count");
  if (n_tensors > kMaxTensors) c.fail("absurd tensor count " + std::to_string(n_tensors));
  if (n_kv > kMaxTensors) c.fail("absurd metadata count " + std::to_string(n_kv));
  for (std::uint64_t i = 0; i < n_kv; ++i) {
    std::string key = c.string("metadata key");
    const auto type = c.read<std::uint32_t>("metadata type");
    if (g.metadata_.contains(key)) c.fail("duplicate metadata key '" + key + "'");
    g.metadata_[key] = read_value(c, type, 0);
  }
  std::uint64_t alignment = 32;
  if (g.metadata_.contains("general.alignment")) {
    const auto& a = g.metadata_["general.alignment"];
    if (!a.is_number_unsigned() || a.get<std::uint64_t>() == 0 || a.get<std::uint64_t>() > 65536 ||
        !std::has_single_bit(a.get<std::uint64_t>())) {
      c.fail("general.alignment is not a power of two up to 65536");
    }
    alignment = a.get<std::uint64_t>();
  }
  for (std::uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensorInfo t;
    t.name = c.string("tensor name");
    const auto n_dims = c.read<std::uint32_t>("tensor rank");
    if (n_dims == 0 || n_dims > 4) c.fail("tensor '" + t.name + "' has rank " + std::to_string(n_dims));
    std::vector<std::int64_t> ne(n_dims);
    std::uint64_t numel = 1;
    for (auto& d : ne) {
      const auto v = c.read<std::uint64_t>("tensor dimension");
      if (v == 0 || v > (std::uint64_t{1} << 40) || numel > (std::uint64_t{1} << 40) / v) {
        c.fail("tensor '" + t.name + "' has an absurd dimension " + std::to_string(v));
      }
      numel *= v;
      d = static_cast<std::int64_t>(v);
    }
    t.shape.assign(ne.rbegin(), ne.rend());
    t.type = c.read<std::uint32_t>("tensor type");
    t.offset = c.read<std::uint64_t>("tensor offset");
    if (t.offset % alignment != 0) c.fail("tensor '" + t.name + "' offset is not aligned");
    if (const TypeFacts* f = facts(t.type); f && f->block > 0) {
      if (ne[0] % f->block != 0) {
        c.fail("tensor '" + t.name + "' of type " + f->name + " has a row of " + std::to_string(ne[0]) +
               " values, not a multiple of its block of " + std::to_string(f->block));
      }
      t.bytes = numel / f->block * f->block_bytes;
    }
    for (const auto& other : g.tensors_) {
      if (other.name == t.name) c.fail("duplicate tensor name '" + t.name + "'");
    }
    g.tensors_.push_back(std::move(t));
  }
  const std::size_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
  if (data_start > bytes.size()) c.fail("truncated before the data section");
  g.data_ = bytes.subspan(data_start);
  for (const auto& t : g.tensors_) {
    if (t.offset > g.data_.size() || t.bytes > g.data_.size() - t.offset) {
      c.fail("tensor '" + t.name + "' data runs past the end of the file");
    }
  }
  return g;
}

GgufFile open_gguf(const std::string& path) {
  return parse_mapped(path, parse_gguf, &GgufFile::file_);
}

bool GgufFile::has(std::string_view name) const {
  for (const auto& t : tensors_) {
    if (t.name == name) return true;
  }
  return false;
}

const GgufTensorInfo& GgufFile::tensor(std::string_view name) const {
  for (const auto& t : tensors_) {
    if (t.name == name) return t;
  }
  throw FormatError(source_ + ": no tensor named '" + std::string(name) + "'");
}

std::span<const std::uint8_t> GgufFile::raw(const GgufTensorInfo& t) const {
  if (!ggml_type_supported(t.type)) {
    throw FormatError(source_ + ": tensor '" + t.name + "' has type " + ggml_type_name(t.type) +
                      ", which fp4lab does not read (it reads F32, F16, BF16, Q8_0, Q4_0, Q4_1)");
  }
  return data_.subspan(t.offset, t.bytes);
}

std::vector<float> GgufFile::dequantize(const GgufTensorInfo& t) const {
  const auto bytes = raw(t);
  std::vector<float> out(static_cast<std::size_t>(t.numel()));
  dequantize_ggml(t.type, bytes, out);
  return out;
}

std::string GgufFile::string_value(const std::string& key) const {
  if (!metadata_.contains(key) || !metadata_[key].is_string()) {
    throw FormatError(source_ + ": metadata '" + key + "' is missing or not a string");
  }
  return metadata_[key].get<std::string>();
}

double GgufFile::number_value(const std::string& key) const {
  if (!metadata_.contains(key) || !metadata_[key].is_number()) {
    throw FormatError(source_ + ": metadata '" + key + "' is missing or not a number");
  }
  return metadata_[key].get<double>();
}

void dequantize_ggml(std::uint32_t type, std::span<const std::uint8_t> bytes, std::span<float> out) {
  const TypeFacts* f = facts(type);
  if (!f || f->block == 0) {
    throw FormatError("GGUF: type " + ggml_type_name(type) +
                      " is not one fp4lab reads (it reads F32, F16, BF16, Q8_0, Q4_0, Q4_1)");
  }
  if (out.size() % static_cast<std::size_t>(f->block) != 0 ||
      bytes.size() != out.size() / f->block * f->block_bytes) {
    throw FormatError("GGUF: " + std::string(f->name) + " data of " + std::to_string(bytes.size()) +
                      " bytes does not hold " + std::to_string(out.size()) + " values");
  }
  const std::uint8_t* p = bytes.data();
  auto u16 = [](const std::uint8_t* q) { return static_cast<std::uint16_t>(q[0] | (q[1] << 8)); };
  switch (static_cast<GgmlType>(type)) {
    case GgmlType::kF32:
      std::memcpy(out.data(), p, bytes.size());
      return;
    case GgmlType::kF16:
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = half_to_float(u16(p + 2 * i));
      return;
    case GgmlType::kBF16:
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::bit_cast<float>(std::uint32_t{u16(p + 2 * i)} << 16);
      return;
    case GgmlType::kQ8_0:  // d (fp16), 32 x int8: x * d
      for (std::size_t b = 0; b < out.size() / 32; ++b, p += 34) {
        const float d = half_to_float(u16(p));
        for (int i = 0; i < 32; ++i) out[b * 32 + i] = static_cast<float>(static_cast<std::int8_t>(p[2 + i])) * d;
      }
      return;
    case GgmlType::kQ4_0:  // d (fp16), 16 bytes: low nibbles are values 0-15, high 16-31; d * (q - 8)
      for (std::size_t b = 0; b < out.size() / 32; ++b, p += 18) {
        const float d = half_to_float(u16(p));
        for (int i = 0; i < 16; ++i) {
          out[b * 32 + i] = d * static_cast<float>((p[2 + i] & 0x0F) - 8);
          out[b * 32 + 16 + i] = d * static_cast<float>((p[2 + i] >> 4) - 8);
        }
      }
      return;
    case GgmlType::kQ4_1:  // d, m (fp16), 16 bytes: (d * q) + m, two FP32 roundings
      for (std::size_t b = 0; b < out.size() / 32; ++b, p += 20) {
        const float d = half_to_float(u16(p));
        const float m = half_to_float(u16(p + 2));
        for (int i = 0; i < 16; ++i) {
          const float lo = d * static_cast<float>(p[4 + i] & 0x0F);
          const float hi = d * static_cast<float>(p[4 + i] >> 4);
          out[b * 32 + i] = lo + m;
          out[b * 32 + 16 + i] = hi + m;
        }
      }
      return;
  }
}

}  // namespace fp4lab::core
