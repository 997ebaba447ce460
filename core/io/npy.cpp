// Reader and writer for NumPy .npy files (see npy.hpp), following numpy/lib/format.py: the
// header is a Python literal, parsed here by a small recursive-descent parser with a depth cap.
#include "core/io/npy.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/io/atomic_write.hpp"

namespace fp4lab::core {

static_assert(std::endian::native == std::endian::little, "core/io assumes a little-endian host");

namespace {

constexpr std::uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kAlign = 64;  // numpy pads the header so the data starts aligned
constexpr int kMaxDepth = 32;

// A Python literal from a .npy header: str, int, bool, None, tuple, list or dict.
struct PyValue {
  enum class Kind { kStr, kInt, kBool, kNone, kTuple, kList, kDict };
  Kind kind = Kind::kNone;
  std::string str;
  std::int64_t integer = 0;
  bool boolean = false;
  std::vector<PyValue> items;     // tuple and list elements; dict values
  std::vector<std::string> keys;  // dict keys (strings only), parallel to items

  const PyValue* find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &items[i];
    }
    return nullptr;
  }
};

const char* kind_name(PyValue::Kind k) {
  switch (k) {
    case PyValue::Kind::kStr:
      return "a string";
    case PyValue::Kind::kInt:
      return "an integer";
    case PyValue::Kind::kBool:
      return "a bool";
    case PyValue::Kind::kNone:
      return "None";
    case PyValue::Kind::kTuple:
      return "a tuple";
    case PyValue::Kind::kList:
      return "a list";
    case PyValue::Kind::kDict:
      return "a dict";
  }
  return "?";
}

// Recursive descent over the subset of Python literal syntax that np.save writes (and a little
// more: double quotes, lists, trailing commas, Python 2 long suffixes).
class PyParser {
 public:
  PyParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  PyValue document() {
    PyValue v = value(0);
    skip_space();
    if (pos_ != text_.size()) throw error("unexpected text after the header's dict");
    return v;
  }

 private:
  FormatError error(const std::string& what) const {
    return FormatError(source_ + ": malformed .npy header: " + what + " at header byte " +
                       std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool starts(std::string_view word) const { return text_.substr(pos_, word.size()) == word; }

  PyValue value(int depth) {
    if (depth > kMaxDepth) throw error("nested too deeply");
    skip_space();
    if (pos_ == text_.size()) throw error("unexpected end");
    const char c = text_[pos_];
    PyValue v;
    if (c == '\'' || c == '"') {
      v.kind = PyValue::Kind::kStr;
      v.str = string();
    } else if (c == '{') {
      v = dict(depth);
    } else if (c == '(' || c == '[') {
      v = sequence(depth);
    } else if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
      v.kind = PyValue::Kind::kInt;
      v.integer = integer();
    } else if (starts("True") || starts("False")) {
      v.kind = PyValue::Kind::kBool;
      v.boolean = starts("True");
      pos_ += v.boolean ? 4 : 5;
    } else if (starts("None")) {
      pos_ += 4;
    } else {
      throw error(std::string("unexpected character '") +
                  (c >= 0x20 && c < 0x7f ? std::string(1, c) : "?") + "'");
    }
    return v;
  }

  std::string string() {
    const char quote = text_[pos_++];
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) throw error("unterminated string");
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c == '\\') {
        if (pos_ >= text_.size()) throw error("unterminated string");
        c = text_[pos_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      out += c;
    }
  }

  std::int64_t integer() {
    const bool negative = at('-');
    if (at('-') || at('+')) ++pos_;
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
      throw error("expected digits");
    }
    std::int64_t v = 0;
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const int d = text_[pos_++] - '0';
      if (v > (kMax - d) / 10) throw error("integer too large");
      v = v * 10 + d;
    }
    if (at('L') || at('l')) ++pos_;  // Python 2 long
    return negative ? -v : v;
  }

  // A tuple "(...)" or list "[...]"; "(x)" without a comma is just x, as in Python.
  PyValue sequence(int depth) {
    const char close = text_[pos_] == '(' ? ')' : ']';
    PyValue v;
    v.kind = close == ')' ? PyValue::Kind::kTuple : PyValue::Kind::kList;
    ++pos_;
    bool comma = false;
    while (true) {
      skip_space();
      if (at(close)) break;
      v.items.push_back(value(depth + 1));
      skip_space();
      if (at(',')) {
        ++pos_;
        comma = true;
      } else if (!at(close)) {
        throw error(std::string("expected ',' or '") + close + "'");
      }
    }
    ++pos_;
    if (close == ')' && v.items.size() == 1 && !comma) return std::move(v.items[0]);
    return v;
  }

  PyValue dict(int depth) {
    PyValue v;
    v.kind = PyValue::Kind::kDict;
    ++pos_;
    while (true) {
      skip_space();
      if (at('}')) break;
      if (!at('\'') && !at('"')) throw error("expected a string key");
      std::string key = string();
      skip_space();
      if (!at(':')) throw error("expected ':'");
      ++pos_;
      PyValue item = value(depth + 1);
      bool replaced = false;  // a repeated key keeps the last value, as in Python
      for (std::size_t i = 0; i < v.keys.size() && !replaced; ++i) {
        if (v.keys[i] == key) {
          v.items[i] = std::move(item);
          replaced = true;
        }
      }
      if (!replaced) {
        v.keys.push_back(std::move(key));
        v.items.push_back(std::move(item));
      }
      skip_space();
      if (at(',')) {
        ++pos_;
      } else if (!at('}')) {
        throw error("expected ',' or '}'");
      }
    }
    ++pos_;
    return v;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

// "'<f4'" shortened and with control bytes hidden, for messages.
std::string quote_name(std::string_view s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  return out + (s.size() > 40 ? "...'" : "'");
}

std::string python_tuple(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

const char* npy_descr(NpyDType d) {
  switch (d) {
    case NpyDType::kF32:
      return "<f4";
    case NpyDType::kF16:
      return "<f2";
    case NpyDType::kBF16:
      return "<V2";
    case NpyDType::kU8:
      return "|u1";
  }
  return "?";
}

std::size_t npy_dtype_size(NpyDType d) {
  switch (d) {
    case NpyDType::kF32:
      return 4;
    case NpyDType::kF16:
    case NpyDType::kBF16:
      return 2;
    case NpyDType::kU8:
      return 1;
  }
  return 1;
}

TensorView NpyArray::view() const {
  DType d;
  switch (dtype_) {
    case NpyDType::kF32:
      d = DType::kF32;
      break;
    case NpyDType::kF16:
      d = DType::kF16;
      break;
    case NpyDType::kBF16:
      d = DType::kBF16;
      break;
    default:
      throw FormatError(source_ + ": dtype " + quote_name(descr_) +
                        " is unsupported for float views; use raw() for its bytes");
  }
  std::vector<std::int64_t> shape = shape_.empty() ? std::vector<std::int64_t>{1} : shape_;
  return TensorView(data_.data(), d, std::move(shape));
}

NpyArray parse_npy(std::span<const std::uint8_t> bytes, std::string source) {
  auto fail = [&](const std::string& what) { return FormatError(source + ": " + what); };
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) {
    throw fail("not a .npy file: it does not start with the magic \\x93NUMPY");
  }
  const int major = bytes[6], minor = bytes[7];
  if (minor != 0 || major < 1 || major > 3) {
    throw fail("unsupported .npy format version " + std::to_string(major) + "." +
               std::to_string(minor) + " (1.0, 2.0 and 3.0 are read)");
  }
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (std::size_t{bytes[9]} << 8);
    header_start = 10;
  } else {
    if (bytes.size() < 12) throw fail("file ends inside the header length");
    for (int i = 0; i < 4; ++i) header_len |= std::size_t{bytes[8 + i]} << (8 * i);
    header_start = 12;
  }
  if (header_len > bytes.size() - header_start) {
    throw fail("header length " + std::to_string(header_len) + " runs past the end of the file (" +
               std::to_string(bytes.size()) + " bytes)");
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + header_start,
                              header_len);
  const PyValue header = PyParser(text, source).document();
  if (header.kind != PyValue::Kind::kDict) {
    throw fail(std::string("header is ") + kind_name(header.kind) + ", expected a dict");
  }
  auto key = [&](const char* name) -> const PyValue& {
    const PyValue* v = header.find(name);
    if (v == nullptr) throw fail(std::string("header has no '") + name + "' key");
    return *v;
  };

  NpyArray a;
  const PyValue& descr = key("descr");
  if (descr.kind == PyValue::Kind::kList) {
    throw fail("structured dtypes (a list 'descr') are not supported");
  }
  if (descr.kind != PyValue::Kind::kStr) {
    throw fail(std::string("'descr' is ") + kind_name(descr.kind) + ", expected a string");
  }
  a.descr_ = descr.str;
  if (a.descr_ == "<f4") {
    a.dtype_ = NpyDType::kF32;
  } else if (a.descr_ == "<f2") {
    a.dtype_ = NpyDType::kF16;
  } else if (a.descr_ == "<V2") {
    a.dtype_ = NpyDType::kBF16;
  } else if (a.descr_ == "|u1" || a.descr_ == "<u1" || a.descr_ == ">u1") {
    a.dtype_ = NpyDType::kU8;
  } else if (!a.descr_.empty() && a.descr_[0] == '>') {
    throw fail("big-endian dtype " + quote_name(a.descr_) +
               " is not supported; save it little-endian: "
               "a.astype(a.dtype.newbyteorder('<'))");
  } else {
    throw fail("unsupported dtype " + quote_name(a.descr_) +
               " (supported: '<f4', '<f2', '<V2' as bfloat16, '|u1')");
  }

  const PyValue& fortran = key("fortran_order");
  if (fortran.kind != PyValue::Kind::kBool) {
    throw fail(std::string("'fortran_order' is ") + kind_name(fortran.kind) + ", expected a bool");
  }
  if (fortran.boolean) {
    throw fail(
        "Fortran-order (column-major) arrays are not supported; save "
        "np.ascontiguousarray(a) instead");
  }

  const PyValue& shape = key("shape");
  if (shape.kind != PyValue::Kind::kTuple && shape.kind != PyValue::Kind::kList) {
    throw fail(std::string("'shape' is ") + kind_name(shape.kind) + ", expected a tuple");
  }
  for (const PyValue& d : shape.items) {
    if (d.kind != PyValue::Kind::kInt || d.integer < 0) {
      throw fail("'shape' must hold non-negative integers");
    }
    a.shape_.push_back(d.integer);
  }
  try {
    a.numel_ = shape_numel(a.shape_);
  } catch (const std::invalid_argument&) {
    throw fail("shape " + shape_string(a.shape_) + " has too many elements");
  }
  // numel <= INT64_MAX / 16 and elements of at most 4 bytes: no overflow.
  const auto need = static_cast<std::uint64_t>(a.numel_) * npy_dtype_size(a.dtype_);
  const std::size_t data_start = header_start + header_len;
  const std::size_t have = bytes.size() - data_start;
  if (have < need) {
    throw fail("truncated data: " + a.descr_ + " " + shape_string(a.shape_) + " needs " +
               std::to_string(need) + " bytes, the file has " + std::to_string(have));
  }
  a.data_ = bytes.subspan(data_start, static_cast<std::size_t>(need));
  a.source_ = std::move(source);
  return a;
}

NpyArray read_npy(const std::string& path) {
  return parse_mapped(path, parse_npy, &NpyArray::file_);
}

namespace {

// The magic, version, header length and padded header (everything before the data).
std::string npy_preamble(NpyDType dtype, const std::vector<std::int64_t>& shape,
                         std::size_t data_bytes) {
  std::int64_t numel = 0;
  try {
    numel = shape_numel(shape);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("write_npy: ") + e.what());
  }
  if (static_cast<std::uint64_t>(numel) * npy_dtype_size(dtype) != data_bytes) {
    throw std::invalid_argument("write_npy: " + std::string(npy_descr(dtype)) + " " +
                                shape_string(shape) + " needs " +
                                std::to_string(numel * npy_dtype_size(dtype)) + " bytes, got " +
                                std::to_string(data_bytes));
  }
  // As numpy's _write_array_header: sorted keys, room for the first axis to grow to 21 digits,
  // then spaces and '\n' up to a multiple of 64 (a full 64 when already aligned).
  std::string dict = std::string("{'descr': '") + npy_descr(dtype) +
                     "', 'fortran_order': False, 'shape': " + python_tuple(shape) + ", }";
  if (!shape.empty())
    dict.append(21 - std::min<std::size_t>(std::to_string(shape[0]).size(), 21), ' ');
  std::size_t prefix = 10;
  std::size_t pad = kAlign - (prefix + dict.size() + 1) % kAlign;
  if (dict.size() + 1 + pad > 0xffff) {  // version 2.0: a 4-byte header length
    prefix = 12;
    pad = kAlign - (prefix + dict.size() + 1) % kAlign;
  }
  const std::size_t header_len = dict.size() + pad + 1;
  std::string out(reinterpret_cast<const char*>(kMagic), 6);
  out += static_cast<char>(prefix == 10 ? 1 : 2);
  out += '\0';
  for (std::size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>(header_len >> (8 * i));
  out += dict;
  out.append(pad, ' ');
  out += '\n';
  return out;
}

}  // namespace

std::vector<std::uint8_t> serialize_npy(NpyDType dtype, const std::vector<std::int64_t>& shape,
                                        std::span<const std::uint8_t> bytes) {
  const std::string pre = npy_preamble(dtype, shape, bytes.size());
  std::vector<std::uint8_t> out(pre.size() + bytes.size());
  std::memcpy(out.data(), pre.data(), pre.size());
  if (!bytes.empty()) std::memcpy(out.data() + pre.size(), bytes.data(), bytes.size());
  return out;
}

void write_npy(const std::string& path, NpyDType dtype, const std::vector<std::int64_t>& shape,
               std::span<const std::uint8_t> bytes) {
  const std::string pre = npy_preamble(dtype, shape, bytes.size());
  AtomicFile file(path);
  file.write(pre);
  file.write(bytes);
  file.commit();
}

void write_npy(const std::string& path, const TensorView& view) {
  NpyDType d = NpyDType::kF32;
  if (view.dtype() == DType::kF16) d = NpyDType::kF16;
  if (view.dtype() == DType::kBF16) d = NpyDType::kBF16;
  const auto n = static_cast<std::size_t>(view.numel()) * dtype_size(view.dtype());
  write_npy(path, d, view.shape(), {static_cast<const std::uint8_t*>(view.data()), n});
}

}  // namespace fp4lab::core
