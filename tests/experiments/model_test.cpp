// The model path's parts on hand-derived cases: pre-tokenization by the GPT-2 pattern after
// isolating digits, BPE merge order on a toy vocabulary, encode/decode round trips.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "experiments/model/bpe_tokenizer.hpp"
#include "experiments/model/llama.hpp"

using fp4lab::exp::model::BpeTokenizer;

namespace {

std::vector<std::string> pieces(const std::string& text) {
  std::vector<std::string> out;
  for (const auto p : BpeTokenizer::pre_tokenize(text)) out.emplace_back(p);
  return out;
}

}  // namespace

TEST_SUITE("experiments.model") {
  TEST_CASE("pre-tokenization isolates digits, then splits words, contractions, punctuation and spaces") {
    // Derived by hand from 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    CHECK(pieces("Hello world's 123 end\n\n  x") ==
          std::vector<std::string>{"Hello", " world", "'s", " ", "1", "2", "3", " end", "\n\n ", " x"});
    CHECK(pieces("\"My dear Mr. Bennet,\" said") ==
          std::vector<std::string>{"\"", "My", " dear", " Mr", ".", " Bennet", ",\"", " said"});
    CHECK(pieces("they'll we're I'M") == std::vector<std::string>{"they", "'ll", " we", "'re", " I", "'", "M"});
    CHECK(pieces("a \nb") == std::vector<std::string>{"a", " ", "\n", "b"});
    CHECK(pieces("end  ") == std::vector<std::string>{"end", "  "});
    CHECK(pieces("caf\xC3\xA9 \xE2\x80\x94 na\xC3\xAFve") ==  // é is a letter, the em dash is not
          std::vector<std::string>{"caf\xC3\xA9", " \xE2\x80\x94", " na\xC3\xAFve"});
    CHECK(pieces("").empty());
  }

  TEST_CASE("BPE merges the lowest-ranked pair first and maps bytes through GPT-2's stand-ins") {
    // Ġ (U+0120) stands for the space byte.
    const BpeTokenizer tok({"a", "b", "c", "ab", "abc", "\xC4\xA0", "\xC4\xA0" "a", "bc"},
                           {"a b", "ab c", "\xC4\xA0 a", "b c"});
    CHECK(tok.encode("abc ab") == std::vector<std::int32_t>{4, 5, 3});  // " ab": (a b) before (Ġ a)
    CHECK(tok.encode("bc") == std::vector<std::int32_t>{7});
    CHECK(tok.decode({4, 5, 3}) == "abc ab");
    CHECK_THROWS_AS(BpeTokenizer({"a"}, {"nospace"}), std::invalid_argument);
  }

  TEST_CASE("linear kinds have names both ways") {
    using namespace fp4lab::exp::model;
    for (const Linear l : kLinears) CHECK(linear_named(linear_name(l)) == l);
    CHECK_FALSE(linear_named("lm_head").has_value());
  }
}
