// `diff`: two quantizations of one tensor compared bit by bit: two fp4lab recipes, or an fp4lab
// recipe against packed codes, 8-bit block scales and a tensor scale that another library wrote
// (.safetensors or .npy, stored as FORMATS.md §7 says: low nibble = even element). Table
// `examples` lists the first elements whose code, block scale or dequantized value differs; when
// only values differ, the summary says why (the tensor scales). With view_rows/view_cols, table
// `view` lists the top-left window element by element (the GUI's grid).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/io/quantized_file.hpp"
#include "core/quantize.hpp"
#include "core/quantized_sizes.hpp"
#include "core/recipe_spec.hpp"
#include "experiments/common.hpp"
#include "experiments/diff_external.hpp"
#include "experiments/experiments.hpp"
#include "experiments/tensor_source.hpp"
#include "formats/element_of.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

std::uint32_t bits_of(float v) { return bit_cast<std::uint32_t>(v); }

// ---- external arrays (read by diff_external.cpp), checked and decoded ----

/// The external quantization as a QuantizedTensor decoded under `ours`' recipe, after checking
/// every dtype and size against what `ours` (the same input under recipe_a) holds.
core::QuantizedTensor external_tensor(ExternalFiles e, const core::QuantizedTensor& ours,
                                      const std::string& layout_param) {
  const Recipe& r = ours.recipe;
  if (!stores_scale_codes(r.format)) {
    throw std::invalid_argument(
        "external mode compares 8-bit block scales: recipe_a must be nvfp4, mxfp4 or nvint4");
  }
  core::QuantizedTensor q;
  q.recipe = r;
  q.shape = ours.shape;
  q.rows = ours.rows;
  q.cols = ours.cols;
  q.padded_cols = ours.padded_cols;
  q.scale_cols = ours.scale_cols;
  const std::string sizes = fmt::format("for an input of {} rows x {} columns with block size {}",
                                        q.rows, q.cols, r.block_size);
  // codes: uint8, two per byte
  if (e.codes.dtype != "U8") {
    throw std::invalid_argument(
        "external codes " + e.codes.describe() +
        ": wrong dtype, expected U8 (uint8, two 4-bit codes per byte, low nibble = even element)");
  }
  const int per_byte = format_traits(r.format).codes_per_byte;  // 1 for 3/6/8-bit codes (FORMATS.md §9)
  const std::int64_t want_codes = q.rows * q.padded_cols / per_byte;
  if (e.codes.numel() != want_codes) {
    std::string hint;
    if (per_byte == 2 && (e.codes.numel() == q.rows * q.cols || e.codes.numel() == q.rows * q.padded_cols)) {
      hint = " (it holds one code per byte: pack two per byte, low nibble = even element)";
    }
    throw std::invalid_argument(fmt::format(
        "external codes {}: wrong size, {} bytes where [{}, {}] = {} are expected {}{}",
        e.codes.describe(), e.codes.numel(), q.rows, q.padded_cols / per_byte, want_codes, sizes, hint));
  }
  q.codes = std::move(e.codes.bytes);
  // scales: one byte each, row-major or swizzled
  const ElementTraits scale = element_traits(scale_element(format_traits(r.format).scale));
  const std::string_view typed = scale.safetensors_dtype;
  if (e.scales.dtype != "U8" && e.scales.dtype != typed) {
    throw std::invalid_argument(fmt::format(
        "external scales {}: wrong dtype, expected U8 or {} ({} block scales)", e.scales.describe(),
        typed, scale.name));
  }
  auto scale_bytes = [&](ScaleLayout l) {
    return static_cast<std::int64_t>(core::quantized_sizes(r, l, q.rows, q.cols).scale_bytes);
  };
  const std::int64_t row_major = scale_bytes(ScaleLayout::kRowMajor);
  const std::int64_t swizzled = scale_bytes(ScaleLayout::kSwizzled128x4);
  const std::int64_t have = e.scales.numel();
  const std::string layout_name =
      layout_param == "auto" && !e.layout_hint.empty() ? e.layout_hint : layout_param;
  if (layout_name == "auto") {
    if (row_major == swizzled) {
      throw std::invalid_argument(
          fmt::format("external scales {}: both layouts hold {} bytes {}; set scale_layout to "
                      "row_major or swizzled",
                      e.scales.describe(), row_major, sizes));
    }
    if (have != row_major && have != swizzled) {
      throw std::invalid_argument(
          fmt::format("external scales {}: wrong size, {} bytes where {} (row-major) or {} "
                      "(128x4 swizzled) are expected {}",
                      e.scales.describe(), have, row_major, swizzled, sizes));
    }
    q.layout = have == row_major ? ScaleLayout::kRowMajor : ScaleLayout::kSwizzled128x4;
  } else {
    q.layout = core::parse_scale_layout(layout_name);
    const std::int64_t want = scale_bytes(q.layout);
    if (have != want) {
      const bool other = have == (q.layout == ScaleLayout::kRowMajor ? swizzled : row_major);
      throw std::invalid_argument(fmt::format(
          "external scales {}: wrong size, {} bytes where {} are expected in the {} layout {}{}",
          e.scales.describe(), have, want, core::scale_layout_name(q.layout), sizes,
          other ? "; that is the size of the other layout: set scale_layout" : ""));
    }
  }
  q.scales = std::move(e.scales.bytes);
  // tensor scale: one FP32, the decode scale
  q.tensor_scale = ours.tensor_scale;
  if (!e.tensor_scale) {
    if (uses_tensor_scale(r)) {
      throw std::invalid_argument("external: no tensor_scale, which " + core::recipe_to_spec(r) +
                                  " needs");
    }
    return q;
  }
  if (e.tensor_scale->dtype != "F32" || e.tensor_scale->numel() != 1) {
    throw std::invalid_argument("external tensor_scale " + e.tensor_scale->describe() +
                                ": expected one F32 value (the decode scale)");
  }
  float decode = 0;
  std::memcpy(&decode, e.tensor_scale->bytes.data(), 4);
  if (bits_of(decode) != bits_of(ours.tensor_scale.decode)) {
    // decode with the external scale: 4/6 decodes through amax/divisor, so that carries it
    q.tensor_scale.decode = decode;
    q.tensor_scale.encode = 1.0f / decode;
    q.tensor_scale.amax = decode * q.tensor_scale.divisor;
  }
  return q;
}

// ---- the comparison ----

std::string element_text(const Recipe& r, std::uint8_t code) {
  // §9 formats: the value as the format's FP element (an IF block's INT codes read as FP here)
  const float v = is_family_format(r.format) ? decode_code(family_traits(r.format).fp, code)
                                             : element_value(format_traits(r.format).element, code);
  if (!stores_scale_codes(r.format) && r.int4 == Int4Scheme::kAsymmetric)
    return fmt::format("0x{:x}", code);
  return fmt::format("0x{:x} ({:+g})", code, v);
}

std::string scale_text(const Recipe& r, const BlockScale& s) {
  if (stores_scale_codes(r.format))
    return fmt::format("0x{:02x} ({:g})", s.code, scale_code_value(r.format, s.code));
  return r.int4 == Int4Scheme::kAsymmetric ? fmt::format("{:.6g} zp {}", s.group_scale, s.zero_point)
                                           : fmt::format("{:.6g}", s.group_scale);
}

/// How `r` turns a code into a value, in FP32 and in its order of operations (formats/*.hpp's
/// *_dequantize): two recipes with another order can round the same code and scales apart.
std::string decode_formula(const Recipe& r) {
  switch (r.format) {
    case BlockFormat::kNVFP4:
      if (r.nv == NvRecipe::kFourOverSix) return "((e2m1 x block scale) x amax) / divisor";
      return r.nv == NvRecipe::kTe ? "(e2m1 x block scale) x tensor scale"
                                   : "e2m1 x (block scale x tensor scale)";
    case BlockFormat::kNVINT4:
      return "(int4 x block scale) x tensor scale";
    case BlockFormat::kMXFP4:
      return "e2m1 x 2^(scale - 127)";
    default:
      return "int4 group decode";
  }
}

bool same_scale(const BlockScale& a, const BlockScale& b) {
  return a.code == b.code && a.zero_point == b.zero_point &&
         bits_of(a.group_scale) == bits_of(b.group_scale);
}

class Diff : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"diff", "Bit-level diff of two quantizations",
            "codes, block scales and tensor scales of two recipes (or an external library) on one "
            "tensor"};
  }
  ParamSpecs params() const override {
    return source_params() +
           ParamSpecs{
               recipe_param("recipe_a", "nvfp4:te",
                            "the first recipe spec (in external mode: the fp4lab recipe to compare with)"),
               recipe_param("recipe_b", "nvfp4:torchao", "the second recipe spec (ignored in external mode)"),
               int_param("examples", 20, 0, 10000, "differing elements listed, row-major from the start"),
               string_param("external", "",
                            "another library's output for the same input: a .safetensors (codes, scales, "
                            "tensor_scale) or a folder of codes.npy, scales.npy, tensor_scale.npy; empty: off"),
               string_param("prefix", "",
                            "external: tensor names PREFIX.codes, ... (files PREFIX.codes.npy, ...)"),
               string_param("scale_layout", "auto",
                            "external scales: row_major, swizzled (128x4), or auto (file metadata, else size)"),
               threads_param(),
               int_param("view_rows", 0, 0, 256,
                         "rows of the top-left window listed element by element in table 'view', 0: none"),
               int_param("view_cols", 0, 0, 1024, "columns of that window, 0: none")};
  }
  Result run(const Params& given, const Progress& progress) const override {
    const Params p = merge(given);
    const int threads = static_cast<int>(read_int(p, "threads"));
    const auto max_examples = static_cast<std::size_t>(read_int(p, "examples"));
    const std::int64_t view_rows = read_int(p, "view_rows");
    const std::int64_t view_cols = read_int(p, "view_cols");
    const std::string external = p.at("external").get<std::string>();
    const std::string layout_param = p.at("scale_layout").get<std::string>();
    if (layout_param != "auto") core::parse_scale_layout(layout_param);
    const Recipe ra = core::parse_recipe(p.at("recipe_a").get<std::string>());
    const std::optional<Recipe> rb =
        external.empty()
            ? std::optional<Recipe>(core::parse_recipe(p.at("recipe_b").get<std::string>()))
            : std::nullopt;
    for (const Recipe* r : {&ra, rb ? &*rb : nullptr}) {
      if (r && r->overflow != Fp4Overflow::kSaturate) {
        throw std::invalid_argument("diff: " + core::recipe_to_spec(*r) +
                                    " has no stored codes (ref_unclamped)");
      }
    }
    if (!external.empty() && !stores_scale_codes(ra.format)) {
      throw std::invalid_argument(
          "external mode compares 8-bit block scales: recipe_a must be nvfp4, mxfp4 or nvint4");
    }
    if (progress && !progress(0.0, "tensor")) throw Cancelled();
    const SourceTensor src = load_source(p, threads);
    const core::TensorView x = src.tensor.view();

    const std::string spec_a = core::recipe_to_spec(ra);
    if (progress && !progress(0.1, spec_a)) throw Cancelled();
    const core::QuantizedTensor qa =
        core::quantize(x, core::QuantizeOptions{ra, ScaleLayout::kRowMajor, threads, false});
    std::string label_b;
    core::QuantizedTensor qb;
    if (rb) {
      label_b = core::recipe_to_spec(*rb);
      if (progress && !progress(0.4, label_b)) throw Cancelled();
      qb = core::quantize(x, core::QuantizeOptions{*rb, ScaleLayout::kRowMajor, threads, false});
    } else {
      label_b =
          "external:" + external +
          (p.at("prefix").get<std::string>().empty() ? ""
                                                     : ":" + p.at("prefix").get<std::string>());
      if (progress && !progress(0.4, "external")) throw Cancelled();
      qb = external_tensor(read_external(external, p.at("prefix").get<std::string>()), qa,
                           layout_param);
    }
    if (progress && !progress(0.7, "compare")) throw Cancelled();

    // element by element (real columns only; padding codes are counted apart)
    std::int64_t codes_differ = 0, values_differ = 0, scale_elems_differ = 0, padding_differ = 0;
    std::int64_t values_only_differ = 0;  // same code and block scale, another value
    Table ex{"examples",
             "First differing elements (code, block scale or dequantized value), row-major",
             {"row", "col", "x", "code A", "code B", "scale A", "scale B", "x_hat A", "x_hat B",
              "x_hat B - A"},
             {}};
    Table view{"view",
               "Window of the top-left elements: codes and block scales of A and B",
               {"row", "col", "x", "code A", "code B", "scale A", "scale B", "x_hat A", "x_hat B",
                "differs"},
               {}};
    auto scale_value = [](const Recipe& r, const BlockScale& s) {
      return double(stores_scale_codes(r.format) ? scale_code_value(r.format, s.code) : s.group_scale);
    };
    std::vector<float> row(static_cast<std::size_t>(qa.cols));
    for (std::int64_t r = 0; r < qa.rows; ++r) {
      x.to_float(r * qa.cols, row);
      for (std::int64_t c = 0; c < qa.cols; ++c) {
        const std::uint8_t ca = qa.code(r, c), cb = qb.code(r, c);
        const BlockScale sa = qa.block_scale(r, c), sb = qb.block_scale(r, c);
        const float va = dequantize_code(qa.recipe, qa.tensor_scale, sa, ca);
        const float vb = dequantize_code(qb.recipe, qb.tensor_scale, sb, cb);
        const bool code_diff = ca != cb, scale_diff = !same_scale(sa, sb);
        if (r < view_rows && c < view_cols) {
          view.rows.push_back({double(r), double(c), double(row[static_cast<std::size_t>(c)]),
                               double(ca), double(cb), scale_value(qa.recipe, sa),
                               scale_value(qb.recipe, sb), double(va), double(vb),
                               double(code_diff) + 2.0 * double(scale_diff)});
        }
        codes_differ += code_diff;
        scale_elems_differ += scale_diff;
        const bool value_diff = bits_of(va) != bits_of(vb);
        values_differ += value_diff;
        values_only_differ += value_diff && !code_diff && !scale_diff;
        if ((code_diff || scale_diff || value_diff) && ex.rows.size() < max_examples) {
          ex.rows.push_back({double(r), double(c), double(row[static_cast<std::size_t>(c)]),
                             element_text(qa.recipe, ca), element_text(qb.recipe, cb),
                             scale_text(qa.recipe, sa), scale_text(qb.recipe, sb), double(va),
                             double(vb), double(vb) - double(va)});  // an ulp shows here
        }
      }
      for (std::int64_t c = qa.cols; c < std::min(qa.padded_cols, qb.padded_cols); ++c) {
        padding_differ += qa.code(r, c) != qb.code(r, c);
      }
    }
    // block by block when both cut rows into the same blocks
    const bool same_blocks = qa.recipe.block_size == qb.recipe.block_size;
    std::int64_t blocks = 0, scales_differ = 0;
    if (same_blocks) {
      for (std::int64_t r = 0; r < qa.rows; ++r) {
        for (std::int64_t b = 0; b < qa.scale_cols; ++b) {
          const std::int64_t c = b * qa.recipe.block_size;
          ++blocks;
          scales_differ += !same_scale(qa.block_scale(r, c), qb.block_scale(r, c));
        }
      }
    }

    Result res = source_result("diff", p, src);
    res.provenance.recipes = {spec_a, label_b};
    const std::int64_t elements = qa.rows * qa.cols;
    res.scalars = {
        {"elements", double(elements)},
        {"codes_differ", double(codes_differ)},
        {"values_differ", double(values_differ)},
        {"values_differ_same_code_and_scale", double(values_only_differ)},
        {"scale_elements_differ", double(scale_elems_differ)},
        {"padding_codes_differ", double(padding_differ)},
        {"tensor_scale_a", qa.tensor_scale.decode},
        {"tensor_scale_b", qb.tensor_scale.decode},
        {"tensor_scales_equal",
         bits_of(qa.tensor_scale.decode) == bits_of(qb.tensor_scale.decode) ? 1.0 : 0.0}};
    if (same_blocks) {
      res.scalars["blocks"] = double(blocks);
      res.scalars["scales_differ"] = double(scales_differ);
    }
    Table sum{"summary", "Bit-level differences", {"quantity", "value"}, {}};
    sum.rows = {
        {std::string("A"), spec_a},
        {std::string("B"), label_b},
        {std::string("tensor scale A (decode)"),
         fmt::format("{:.9g} (0x{:08x})", qa.tensor_scale.decode, bits_of(qa.tensor_scale.decode))},
        {std::string("tensor scale B (decode)"),
         fmt::format("{:.9g} (0x{:08x})", qb.tensor_scale.decode, bits_of(qb.tensor_scale.decode))},
        {std::string("elements"), double(elements)},
        {std::string("codes that differ"), double(codes_differ)},
        {std::string("elements whose block scale differs"), double(scale_elems_differ)},
        {std::string("dequantized values that differ (bits)"), double(values_differ)},
        {std::string("  of them with the same code and block scale"), double(values_only_differ)},
        {std::string("padding codes that differ"), double(padding_differ)}};
    if (same_blocks) {
      sum.rows.push_back({std::string("blocks"), double(blocks)});
      sum.rows.push_back({std::string("block scales that differ"), double(scales_differ)});
    }
    std::string text =
        fmt::format("{}\nA: {}  tensor scale {:.9g} (0x{:08x})\nB: {}  tensor scale {:.9g} (0x{:08x})\n",
                    src.description, spec_a, qa.tensor_scale.decode, bits_of(qa.tensor_scale.decode),
                    label_b, qb.tensor_scale.decode, bits_of(qb.tensor_scale.decode));
    text += fmt::format("codes differ: {} of {} ({:.4g}%)\n", codes_differ, elements,
                        100.0 * codes_differ / elements);
    if (same_blocks) {
      text += fmt::format("block scales differ: {} of {} ({:.4g}%)\n", scales_differ, blocks,
                          blocks ? 100.0 * scales_differ / blocks : 0.0);
    } else {
      text += fmt::format("block sizes differ: elements whose block scale differs: {}\n",
                          scale_elems_differ);
    }
    text += fmt::format("dequantized values differ: {}\n", values_differ);
    if (values_only_differ > 0) {
      // the same code under the same block scale decodes to another value only through the
      // second level: say so, with both tensor scales, rather than leave the count unexplained
      const bool ts_differ = bits_of(qa.tensor_scale.decode) != bits_of(qb.tensor_scale.decode);
      const std::string fa = decode_formula(qa.recipe), fb = decode_formula(qb.recipe);
      text += fmt::format("{} of them have the same code and block scale in A and B:", values_only_differ);
      if (ts_differ) {
        text += fmt::format(" the per-tensor scales differ, A {:.9g} (0x{:08x}) vs B {:.9g} (0x{:08x})",
                            qa.tensor_scale.decode, bits_of(qa.tensor_scale.decode),
                            qb.tensor_scale.decode, bits_of(qb.tensor_scale.decode));
      }
      if (fa != fb) {
        text += fmt::format("{} the FP32 decode rounds in another order, A {} vs B {}",
                            ts_differ ? ";" : "", fa, fb);
      }
      if (!ts_differ && fa == fb) text += " the recipes decode the same code and scale differently";
      text += "\n";
    }
    if (!ex.rows.empty()) text += table_text(ex);
    res.tables = {std::move(sum), std::move(ex)};
    if (!view.rows.empty()) {
      res.scalars["view_rows"] = double(std::min(view_rows, qa.rows));
      res.scalars["view_cols"] = double(std::min(view_cols, qa.cols));
      res.tables.push_back(std::move(view));
    }
    return finish(std::move(res), std::move(text), progress);
  }
};

}  // namespace

std::unique_ptr<Experiment> make_diff() { return std::make_unique<Diff>(); }

}  // namespace fp4lab::exp
