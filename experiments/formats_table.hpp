// The `formats` table: every element format's properties and codebook, and bits per value
// (with scale overhead) of every block format. The README's main job until the experiments
// engine lands.
#pragma once

#include <string>

namespace fp4lab::exp {

/// Renders the formats table as plain text; `codebooks` adds every code of the 4-bit formats.
std::string formats_table(bool codebooks);

}  // namespace fp4lab::exp
