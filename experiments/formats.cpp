// `formats`: every element format's properties and codebook (codes, bit strings, values), and
// bits per value with scale overhead for every block format (FORMATS.md §1-5).
#include <fmt/format.h>

#include <cmath>

#include "core/recipe_spec.hpp"
#include "experiments/common.hpp"
#include "experiments/experiments.hpp"
#include "formats/block.hpp"
#include "formats/e5m2.hpp"
#include "formats/e8m0.hpp"
#include "formats/fp3.hpp"
#include "formats/fp6.hpp"
#include "formats/int_symmetric.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

std::string bits_string(unsigned code, int width) {
  std::string s;
  for (int b = width - 1; b >= 0; --b) s += ((code >> b) & 1u) ? '1' : '0';
  return s;
}

Table codebook(const char* id, const char* title, int width, float (*value)(unsigned)) {
  Table t{id, title, {"code", "bits", "value"}, {}};
  for (unsigned c = 0; c < (1u << width); ++c) {
    t.rows.push_back({fmt::format("0x{:0{}X}", c, (width + 3) / 4), bits_string(c, width), double(value(c))});
  }
  return t;
}

class Formats : public Experiment {
 public:
  ExperimentInfo info() const override {
    return {"formats", "Formats and codebooks",
            "every element format's codebook and range, and bits per value of every block format"};
  }
  ParamSpecs params() const override {
    return {bool_param("codebooks", true, "include the full codebook table of every element format")};
  }
  Result run(const Params& given, const Progress&) const override {
    const Params p = merge(given);
    Result r;
    r.experiment = "formats";
    r.provenance = make_provenance("formats", p);
    r.provenance.input = "none (format definitions)";
    struct Row {
      const char* name;
      const char* layout;
      float max, min_normal, min_subnormal;
      const char* specials;
    };
    const Row rows[] = {
        {"E2M1", "s1 e2 m1, bias 1", fp4_e2m1::kMax, fp4_e2m1::kMinNormal, fp4_e2m1::kMinSubnormal, "none"},
        {"E4M3", "s1 e4 m3, bias 7", fp8_e4m3::kMax, fp8_e4m3::kMinNormal, fp8_e4m3::kMinSubnormal, "0x7F/0xFF NaN, no Inf"},
        {"UE4M3", "e4 m3, bias 7 (sign 0)", fp8_e4m3::kMax, fp8_e4m3::kMinNormal, fp8_e4m3::kMinSubnormal, "0x7F NaN"},
        {"E5M2", "s1 e5 m2, bias 15", fp8_e5m2::kMax, fp8_e5m2::kMinNormal, fp8_e5m2::kMinSubnormal,
         "0x7C Inf, 0x7D-0x7F NaN"},
        {"E8M0", "e8, bias 127", ue8m0{0xFE}.to_float(), ue8m0{0x00}.to_float(), 0.0f, "0xFF NaN, no zero"},
        {"INT4", "two's complement", 7.0f, 1.0f, 0.0f, "none; symmetric schemes -7..7"},
        {"E2M3", "s1 e2 m3, bias 1", fp6_e2m3::kMax, fp6_e2m3::kMinNormal, fp6_e2m3::kMinSubnormal,
         "none (OCP MX FP6); NaN -> +max"},
        {"E3M2", "s1 e3 m2, bias 3", fp6_e3m2::kMax, fp6_e3m2::kMinNormal, fp6_e3m2::kMinSubnormal,
         "none (OCP MX FP6); NaN -> +max"},
        {"E2M0", "s1 e2 m0, bias 1", fp3_e2m0::kMax, fp3_e2m0::kMinNormal, 0.0f, "none (FP3: 0, 1, 2, 4); NaN -> +4"},
        {"INT3", "sign-magnitude", int3_sym::kMax, 1.0f, 0.0f, "none; -3..3, 0x4 (-0) unused"},
        {"INT6", "sign-magnitude", int6_sym::kMax, 1.0f, 0.0f, "none; -31..31, 0x20 (-0) unused"},
    };
    Table props{"elements", "Element formats", {"format", "layout", "max", "min normal", "min subnormal", "dynamic range (dB)", "specials"}, {}};
    std::string text = fmt::format("{:<6} {:<24} {:>12} {:>12} {:>13} {:>9}  {}\n", "format", "layout", "max",
                                   "min normal", "min subnormal", "range dB", "specials");
    for (const Row& row : rows) {
      const float smallest = row.min_subnormal > 0 ? row.min_subnormal : row.min_normal;
      const double db = 20.0 * std::log10(double(row.max) / smallest);
      props.rows.push_back({std::string(row.name), std::string(row.layout), double(row.max), double(row.min_normal),
                            double(row.min_subnormal), db, std::string(row.specials)});
      text += fmt::format("{:<6} {:<24} {:>12.6g} {:>12.6g} {:>13.6g} {:>9.1f}  {}\n", row.name, row.layout, row.max,
                          row.min_normal, row.min_subnormal, db, row.specials);
    }
    r.tables.push_back(std::move(props));
    if (p.at("codebooks").get<bool>()) {
      r.tables.push_back(codebook("e2m1", "E2M1 codebook", 4, [](unsigned c) { return e2m1_value(static_cast<std::uint8_t>(c)); }));
      r.tables.push_back(codebook("int4", "INT4 codebook", 4, [](unsigned c) { return int4{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("e4m3", "E4M3 codebook", 8, [](unsigned c) { return fp8_e4m3{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("e5m2", "E5M2 codebook", 8, [](unsigned c) { return fp8_e5m2{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("e8m0", "E8M0 codebook", 8, [](unsigned c) { return ue8m0{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("e2m3", "FP6 E2M3 codebook", 6, [](unsigned c) { return fp6_e2m3{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("e3m2", "FP6 E3M2 codebook", 6, [](unsigned c) { return fp6_e3m2{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("e2m0", "FP3 E2M0 codebook", 3, [](unsigned c) { return fp3_e2m0{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("int3", "INT3 codebook", 3, [](unsigned c) { return int3_sym{static_cast<std::uint8_t>(c)}.to_float(); }));
      r.tables.push_back(codebook("int6", "INT6 codebook", 6, [](unsigned c) { return int6_sym{static_cast<std::uint8_t>(c)}.to_float(); }));
      text += "\nE2M1 codes 0x0-0xF: ";
      for (unsigned c = 0; c < 16; ++c) text += fmt::format("{}{:g}", c ? " " : "", e2m1_value(static_cast<std::uint8_t>(c)));
      text += "\nE2M0 codes 0x0-0x7: ";
      for (unsigned c = 0; c < 8; ++c) text += fmt::format("{}{:g}", c ? " " : "", fp3_e2m0{static_cast<std::uint8_t>(c)}.to_float());
      text += "\nE2M3 codes 0x00-0x1F:";
      for (unsigned c = 0; c < 32; ++c) text += fmt::format(" {:g}", fp6_e2m3{static_cast<std::uint8_t>(c)}.to_float());
      text += "\nE3M2 codes 0x00-0x1F:";
      for (unsigned c = 0; c < 32; ++c) text += fmt::format(" {:g}", fp6_e3m2{static_cast<std::uint8_t>(c)}.to_float());
      text += "\n";
    }
    Table blocks{"blocks", "Block formats: bits per value including block-scale overhead", {"recipe", "block", "2D", "bits per value", "scale"}, {}};
    text += fmt::format("\n{:<28} {:>6} {:>4} {:>14}  {}\n", "block format", "block", "2D", "bits/value", "scale");
    const char* specs[] = {"nvfp4:te", "nvfp4:te:2d", "mxfp4:floor", "nvint4", "int4:g32:sym:fp16", "int4:g64:sym:fp16", "int4:g128:sym:fp16",
                           "int4:g128:asym:fp16", "int4:g128:sym:fp32", "nvfp4:te:bs=8", "nvfp4:te:bs=32", "nvfp4:te:bs=64", "nvfp4:te:bs=128"};
    for (const char* spec : specs) {
      const Recipe rc = core::parse_recipe(spec);
      const BlockFormatTraits ft = format_traits(rc.format);
      const std::string scale =
          !stores_scale_codes(rc.format) ? (rc.int4 == Int4Scheme::kAsymmetric ? "float + 4-bit zero point" : "float")
                                         : std::string(element_traits(scale_element(ft.scale)).name) +
                                               (ft.tensor_scale ? " + FP32 tensor scale" : "");
      const bool two_d = rc.shape == BlockShape::k2D;
      blocks.rows.push_back({core::recipe_to_spec(rc), double(rc.block_size), std::string(two_d ? "yes" : "no"),
                             bits_per_value(rc), scale});
      text += fmt::format("{:<28} {:>6} {:>4} {:>14.4f}  {}\n", core::recipe_to_spec(rc), rc.block_size, two_d ? "yes" : "no",
                          bits_per_value(rc), scale);
    }
    r.tables.push_back(std::move(blocks));
    r.summary = text;
    return r;
  }
};

}  // namespace

std::unique_ptr<Experiment> make_formats() { return std::make_unique<Formats>(); }

}  // namespace fp4lab::exp
