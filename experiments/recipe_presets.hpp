// The recipe presets: the one list of named recipe specs that experiments tabulate (the
// walkthrough) and the GUI's recipe editors offer (core/recipe_spec.hpp parses each).
#pragma once

#include <string>
#include <vector>

namespace fp4lab::exp {

/// Every recipe the tools offer by name, NVFP4 first, then MXFP4, NVINT4 and INT4.
inline const std::vector<std::string>& recipe_presets() {
  static const std::vector<std::string> kPresets = {
      "nvfp4:te",         "nvfp4:modelopt",       "nvfp4:torchao",  "nvfp4:4over6:mse",
      "nvfp4:4over6:mae", "nvfp4:4over6:abs_max", "nvfp4:static_6", "nvfp4:static_4",
      "mxfp4:floor",      "mxfp4:ceil",           "mxfp4:even",     "mxfp4:rceil",
      "nvint4",           "int4:g32:sym",         "int4:g32:asym",  "int4:g128:asym"};
  return kPresets;
}

/// The NVFP4 presets the simulated quantizer takes (threshold, ablate): TE and the 4/6 family.
inline const std::vector<std::string>& simulate_recipe_presets() {
  static const std::vector<std::string> kPresets = {"nvfp4:te", "nvfp4:4over6:mse",
                                                    "nvfp4:static_6", "nvfp4:static_4"};
  return kPresets;
}

}  // namespace fp4lab::exp
