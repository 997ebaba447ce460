// `fp4lab-make-large-file OUT.safetensors [--gib G] [--cols N] [--seed S]`: writes a
// multi-GiB BF16 safetensors file (an LLM-like set of weight tensors, normal values with a
// per-row scale spread) in 16 Mi-element pieces, for experiments/cli/bench_large_file.sh.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/atomic_write.hpp"
#include "core/random.hpp"
#include "experiments/cli/args.hpp"
#include "formats/ieee.hpp"

using namespace fp4lab;

namespace {

struct Planned {
  std::string name;
  std::int64_t rows, cols;
};

/// The tensors of a file of about `gib` GiB: one embedding of 1/4 of the total, then layers
/// of four [rows, cols] projections until the total is reached.
std::vector<Planned> plan(double gib, std::int64_t cols) {
  const auto total = static_cast<std::int64_t>(gib * 1024 * 1024 * 1024 / 2);  // BF16 elements
  std::vector<Planned> out;
  const std::int64_t embed_rows = std::max<std::int64_t>(1, total / 4 / cols);
  out.push_back({"model.embed_tokens.weight", embed_rows, cols});
  std::int64_t left = total - embed_rows * cols;
  const std::int64_t proj_rows = std::max<std::int64_t>(1, embed_rows / 3);
  const char* projs[] = {"self_attn.q_proj", "self_attn.o_proj", "mlp.up_proj", "mlp.down_proj"};
  for (int layer = 0; left > 0; ++layer) {
    for (const char* p : projs) {
      if (left <= 0) break;
      const std::int64_t rows = std::min(proj_rows, (left + cols - 1) / cols);
      out.push_back({fmt::format("model.layers.{}.{}.weight", layer, p), rows, cols});
      left -= rows * cols;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  double gib = 4.0;
  std::int64_t cols = 8192;
  std::uint64_t seed = 7;
  cli::Args args("fp4lab-make-large-file", "Writes an LLM-like BF16 safetensors file of about G GiB.");
  args.positional("OUT.safetensors", out, "the file to write").required();
  args.option("gib", gib, "size in GiB").placeholder("G").range(0, 64).note("above 0");
  args.option("cols", cols, "columns of every tensor").range(16, 1 << 20);
  args.option("seed", seed, "seed of the normal values");
  if (const auto rc = args.parse(argc, argv)) return *rc;
  if (!(gib > 0)) return args.usage_error("--gib takes a number in (0, 64], got '0'");
  try {
    const std::vector<Planned> tensors = plan(gib, cols);
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"source", "fp4lab-make-large-file"}};
    std::uint64_t offset = 0;
    for (const Planned& t : tensors) {
      const std::uint64_t size = static_cast<std::uint64_t>(t.rows * t.cols) * 2;
      header[t.name] = {{"dtype", "BF16"}, {"shape", {t.rows, t.cols}}, {"data_offsets", {offset, offset + size}}};
      offset += size;
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    core::AtomicFile f(out);
    std::uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(h.size()) >> (8 * i));
    f.write(std::span<const std::uint8_t>(len, 8));
    f.write(h);
    constexpr std::int64_t kPiece = std::int64_t{1} << 24;
    std::vector<float> vals;
    std::vector<std::uint16_t> bits;
    std::uint64_t stream = 0;
    for (std::size_t k = 0; k < tensors.size(); ++k) {
      const Planned& t = tensors[k];
      const std::int64_t rows_per_piece = std::max<std::int64_t>(1, kPiece / t.cols);
      for (std::int64_t r0 = 0; r0 < t.rows; r0 += rows_per_piece) {
        const std::int64_t r1 = std::min(t.rows, r0 + rows_per_piece), n = (r1 - r0) * t.cols;
        vals.resize(static_cast<std::size_t>(n));
        bits.resize(static_cast<std::size_t>(n));
        core::fill_normal(vals, seed + k, static_cast<std::uint64_t>(r0 * t.cols), 0);
        for (std::int64_t r = r0; r < r1; ++r) {
          // per-row scale spread: 0.02 * exp(0.5 z_row), a log-normal row scale
          const float s = 0.02f * std::exp(0.5f * core::standard_normal(seed + 1000003 + k, static_cast<std::uint64_t>(r)));
          for (std::int64_t c = 0; c < t.cols; ++c) {
            const std::size_t i = static_cast<std::size_t>((r - r0) * t.cols + c);
            bits[i] = formats::bf16_from_float(vals[i] * s).bits;
          }
        }
        f.write(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bits.data()), bits.size() * 2));
        stream += static_cast<std::uint64_t>(n) * 2;
      }
    }
    f.commit();
    fmt::print("wrote {}: {} BF16 tensors, {:.3f} GiB of data, cols {}\n", out, tensors.size(),
               double(stream) / (1024.0 * 1024 * 1024), cols);
  } catch (const std::exception& ex) {
    fmt::print(stderr, "fp4lab-make-large-file: error: {}\n", ex.what());
    return 1;
  }
  return 0;
}
