// Byte-level BPE tokenizer built from a GGUF file's vocabulary and merges (tokenizer.ggml.model
// "gpt2"), with the pre-tokenization SmolLM2 uses (HF tokenizers: Digits(individual_digits) then
// ByteLevel(use_regex) with the GPT-2 pattern); Unicode categories from ICU.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fp4lab::core {
class GgufFile;
}

namespace fp4lab::exp::model {

/// A byte-level BPE tokenizer (GPT-2 style).
class BpeTokenizer {
 public:
  /// Builds it from `tokens` (id order, byte-level unicode spelling) and `merges` ("a b", rank
  /// order). Throws std::invalid_argument for a malformed merge or duplicate token.
  BpeTokenizer(std::vector<std::string> tokens, const std::vector<std::string>& merges);
  /// Builds it from a GGUF file's tokenizer.ggml.tokens and .merges; throws FormatError when the
  /// model is not "gpt2" or the arrays are missing.
  static BpeTokenizer from_gguf(const core::GgufFile& gguf);

  /// The ids of UTF-8 `text` (no special tokens added; invalid UTF-8 bytes pass as bytes).
  std::vector<std::int32_t> encode(std::string_view text) const;
  /// The UTF-8 text of `ids` (the inverse of encode); throws std::out_of_range for a bad id.
  std::string decode(const std::vector<std::int32_t>& ids) const;
  /// Number of tokens in the vocabulary.
  std::size_t vocab_size() const { return tokens_.size(); }

  /// The pre-tokens of `text` (exposed for tests): digits isolated, then the GPT-2 pattern.
  static std::vector<std::string_view> pre_tokenize(std::string_view text);

 private:
  void bpe(std::string_view piece, std::vector<std::int32_t>& out) const;

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int32_t> ids_;
  std::unordered_map<std::string, std::int32_t> merge_rank_;  // "left\x01right" -> rank
  std::string byte_to_unicode_[256];                          // UTF-8 of each byte's stand-in
  std::unordered_map<std::string, std::uint8_t> unicode_to_byte_;
};

}  // namespace fp4lab::exp::model
