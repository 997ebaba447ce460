// Element conversions for the Python module: every element type's encoder and decoder of
// formats/ (FORMATS.md §1) over whole arrays, with the rounding, saturation and NaN policies
// named as in formats/common.hpp. One table lists the types; a new type is one row.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <functional>

#include "formats/element_of.hpp"
#include "python/src/arrays.hpp"
#include "python/src/bindings.hpp"

namespace fp4lab::python {
namespace {

using formats::NanPolicy;
using formats::Rounding;
using formats::Saturation;

/// The policies of one conversion (each element type reads those it has).
struct Policies {
  Rounding rounding;
  Saturation saturation;
  NanPolicy nan;
};

/// One element type: its name, default rounding, encoder and decoder.
struct ElementEntry {
  const char* name;
  Rounding default_rounding;
  std::function<std::uint8_t(float, const Policies&)> encode;
  std::function<float(std::uint8_t)> decode;
};

/// E8M0's rounding for a Rounding name: toward zero, up, or nearest with ties away; it has no
/// nearest-even or stochastic rounding (formats/e8m0.hpp).
formats::E8m0Rounding e8m0_rounding(Rounding r) {
  switch (r) {
    case Rounding::kTowardZero: return formats::E8m0Rounding::kTowardZero;
    case Rounding::kUp: return formats::E8m0Rounding::kUp;
    case Rounding::kNearestTiesAway: return formats::E8m0Rounding::kNearestTiesAway;
    default: throw std::invalid_argument("fp4lab: ue8m0 rounds toward_zero, up or nearest_ties_away only");
  }
}

const std::vector<ElementEntry>& element_table() {
  using namespace formats;
  static const std::vector<ElementEntry> kTable = {
      {"e2m1", Rounding::kNearestEven,
       [](float x, const Policies& p) { return fp4_e2m1::from(x, p.rounding, 0u, p.nan).bits; },
       [](std::uint8_t c) { return fp4_e2m1{static_cast<std::uint8_t>(c & 0xFu)}.to_float(); }},
      {"e4m3", Rounding::kNearestEven,
       [](float x, const Policies& p) { return fp8_e4m3::from(x, p.saturation, p.rounding, 0u, p.nan).bits; },
       [](std::uint8_t c) { return fp8_e4m3{c}.to_float(); }},
      {"ue4m3", Rounding::kNearestEven,
       [](float x, const Policies& p) { return ue4m3::from(x, p.saturation, p.rounding).bits; },
       [](std::uint8_t c) { return ue4m3{c}.to_float(); }},
      {"e5m2", Rounding::kNearestEven,
       [](float x, const Policies& p) { return fp8_e5m2::from(x, p.saturation, p.rounding, 0u, p.nan).bits; },
       [](std::uint8_t c) { return fp8_e5m2{c}.to_float(); }},
      {"ue8m0", Rounding::kTowardZero,
       [](float x, const Policies& p) { return ue8m0::from(x, p.saturation, e8m0_rounding(p.rounding)).bits; },
       [](std::uint8_t c) { return ue8m0{c}.to_float(); }},
      {"int4", Rounding::kNearestEven,
       [](float x, const Policies& p) { return int4::from(x, Int4Range::kFull, p.rounding).bits; },
       [](std::uint8_t c) { return int4{static_cast<std::uint8_t>(c & 0xFu)}.to_float(); }},
      {"e2m3", Rounding::kNearestEven,
       [](float x, const Policies& p) { return fp6_e2m3::from(x, p.rounding, 0u, p.nan).bits; },
       [](std::uint8_t c) { return fp6_e2m3{static_cast<std::uint8_t>(c & 0x3Fu)}.to_float(); }},
      {"e3m2", Rounding::kNearestEven,
       [](float x, const Policies& p) { return fp6_e3m2::from(x, p.rounding, 0u, p.nan).bits; },
       [](std::uint8_t c) { return fp6_e3m2{static_cast<std::uint8_t>(c & 0x3Fu)}.to_float(); }},
      {"e2m0", Rounding::kNearestEven,
       [](float x, const Policies& p) { return fp3_e2m0::from(x, p.rounding, 0u, p.nan).bits; },
       [](std::uint8_t c) { return fp3_e2m0{static_cast<std::uint8_t>(c & 0x7u)}.to_float(); }},
      {"int3", Rounding::kNearestEven, [](float x, const Policies& p) { return int3_sym::from(x, p.rounding).bits; },
       [](std::uint8_t c) { return int3_sym{static_cast<std::uint8_t>(c & 0x7u)}.to_float(); }},
      {"int6", Rounding::kNearestEven, [](float x, const Policies& p) { return int6_sym::from(x, p.rounding).bits; },
       [](std::uint8_t c) { return int6_sym{static_cast<std::uint8_t>(c & 0x3Fu)}.to_float(); }},
  };
  return kTable;
}

const ElementEntry& find_element(const std::string& name) {
  std::string names;
  for (const ElementEntry& e : element_table()) {
    if (name == e.name) return e;
    names += names.empty() ? e.name : std::string(", ") + e.name;
  }
  throw std::invalid_argument("fp4lab: unknown element type '" + name + "'; known: " + names);
}

Rounding parse_rounding(const std::string& s, Rounding fallback) {
  if (s.empty()) return fallback;
  if (s == "nearest_even") return Rounding::kNearestEven;
  if (s == "toward_zero") return Rounding::kTowardZero;
  if (s == "up") return Rounding::kUp;
  if (s == "nearest_ties_away") return Rounding::kNearestTiesAway;
  throw std::invalid_argument("fp4lab: rounding must be nearest_even, toward_zero, up or nearest_ties_away, not '" +
                              s + "'");
}

Saturation parse_saturation(const std::string& s) {
  if (s == "satfinite") return Saturation::kSatFinite;
  if (s == "nosat") return Saturation::kNoSat;
  throw std::invalid_argument("fp4lab: saturation must be satfinite or nosat, not '" + s + "'");
}

NanPolicy parse_nan(const std::string& s) {
  if (s == "cuda") return NanPolicy::kCuda;
  if (s == "keep_sign") return NanPolicy::kKeepSign;
  if (s == "to_zero") return NanPolicy::kToZero;
  throw std::invalid_argument("fp4lab: nan must be cuda, keep_sign or to_zero, not '" + s + "'");
}

}  // namespace

void bind_elements(nb::module_& m) {
  m.def("element_types", [] {
          std::vector<std::string> names;
          for (const ElementEntry& e : element_table()) names.emplace_back(e.name);
          return names;
        }, "The element types the conversions know, e.g. ['e2m1', 'e4m3', ...].");

  m.def("_encode", [](const AnyArray& x, const std::string& tag, const std::string& element, const std::string& rounding,
                      const std::string& saturation, const std::string& nan) {
          const ElementEntry& e = find_element(element);
          const Policies p{parse_rounding(rounding, e.default_rounding), parse_saturation(saturation), parse_nan(nan)};
          std::vector<std::uint8_t> scratch;
          const core::TensorView view = host_view(x, tag, scratch);
          std::vector<std::uint8_t> codes(static_cast<std::size_t>(view.numel()));
          {
            nb::gil_scoped_release release;
            std::vector<float> chunk(4096);
            for (std::int64_t i = 0; i < view.numel(); i += 4096) {
              const std::int64_t n = std::min<std::int64_t>(4096, view.numel() - i);
              view.to_float(i, std::span<float>(chunk.data(), static_cast<std::size_t>(n)));
              for (std::int64_t j = 0; j < n; ++j) codes[static_cast<std::size_t>(i + j)] = e.encode(chunk[static_cast<std::size_t>(j)], p);
            }
          }
          return numpy_from_vector(std::move(codes), view.shape());
        }, nb::arg("x"), nb::arg("dtype_tag"), nb::arg("element"), nb::arg("rounding"), nb::arg("saturation"),
        nb::arg("nan"), "Encodes every element of x; one uint8 code per element, x's shape.");

  m.def("_decode", [](const nb::ndarray<nb::ro, std::uint8_t, nb::device::cpu>& codes, const std::string& element) {
          const ElementEntry& e = find_element(element);
          const AnyArray any(codes);
          const std::vector<std::int64_t> shape = array_shape(any);
          const std::uint8_t* src = static_cast<const std::uint8_t*>(codes.data());
          const std::int64_t n = core::shape_numel(shape);
          if (!is_c_contiguous(any)) {
            throw std::invalid_argument("fp4lab: codes must be C-contiguous (np.ascontiguousarray)");
          }
          std::vector<float> out(static_cast<std::size_t>(n));
          {
            nb::gil_scoped_release release;
            for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = e.decode(src[i]);
          }
          return numpy_from_vector(std::move(out), shape);
        }, nb::arg("codes"), nb::arg("element"), "Decodes uint8 codes to float32 (exact; NaN codes give +NaN).");
}

}  // namespace fp4lab::python
