// Parameter editors generated from an experiment's parameter spec (experiments/param_spec.hpp):
// int and number fields clamped to the spec's range, checkboxes, combos of the choices, text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiments/param_spec.hpp"

namespace fp4lab::gui {

/// Draws one editor per entry of `specs` editing `values` (a Params object holding every key of
/// `specs`), packed into lines; hovering an editor shows its help line. int/number: an input
/// clamped to the spec's range; bool: a checkbox; choice: a combo; recipe: a combo of the
/// presets; string and lists: text. Text and number fields commit on Enter. True when a value
/// changed.
bool draw_params(const char* id, const exp::ParamSpecs& specs, exp::Params& values);

/// draw_params for a tensor source under a collapsing header labelled with its shape and
/// distribution: open at first sight when the panel has room (at least 600 pixels of height
/// left), folded in small tiles so the plots and tables below keep their space.
bool draw_source_params(const char* id, const exp::ParamSpecs& specs, exp::Params& values);

/// Copies each key of `specs` present in `j` into `values` when it passes the spec's checks
/// (gui.json and scenarios); other keys and bad values are ignored.
void load_params(const exp::ParamSpecs& specs, const nlohmann::json& j, exp::Params& values);

/// An editable comma-separated list of recipe specs with the presets as checkboxes; true when
/// it changed.
bool draw_recipe_list(const char* id, std::vector<std::string>& recipes);
/// A combo of `presets` editing one recipe spec; true when it changed.
bool draw_recipe_combo(const char* label, std::string& spec,
                       const std::vector<std::string>& presets);

}  // namespace fp4lab::gui
