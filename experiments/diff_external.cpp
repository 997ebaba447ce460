// `diff --external`'s readers (see diff_external.hpp): a quantized file's tensor through
// core::read_quantized, any other .safetensors or .npy arrays by name.
#include "experiments/diff_external.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "core/io/npy.hpp"
#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"

namespace fp4lab::exp {
namespace {

const char* npy_dtype_label(core::NpyDType d) {
  switch (d) {
    case core::NpyDType::kF32:
      return "F32";
    case core::NpyDType::kF16:
      return "F16";
    case core::NpyDType::kBF16:
      return "BF16";
    case core::NpyDType::kU8:
      return "U8";
  }
  return "?";
}

std::string listing(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 20; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 20) s += fmt::format(", ... ({} in all)", names.size());
  return s.empty() ? "nothing" : s;
}

std::string missing_external_tensor(const std::string& path, const std::string& p,
                                    const std::string& name,
                                    const std::vector<std::string>& present) {
  return "external " + path + ": no tensor named '" + name + "' (expected " + p + "codes, " + p +
         "scales and " + p + "tensor_scale; set prefix for NAME.codes); " + "the file holds " +
         listing(present);
}

/// Tensor `prefix` of a quantized file (core/io/quantized_file.hpp), checked by read_quantized.
ExternalFiles read_external_quantized(const core::QuantizedFile& q, const std::string& path,
                                      const std::string& prefix) {
  const core::StoredQuantized* t = q.find(prefix);
  if (t->scales.empty()) {  // grouped INT4 stores no 8-bit block scales
    throw std::invalid_argument(
        missing_external_tensor(path, prefix + ".", prefix + ".scales", q.file.names()));
  }
  auto array = [&](const char* what, const char* dtype, std::vector<std::int64_t> shape,
                   std::span<const std::uint8_t> bytes) {
    return ExternalArray{
        path + ":" + prefix + "." + what, dtype, std::move(shape), {bytes.begin(), bytes.end()}};
  };
  const core::QuantizedPlan& p = t->plan;
  const float decode = t->tensor_scale.decode;  // the stored NAME.tensor_scale, bit for bit
  const std::int64_t code_cols = p.padded_cols / formats::format_traits(t->recipe.format).codes_per_byte;
  return ExternalFiles{array("codes", "U8", {p.rows, code_cols}, t->codes),
                       array("scales", "U8", core::scales_shape(p, t->layout), t->scales),
                       array("tensor_scale", "F32", {1},
                             {reinterpret_cast<const std::uint8_t*>(&decode), sizeof decode}),
                       core::scale_layout_name(t->layout)};
}

ExternalFiles read_external_safetensors(const std::string& path, const std::string& prefix) {
  core::SafetensorsFile plain = core::open_safetensors(path);
  std::optional<core::QuantizedFile> quantized;
  if (core::is_quantized_file(plain)) {
    quantized = core::read_quantized(std::move(plain));
    if (quantized->find(prefix)) return read_external_quantized(*quantized, path, prefix);
  }
  const core::SafetensorsFile& f = quantized ? quantized->file : plain;
  const std::string p = prefix.empty() ? "" : prefix + ".";
  auto get = [&](const std::string& what, bool required) -> std::optional<ExternalArray> {
    const std::string name = p + what;
    if (!f.contains(name)) {
      if (!required) return std::nullopt;
      throw std::invalid_argument(missing_external_tensor(path, p, name, f.names()));
    }
    const core::SafetensorsInfo& i = f.info(name);
    const auto raw = f.raw(name);
    return ExternalArray{path + ":" + name, i.dtype, i.shape, {raw.begin(), raw.end()}};
  };
  ExternalFiles e{*get("codes", true), *get("scales", true), get("tensor_scale", false), ""};
  const auto hint = f.metadata().find(p + "scale_layout");
  if (!prefix.empty() && hint != f.metadata().end()) e.layout_hint = hint->second;
  return e;
}

ExternalFiles read_external_npy(const std::string& path, const std::string& prefix) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
  const std::string p = prefix.empty() ? "" : prefix + ".";
  auto get = [&](const std::string& what, bool required) -> std::optional<ExternalArray> {
    const fs::path file = dir / (p + what + ".npy");
    if (!fs::exists(file)) {
      if (!required) return std::nullopt;
      std::vector<std::string> present;
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".npy") present.push_back(entry.path().filename().string());
      }
      std::sort(present.begin(), present.end());
      throw std::invalid_argument("external " + dir.string() + ": " + file.filename().string() +
                                  " is missing (expected " + p + "codes.npy, " + p +
                                  "scales.npy and " + p + "tensor_scale.npy); the folder holds " +
                                  listing(present));
    }
    const core::NpyArray a = core::read_npy(file.string());
    const auto raw = a.raw();
    return ExternalArray{
        file.string(), npy_dtype_label(a.dtype()), a.shape(), {raw.begin(), raw.end()}};
  };
  return ExternalFiles{*get("codes", true), *get("scales", true), get("tensor_scale", false), ""};
}

}  // namespace

ExternalFiles read_external(const std::string& path, const std::string& prefix) {
  if (path.size() >= 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0) {
    return read_external_safetensors(path, prefix);
  }
  if (std::filesystem::is_directory(path) ||
      (path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0)) {
    return read_external_npy(path, prefix);
  }
  throw std::invalid_argument("external '" + path +
                              "': expected a .safetensors file, a folder of codes.npy, " +
                              "scales.npy and tensor_scale.npy, or one of those .npy files");
}

}  // namespace fp4lab::exp
