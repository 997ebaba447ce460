// Reader of .safetensors files (see safetensors.hpp); validation follows the reference
// implementation (huggingface/safetensors), including its 100 MB header limit. The writers are in
// safetensors_writer.cpp.
#include "core/io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "core/io/safetensors_detail.hpp"

namespace fp4lab::core {

static_assert(std::endian::native == std::endian::little, "core/io assumes a little-endian host");

namespace safetensors_detail {
namespace {

struct DTypeBits {
  std::string_view name;
  int bits;
};
// In the order of the reference implementation's Dtype enum, which its writer sorts by.
constexpr DTypeBits kDTypes[] = {
    {"BOOL", 8},        {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"U8", 8},
    {"I8", 8},          {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8},
    {"F8_E5M2FNUZ", 8}, {"I16", 16},    {"U16", 16},    {"F16", 16},    {"BF16", 16},
    {"I32", 32},        {"U32", 32},    {"F32", 32},    {"C64", 64},    {"F64", 64},
    {"I64", 64},        {"U64", 64},
};

}  // namespace

std::string quote_name(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  return out + "'";
}

// numel <= INT64_MAX / 16 (shape_numel's bound) and bits <= 64 keep this from overflowing.
std::int64_t byte_size(std::int64_t numel, int bits) {
  if (bits % 8 == 0) return numel * (bits / 8);
  const std::int64_t total_bits = numel * bits;
  return total_bits % 8 == 0 ? total_bits / 8 : -1;
}

}  // namespace safetensors_detail

using namespace safetensors_detail;

namespace {

using json = nlohmann::json;

constexpr std::size_t kNamesListed = 20;

// A JSON value that must be a non-negative integer fitting in int64 (for shape and offsets).
bool json_to_index(const json& v, std::int64_t& out) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    out = static_cast<std::int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return out >= 0;
  }
  return false;
}

SafetensorsInfo parse_entry(const std::string& where, const json& value, std::uint64_t data_size) {
  auto fail = [&](const std::string& what) { return FormatError(where + ": " + what); };
  if (!value.is_object()) {
    throw fail(std::string("entry is a JSON ") + value.type_name() +
               ", expected an object with dtype, shape and data_offsets");
  }
  auto field = [&](const char* key) -> const json& {
    auto it = value.find(key);
    if (it == value.end()) throw fail(std::string("missing \"") + key + "\"");
    return *it;
  };
  SafetensorsInfo info;
  const json& dtype = field("dtype");
  if (!dtype.is_string()) {
    throw fail(std::string("\"dtype\" is a JSON ") + dtype.type_name() + ", expected a string");
  }
  info.dtype = dtype.get<std::string>();
  const int bits = safetensors_dtype_bits(info.dtype);
  if (bits == 0) throw fail("unknown dtype " + quote_name(info.dtype));

  const json& shape = field("shape");
  if (!shape.is_array()) {
    throw fail(std::string("\"shape\" is a JSON ") + shape.type_name() + ", expected an array");
  }
  for (const json& d : shape) {
    std::int64_t dim = 0;
    if (!json_to_index(d, dim)) {
      if (d.is_number_integer()) throw fail("shape has a negative or too large dimension");
      throw fail(std::string("shape holds a JSON ") + d.type_name() + ", expected integers");
    }
    info.shape.push_back(dim);
  }
  std::int64_t numel = 0;
  try {
    numel = shape_numel(info.shape);
  } catch (const std::invalid_argument&) {
    throw fail("shape " + shape_string(info.shape) + " has too many elements");
  }

  const json& offsets = field("data_offsets");
  std::int64_t begin = 0, end = 0;
  if (!offsets.is_array() || offsets.size() != 2 || !json_to_index(offsets[0], begin) ||
      !json_to_index(offsets[1], end)) {
    throw fail("\"data_offsets\" must be an array of two non-negative integers [begin, end]");
  }
  if (begin > end) {
    throw fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
               "] decrease");
  }
  if (static_cast<std::uint64_t>(end) > data_size) {
    throw fail("data_offsets end " + std::to_string(end) + " is past the end of the data (" +
               std::to_string(data_size) + " bytes after the header)");
  }
  const std::int64_t need = byte_size(numel, bits);
  if (need < 0) {
    throw fail(std::to_string(numel) + " elements of " + info.dtype + " (" + std::to_string(bits) +
               " bits each) do not fill whole bytes");
  }
  if (end - begin != need) {
    throw fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] hold " +
               std::to_string(end - begin) + " bytes but " + info.dtype + " " +
               shape_string(info.shape) + " needs " + std::to_string(need));
  }
  info.begin = static_cast<std::uint64_t>(begin);
  info.end = static_cast<std::uint64_t>(end);
  return info;
}

}  // namespace

int safetensors_dtype_bits(std::string_view dtype) {
  for (const DTypeBits& d : kDTypes) {
    if (d.name == dtype) return d.bits;
  }
  return 0;
}

std::size_t safetensors_detail::dtype_rank(std::string_view dtype) {
  std::size_t i = 0;
  while (i < std::size(kDTypes) && kDTypes[i].name != dtype) ++i;
  return i;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Greedy matching with one backtrack point (the last '*'): linear for typical patterns,
  // O(|pattern| * |text|) at worst, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::int64_t SafetensorsInfo::numel() const { return shape_numel(shape); }

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& [name, info] : tensors_) out.push_back(name);
  return out;
}

bool SafetensorsFile::contains(std::string_view name) const {
  return tensors_.find(name) != tensors_.end();
}

const SafetensorsInfo& SafetensorsFile::info(std::string_view name) const {
  auto it = tensors_.find(name);
  if (it != tensors_.end()) return it->second;
  std::string msg = source_ + ": no tensor named " + quote_name(name) + "; ";
  if (tensors_.empty()) throw FormatError(msg + "the file holds no tensors");
  msg += "the file holds " + std::to_string(tensors_.size()) + " tensor" +
         (tensors_.size() == 1 ? "" : "s") + ": ";
  std::size_t listed = 0;
  for (const auto& [n, i] : tensors_) {
    if (listed == kNamesListed) break;
    msg += (listed++ ? ", " : "") + quote_name(n);
  }
  if (tensors_.size() > kNamesListed) {
    msg += ", ... (first " + std::to_string(kNamesListed) + " of " +
           std::to_string(tensors_.size()) + ")";
  }
  throw FormatError(msg);
}

std::span<const std::uint8_t> SafetensorsFile::raw(std::string_view name) const {
  const SafetensorsInfo& i = info(name);
  return data_.subspan(i.begin, i.end - i.begin);
}

TensorView SafetensorsFile::view(std::string_view name) const {
  const SafetensorsInfo& i = info(name);
  DType dtype;
  if (i.dtype == "F32") {
    dtype = DType::kF32;
  } else if (i.dtype == "F16") {
    dtype = DType::kF16;
  } else if (i.dtype == "BF16") {
    dtype = DType::kBF16;
  } else {
    throw FormatError(source_ + ": tensor " + quote_name(name) + " has dtype " + i.dtype +
                      ", unsupported for float views (F32, F16 or BF16); use raw() for its bytes");
  }
  std::vector<std::int64_t> shape = i.shape.empty() ? std::vector<std::int64_t>{1} : i.shape;
  return TensorView(data_.data() + i.begin, dtype, std::move(shape));
}

std::vector<std::string> SafetensorsFile::select(std::string_view pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, info] : tensors_) {
    if (glob_match(pattern, name)) out.push_back(name);
  }
  return out;
}

SafetensorsFile parse_safetensors(std::span<const std::uint8_t> bytes, std::string source) {
  auto fail = [&](const std::string& what) { return FormatError(source + ": " + what); };
  if (bytes.size() < 8) {
    throw fail("file of " + std::to_string(bytes.size()) +
               " bytes is too short for safetensors (the header length alone takes 8)");
  }
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > kMaxHeaderBytes) {
    throw fail("header length " + std::to_string(n) + " is absurd (over 100 MB); " +
               "not a safetensors file?");
  }
  if (n > bytes.size() - 8) {
    throw fail("header length " + std::to_string(n) + " runs past the end of the file (" +
               std::to_string(bytes.size()) + " bytes)");
  }
  json header;
  // nlohmann keeps the last of repeated keys; the reference reader refuses them: find them.
  std::vector<std::vector<std::string>> open_objects;
  std::string repeated;
  const json::parser_callback_t note_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end && !open_objects.empty()) {
      open_objects.pop_back();
    } else if (event == json::parse_event_t::key && !open_objects.empty() && parsed.is_string()) {
      std::vector<std::string>& keys = open_objects.back();
      const std::string& key = parsed.get_ref<const std::string&>();
      if (repeated.empty() && std::find(keys.begin(), keys.end(), key) != keys.end()) {
        repeated = key;
      }
      keys.push_back(key);
    }
    return true;
  };
  try {
    header = json::parse(bytes.data() + 8, bytes.data() + 8 + n, note_keys);
  } catch (const json::exception& e) {
    throw fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!repeated.empty()) {
    throw fail("header repeats the key " + quote_name(repeated) +
               " (JSON would keep one silently; the reference reader rejects the file)");
  }
  if (!header.is_object()) {
    throw fail(std::string("header is a JSON ") + header.type_name() + ", expected an object");
  }

  SafetensorsFile f;
  f.data_ = bytes.subspan(8 + n);
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) {
        throw fail(std::string("\"__metadata__\" is a JSON ") + value.type_name() +
                   ", expected an object of strings");
      }
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) {
          throw fail("\"__metadata__\" value of " + quote_name(k) + " is a JSON " + v.type_name() +
                     ", expected a string");
        }
        f.metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    f.tensors_.emplace(key,
                       parse_entry(source + ": tensor " + quote_name(key), value, f.data_.size()));
  }

  // As the reference reader: the tensors, sorted by offsets, tile the data section exactly
  // (each begins where the previous one ended, the last ends at the end of the file).
  std::vector<std::pair<const SafetensorsInfo*, const std::string*>> ranges;
  for (const auto& [name, info] : f.tensors_) ranges.emplace_back(&info, &name);
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
    return a.first->begin != b.first->begin ? a.first->begin < b.first->begin
                                            : a.first->end < b.first->end;
  });
  std::uint64_t covered = 0;
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    const SafetensorsInfo& b = *ranges[k].first;
    const auto span = [](const SafetensorsInfo& i) {
      return " [" + std::to_string(i.begin) + ", " + std::to_string(i.end) + ")";
    };
    if (b.begin < covered) {
      const SafetensorsInfo& a = *ranges[k - 1].first;
      throw fail("tensors " + quote_name(*ranges[k - 1].second) + span(a) + " and " +
                 quote_name(*ranges[k].second) + span(b) + " overlap");
    }
    if (b.begin > covered) {
      throw fail("bytes [" + std::to_string(covered) + ", " + std::to_string(b.begin) +
                 ") of the data belong to no tensor (before " + quote_name(*ranges[k].second) +
                 span(b) + "); the reference reader rejects such gaps");
    }
    covered = b.end;
  }
  if (covered != f.data_.size()) {
    throw fail("the data holds " + std::to_string(f.data_.size()) + " bytes but the tensors cover " +
               std::to_string(covered) + "; the reference reader rejects bytes that no tensor "
               "owns");
  }
  f.source_ = std::move(source);
  return f;
}

SafetensorsFile open_safetensors(const std::string& path) {
  return parse_mapped(path, parse_safetensors, &SafetensorsFile::file_);
}

}  // namespace fp4lab::core
