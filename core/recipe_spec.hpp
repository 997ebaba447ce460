// Compact recipe spec strings ("nvfp4:4over6:mse:bs=16:2d") for the CLI and for provenance:
// parse, print canonically, title. Names follow ../shared/spec/FORMATS.md §2-6.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "formats/recipe.hpp"

namespace fp4lab::core {

/// A malformed recipe spec; the message quotes the spec, the bad token and its 1-based
/// position, and lists what is accepted there.
class RecipeSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Parses a spec: ':'-separated lowercase tokens, the format first, then the format's own
/// tokens, then options in any order. Grammar (defaults in brackets):
///   nvfp4[:te|modelopt|torchao|torchao_1level|4over6[:mse|mae|abs_max]|static_6|static_4]
///                                                                             [te; 4over6: mse]
///   mxfp4[:floor|ceil|even|rceil]                                             [floor]
///   nvint4
///   int4 with gN, sym|asym, fp32|fp16|bf16 in any order among the options  [g128:sym:fp32]
///   FORMATS.md §9 (format_traits.hpp; two-token names are one format):
///   nvfp6:e2m3|e3m2, nvfp3, nvint3, nvint6                                  [bs 16]
///   mxfp6:e2m3|e3m2, mxfp3, mxfp8:e4m3|e5m2 [:floor|ceil|even|rceil]        [floor, bs 32]
///   if4|if3|if6:e2m3|if6:e3m2 [:mse|mae|abs_max]                            [mse, bs 16]
///   (no sr or sr_unbiased: these formats round to nearest)
/// Options: bs=N (even, in [kMinBlockSize, kMaxBlockSize]; [default_block_size(format)]; for
/// int4 the same as gN), 2d, rht (block size a multiple of 16), sr | sr_unbiased, seed=N
/// (decimal uint64; only with sr or sr_unbiased), ref_unclamped and sum=seq|pairs|tree (4/6
/// recipes only: 4over6, static_6, static_4), torch_cuda (torchao recipes only). A token
/// repeated with the same meaning is accepted; a conflicting one (bs=16:bs=32, sr:sr_unbiased,
/// g32:bs=64, sym:asym, sum=seq:sum=tree) is an error. Throws RecipeSpecError.
formats::Recipe parse_recipe(std::string_view spec);

/// The canonical, fully explicit spec, e.g. "nvfp4:te:bs=16", "mxfp4:rceil:bs=32",
/// "nvfp4:4over6:mse:bs=16:2d:rht:sr:seed=7", "int4:g128:asym:fp16". Options come in the
/// order bs=N, 2d, rht, sr|sr_unbiased, seed=N, ref_unclamped, sum=pairs|tree (sum=seq, the
/// default, is not written), torch_cuda; int4 writes its block size as
/// gN. Only what applies to the format is printed: the seed only with stochastic rounding, nv
/// and rule only for NVFP4, mx only for MXFP4, int4 and int4_scale only for INT4. So
/// parse_recipe(recipe_to_spec(r)) equals r field for field whenever those fields that do not
/// apply hold their defaults (as parse_recipe leaves them). Throws std::invalid_argument on an
/// enum value outside its enumerators.
std::string recipe_to_spec(const formats::Recipe& r);

/// A short human label: "NVFP4 te", "NVFP4 4/6 (MSE)", "MXFP4 rceil", "INT4 g128 asym", with
/// non-default block size, 2D, RHT, SR and ref_unclamped appended (the seed is not shown).
std::string recipe_title(const formats::Recipe& r);

/// True when every field of `a` and `b` is equal (including fields that do not apply).
bool recipes_equal(const formats::Recipe& a, const formats::Recipe& b);

}  // namespace fp4lab::core
