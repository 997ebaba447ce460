// Byte-level BPE (bpe_tokenizer.hpp). Pre-tokenization follows HF tokenizers' Digits and
// ByteLevel pre-tokenizers: split off every numeric character (char::is_numeric: Nd, Nl, No),
// then inside each piece the GPT-2 pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// matched leftmost-first with \s = Unicode White_Space. BPE merges the lowest-ranked pair.
#include "experiments/model/bpe_tokenizer.hpp"

#include <limits>
#include <stdexcept>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/io/gguf.hpp"

namespace fp4lab::exp::model {
namespace {

enum class Cls : std::uint8_t { kLetter, kNumber, kSpace, kOther };

struct Cp {
  std::size_t begin, end;  // byte range in the text
  UChar32 c;
  Cls cls;
};

Cls classify(UChar32 c) {
  if (c < 0) return Cls::kOther;  // an invalid byte
  if (u_isUWhiteSpace(c)) return Cls::kSpace;
  switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return Cls::kLetter;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return Cls::kNumber;
    default:
      return Cls::kOther;
  }
}

std::vector<Cp> code_points(std::string_view s) {
  std::vector<Cp> out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto n = static_cast<std::int32_t>(s.size());
  std::int32_t i = 0;
  while (i < n) {
    const std::int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    out.push_back({static_cast<std::size_t>(start), static_cast<std::size_t>(i), c, classify(c)});
  }
  return out;
}

// Length in code points of the GPT-2 pattern's match at cps[i] (cps is one digit-free piece or one
// digit); always >= 1.
std::size_t match_at(const std::vector<Cp>& cps, std::size_t i) {
  const std::size_t n = cps.size();
  auto ch = [&](std::size_t k) -> UChar32 { return k < n ? cps[k].c : -1; };
  if (ch(i) == '\'') {  // contractions, case-sensitive, in the pattern's order
    const UChar32 a = ch(i + 1), b = ch(i + 2);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  }
  const std::size_t j = (ch(i) == ' ' && i + 1 < n) ? i + 1 : i;  // the optional leading space
  for (const Cls want : {Cls::kLetter, Cls::kNumber}) {
    if (j < n && cps[j].cls == want && !(j == i && cps[i].c == ' ')) {
      std::size_t k = j;
      while (k < n && cps[k].cls == want) ++k;
      return k - i;
    }
  }
  if (j < n && cps[j].cls == Cls::kOther) {
    std::size_t k = j;
    while (k < n && cps[k].cls == Cls::kOther) ++k;
    return k - i;
  }
  // Whitespace: \s+(?!\S) keeps the last space for the next word unless the run ends the text.
  std::size_t k = i;
  while (k < n && cps[k].cls == Cls::kSpace) ++k;
  const std::size_t run = k - i;
  if (run == 0) return 1;  // unreachable for a well-classified input; keeps progress
  if (k == n || run == 1) return run;
  return run - 1;
}

}  // namespace

std::vector<std::string_view> BpeTokenizer::pre_tokenize(std::string_view text) {
  std::vector<std::string_view> out;
  const std::vector<Cp> all = code_points(text);
  std::size_t a = 0;
  while (a < all.size()) {
    std::size_t b = a;
    if (all[a].cls == Cls::kNumber) {
      b = a + 1;  // every numeric character is a piece of its own
    } else {
      while (b < all.size() && all[b].cls != Cls::kNumber) ++b;
    }
    const std::vector<Cp> piece(all.begin() + static_cast<std::ptrdiff_t>(a), all.begin() + static_cast<std::ptrdiff_t>(b));
    std::size_t i = 0;
    while (i < piece.size()) {
      const std::size_t len = match_at(piece, i);
      const std::size_t from = piece[i].begin, to = piece[i + len - 1].end;
      out.push_back(text.substr(from, to - from));
      i += len;
    }
    a = b;
  }
  return out;
}

BpeTokenizer::BpeTokenizer(std::vector<std::string> tokens, const std::vector<std::string>& merges)
    : tokens_(std::move(tokens)) {
  // GPT-2's byte stand-ins: printable Latin-1 bytes stand for themselves, the others for 256 + n.
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    const UChar32 c = printable ? b : next++;
    char buf[4];
    std::int32_t len = 0;
    UBool err = false;
    U8_APPEND(reinterpret_cast<std::uint8_t*>(buf), len, 4, c, err);
    if (err) throw std::logic_error("BPE: byte stand-in is not encodable");
    byte_to_unicode_[b] = std::string(buf, static_cast<std::size_t>(len));
    unicode_to_byte_[byte_to_unicode_[b]] = static_cast<std::uint8_t>(b);
  }
  ids_.reserve(tokens_.size());
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (!ids_.emplace(tokens_[i], static_cast<std::int32_t>(i)).second) {
      // Duplicate spellings exist in some vocabularies; the first id wins, as in HF's BPE.
      continue;
    }
  }
  merge_rank_.reserve(merges.size());
  for (std::size_t r = 0; r < merges.size(); ++r) {
    const std::size_t sp = merges[r].find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 >= merges[r].size()) {
      throw std::invalid_argument("BPE merge " + std::to_string(r) + " is not 'left right': '" + merges[r] + "'");
    }
    std::string key = merges[r].substr(0, sp) + '\x01' + merges[r].substr(sp + 1);
    merge_rank_.emplace(std::move(key), static_cast<std::int32_t>(r));
  }
}

BpeTokenizer BpeTokenizer::from_gguf(const core::GgufFile& gguf) {
  const std::string model = gguf.string_value("tokenizer.ggml.model");
  if (model != "gpt2") {
    throw core::FormatError(gguf.source() + ": tokenizer.ggml.model is '" + model +
                            "'; fp4lab reads byte-level BPE ('gpt2') tokenizers only");
  }
  const auto& md = gguf.metadata();
  for (const char* key : {"tokenizer.ggml.tokens", "tokenizer.ggml.merges"}) {
    if (!md.contains(key) || !md[key].is_array()) {
      throw core::FormatError(gguf.source() + ": metadata '" + key + "' is missing or not an array");
    }
  }
  return BpeTokenizer(md["tokenizer.ggml.tokens"].get<std::vector<std::string>>(),
                      md["tokenizer.ggml.merges"].get<std::vector<std::string>>());
}

void BpeTokenizer::bpe(std::string_view piece, std::vector<std::int32_t>& out) const {
  std::vector<std::string> sym;
  sym.reserve(piece.size());
  for (const char ch : piece) sym.push_back(byte_to_unicode_[static_cast<std::uint8_t>(ch)]);
  std::string key;
  while (sym.size() > 1) {
    std::int32_t best = std::numeric_limits<std::int32_t>::max();
    for (std::size_t i = 0; i + 1 < sym.size(); ++i) {
      key.assign(sym[i]).append(1, '\x01').append(sym[i + 1]);
      const auto it = merge_rank_.find(key);
      if (it != merge_rank_.end() && it->second < best) best = it->second;
    }
    if (best == std::numeric_limits<std::int32_t>::max()) break;
    std::vector<std::string> merged;
    merged.reserve(sym.size());
    for (std::size_t i = 0; i < sym.size(); ++i) {
      if (i + 1 < sym.size()) {
        key.assign(sym[i]).append(1, '\x01').append(sym[i + 1]);
        const auto it = merge_rank_.find(key);
        if (it != merge_rank_.end() && it->second == best) {
          merged.push_back(sym[i] + sym[i + 1]);
          ++i;
          continue;
        }
      }
      merged.push_back(std::move(sym[i]));
    }
    sym = std::move(merged);
  }
  for (const std::string& s : sym) {
    const auto it = ids_.find(s);
    if (it == ids_.end()) throw std::runtime_error("BPE: symbol '" + s + "' has no id in the vocabulary");
    out.push_back(it->second);
  }
}

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size() / 3);
  std::unordered_map<std::string_view, std::vector<std::int32_t>> cache;
  for (const std::string_view piece : pre_tokenize(text)) {
    auto it = cache.find(piece);
    if (it == cache.end()) {
      std::vector<std::int32_t> v;
      bpe(piece, v);
      it = cache.emplace(piece, std::move(v)).first;
    }
    ids.insert(ids.end(), it->second.begin(), it->second.end());
  }
  return ids;
}

std::string BpeTokenizer::decode(const std::vector<std::int32_t>& ids) const {
  std::string out;
  for (const std::int32_t id : ids) {
    const std::string& t = tokens_.at(static_cast<std::size_t>(id));
    std::size_t i = 0;
    while (i < t.size()) {  // each UTF-8 character of the token is one byte's stand-in
      std::size_t len = 1;
      const auto lead = static_cast<std::uint8_t>(t[i]);
      if (lead >= 0xF0) len = 4; else if (lead >= 0xE0) len = 3; else if (lead >= 0xC0) len = 2;
      const auto it = unicode_to_byte_.find(t.substr(i, len));
      if (it == unicode_to_byte_.end()) {
        out += t.substr(i, len);  // a special token's literal text
      } else {
        out += static_cast<char>(it->second);
      }
      i += len;
    }
  }
  return out;
}

}  // namespace fp4lab::exp::model
