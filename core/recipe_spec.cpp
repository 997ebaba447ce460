// Recipe spec strings: canonical printer, titles and equality (see recipe_spec.hpp; the
// parser is in recipe_spec_parse.cpp, the shared token tables in recipe_spec_names.hpp).
#include "core/recipe_spec.hpp"

#include <tuple>

#include "core/recipe_spec_names.hpp"

namespace fp4lab::core {

using namespace detail;

std::string recipe_to_spec(const formats::Recipe& r) {
  std::string s(format_name(r.format));
  const auto add = [&s](std::string_view token) {
    s += ':';
    s += token;
  };
  switch (r.format) {
    case BlockFormat::kNVFP4:
      if (r.nv != NvRecipe::kFourOverSix) {
        add(nv_name(r.nv, r.levels));
      } else if (r.rule == FourSixRule::kStatic6) {
        add("static_6");
      } else if (r.rule == FourSixRule::kStatic4) {
        add("static_4");
      } else {
        add("4over6");
        add(name_of(kRuleNames, r.rule, "FourSixRule"));
      }
      break;
    case BlockFormat::kMXFP4:
      add(name_of(kMxNames, r.mx, "MxScaleMode"));
      break;
    case BlockFormat::kNVINT4:
      break;
    case BlockFormat::kINT4:
      add(std::string("g") + std::to_string(r.block_size));
      add(name_of(kSchemeNames, r.int4, "Int4Scheme"));
      add(name_of(kDtypeNames, r.int4_scale, "ScaleDtype"));
      break;
    default:  // FORMATS.md §9: MX formats print their scale mode, IF formats their rule
      if (is_mx_scaled(r)) add(name_of(kMxNames, r.mx, "MxScaleMode"));
      if (is_intfloat(r)) add(name_of(kRuleNames, r.rule, "FourSixRule"));
      break;
  }
  if (r.format != BlockFormat::kINT4) add("bs=" + std::to_string(r.block_size));
  if (r.shape == BlockShape::k2D) add("2d");
  if (r.transform == Transform::kRht16) add("rht");
  if (r.rounding == ElementRounding::kStochastic) add("sr");
  if (r.rounding == ElementRounding::kStochasticUnbiased) add("sr_unbiased");
  if (r.rounding != ElementRounding::kNearestEven) add("seed=" + std::to_string(r.seed));
  if (r.overflow == Fp4Overflow::kReferenceUnclamped) add("ref_unclamped");
  if ((is_four_over_six(r) || is_intfloat(r)) && r.sum != SumOrder::kSeq) add("sum=" + std::string(name_of(kSumNames, r.sum, "SumOrder")));
  if (is_torchao(r) && r.const_div == ConstDivision::kReciprocal) add("torch_cuda");
  return s;
}

std::string recipe_title(const formats::Recipe& r) {
  std::string t(format_label(r.format));
  switch (r.format) {
    case BlockFormat::kNVFP4:
      switch (r.nv) {
        case NvRecipe::kTe:
          t += " te";
          break;
        case NvRecipe::kModelopt:
          t += " modelopt";
          break;
        case NvRecipe::kTorchao:
          t += r.levels == ScaleLevels::kOne ? " torchao single-level" : " torchao";
          break;
        case NvRecipe::kFourOverSix:
          switch (r.rule) {
            case FourSixRule::kMse:
              t += " 4/6 (MSE)";
              break;
            case FourSixRule::kMae:
              t += " 4/6 (MAE)";
              break;
            case FourSixRule::kAbsMax:
              t += " 4/6 (abs max)";
              break;
            case FourSixRule::kStatic6:
              t += " 4/6 static 6";
              break;
            case FourSixRule::kStatic4:
              t += " 4/6 static 4";
              break;
          }
          break;
      }
      break;
    case BlockFormat::kMXFP4:
      for (const auto& n : kMxNames) {
        if (n.value == r.mx) (t += ' ') += n.name;
      }
      break;
    case BlockFormat::kNVINT4:
      break;
    case BlockFormat::kINT4:
      (t += " g") += std::to_string(r.block_size);
      t += r.int4 == Int4Scheme::kAsymmetric ? " asym" : " sym";
      if (r.int4_scale == ScaleDtype::kFP16) t += " fp16";
      if (r.int4_scale == ScaleDtype::kBF16) t += " bf16";
      break;
    default:  // FORMATS.md §9
      if (is_mx_scaled(r)) {
        for (const auto& n : kMxNames) {
          if (n.value == r.mx) (t += ' ') += n.name;
        }
      }
      if (is_intfloat(r)) {
        for (const auto& n : kRuleNames) {
          if (n.value == r.rule) (t += ' ') += n.name;
        }
      }
      break;
  }
  if (r.format != BlockFormat::kINT4 && r.block_size != formats::default_block_size(r.format)) {
    (t += " bs=") += std::to_string(r.block_size);
  }
  if (r.shape == BlockShape::k2D) t += " 2D";
  if (r.transform == Transform::kRht16) t += " RHT";
  if (r.rounding == ElementRounding::kStochastic) t += " SR";
  if (r.rounding == ElementRounding::kStochasticUnbiased) t += " SR unbiased";
  if (r.overflow == Fp4Overflow::kReferenceUnclamped) t += " unclamped";
  if ((is_four_over_six(r) || is_intfloat(r)) && r.sum == SumOrder::kPairs) t += " sum=pairs";
  if ((is_four_over_six(r) || is_intfloat(r)) && r.sum == SumOrder::kTree) t += " sum=tree";
  if (is_torchao(r) && r.const_div == ConstDivision::kReciprocal) t += " (torch CUDA)";
  return t;
}

bool recipes_equal(const formats::Recipe& a, const formats::Recipe& b) {
  // Structured bindings stop compiling if Recipe gains or loses a field, so none is missed.
  const auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14] = a;
  const auto& [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14] = b;
  return std::tie(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14) ==
         std::tie(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14);
}

}  // namespace fp4lab::core
