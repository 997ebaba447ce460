// The `formats` table (see formats_table.hpp).
#include "experiments/formats_table.hpp"

#include <fmt/format.h>

#include <cmath>

#include "formats/block.hpp"
#include "formats/e5m2.hpp"
#include "formats/e8m0.hpp"

namespace fp4lab::exp {
namespace {

using namespace fp4lab::formats;

std::string bits_string(unsigned code, int width) {
  std::string s;
  for (int b = width - 1; b >= 0; --b) s += ((code >> b) & 1u) ? '1' : '0';
  return s;
}

struct ElementRow {
  const char* name;
  const char* layout;
  float max, min_normal, min_subnormal;
  const char* specials;
};

}  // namespace

std::string formats_table(bool codebooks) {
  std::string out;
  const ElementRow rows[] = {
      {"E2M1 (fp4_e2m1)", "s1 e2 m1, bias 1", fp4_e2m1::kMax, fp4_e2m1::kMinNormal, fp4_e2m1::kMinSubnormal, "none"},
      {"E4M3 (fp8_e4m3)", "s1 e4 m3, bias 7", fp8_e4m3::kMax, fp8_e4m3::kMinNormal, fp8_e4m3::kMinSubnormal,
       "0x7F/0xFF NaN, no Inf"},
      {"UE4M3 (ue4m3)", "e4 m3, bias 7", fp8_e4m3::kMax, fp8_e4m3::kMinNormal, fp8_e4m3::kMinSubnormal, "0x7F NaN"},
      {"E5M2 (fp8_e5m2)", "s1 e5 m2, bias 15", fp8_e5m2::kMax, fp8_e5m2::kMinNormal, fp8_e5m2::kMinSubnormal,
       "0x7C Inf, 0x7D-0x7F NaN"},
      {"E8M0 (ue8m0)", "e8, bias 127", ue8m0{0xFE}.to_float(), ue8m0{0x00}.to_float(), 0.0f, "0xFF NaN, no zero"},
      {"INT4 (int4)", "two's complement", 7.0f, 1.0f, 0.0f, "none; symmetric -7..7"},
  };
  out += "Element formats (FORMATS.md §1)\n";
  out += fmt::format("{:<18} {:<18} {:>12} {:>12} {:>12} {:>10}  {}\n", "format", "layout", "max", "min normal",
                     "min subnorm", "range dB", "specials");
  for (const ElementRow& r : rows) {
    const float smallest = r.min_subnormal > 0.0f ? r.min_subnormal : r.min_normal;
    out += fmt::format("{:<18} {:<18} {:>12.6g} {:>12.6g} {:>12.6g} {:>10.1f}  {}\n", r.name, r.layout, r.max,
                       r.min_normal, r.min_subnormal, 20.0 * std::log10(double(r.max) / smallest), r.specials);
  }
  if (codebooks) {
    out += "\nE2M1 and INT4 codebooks\n";
    out += fmt::format("{:>4} {:>6} {:>8} {:>6}\n", "code", "bits", "E2M1", "INT4");
    for (unsigned c = 0; c < 16; ++c) {
      out += fmt::format("{:>4X} {:>6} {:>8g} {:>6d}\n", c, bits_string(c, 4), e2m1_value(static_cast<std::uint8_t>(c)),
                         int4{static_cast<std::uint8_t>(c)}.value());
    }
  }
  struct BlockRow {
    const char* name;
    Recipe recipe;
    const char* scale;
  };
  Recipe nvfp4, mx, nvint4, int4_sym, int4_asym, nvfp4_2d;
  mx.format = BlockFormat::kMXFP4;
  mx.block_size = 32;
  nvint4.format = BlockFormat::kNVINT4;
  int4_sym.format = int4_asym.format = BlockFormat::kINT4;
  int4_sym.block_size = int4_asym.block_size = 128;
  int4_sym.int4_scale = int4_asym.int4_scale = ScaleDtype::kFP16;
  int4_asym.int4 = Int4Scheme::kAsymmetric;
  nvfp4_2d.shape = BlockShape::k2D;
  const BlockRow blocks[] = {
      {"NVFP4 (1x16)", nvfp4, "UE4M3 + FP32 tensor scale"},
      {"NVFP4 2D (16x16)", nvfp4_2d, "UE4M3 per tile + FP32 tensor"},
      {"MXFP4 (1x32)", mx, "E8M0"},
      {"NVINT4 (1x16)", nvint4, "UE4M3 + FP32 tensor scale"},
      {"INT4 g128 sym", int4_sym, "FP16"},
      {"INT4 g128 asym", int4_asym, "FP16 + 4-bit zero point"},
  };
  out += "\nBlock formats (FORMATS.md §2-5): bits per value including block-scale overhead\n";
  out += fmt::format("{:<18} {:>6} {:>14}  {}\n", "format", "block", "bits/value", "scale");
  for (const BlockRow& b : blocks) {
    out += fmt::format("{:<18} {:>6} {:>14.4f}  {}\n", b.name, b.recipe.block_size, bits_per_value(b.recipe), b.scale);
  }
  for (int bs : {8, 16, 32, 64, 128}) {
    Recipe r;
    r.block_size = bs;
    out += fmt::format("{:<18} {:>6} {:>14.4f}  {}\n", "NVFP4 block " + std::to_string(bs), bs, bits_per_value(r),
                       "UE4M3");
  }
  return out;
}

}  // namespace fp4lab::exp
