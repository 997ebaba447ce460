// Recipe spec strings: the parser (see recipe_spec.hpp for the grammar; the names are those
// of ../shared/spec/FORMATS.md §2-6 and of formats/format_traits.hpp).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <system_error>
#include <vector>

#include "core/recipe_spec.hpp"
#include "core/recipe_spec_names.hpp"

namespace fp4lab::core {
namespace {

using namespace detail;

// ---- messages ----

/// `s` in single quotes, with bytes outside printable ASCII (and quote/backslash) as \xNN.
std::string quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\'' || c == '\\') {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out + "'";
}

constexpr std::string_view kOptionList = "bs=N, 2d, rht, sr, sr_unbiased, seed=N";

std::string option_list(bool four_over_six, bool torchao = false, bool intfloat = false) {
  return "an option (" + std::string(kOptionList) +
         (four_over_six ? ", ref_unclamped, sum=seq|pairs|tree)"
                        : (torchao ? ", torch_cuda)" : (intfloat ? ", sum=seq|pairs|tree)" : ")")));
}

std::string block_size_rule() {
  return "N even in [" + std::to_string(formats::kMinBlockSize) + ", " +
         std::to_string(formats::kMaxBlockSize) + "]";
}

bool has_upper(std::string_view s) {
  for (const char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Parsing a decimal number: digits only (no sign, no spaces), at most UINT64_MAX.
enum class NumberError { kNone, kEmpty, kNotDecimal, kTooLarge };

NumberError parse_decimal(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return NumberError::kEmpty;
  for (const char c : s) {
    if (!is_digit(c)) return NumberError::kNotDecimal;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 10);
  if (ec == std::errc::result_out_of_range) return NumberError::kTooLarge;
  if (ec != std::errc() || end != s.data() + s.size()) return NumberError::kNotDecimal;
  return NumberError::kNone;
}

// ---- the parser ----

class SpecParser {
 public:
  explicit SpecParser(std::string_view spec) : spec_(spec) {}

  Recipe parse() {
    if (spec_.empty()) {
      throw RecipeSpecError("bad recipe spec '': the spec is empty; accepted: a format (" +
                            formats::block_format_list() +
                            ") followed by ':'-separated tokens, e.g. nvfp4:te");
    }
    split();
    std::size_t i = parse_format(0);
    if (r_.format == BlockFormat::kNVFP4) i = parse_nvfp4_head(i);
    if (is_mx_scaled(r_)) i = parse_mxfp4_head(i);
    if (is_intfloat(r_)) i = parse_intfloat_head(i);
    for (; i < tokens_.size(); ++i) parse_option(i);
    check_combinations();
    return r_;
  }

 private:
  /// Throws for token i (0-based): "token <i+1> '<tok>' <what>; accepted: <accepted>".
  [[noreturn]] void fail(std::size_t i, std::string_view what, std::string_view accepted) const {
    std::string msg = "bad recipe spec " + quoted(spec_) + ": token " + std::to_string(i + 1) +
                      " " + quoted(tokens_[i]) + " ";
    if (tokens_[i].empty()) {
      msg += "is empty (two ':' in a row, or a ':' at an end)";
    } else {
      msg += what;
      if (has_upper(tokens_[i])) msg += " (spec tokens are lowercase)";
    }
    msg += "; accepted: ";
    msg += accepted;
    throw RecipeSpecError(msg);
  }

  void split() {
    std::size_t start = 0;
    while (true) {
      const std::size_t colon = spec_.find(':', start);
      tokens_.push_back(
          spec_.substr(start, colon == std::string_view::npos ? colon : colon - start));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
  }

  /// Sets `field` from token i unless an earlier token (at `at`, 1-based) set it differently.
  template <class T>
  void set(T& field, T value, std::size_t& at, std::size_t i, std::string_view accepted) {
    if (at != 0 && field != value) {
      fail(i, "conflicts with token " + std::to_string(at) + " " + quoted(tokens_[at - 1]),
           accepted);
    }
    field = value;
    if (at == 0) at = i + 1;
  }

  /// Parses the format at token i (one token, or two for "nvfp6:e2m3" and the like); returns
  /// the index of the token after it.
  std::size_t parse_format(std::size_t i) {
    std::size_t used = 1;
    std::optional<BlockFormat> f;
    if (i + 1 < tokens_.size()) {
      f = formats::block_format_named(std::string(tokens_[i]) + ":" + std::string(tokens_[i + 1]));
      if (f) used = 2;
    }
    if (!f) f = formats::block_format_named(tokens_[i]);
    if (!f) {
      const std::string variants = variants_of(tokens_[i]);
      if (!variants.empty()) {
        fail(i, i + 1 < tokens_.size() ? "is not followed by one of its element types" : "needs an element type",
             variants);
      }
      fail(i, "is not a block format", formats::block_format_list());
    }
    r_.format = *f;
    r_.block_size = formats::default_block_size(*f);
    return i + used;
  }

  /// The two-token formats whose first token is `head` ("nvfp6:e2m3, nvfp6:e3m2"), or "".
  static std::string variants_of(std::string_view head) {
    std::string out;
    for (const BlockFormat f : formats::kBlockFormats) {
      const std::string_view name = formats::format_traits(f).name;
      if (name.size() > head.size() && name.substr(0, head.size()) == head && name[head.size()] == ':') {
        if (!out.empty()) out += ", ";
        out += name;
      }
    }
    return out;
  }

  /// Parses the optional selection rule after an IF format (mse by default).
  std::size_t parse_intfloat_head(std::size_t i) {
    r_.rule = FourSixRule::kMse;
    if (i >= tokens_.size()) return i;
    if (const auto rule = value_of(kRuleNames, tokens_[i])) {
      r_.rule = *rule;
      return i + 1;
    }
    if (looks_like_option(tokens_[i])) return i;
    fail(i, "is not an IF selection rule", "mse, mae, abs_max, or " + option_list(false, false, true));
  }

  /// True for tokens that belong to the option section (so a head may be left out).
  bool looks_like_option(std::string_view t) const {
    return t == "2d" || t == "rht" || t == "sr" || t == "sr_unbiased" || t == "ref_unclamped" ||
           t == "torch_cuda" || starts_with(t, "bs=") || starts_with(t, "seed=") || starts_with(t, "sum=");
  }

  std::size_t parse_nvfp4_head(std::size_t i) {
    if (i >= tokens_.size()) return i;
    if (const NvHead* h = nv_head_of(tokens_[i])) {
      r_.nv = h->nv;
      r_.rule = h->rule;
      r_.levels = h->levels;
      ++i;
      if (h->name != "4over6" || i >= tokens_.size()) return i;
      if (const auto rule = value_of(kRuleNames, tokens_[i])) {
        r_.rule = *rule;
        return i + 1;
      }
      if (looks_like_option(tokens_[i])) return i;
      fail(i, "is not a 4/6 rule", "mse, mae, abs_max, or " + option_list(true));
    }
    if (looks_like_option(tokens_[i])) return i;
    fail(i, "is not an NVFP4 recipe",
         "te, modelopt, torchao, torchao_1level, 4over6[:mse|mae|abs_max], static_6, static_4, or " +
             option_list(true));
  }

  std::size_t parse_mxfp4_head(std::size_t i) {
    if (i >= tokens_.size()) return i;
    if (const auto mx = value_of(kMxNames, tokens_[i])) {
      r_.mx = *mx;
      return i + 1;
    }
    if (looks_like_option(tokens_[i])) return i;
    fail(i, "is not an " + std::string(format_label(r_.format)) + " scale mode",
         "floor, ceil, even, rceil, or " + option_list(false));
  }

  /// What the option section accepts for this recipe, for messages.
  std::string options_accepted() const {
    if (r_.format == BlockFormat::kINT4) {
      return "gN (" + block_size_rule() + "), sym, asym, fp32, fp16, bf16, or " +
             option_list(false);
    }
    return option_list(is_four_over_six(r_), is_torchao(r_), is_intfloat(r_));
  }

  /// Parses the number after `prefix` in token i as a block size and sets it.
  void parse_block_size(std::size_t i, std::size_t prefix) {
    const std::string accepted =
        (r_.format == BlockFormat::kINT4 ? "gN or bs=N with " : "bs=N with ") + block_size_rule();
    std::uint64_t v = 0;
    switch (parse_decimal(tokens_[i].substr(prefix), v)) {
      case NumberError::kEmpty:
        fail(i, "has no number after " + quoted(tokens_[i].substr(0, prefix)), accepted);
      case NumberError::kNotDecimal:
        fail(i, "has a block size that is not a decimal number", accepted);
      case NumberError::kTooLarge:
        fail(i, "has a block size that is out of range", accepted);
      case NumberError::kNone:
        break;
    }
    if (v < static_cast<std::uint64_t>(formats::kMinBlockSize) ||
        v > static_cast<std::uint64_t>(formats::kMaxBlockSize) || v % 2 != 0) {
      fail(i,
           "has a block size that is not even or not in [" +
               std::to_string(formats::kMinBlockSize) + ", " +
               std::to_string(formats::kMaxBlockSize) + "]",
           accepted);
    }
    set(r_.block_size, static_cast<int>(v), bs_at_, i, "one block size, " + accepted);
  }

  void parse_seed(std::size_t i) {
    const std::string accepted = "seed=N with N a decimal integer in [0, " +
                                 std::to_string(std::numeric_limits<std::uint64_t>::max()) + "]";
    std::uint64_t v = 0;
    switch (parse_decimal(tokens_[i].substr(5), v)) {
      case NumberError::kEmpty:
        fail(i, "has no number after 'seed='", accepted);
      case NumberError::kNotDecimal:
        fail(i, "has a seed that is not a decimal number", accepted);
      case NumberError::kTooLarge:
        fail(i, "has a seed that is out of range", accepted);
      case NumberError::kNone:
        break;
    }
    set(r_.seed, v, seed_at_, i, "one seed, " + accepted);
  }

  void parse_option(std::size_t i) {
    const std::string_view t = tokens_[i];
    const bool int4 = r_.format == BlockFormat::kINT4;
    if (t == "2d") return set(r_.shape, BlockShape::k2D, shape_at_, i, "");
    if (t == "rht") return set(r_.transform, Transform::kRht16, rht_at_, i, "");
    if (t == "sr" || t == "sr_unbiased") {
      const ElementRounding rounding =
          t == "sr" ? ElementRounding::kStochastic : ElementRounding::kStochasticUnbiased;
      return set(r_.rounding, rounding, rounding_at_, i, "one of sr, sr_unbiased");
    }
    if (t == "ref_unclamped") {
      if (!is_four_over_six(r_) && r_.format != formats::BlockFormat::kIF4) {
        fail(i, "applies only to the NVFP4 4/6 recipes (4over6, static_6, static_4) and IF4",
             options_accepted());
      }
      return set(r_.overflow, Fp4Overflow::kReferenceUnclamped, overflow_at_, i, "");
    }
    if (starts_with(t, "sum=")) {
      if (!is_four_over_six(r_) && !is_intfloat(r_)) {
        fail(i, "applies only to the NVFP4 4/6 recipes (4over6, static_6, static_4) and the IF formats",
             options_accepted());
      }
      const auto order = value_of(kSumNames, t.substr(4));
      if (!order) fail(i, "is not a summation order", "sum=seq, sum=pairs or sum=tree");
      return set(r_.sum, *order, sum_at_, i, "one of sum=seq, sum=pairs, sum=tree");
    }
    if (t == "torch_cuda") {
      if (!is_torchao(r_)) {
        fail(i, "applies only to the NVFP4 torchao recipes (torchao, torchao_1level)", options_accepted());
      }
      return set(r_.const_div, formats::ConstDivision::kReciprocal, div_at_, i, "");
    }
    if (starts_with(t, "bs=")) return parse_block_size(i, 3);
    if (starts_with(t, "seed=")) return parse_seed(i);
    if (int4) {
      if (const auto scheme = value_of(kSchemeNames, t)) {
        return set(r_.int4, *scheme, scheme_at_, i, "one of sym, asym");
      }
      if (const auto dtype = value_of(kDtypeNames, t)) {
        return set(r_.int4_scale, *dtype, dtype_at_, i, "one of fp32, fp16, bf16");
      }
      if (t.size() > 1 && t[0] == 'g' && is_digit(t[1])) return parse_block_size(i, 1);
    }
    fail(i, misplaced_reason(t), options_accepted());
  }

  /// Why token `t` is not accepted in the option section (it may belong elsewhere).
  std::string misplaced_reason(std::string_view t) const {
    const std::string_view fmt = format_label(r_.format);
    if (formats::block_format_named(t)) return "is a format, which must be token 1 and appear once";
    if (nv_head_of(t)) {
      return r_.format == BlockFormat::kNVFP4
                 ? "is an NVFP4 recipe, which must be token 2 and appear once"
                 : "is an NVFP4 recipe, but the format is " + std::string(fmt);
    }
    if (value_of(kRuleNames, t)) {
      if (is_intfloat(r_)) return "is an IF selection rule, which must directly follow the format and appear once";
      return is_four_over_six(r_)
                 ? "is a 4/6 rule, which must directly follow 4over6 and appear once"
                 : "is a 4/6 rule, which must directly follow nvfp4:4over6";
    }
    if (value_of(kMxNames, t)) {
      if (r_.format == BlockFormat::kMXFP4) return "is an MXFP4 scale mode, which must be token 2 and appear once";
      return is_mx_scaled(r_) ? "is an MX scale mode, which must directly follow the format and appear once"
                              : "is an MXFP4 scale mode, but the format is " + std::string(fmt);
    }
    if (r_.format != BlockFormat::kINT4 && (value_of(kSchemeNames, t) || value_of(kDtypeNames, t) ||
                                            (t.size() > 1 && t[0] == 'g' && is_digit(t[1])))) {
      return "applies only to int4, but the format is " + std::string(fmt);
    }
    return "is not an option of " + std::string(fmt);
  }

  void check_combinations() const {
    if (rht_at_ != 0 && r_.block_size % 16 != 0) {
      std::string sizes;
      for (int b = 16; b <= formats::kMaxBlockSize; b += 16) {
        sizes += (sizes.empty() ? "" : ", ") + std::to_string(b);
      }
      fail(rht_at_ - 1,
           "needs a block size that is a multiple of 16, but the block size is " +
               std::to_string(r_.block_size),
           "rht with a block size of " + sizes);
    }
    if (rounding_at_ != 0 && formats::is_family_format(r_.format)) {
      fail(rounding_at_ - 1, "is not offered for " + std::string(format_label(r_.format)),
           "no rounding option: the FORMATS.md §9 formats round to nearest");
    }
    if (seed_at_ != 0 && r_.rounding == ElementRounding::kNearestEven) {
      fail(seed_at_ - 1, "has no effect without stochastic rounding",
           "seed=N together with sr or sr_unbiased");
    }
  }

  std::string_view spec_;
  std::vector<std::string_view> tokens_;
  Recipe r_;
  // 1-based position of the first token that set each option; 0 while unset
  std::size_t bs_at_ = 0, shape_at_ = 0, rht_at_ = 0, rounding_at_ = 0, seed_at_ = 0;
  std::size_t overflow_at_ = 0, scheme_at_ = 0, dtype_at_ = 0, sum_at_ = 0, div_at_ = 0;
};

}  // namespace

formats::Recipe parse_recipe(std::string_view spec) { return SpecParser(spec).parse(); }

}  // namespace fp4lab::core
