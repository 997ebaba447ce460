// The sweep, diff and gemm experiments and the quantize/dequantize commands: hand-built tie and
// tiny-scale inputs, bit-exact round trips through files, external diffs, and bad inputs.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "core/io/npy.hpp"
#include "core/io/quantized_file.hpp"
#include "core/io/safetensors.hpp"
#include "core/quantize.hpp"
#include "core/recipe_spec.hpp"
#include "core/synthetic.hpp"
#include "experiments/experiment.hpp"
#include "tests/experiments/tiny_checkpoint.hpp"
#include "tests/experiments/run_experiment.hpp"
#include "experiments/cli/quantize_command.hpp"

using namespace fp4lab;
using namespace fp4lab::exp;
using namespace fp4lab::exp::testing;
namespace fs = std::filesystem;

namespace {

std::string text(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  return std::to_string(std::get<double>(c));
}

/// A fresh folder under /tmp, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("fp4lab_sdg_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  /// Every file name in the folder (to see that nothing partial is left behind).
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

/// Runs a command function with these arguments; stderr is captured into `err`.
int command(int (*fn)(int, char**), std::vector<std::string> args, std::string* err = nullptr) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::fflush(stderr);
  char name[] = "/tmp/fp4lab_sdg_stderr_XXXXXX";
  const int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  const int saved = ::dup(2);
  ::dup2(fd, 2);
  const int rc = fn(static_cast<int>(argv.size()), argv.data());
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(fd);
  std::ifstream in(name);
  const std::string captured((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  std::remove(name);
  if (err) *err = captured;
  return rc;
}

/// The tests' synthetic matrix (1% outliers, rows scaled apart): the tiny checkpoint's.
core::Tensor synthetic(std::vector<std::int64_t> shape, core::DType dtype, std::uint64_t seed) {
  return testing::tiny_matrix(std::move(shape), dtype, seed);
}

/// An input file with two float tensors (one with columns that are no multiple of 16), and
/// an integer one that quantize must skip.
struct InputFile {
  core::Tensor w = synthetic({64, 96}, core::DType::kBF16, 5);
  core::Tensor b = synthetic({3, 40}, core::DType::kF32, 6);
  std::vector<std::int64_t> idx{1, 2, 3, 4};
  void write(const std::string& path) const {
    const std::vector<core::SafetensorsEntry> entries{
        core::safetensors_entry("layer.w", w.view()),
        core::safetensors_entry("layer.b", b.view()),
        {"idx", "I64", {4}, {reinterpret_cast<const std::uint8_t*>(idx.data()), 32}}};
    core::write_safetensors(path, entries);
  }
};

std::vector<std::uint8_t> floats_bytes(const std::vector<float>& v) {
  std::vector<std::uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

bool same_bits(const core::TensorView& a, const core::TensorView& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  return std::memcmp(a.data(), b.data(),
                     static_cast<std::size_t>(a.numel()) * core::dtype_size(a.dtype())) == 0;
}

std::span<const std::uint8_t> span_of(const std::vector<std::uint8_t>& v) {
  return {v.data(), v.size()};
}

}  // namespace

TEST_SUITE("experiments.sweep") {
  TEST_CASE("the default sweep is 5 block sizes x 5 formats, and larger blocks cost accuracy") {
    const Result r = run("sweep", {{"rows", 64}, {"cols", 256}, {"seed", 3}});
    const Table& t = table(r, "sweep");
    CHECK(t.rows.size() == 25);
    REQUIRE(r.curves.size() == 1);
    REQUIRE(r.curves[0].series.size() == 5);
    for (const Series& s : r.curves[0].series) {
      CHECK(s.x == std::vector<double>{8, 16, 32, 64, 128});
      CHECK(s.y.front() > s.y.back());  // 8-blocks track the data better than 128-blocks
    }
    CHECK(r.scalars.at("sqnr_db:nvfp4:te:bs=16") > 15.0);
    CHECK(text(t.rows[0][2]) == "nvfp4:te:bs=8");
    CHECK(text(t.rows[24][2]) == "int4:g128:sym:fp32");
    // bits per value as stored (README "Bits per value"), for 64 x 256 = 16384 values: 4 + 8/bs
    // for the 8-bit scales, 4 + 32/bs + 8/bs for FP32 INT4 group scales and U8 zero points,
    // plus 64 bits of tensor scale and amax for the whole tensor
    CHECK(std::get<double>(t.rows[0][3]) == (8192 + 2048 + 8) * 8.0 / 16384);
    CHECK(std::get<double>(t.rows[24][3]) == (8192 + 512 + 128 + 8) * 8.0 / 16384);
    CHECK(text(t.rows[10][7]) == "n/a");  // MXFP4's E8M0 scales have no E4M3 subnormals
  }

  TEST_CASE("a block far below amax gets a subnormal UE4M3 scale, and one further below flushes") {
    // te, bs = 16, amax = 448: S_enc = 6, so s_b = e4m3(bmax). Block 2: bmax = 0.01 lies in
    // E4M3's subnormal range [2^-9, 2^-6) (code 5). Block 3: bmax = 1e-6 rounds to code 0.
    TempDir dir;
    std::vector<float> v(48, 0.0f);
    v[0] = 448.0f;
    for (int i = 16; i < 32; ++i) v[i] = 0.01f;
    for (int i = 32; i < 48; ++i) v[i] = -1e-6f;
    core::write_npy(dir / "tiny.npy",
                    core::Tensor::from_floats(v, core::DType::kF32, {1, 48}).view());
    const Result r =
        run("sweep", {{"input", dir / "tiny.npy"}, {"formats", "nvfp4:te"}, {"block_sizes", "16"}});
    const Table& t = table(r, "sweep");
    REQUIRE(t.rows.size() == 1);
    CHECK(std::get<double>(t.rows[0][6]) == 3);  // blocks
    CHECK(std::get<double>(t.rows[0][7]) == 1);  // subnormal
    CHECK(std::get<double>(t.rows[0][8]) == 1);  // flushed
  }

  TEST_CASE("the sweep refuses specs that fix the block size and bad block sizes") {
    CHECK_THROWS_WITH_AS(run("sweep", {{"formats", "nvfp4:te:bs=32"}}),
                         doctest::Contains("sets a block size"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(run("sweep", {{"formats", "int4:g64"}}),
                         doctest::Contains("sets a block size"), std::invalid_argument);
    CHECK_THROWS_AS(run("sweep", {{"block_sizes", "7"}}), std::invalid_argument);
    CHECK_THROWS_AS(run("sweep", {{"block_sizes", "256"}}), std::invalid_argument);
    CHECK_THROWS_AS(run("sweep", {{"formats", "nvfp4:rht"}, {"block_sizes", "8"}}),
                    std::invalid_argument);
  }
}

TEST_SUITE("experiments.diff") {
  TEST_CASE("a recipe diffed with itself differs nowhere") {
    const Result r = run("diff", {{"rows", 64},
                                  {"cols", 96},
                                  {"recipe_a", "nvfp4:4over6:mse"},
                                  {"recipe_b", "nvfp4:4over6:mse"}});
    CHECK(r.scalars.at("codes_differ") == 0);
    CHECK(r.scalars.at("scales_differ") == 0);
    CHECK(r.scalars.at("values_differ") == 0);
    CHECK(r.scalars.at("tensor_scales_equal") == 1);
    CHECK(r.scalars.at("elements") == 64 * 96);
    CHECK(table(r, "examples").rows.empty());
  }

  TEST_CASE("te and torchao round the constructed tie differently (nvfp4_recipes_test)") {
    // amax = 0.203125, x = amax/8: te's reciprocal chain scales x to 0.74999994 -> 0.5 (0x1),
    // torchao's product gives 0.75 exactly, a tie that goes to the even 1.0 (0x2).
    TempDir dir;
    const std::vector<float> v{0.203125f, 0.025390625f};
    core::write_npy(dir / "tie.npy",
                    core::Tensor::from_floats(v, core::DType::kF32, {1, 2}).view());
    const Result r =
        run("diff",
            {{"input", dir / "tie.npy"}, {"recipe_a", "nvfp4:te"}, {"recipe_b", "nvfp4:torchao"}});
    CHECK(r.scalars.at("codes_differ") == 1);
    CHECK(r.scalars.at("scales_differ") == 0);
    CHECK(r.scalars.at("tensor_scales_equal") == 1);
    const Table& ex = table(r, "examples");
    REQUIRE(ex.rows.size() == 1);
    CHECK(std::get<double>(ex.rows[0][0]) == 0);
    CHECK(std::get<double>(ex.rows[0][1]) == 1);
    CHECK(std::get<double>(ex.rows[0][2]) == 0.025390625);
    CHECK(text(ex.rows[0][3]) == "0x1 (+0.5)");
    CHECK(text(ex.rows[0][4]) == "0x2 (+1)");
    CHECK(text(ex.rows[0][5]) == "0x7e (448)");
  }

  TEST_CASE("examples are capped at the parameter") {
    const Result r = run("diff", {{"rows", 64},
                                  {"cols", 96},
                                  {"recipe_a", "nvfp4:te"},
                                  {"recipe_b", "mxfp4:floor"},
                                  {"examples", 7}});
    CHECK(table(r, "examples").rows.size() == 7);
    CHECK(r.scalars.count("scales_differ") == 0);  // block sizes 16 and 32: no block-wise count
    CHECK(r.scalars.at("scale_elements_differ") > 0);
  }
}

TEST_SUITE("experiments.quantized_file") {
  TEST_CASE(
      "quantize writes what core::quantize computes and dequantize gives core::dequantize's bits") {
    TempDir dir;
    const InputFile in;
    in.write(dir / "in.safetensors");
    for (const char* spec :
         {"nvfp4:te", "nvfp4:4over6:mse", "mxfp4:rceil", "int4:g32:asym:fp16", "nvint4:rht"}) {
      for (const bool swizzle : {false, true}) {
        CAPTURE(spec);
        CAPTURE(swizzle);
        std::vector<std::string> args{"quantize", dir / "in.safetensors", "--recipe",  spec,
                                      "--out",    dir / "q.safetensors",  "--threads", "2"};
        if (swizzle) args.push_back("--swizzle");
        args.push_back("--force");  // the loop reuses q.safetensors
        std::string err;
        REQUIRE(command(run_quantize_command, args, &err) == 0);
        // non-float tensors pass through unchanged (they were dropped before issue 12)
        CHECK(err.find("idx [4] -> pass-through (not float data; stored as I64)") != std::string::npos);
        const core::SafetensorsFile f = core::open_safetensors(dir / "q.safetensors");
        const formats::Recipe r = core::parse_recipe(spec);
        // int4's FP32 group scales are always row-major (--swizzle is for 8-bit scales)
        const formats::ScaleLayout layout = swizzle && r.format != formats::BlockFormat::kINT4
                                                ? formats::ScaleLayout::kSwizzled128x4
                                                : formats::ScaleLayout::kRowMajor;
        CHECK(f.metadata().at("fp4lab.format") == std::string(core::kQuantizedFileFormat));
        CHECK(f.metadata().at("fp4lab.tensors") == "[\"layer.b\",\"layer.w\"]");
        for (const auto& [name, t] : {std::pair{"layer.w", &in.w}, std::pair{"layer.b", &in.b}}) {
          const std::string n = name;
          const core::QuantizedTensor q =
              core::quantize(t->view(), core::QuantizeOptions{r, layout, 1, false});
          CHECK(f.metadata().at(n + ".recipe") == core::recipe_to_spec(r));
          CHECK(f.metadata().at(n + ".shape") == (n == "layer.w" ? "[64,96]" : "[3,40]"));
          CHECK(f.metadata().at(n + ".dtype") == (n == "layer.w" ? "BF16" : "F32"));
          CHECK(f.metadata().at(n + ".scale_layout") == core::scale_layout_name(layout));
          const auto codes = f.raw(n + ".codes");
          CHECK(std::vector<std::uint8_t>(codes.begin(), codes.end()) == q.codes);
          CHECK(f.info(n + ".codes").shape == std::vector<std::int64_t>{q.rows, q.padded_cols / 2});
          if (r.format == formats::BlockFormat::kINT4) {
            // group scales are stored in the recipe's dtype; zero points only for asymmetric INT4
            const std::string gs_dtype = f.info(n + ".group_scales").dtype;
            CHECK(gs_dtype == (r.int4_scale == formats::ScaleDtype::kFP32   ? "F32"
                               : r.int4_scale == formats::ScaleDtype::kFP16 ? "F16"
                                                                            : "BF16"));
            const core::TensorView gsv = f.view(n + ".group_scales");
            std::vector<float> stored(static_cast<std::size_t>(gsv.numel()));
            gsv.to_float(0, stored);
            CHECK(floats_bytes(stored) == floats_bytes(q.group_scales));
            if (r.int4 == formats::Int4Scheme::kAsymmetric) {
              const auto zp = f.raw(n + ".zero_points");
              CHECK(std::vector<std::uint8_t>(zp.begin(), zp.end()) == q.zero_points);
            } else {
              CHECK(!f.contains(n + ".zero_points"));
            }
            CHECK(!f.contains(n + ".scales"));
          } else {
            const auto sc = f.raw(n + ".scales");
            CHECK(std::vector<std::uint8_t>(sc.begin(), sc.end()) == q.scales);
          }
          float ts = 0;
          std::memcpy(&ts, f.raw(n + ".tensor_scale").data(), 4);
          CHECK(ts == q.tensor_scale.decode);
        }
        // the streamed file is byte for byte what the in-memory writer makes of the same entries
        std::vector<core::SafetensorsEntry> entries;
        for (const std::string& n : f.names()) {
          const core::SafetensorsInfo& i = f.info(n);
          entries.push_back({n, i.dtype, i.shape, f.raw(n)});
        }
        const std::vector<std::uint8_t> expect = core::serialize_safetensors(entries, f.metadata());
        std::ifstream raw(dir / "q.safetensors", std::ios::binary);
        const std::vector<std::uint8_t> got((std::istreambuf_iterator<char>(raw)),
                                            std::istreambuf_iterator<char>());
        CHECK(got == expect);

        for (const char* dtype : {"f32", "bf16"}) {
          REQUIRE(command(run_dequantize_command,
                          {"dequantize", dir / "q.safetensors", "--out", dir / "dq.safetensors",
                           "--dtype", dtype, "--quiet", "--force"}) == 0);
          const core::SafetensorsFile d = core::open_safetensors(dir / "dq.safetensors");
          const core::DType dt =
              std::string(dtype) == "f32" ? core::DType::kF32 : core::DType::kBF16;
          for (const auto& [name, t] : {std::pair{"layer.w", &in.w}, std::pair{"layer.b", &in.b}}) {
            const core::QuantizedTensor q =
                core::quantize(t->view(), core::QuantizeOptions{r, layout, 1, false});
            CHECK(same_bits(d.view(name), core::dequantize(q, dt, 1).view()));
          }
        }
      }
    }
    CHECK(dir.files() ==
          std::vector<std::string>{"dq.safetensors", "in.safetensors", "q.safetensors"});
  }

  TEST_CASE(
      "dequantize works a large tensor in row chunks (swizzled tiles of 128 rows) with the same "
      "bits") {
    // 2^24 elements per chunk: a [4200, 4096] tensor is dequantized in chunks of 4096 rows
    TempDir dir;
    const core::Tensor x = synthetic({4200, 4096}, core::DType::kBF16, 9);
    core::write_npy(dir / "big.npy", x.view());
    REQUIRE(
        command(run_quantize_command, {"quantize", dir / "big.npy", "--recipe", "nvfp4:te", "--out",
                                       dir / "q.safetensors", "--swizzle", "--quiet"}) == 0);
    REQUIRE(command(run_dequantize_command, {"dequantize", dir / "q.safetensors", "--out",
                                             dir / "dq.safetensors", "--quiet"}) == 0);
    const core::SafetensorsFile d = core::open_safetensors(dir / "dq.safetensors");
    const core::QuantizedTensor q = core::quantize(
        x.view(), core::QuantizeOptions{core::parse_recipe("nvfp4:te"),
                                        formats::ScaleLayout::kSwizzled128x4, 0, false});
    CHECK(same_bits(d.view("big"), core::dequantize(q).view()));
  }

  TEST_CASE("--tensors selects by glob, and a .npy tensor is named after its file") {
    TempDir dir;
    const InputFile in;
    in.write(dir / "in.safetensors");
    REQUIRE(command(run_quantize_command,
                    {"quantize", dir / "in.safetensors", "--recipe", "nvfp4:te", "--tensors", "*.w",
                     "--out", dir / "q.safetensors", "--quiet"}) == 0);
    const core::SafetensorsFile f = core::open_safetensors(dir / "q.safetensors");
    // the tensors --tensors does not match pass through unchanged (they were dropped before issue 12)
    CHECK(f.names() == std::vector<std::string>{"idx", "layer.b", "layer.w.amax", "layer.w.codes", "layer.w.scales",
                                                "layer.w.tensor_scale"});
    core::write_npy(dir / "act.npy", in.b.view());
    REQUIRE(command(run_quantize_command, {"quantize", dir / "act.npy", "--recipe", "mxfp4",
                                           "--out", dir / "q2.safetensors", "--quiet"}) == 0);
    CHECK(core::open_safetensors(dir / "q2.safetensors").contains("act.codes"));
  }

  TEST_CASE("bad inputs fail with a clear message, exit status != 0 and no output left behind") {
    TempDir dir;
    const InputFile in;
    in.write(dir / "in.safetensors");
    const std::string out = dir / "out.safetensors";
    struct Case {
      std::vector<std::string> args;
      int status;
      const char* message;
    };
    // a truncated copy of the input
    {
      std::ifstream src(dir / "in.safetensors", std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(src)),
                              std::istreambuf_iterator<char>());
      std::ofstream(dir / "cut.safetensors", std::ios::binary).write(bytes.data(), 200);
    }
    // NaN and Inf inputs
    std::vector<float> bad(32, 1.0f);
    bad[3] = std::numeric_limits<float>::quiet_NaN();
    bad[9] = std::numeric_limits<float>::infinity();
    core::write_npy(dir / "nan.npy",
                    core::Tensor::from_floats(bad, core::DType::kF32, {2, 16}).view());
    const std::string i = dir / "in.safetensors";
    const std::vector<Case> cases{
        {{"quantize", dir / "missing.safetensors", "--recipe", "nvfp4", "--out", out},
         1,
         "missing.safetensors"},
        {{"quantize", i, "--recipe", "nvfp4:tee", "--out", out}, 1, "bad recipe spec"},
        {{"quantize", i, "--recipe", "nvfp4:4over6:ref_unclamped", "--out", out},
         1,
         "ref_unclamped"},
        {{"quantize", i, "--recipe", "if4:ref_unclamped", "--out", out}, 1, "ref_unclamped"},
        {{"quantize", i, "--recipe", "nvfp4", "--tensors", "nope*", "--out", out},
         1,
         "layer.b, layer.w"},
        {{"quantize", i, "--recipe", "nvfp4", "--tensors", "idx", "--out", out}, 1, "idx (I64)"},
        {{"quantize", dir / "cut.safetensors", "--recipe", "nvfp4", "--out", out},
         1,
         "cut.safetensors"},
        {{"quantize", dir / "nan.npy", "--recipe", "nvfp4", "--out", out}, 1, "nan: 2"},
        {{"quantize", i, "--out", out}, 2, "--recipe SPEC is required"},
        {{"quantize", i, "--recipe", "nvfp4"}, 2, "--out"},
        {{"quantize", i, "--recipe", "nvfp4", "--out", out, "--threads", "x"}, 2, "--threads"},
        {{"quantize", i, "--recipe", "nvfp4", "--out", out, "--bogus"},
         2,
         "unknown option '--bogus'"},
        {{"quantize", i, "--recipe", "nvfp4", "--out", i}, 2, "is the input file"},
        {{"quantize", dir / "x.txt", "--recipe", "nvfp4", "--out", out}, 2, ".safetensors or .npy"},
        {{"quantize", i, "--recipe", "nvfp4", "--out", dir / "no/such/dir/out.safetensors"},
         1,
         "no/such/dir"},
        {{"dequantize", i, "--out", out}, 1, "fp4lab.format"},
        {{"dequantize", dir / "cut.safetensors", "--out", out}, 1, "cut.safetensors"},
        {{"dequantize", i, "--out", out, "--dtype", "f8"}, 2, "--dtype"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.args[1]);
      CAPTURE(c.message);
      std::string err;
      const auto fn = c.args[0] == "quantize" ? run_quantize_command : run_dequantize_command;
      CHECK(command(fn, c.args, &err) == c.status);
      CHECK(err.find(c.message) != std::string::npos);
      CHECK(!fs::exists(out));
    }
    CHECK(dir.files() == std::vector<std::string>{"cut.safetensors", "in.safetensors", "nan.npy"});
    // NaN/Inf are counted and, when allowed, stored as the recipe encodes them
    std::string err;
    CHECK(command(
              run_quantize_command,
              {"quantize", dir / "nan.npy", "--recipe", "nvfp4", "--out", out, "--allow-nonfinite"},
              &err) == 0);
    CHECK(err.find("warning: NaN/Inf inputs (name: count) nan: 2") != std::string::npos);
  }

  TEST_CASE("dequantize rejects a file whose tensors do not match their metadata") {
    TempDir dir;
    const InputFile in;
    in.write(dir / "in.safetensors");
    REQUIRE(
        command(run_quantize_command, {"quantize", dir / "in.safetensors", "--recipe", "nvfp4:te",
                                       "--out", dir / "q.safetensors", "--quiet"}) == 0);
    const core::SafetensorsFile f = core::open_safetensors(dir / "q.safetensors");
    auto rewrite = [&](const std::string& drop, const std::string& meta_key,
                       const std::string& meta_value) {
      std::vector<core::SafetensorsEntry> entries;
      for (const std::string& n : f.names()) {
        if (n != drop) entries.push_back({n, f.info(n).dtype, f.info(n).shape, f.raw(n)});
      }
      auto meta = f.metadata();
      if (!meta_key.empty()) meta[meta_key] = meta_value;
      core::write_safetensors(dir / "bad.safetensors", entries, meta);
    };
    const std::vector<std::pair<std::array<std::string, 3>, const char*>> cases{
        {{"layer.w.scales", "", ""}, "'layer.w.scales' is missing"},
        {{"", "layer.w.shape", "[64,80]"}, "expected U8 [64, 40]"},
        {{"", "layer.w.recipe", "nvint4"}, "does not follow from amax"},
        {{"", "layer.w.scale_layout", "diagonal"}, "scale layout 'diagonal'"},
        {{"", "fp4lab.tensors", "[\"layer.q\"]"}, "layer.q.recipe"},
    };
    for (const auto& [edit, message] : cases) {
      CAPTURE(message);
      rewrite(edit[0], edit[1], edit[2]);
      std::string err;
      CHECK(command(run_dequantize_command,
                    {"dequantize", dir / "bad.safetensors", "--out", dir / "o.safetensors"},
                    &err) == 1);
      CHECK(err.find(message) != std::string::npos);
      CHECK(!fs::exists(dir / "o.safetensors"));
    }
  }
}

TEST_SUITE("experiments.diff.external") {
  TEST_CASE("an external file of the same recipe matches bit for bit; another recipe differs") {
    TempDir dir;
    const InputFile in;
    in.write(dir / "in.safetensors");
    for (const bool swizzle : {false, true}) {
      CAPTURE(swizzle);
      std::vector<std::string> args{"quantize", dir / "in.safetensors", "--recipe", "nvfp4:te",
                                    "--out",    dir / "q.safetensors",  "--quiet"};
      if (swizzle) args.push_back("--swizzle");
      args.push_back("--force");  // the loop reuses q.safetensors
      REQUIRE(command(run_quantize_command, args) == 0);
      Params p{{"input", dir / "in.safetensors"},
               {"tensor", "layer.w"},
               {"external", dir / "q.safetensors"},
               {"prefix", "layer.w"},
               {"recipe_a", "nvfp4:te"}};
      Result r = run("diff", p);  // scale_layout auto: the file's metadata says which
      CHECK(r.scalars.at("codes_differ") == 0);
      CHECK(r.scalars.at("scales_differ") == 0);
      CHECK(r.scalars.at("values_differ") == 0);
      CHECK(r.scalars.at("tensor_scales_equal") == 1);
      p["recipe_a"] = "nvfp4:4over6:mse";
      r = run("diff", p);
      CHECK(r.scalars.at("codes_differ") > 0);
      CHECK(r.scalars.at("scales_differ") > 0);
      CHECK(r.scalars.at("tensor_scales_equal") == 0);
      CHECK(table(r, "examples").rows.size() == 20);
      // the same arrays as three .npy files in a folder, layout given explicitly
      const core::SafetensorsFile f = core::open_safetensors(dir / "q.safetensors");
      fs::create_directories(dir / "npy");
      for (const char* what : {"codes", "scales", "tensor_scale"}) {
        const core::SafetensorsInfo& i = f.info(std::string("layer.w.") + what);
        const auto raw = f.raw(std::string("layer.w.") + what);
        if (i.dtype == "U8") {
          core::write_npy(dir / (std::string("npy/") + what + ".npy"), core::NpyDType::kU8, i.shape,
                          raw);
        } else {
          core::write_npy(dir / (std::string("npy/") + what + ".npy"), core::NpyDType::kF32,
                          i.shape, raw);
        }
      }
      p["external"] = dir / "npy";
      p["prefix"] = "";
      p["recipe_a"] = "nvfp4:te";
      p["scale_layout"] = swizzle ? "swizzled" : "row_major";
      r = run("diff", p);
      CHECK(r.scalars.at("codes_differ") == 0);
      CHECK(r.scalars.at("scales_differ") == 0);
      p["scale_layout"] = swizzle ? "row_major" : "swizzled";
      CHECK_THROWS_WITH_AS(run("diff", p),
                           doctest::Contains("that is the size of the other layout"),
                           std::invalid_argument);
      fs::remove_all(dir / "npy");
    }
  }

  TEST_CASE("one flipped code in an external file is exactly one difference, with its input") {
    TempDir dir;
    const InputFile in;
    in.write(dir / "in.safetensors");
    for (const char* recipe : {"nvfp4:te", "mxfp4:rceil", "nvfp4:4over6:mse"}) {
      for (const bool swizzle : {false, true}) {
        CAPTURE(recipe);
        CAPTURE(swizzle);
        std::vector<std::string> args{"quantize", dir / "in.safetensors", "--recipe", recipe,
                                      "--out",    dir / "q.safetensors",  "--quiet"};
        if (swizzle) args.push_back("--swizzle");
        args.push_back("--force");  // the loop reuses q.safetensors
        REQUIRE(command(run_quantize_command, args) == 0);
        // layer.w is [64, 96]: codes [64, 48]; byte 5 * 48 + 7 holds (5, 14) in its low nibble
        const core::SafetensorsFile f = core::open_safetensors(dir / "q.safetensors");
        std::vector<core::SafetensorsEntry> entries;
        std::vector<std::uint8_t> codes;
        for (const std::string& n : f.names()) {
          if (n == "layer.w.codes") {
            const auto raw = f.raw(n);
            codes.assign(raw.begin(), raw.end());
            codes[5 * 48 + 7] ^= 0x01;  // the low nibble only: one element
          }
        }
        REQUIRE(codes.size() == 64 * 48);
        for (const std::string& n : f.names()) {
          entries.push_back({n, f.info(n).dtype, f.info(n).shape,
                             n == "layer.w.codes" ? span_of(codes) : f.raw(n)});
        }
        core::write_safetensors(dir / "flipped.safetensors", entries, f.metadata());
        const Params p{{"input", dir / "in.safetensors"},
                       {"tensor", "layer.w"},
                       {"external", dir / "flipped.safetensors"},
                       {"prefix", "layer.w"},
                       {"recipe_a", recipe}};
        const Result r = run("diff", p);
        CHECK(r.scalars.at("codes_differ") == 1);
        CHECK(r.scalars.at("values_differ") == 1);
        CHECK(r.scalars.at("scales_differ") == 0);
        CHECK(r.scalars.at("padding_codes_differ") == 0);
        const Table& ex = table(r, "examples");
        REQUIRE(ex.rows.size() == 1);
        CHECK(std::get<double>(ex.rows[0][0]) == 5);
        CHECK(std::get<double>(ex.rows[0][1]) == 14);
        CHECK(std::get<double>(ex.rows[0][2]) == double(in.w.at(5 * 96 + 14)));
        CHECK(r.summary.find("codes differ: 1 of 6144") != std::string::npos);
      }
    }
  }

  TEST_CASE("external arrays with a wrong dtype, size or name are rejected, naming what is there") {
    TempDir dir;
    const InputFile in;
    in.write(dir / "in.safetensors");
    // layer.w is [64, 96]: codes [64, 48], row-major scales [64, 6]
    const std::vector<std::uint8_t> codes(64 * 48, 0x22), scales(64 * 6, 0x38), wide(64 * 96, 0);
    const std::vector<std::uint8_t> ts = floats_bytes({0.25f});
    auto write = [&](std::vector<core::SafetensorsEntry> entries) {
      core::write_safetensors(dir / "ext.safetensors", entries);
    };
    const Params p{{"input", dir / "in.safetensors"},
                   {"tensor", "layer.w"},
                   {"external", dir / "ext.safetensors"},
                   {"recipe_a", "nvfp4:te"}};
    write({{"codes", "U8", {64, 48}, span_of(codes)},
           {"scales", "U8", {64, 6}, span_of(scales)},
           {"tensor_scale", "F32", {1}, span_of(ts)}});
    const Result ok = run("diff", p);
    CHECK(ok.scalars.at("codes_differ") > 0);
    CHECK(ok.scalars.at("tensor_scale_b") == 0.25);

    write({{"codes", "F32", {64, 12}, span_of(codes)},
           {"scales", "U8", {64, 6}, span_of(scales)},
           {"tensor_scale", "F32", {1}, span_of(ts)}});
    CHECK_THROWS_WITH_AS(run("diff", p), doctest::Contains("wrong dtype, expected U8"),
                         std::invalid_argument);
    write({{"codes", "U8", {64, 96}, span_of(wide)},
           {"scales", "U8", {64, 6}, span_of(scales)},
           {"tensor_scale", "F32", {1}, span_of(ts)}});
    CHECK_THROWS_WITH_AS(run("diff", p), doctest::Contains("one code per byte"),
                         std::invalid_argument);
    write({{"codes", "U8", {64, 48}, span_of(codes)},
           {"scales", "U8", {64, 5}, {scales.data(), 320}},
           {"tensor_scale", "F32", {1}, span_of(ts)}});
    CHECK_THROWS_WITH_AS(run("diff", p), doctest::Contains("wrong size, 320 bytes"),
                         std::invalid_argument);
    write({{"codes", "U8", {64, 48}, span_of(codes)},
           {"scales", "F8_E8M0", {64, 6}, span_of(scales)},
           {"tensor_scale", "F32", {1}, span_of(ts)}});
    CHECK_THROWS_WITH_AS(run("diff", p), doctest::Contains("expected U8 or F8_E4M3"),
                         std::invalid_argument);
    write({{"codes", "U8", {64, 48}, span_of(codes)}, {"scales", "U8", {64, 6}, span_of(scales)}});
    CHECK_THROWS_WITH_AS(run("diff", p), doctest::Contains("no tensor_scale"),
                         std::invalid_argument);
    write({{"q", "U8", {64, 48}, span_of(codes)}, {"s", "U8", {64, 6}, span_of(scales)}});
    CHECK_THROWS_WITH_AS(run("diff", p), doctest::Contains("the file holds q, s"),
                         std::invalid_argument);
    // 64 rows and 6 scale columns: 384 bytes row-major, 128 x 8 swizzled; here both differ,
    // so auto decides by size; 128 rows x 8 scale columns would be ambiguous
    Params q = p;
    q["scale_layout"] = "sideways";
    CHECK_THROWS_WITH_AS(run("diff", q), doctest::Contains("scale layout 'sideways'"),
                         std::invalid_argument);
    q = p;
    q["external"] = dir / "nowhere";
    CHECK_THROWS_AS(run("diff", q), std::invalid_argument);
    q["external"] = dir.path.string();  // a folder without the .npy files
    CHECK_THROWS_WITH_AS(run("diff", q), doctest::Contains("codes.npy is missing"),
                         std::invalid_argument);
    q["external"] = dir / "ext.safetensors";
    q["recipe_a"] = "int4";
    CHECK_THROWS_WITH_AS(run("diff", q),
                         doctest::Contains("recipe_a must be nvfp4, mxfp4 or nvint4"),
                         std::invalid_argument);
  }
}

TEST_SUITE("experiments.gemm") {
  TEST_CASE("NVFP4 GEMM error is plausible and 4/6 is no worse than static_6") {
    const Result r = run("gemm", {{"m", 128}, {"n", 96}, {"k", 256}, {"threads", 2}});
    const Table& t = table(r, "gemm");
    CHECK(t.rows.size() == 6);
    const double te = r.scalars.at("rel_fro:nvfp4:te:bs=16");
    // NVFP4 keeps ~9.5% relative RMS error per operand on normal data; two independent errors
    // give ~sqrt(2) * 9.5% in the product: far from both 1e-3 and 0.5
    CHECK(te > 1e-3);
    CHECK(te < 0.5);
    CHECK(r.scalars.at("cosine:nvfp4:te:bs=16") > 0.95);
    // static_6 is te's scale rule through 4/6's arithmetic; 4/6 picks the better candidate per
    // block, so only noise (2%) may put it behind
    CHECK(r.scalars.at("rel_fro:nvfp4:4over6:mse:bs=16") <=
          1.02 * r.scalars.at("rel_fro:nvfp4:static_6:bs=16"));
  }

  TEST_CASE("gemm is deterministic for any thread count and takes pairs A/B") {
    Params p{
        {"m", 100}, {"n", 70}, {"k", 160}, {"recipes", "nvfp4:te/mxfp4:floor"}, {"threads", 1}};
    const Result a = run("gemm", p);
    p["threads"] = 3;
    const Result b = run("gemm", p);
    CHECK(a.scalars == b.scalars);
    const Table& t = table(a, "gemm");
    REQUIRE(t.rows.size() == 2);
    CHECK(text(t.rows[1][0]) == "nvfp4:te:bs=16");
    CHECK(text(t.rows[1][1]) == "mxfp4:floor:bs=32");
    CHECK(a.scalars.count("rel_fro:nvfp4:te:bs=16 x mxfp4:floor:bs=32") == 1);
  }
}
