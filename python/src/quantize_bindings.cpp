// Recipes and whole-tensor quantize / dequantize / fake-quantize for the Python module, over
// core/quantize.hpp and core/recipe_spec.hpp (FORMATS.md §2-7). The GIL is released while
// core computes.
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <memory>

#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/recipe_presets.hpp"
#include "formats/format_traits.hpp"
#include "python/src/arrays.hpp"
#include "python/src/bindings.hpp"

namespace fp4lab::python {
namespace {

/// A quantized tensor plus the dtype of the input it came from.
struct PyQuantized {
  core::QuantizedTensor q;
  core::DType input_dtype = core::DType::kF32;
  float amax = 0.0f;  ///< max |x| (the tensor scale's when the recipe has one), as the CLI stores it
};

/// A uint8/float numpy view of a vector inside `q`, kept alive by q's Python object.
template <class T>
nb::object view_of(const PyQuantized& q, const std::vector<T>& v, std::vector<std::size_t> dims) {
  return nb::cast(nb::ndarray<nb::numpy, const T>(v.data(), dims.size(), dims.data(), nb::find(&q)));
}

formats::ScaleLayout parse_layout(const std::string& name) {
  if (name == "row_major") return formats::ScaleLayout::kRowMajor;
  if (name == "swizzled" || name == "swizzled_128x4") return formats::ScaleLayout::kSwizzled128x4;
  throw std::invalid_argument("fp4lab: layout must be row_major or swizzled_128x4, not '" + name + "'");
}

/// Every field of the per-block records as numpy arrays.
nb::dict records_dict(const std::vector<formats::BlockRecord>& records) {
  const std::size_t n = records.size();
  std::vector<std::uint8_t> code(n), zero(n), chosen(n), c6(n), c4(n);
  std::vector<float> group(n), bmax(n), e6(n), e4(n);
  std::vector<std::int32_t> nonfinite(n);
  for (std::size_t i = 0; i < n; ++i) {
    const formats::BlockRecord& r = records[i];
    code[i] = r.scale.code;
    zero[i] = r.scale.zero_point;
    group[i] = r.scale.group_scale;
    bmax[i] = r.bmax;
    chosen[i] = r.chosen_max;
    c6[i] = r.scale_code_6;
    c4[i] = r.scale_code_4;
    e6[i] = r.err6;
    e4[i] = r.err4;
    nonfinite[i] = r.nonfinite;
  }
  const std::vector<std::int64_t> shape{static_cast<std::int64_t>(n)};
  nb::dict d;
  d["scale_code"] = numpy_from_vector(std::move(code), shape);
  d["zero_point"] = numpy_from_vector(std::move(zero), shape);
  d["group_scale"] = numpy_from_vector(std::move(group), shape);
  d["bmax"] = numpy_from_vector(std::move(bmax), shape);
  d["chosen_max"] = numpy_from_vector(std::move(chosen), shape);
  d["scale_code_6"] = numpy_from_vector(std::move(c6), shape);
  d["scale_code_4"] = numpy_from_vector(std::move(c4), shape);
  d["err6"] = numpy_from_vector(std::move(e6), shape);
  d["err4"] = numpy_from_vector(std::move(e4), shape);
  d["nonfinite"] = numpy_from_vector(std::move(nonfinite), shape);
  return d;
}

formats::Recipe checked_recipe(const std::string& spec) {
  formats::Recipe r = core::parse_recipe(spec);
  core::validate_recipe(r);
  return r;
}

}  // namespace

void bind_quantize(nb::module_& m) {
  nb::class_<formats::Recipe>(m, "Recipe", "A parsed recipe (the CLI's spec strings, core/recipe_spec.hpp).")
      .def_prop_ro("spec", [](const formats::Recipe& r) { return core::recipe_to_spec(r); },
                   "The canonical, fully explicit spec, e.g. 'nvfp4:te:bs=16'.")
      .def_prop_ro("title", [](const formats::Recipe& r) { return core::recipe_title(r); },
                   "A short human label, e.g. 'NVFP4 4/6 (MSE)'.")
      .def_prop_ro("format", [](const formats::Recipe& r) { return std::string(formats::format_traits(r.format).name); },
                   "The block format's spec token: nvfp4, mxfp4, nvint4 or int4.")
      .def_prop_ro("block_size", [](const formats::Recipe& r) { return r.block_size; },
                   "Elements per block (along the last axis).")
      .def_prop_ro("two_d", [](const formats::Recipe& r) { return r.shape == formats::BlockShape::k2D; },
                   "True for 2-D tiles of block_size x block_size.")
      .def_prop_ro("rht", [](const formats::Recipe& r) { return r.transform != formats::Transform::kNone; },
                   "True when a random Hadamard transform precedes quantization.")
      .def_prop_ro("has_tensor_scale", [](const formats::Recipe& r) { return formats::uses_tensor_scale(r); },
                   "True when the format carries an FP32 tensor scale (NVFP4, NVINT4).")
      .def("__eq__", [](const formats::Recipe& a, const formats::Recipe& b) { return core::recipes_equal(a, b); })
      .def("__repr__", [](const formats::Recipe& r) { return "Recipe('" + core::recipe_to_spec(r) + "')"; });

  m.def("parse_recipe", &checked_recipe, nb::arg("spec"),
        "Parses and validates a recipe spec ('nvfp4:4over6:mse', 'mxfp4:rceil:bs=32', ...); raises "
        "ValueError with the CLI's message when it is malformed.");
  m.def("recipes", [] { return exp::recipe_presets(); },
        "Every recipe the tools offer by name (the presets of the CLI and the GUI).");

  nb::class_<PyQuantized>(m, "QuantizedTensor",
                          "A quantized tensor on the CPU: packed 4-bit codes, block scales, tensor scale.")
      .def_prop_ro("recipe", [](const PyQuantized& q) { return core::recipe_to_spec(q.q.recipe); },
                   "The canonical recipe spec.")
      .def_prop_ro("layout", [](const PyQuantized& q) {
            return std::string(q.q.layout == formats::ScaleLayout::kRowMajor ? "row_major" : "swizzled_128x4");
          }, "The block scales' layout: row_major or swizzled_128x4.")
      .def_prop_ro("shape", [](const PyQuantized& q) { return q.q.shape; }, "The input's shape.")
      .def_prop_ro("input_dtype", [](const PyQuantized& q) { return std::string(core::dtype_name(q.input_dtype)); },
                   "The input's dtype: F32, F16 or BF16.")
      .def_prop_ro("rows", [](const PyQuantized& q) { return q.q.rows; }, "Product of all dimensions but the last.")
      .def_prop_ro("cols", [](const PyQuantized& q) { return q.q.cols; }, "The last dimension.")
      .def_prop_ro("padded_cols", [](const PyQuantized& q) { return q.q.padded_cols; },
                   "cols rounded up to the block size (and 16 with the RHT).")
      .def_prop_ro("scale_cols", [](const PyQuantized& q) { return q.q.scale_cols; }, "Blocks per row.")
      .def_prop_ro("codes", [](const PyQuantized& q) {
            const std::size_t rows = static_cast<std::size_t>(q.q.rows);
            return view_of(q, q.q.codes, {rows, rows ? q.q.codes.size() / rows : 0});
          }, "uint8 [rows, padded_cols/2] for the 4-bit formats (two codes per byte, the even element in the low "
             "nibble); [rows, padded_cols] for the 3-, 6- and 8-bit formats (one code per byte).")
      .def_prop_ro("scales", [](const PyQuantized& q) {
            if (q.q.layout == formats::ScaleLayout::kRowMajor) {
              return view_of(q, q.q.scales, {static_cast<std::size_t>(q.q.rows), static_cast<std::size_t>(q.q.scales.size() / std::max<std::int64_t>(q.q.rows, 1))});
            }
            return view_of(q, q.q.scales, {q.q.scales.size()});
          }, "uint8 block-scale codes (UE4M3 or E8M0): [rows, scale_cols] row-major, flat when swizzled; "
             "empty for grouped INT4.")
      .def_prop_ro("group_scales", [](const PyQuantized& q) {
            return view_of(q, q.q.group_scales, {q.q.group_scales.size()});
          }, "float32 grouped-INT4 scales (rows * scale_cols, row-major); empty otherwise.")
      .def_prop_ro("zero_points", [](const PyQuantized& q) {
            return view_of(q, q.q.zero_points, {q.q.zero_points.size()});
          }, "uint8 grouped-INT4 zero points; empty otherwise.")
      .def_prop_ro("tensor_scale", [](const PyQuantized& q) { return q.q.tensor_scale.decode; },
                   "The stored FP32 decode (second-level) scale; 1 where the recipe has none.")
      .def_prop_ro("tensor_scale_encode", [](const PyQuantized& q) { return q.q.tensor_scale.encode; },
                   "The encode scale that multiplied into the block scales.")
      .def_prop_ro("tensor_scale_divisor", [](const PyQuantized& q) { return q.q.tensor_scale.divisor; },
                   "4/6 only: 1536, 2688 or 1792; 1 otherwise.")
      .def_prop_ro("amax", [](const PyQuantized& q) { return q.amax; },
                   "max |x| over the tensor (after the RHT when the recipe has one), NaN ignored.")
      .def_prop_ro("nonfinite", [](const PyQuantized& q) { return q.q.nonfinite; }, "NaN/Inf inputs seen.")
      .def_prop_ro("records", [](const PyQuantized& q) -> nb::object {
            if (q.q.records.empty()) return nb::none();
            return records_dict(q.q.records);
          }, "Per-block (or per 2-D tile) records as a dict of numpy arrays when quantize() was asked "
             "for them (records=True), else None.")
      .def("element_codes", [](const PyQuantized& q) {
            std::vector<std::uint8_t> v(static_cast<std::size_t>(q.q.rows * q.q.padded_cols));
            for (std::int64_t r = 0; r < q.q.rows; ++r)
              for (std::int64_t c = 0; c < q.q.padded_cols; ++c) v[static_cast<std::size_t>(r * q.q.padded_cols + c)] = q.q.code(r, c);
            return numpy_from_vector(std::move(v), {q.q.rows, q.q.padded_cols});
          }, "The codes unpacked, one uint8 (0-15) per element: [rows, padded_cols].");

  m.def("_quantize", [](const AnyArray& x, const std::string& tag, const std::string& spec, const std::string& layout,
                        bool records, int threads) {
          std::vector<std::uint8_t> scratch;
          const core::TensorView view = host_view(x, tag, scratch);
          core::QuantizeOptions o;
          o.recipe = checked_recipe(spec);
          o.layout = parse_layout(layout);
          o.threads = threads;
          o.keep_records = records;
          auto out = std::make_unique<PyQuantized>();
          out->input_dtype = view.dtype();
          {
            nb::gil_scoped_release release;
            out->q = core::quantize(view, o);
            // as `fp4lab quantize` stores NAME.amax: computed apart when the recipe has no tensor scale
            out->amax = formats::uses_tensor_scale(o.recipe) ? out->q.tensor_scale.amax
                                                             : core::tensor_amax(view, o.recipe, threads);
          }
          return out;
        }, nb::arg("x"), nb::arg("dtype_tag"), nb::arg("spec"), nb::arg("layout"), nb::arg("records"), nb::arg("threads"),
        "Quantizes a host array (core::quantize); fp4lab.quantize wraps it.");

  m.def("_dequantize", [](const PyQuantized& q, const std::string& dtype, int threads) {
          const core::DType d = dtype.empty() ? q.input_dtype : parse_dtype(dtype);
          core::Tensor t;
          {
            nb::gil_scoped_release release;
            t = core::dequantize(q.q, d, threads);
          }
          return numpy_from_tensor(std::move(t));
        }, nb::arg("q"), nb::arg("dtype"), nb::arg("threads"),
        "Dequantizes (core::dequantize); an empty dtype means the input's.");

  m.def("_fake_quantize", [](const AnyArray& x, const std::string& tag, const std::string& spec, const std::string& dtype,
                             int threads) {
          std::vector<std::uint8_t> scratch;
          const core::TensorView view = host_view(x, tag, scratch);
          const formats::Recipe r = checked_recipe(spec);
          const core::DType d = dtype.empty() ? view.dtype() : parse_dtype(dtype);
          core::Tensor t;
          {
            nb::gil_scoped_release release;
            t = core::fake_quantize(view, r, d, threads);
          }
          return numpy_from_tensor(std::move(t));
        }, nb::arg("x"), nb::arg("dtype_tag"), nb::arg("spec"), nb::arg("dtype"), nb::arg("threads"),
        "Quantizes and dequantizes in one pass (core::fake_quantize); an empty dtype means the input's.");
}

}  // namespace fp4lab::python
