// The spec tokens of the recipe enums, shared by the recipe-spec parser (recipe_spec_parse.cpp)
// and printer (recipe_spec.cpp); the block formats' names come from formats/format_traits.hpp.
// Internal to core: not installed, not included outside core/recipe_spec*.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "formats/block_family.hpp"
#include "formats/recipe.hpp"

namespace fp4lab::core::detail {

using formats::BlockFormat;
using formats::BlockShape;
using formats::ConstDivision;
using formats::ElementRounding;
using formats::FourSixRule;
using formats::Fp4Overflow;
using formats::Int4Scheme;
using formats::MxScaleMode;
using formats::NvRecipe;
using formats::Recipe;
using formats::ScaleDtype;
using formats::ScaleLevels;
using formats::SumOrder;
using formats::Transform;

/// One enumerator and its spec token.
template <class E>
struct Named {
  E value;
  std::string_view name;
};

/// The spec tokens of each enum, shared by the parser and the printer.
inline constexpr Named<FourSixRule> kRuleNames[] = {
    {FourSixRule::kMse, "mse"}, {FourSixRule::kMae, "mae"}, {FourSixRule::kAbsMax, "abs_max"}};
inline constexpr Named<MxScaleMode> kMxNames[] = {{MxScaleMode::kFloor, "floor"},
                                                  {MxScaleMode::kCeil, "ceil"},
                                                  {MxScaleMode::kEven, "even"},
                                                  {MxScaleMode::kRceil, "rceil"}};
inline constexpr Named<Int4Scheme> kSchemeNames[] = {{Int4Scheme::kSymmetric, "sym"},
                                                     {Int4Scheme::kAsymmetric, "asym"}};
inline constexpr Named<SumOrder> kSumNames[] = {
    {SumOrder::kSeq, "seq"}, {SumOrder::kPairs, "pairs"}, {SumOrder::kTree, "tree"}};
inline constexpr Named<ScaleDtype> kDtypeNames[] = {
    {ScaleDtype::kFP32, "fp32"}, {ScaleDtype::kFP16, "fp16"}, {ScaleDtype::kBF16, "bf16"}};

/// The NVFP4 recipe tokens: each fixes nv, rule and scale levels (4over6 takes an optional
/// rule after it).
struct NvHead {
  std::string_view name;
  NvRecipe nv;
  FourSixRule rule;
  ScaleLevels levels = ScaleLevels::kTwo;
};
inline constexpr NvHead kNvHeads[] = {
    {"te", NvRecipe::kTe, FourSixRule::kMse},
    {"modelopt", NvRecipe::kModelopt, FourSixRule::kMse},
    {"torchao", NvRecipe::kTorchao, FourSixRule::kMse},
    {"torchao_1level", NvRecipe::kTorchao, FourSixRule::kMse, ScaleLevels::kOne},
    {"4over6", NvRecipe::kFourOverSix, FourSixRule::kMse},
    {"static_6", NvRecipe::kFourOverSix, FourSixRule::kStatic6},
    {"static_4", NvRecipe::kFourOverSix, FourSixRule::kStatic4}};

/// The enumerator named `name` in `table`, if any.
template <class E, std::size_t N>
inline std::optional<E> value_of(const Named<E> (&table)[N], std::string_view name) {
  for (const Named<E>& n : table) {
    if (n.name == name) return n.value;
  }
  return std::nullopt;
}

/// The name of `value` in `table`; throws std::invalid_argument (naming `what`) if absent.
template <class E, std::size_t N>
inline std::string_view name_of(const Named<E> (&table)[N], E value, const char* what) {
  for (const Named<E>& n : table) {
    if (n.value == value) return n.name;
  }
  throw std::invalid_argument(std::string("recipe_to_spec: invalid ") + what + " value " +
                              std::to_string(static_cast<int>(value)));
}

/// The NVFP4 head token `name`, or null.
inline const NvHead* nv_head_of(std::string_view name) {
  for (const NvHead& h : kNvHeads) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

/// The token of a non-4/6 NVFP4 recipe with its scale levels (two for all but torchao).
inline std::string_view nv_name(NvRecipe nv, ScaleLevels levels = ScaleLevels::kTwo) {
  if (nv != NvRecipe::kTorchao) levels = ScaleLevels::kTwo;
  for (const NvHead& h : kNvHeads) {
    if (h.nv == nv && h.nv != NvRecipe::kFourOverSix && h.levels == levels) return h.name;
  }
  throw std::invalid_argument("recipe_to_spec: invalid NvRecipe value " +
                              std::to_string(static_cast<int>(nv)));
}

/// True for the NVFP4 4/6 recipes (4over6, static_6, static_4).
inline bool is_four_over_six(const Recipe& r) {
  return r.format == BlockFormat::kNVFP4 && r.nv == NvRecipe::kFourOverSix;
}

/// True for formats with an E8M0 scale (MXFP4 and the MX formats of FORMATS.md §9): they take
/// an MX scale mode after the format.
inline bool is_mx_scaled(const Recipe& r) {
  return formats::format_traits(r.format).scale == formats::ScaleType::kUE8M0;
}

/// True for the adaptive IF formats (if4, if3, if6:*): they take a rule after the format.
inline bool is_intfloat(const Recipe& r) {
  return formats::family_traits(r.format).style == formats::ScaleStyle::kIntFloat;
}
/// True for the NVFP4 torchao recipes (torchao, torchao_1level).
inline bool is_torchao(const Recipe& r) { return r.format == BlockFormat::kNVFP4 && r.nv == NvRecipe::kTorchao; }

/// The spec token of a block format (format_traits.hpp); throws for a value outside the enum.
inline std::string_view format_name(BlockFormat f) {
  for (const BlockFormat known : formats::kBlockFormats) {
    if (known == f) return formats::format_traits(f).name;
  }
  throw std::invalid_argument("recipe_to_spec: invalid BlockFormat value " +
                              std::to_string(static_cast<int>(f)));
}

/// The display name of a block format ("NVFP4"; "?" outside the enum).
inline std::string_view format_label(BlockFormat f) { return formats::format_traits(f).label; }

}  // namespace fp4lab::core::detail
