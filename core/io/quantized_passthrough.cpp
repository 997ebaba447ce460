// The pass-through tensors of a quantized file (quantized_file.hpp, format version 3): tensors
// stored as they are, listed by metadata "fp4lab.passthrough", each with "NAME.passthrough".
#include <nlohmann/json.hpp>

#include "core/io/quantized_file.hpp"

namespace fp4lab::core {

std::vector<StoredPassThrough> read_passthrough(const SafetensorsFile& f) {
  std::vector<StoredPassThrough> out;
  const auto it = f.metadata().find("fp4lab.passthrough");
  if (it == f.metadata().end()) return out;
  std::vector<std::string> names;
  try {
    names = nlohmann::json::parse(it->second).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& ex) {
    throw FormatError(f.source() + ": metadata fp4lab.passthrough is not a JSON array of names: " + ex.what());
  }
  for (const std::string& n : names) {
    if (!f.contains(n)) throw FormatError(f.source() + ": pass-through tensor '" + n + "' is missing");
    const auto note = f.metadata().find(n + ".passthrough");
    if (note == f.metadata().end()) {
      throw FormatError(f.source() + ": pass-through tensor '" + n + "' has no metadata \"" + n + ".passthrough\"");
    }
    const SafetensorsInfo& i = f.info(n);
    out.push_back({n, i.dtype, i.shape, note->second, f.raw(n)});
  }
  return out;
}

}  // namespace fp4lab::core
