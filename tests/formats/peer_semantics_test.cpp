// Peer semantics of the formats library (README "Semantics", FORMATS.md §1-3): the 4/6
// error-sum orders on near-tie blocks, torchao's CPU/CUDA/single-level scales, ml_dtypes'
// signed zero for NaN (NanPolicy::kToZero) and the roundings E8M0 has.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "formats/block.hpp"
#include "formats/ordered_sum.hpp"

using namespace fp4lab::formats;

namespace {

/// The tree order by its definition, on a copy: while m > 1, h = ceil(m/2) and
/// a[i] += a[i + h] for i + h < m, then m = h.
float tree_by_definition(std::vector<float> a) {
  int m = static_cast<int>(a.size());
  while (m > 1) {
    const int h = (m + 1) / 2;
    for (int i = 0; i + h < m; ++i) a[static_cast<std::size_t>(i)] += a[static_cast<std::size_t>(i + h)];
    m = h;
  }
  return a.empty() ? 0.0f : a[0];
}

/// A block quantized under 4/6 MSE (or `rule`) with each summation order.
struct Choices {
  int chosen[3];
  float err6[3], err4[3];
};
Choices choices(const float* x, int n, FourSixRule rule = FourSixRule::kMse) {
  Recipe r;
  r.nv = NvRecipe::kFourOverSix;
  r.rule = rule;
  const TensorScale t = four_over_six_tensor_scale(rule, 1.0f);  // every block below has amax 1
  Choices c{};
  for (int o = 0; o < 3; ++o) {
    r.sum = static_cast<SumOrder>(o);
    const BlockRecord rec = four_over_six_quantize_block(r, t, BlockIO{x, n});
    c.chosen[o] = rec.chosen_max;
    c.err6[o] = rec.err6;
    c.err4[o] = rec.err4;
  }
  return c;
}

// Near-tie blocks: random values in [-1, 1] with x[0] = 1, then one element moved by bisection
// to where err4 - err6 changes sign under one order and scanned ulp by ulp until the orders
// disagree (tests/formats/peer_semantics_test.cpp records the search; the values are frozen).
constexpr float kSeqAlone[16] = {  // seq picks M=4, pairs and tree M=6
    0x1p+0f,       0x1.5f9dc4p-1f, 0x1.1e3914p-1f,  0x1.dba5bp-3f,  -0x1.e8843ap-1f, -0x1.b42994p-2f,
    0x1.3e1b7p-3f, -0x1.0e00fcp-2f, -0x1.fe5184p-1f, 0x1.8706fp-2f,  0x1.fb018p-6f,   0x1.43c174p-1f,
    0x1.1e4cfp-2f, 0x1.b3dbe4p-1f, 0x1.f14788p-1f,  -0x1.fa2096p-1f};
constexpr float kPairsAlone[16] = {  // pairs picks M=6, seq and tree M=4
    0x1p+0f,        0x1.3befe8p-2f,  -0x1.15624p-5f,  0x1.2c1fb8p-1f, 0x1.5732p-7f,   -0x1.717b26p-2f,
    -0x1.cf49a8p-3f, 0x1.cef84p-3f,   0x1.2caf4cp-1f,  0x1.f6a1e8p-1f, 0x1.47b27p-3f,  -0x1.85a5c8p-1f,
    -0x1.59ce64p-1f, -0x1.67dea2p-1f, 0x1.9b2408p-2f,  0x1.68bc5cp-1f};
constexpr float kTreeAlone[16] = {  // tree picks M=4, seq and pairs M=6
    0x1p+0f,        0x1.07d964p-1f, 0x1.1f0ad4p-1f,  0x1.453144p-1f, -0x1.64d08ap-1f, -0x1.f0772p-2f,
    -0x1.1cb714p-1f, 0x1.927fa8p-1f, -0x1.cadea8p-3f, 0x1.bf5408p-2f, 0x1.bedb5cp-1f,  -0x1.eae408p-1f,
    0x1.e76b58p-1f,  -0x1.6ddb82p-1f, 0x1.610abp-2f,  -0x1.65c5ep-2f};
constexpr float kMaeTreeAlone[16] = {  // under mae: tree picks M=6, seq and pairs M=4
    0x1p+0f,        0x1.c021e8p-1f, -0x1.77a26ep-1f, -0x1.a3381p-4f, -0x1.18ce3cp-3f, -0x1.d879bp-3f,
    0x1.006b7p-1f,  -0x1.23e404p-2f, 0x1.5a23ap-2f,   -0x1.3a00fcp-1f, -0x1.082b2p-4f, -0x1.991d5ap-1f,
    -0x1.2e3c0ap-1f, -0x1.1c7a2p-5f, -0x1.2e954p-6f,  0x1.d1bacp-3f};
// a 16x16 tile, row-major (the 256 values one 2-D scale covers): seq and tree pick M=4, pairs M=6
constexpr float kTile[256] = {
    0x1p+0f, 0x1.bfc19cp-1f, 0x1.9926ep-1f, -0x1.60ab88p-2f, -0x1.1c53dp-3f, -0x1.da840ep-1f, -0x1.03c1ap-2f, -0x1.0d97cp-2f, 0x1.247294p-1f, -0x1.8c755cp-2f, 0x1.f75058p-1f, -0x1.337c7p-1f, 0x1.6594ap-4f, 0x1.aad8p-4f, -0x1.2968c6p-1f, -0x1.2719ep-5f,
    0x1.36f91cp-1f, 0x1.4bd92p-1f, 0x1.5f4bf8p-1f, -0x1.22a5bp-1f, 0x1.6765bp-1f, -0x1.14b06cp-1f, -0x1.fd1708p-3f, -0x1.898c54p-2f, 0x1.bbfa04p-1f, -0x1.5cd7ap-2f, -0x1.091a24p-1f, 0x1.773f1p-3f, 0x1.4044c8p-2f, 0x1.bdc928p-1f, 0x1.2bb1dp-1f, -0x1.61716cp-2f,
    0x1.bffbp-3f, 0x1.462164p-1f, 0x1.4ea7fp-1f, 0x1.7c6ecp-1f, 0x1.e24528p-1f, 0x1.9867dp-2f, -0x1.6e9c7p-4f, -0x1.327ca8p-3f, 0x1.2a9838p-2f, -0x1.ef869cp-1f, -0x1.a98148p-2f, 0x1.b032cp-4f, 0x1.4641dp-2f, -0x1.b7545cp-1f, -0x1.cb3e8p-1f, 0x1.67c2d8p-1f,
    -0x1.92934ap-1f, -0x1.5dac8p-2f, -0x1.f0e8b2p-1f, 0x1.3a135p-1f, -0x1.46015p-4f, -0x1.03813ep-1f, -0x1.976c7p-2f, 0x1.d4ef4cp-1f, -0x1.34a3fp-2f, -0x1.ef0dfp-2f, 0x1.4a2a58p-2f, -0x1.7db39p-3f, -0x1.144b44p-1f, 0x1.b37fp-7f, -0x1.a99fe4p-1f, -0x1.fdd82ep-1f,
    -0x1.2f4358p-3f, 0x1.600fep-4f, -0x1.1b57b6p-1f, -0x1.c6e1dp-1f, 0x1.22099cp-1f, -0x1.16a42cp-2f, -0x1.0967c4p-2f, -0x1.a69654p-1f, -0x1.83f384p-1f, 0x1.d45ae8p-2f, -0x1.cbf9dcp-2f, 0x1.0a4d4p-3f, 0x1.5589d8p-2f, 0x1.d8efd8p-1f, 0x1.a59f2p-4f, -0x1.cca28cp-2f,
    -0x1.beec48p-2f, 0x1.f0e9b8p-1f, -0x1.7d54bcp-1f, 0x1.ed0fc8p-1f, -0x1.aabebp-2f, -0x1.79b8a8p-2f, 0x1.f2204p-3f, 0x1.da054p-1f, -0x1.202eap-4f, -0x1.c414c6p-1f, 0x1.8ea894p-1f, 0x1.eb501p-1f, 0x1.d0c948p-2f, 0x1.f7055cp-1f, 0x1.2611ap-1f, -0x1.84971ap-1f,
    0x1.ffed38p-2f, 0x1.80f5c8p-1f, 0x1.bf6fb4p-1f, -0x1.976128p-1f, 0x1.0af4p-3f, -0x1.b0ebbp-3f, -0x1.373048p-2f, -0x1.ced3ap-2f, 0x1.01c97cp-1f, -0x1.94f72cp-1f, -0x1.aac9ecp-1f, 0x1.7d8e4p-5f, 0x1.2ffbp-7f, 0x1.6e3dd8p-2f, 0x1.4b5b1p-2f, 0x1.6d2968p-1f,
    0x1.69f1fp-2f, -0x1.81c868p-1f, -0x1.666062p-1f, -0x1.dcd228p-1f, -0x1.a616bp-4f, -0x1.2f17fcp-1f, 0x1.c53e6cp-1f, 0x1.601f5p-2f, 0x1.34837p-3f, -0x1.7c13c2p-1f, 0x1.ba77b8p-2f, -0x1.d8d684p-1f, 0x1.1603bp-2f, -0x1.db5dc6p-1f, -0x1.11381p-1f, 0x1.f033ep-4f,
    0x1.9622ep-3f, 0x1.459048p-2f, -0x1.a65914p-2f, -0x1.4ee2cp-5f, 0x1.ccbea8p-1f, 0x1.dd1184p-1f, 0x1.b77f5p-3f, -0x1.1ea634p-2f, -0x1.1d1688p-1f, 0x1.605de8p-1f, -0x1.dd51e8p-3f, 0x1.480ac8p-1f, 0x1.7f2938p-2f, 0x1.053a8cp-1f, -0x1.7f2a4cp-1f, 0x1.338a6p-4f,
    -0x1.2f6ae8p-1f, -0x1.233a94p-2f, -0x1.0948bp-2f, -0x1.e88fc8p-1f, -0x1.0d64dcp-1f, 0x1.084458p-2f, -0x1.100d6p-4f, -0x1.944cf4p-1f, 0x1.db723cp-1f, -0x1.52e2ccp-1f, -0x1.4cf9f8p-2f, 0x1.3988p-2f, -0x1.7569bp-3f, 0x1.c76b0cp-1f, 0x1.ee40cp-1f, 0x1.cbcb28p-1f,
    0x1.184f2p-1f, -0x1.4feb4p-3f, 0x1.8566ep-3f, -0x1.3cb024p-2f, -0x1.dc6dp-3f, -0x1.1c8f8cp-2f, -0x1.ddfcb4p-1f, -0x1.9194bcp-2f, -0x1.7715b6p-1f, 0x1.cca1bp-2f, -0x1.0b9f94p-2f, 0x1.9977cp-4f, -0x1.898db6p-1f, 0x1.7b7d7p-1f, -0x1.a68458p-3f, -0x1.32a7bcp-1f,
    -0x1.26dcc4p-1f, 0x1.27134p-5f, -0x1.38460ep-1f, 0x1.f33da4p-1f, 0x1.999b8p-3f, 0x1.af6dp-2f, -0x1.e2f0e8p-1f, -0x1.1b9e9p-2f, -0x1.b36cdp-4f, -0x1.43f34cp-2f, -0x1.6c8268p-1f, 0x1.bdfe28p-2f, -0x1.8d7028p-3f, 0x1.393604p-1f, 0x1.a0ce44p-1f, 0x1.b8f254p-1f,
    0x1.42695p-1f, -0x1.34eea4p-1f, -0x1.15cb94p-1f, -0x1.c18298p-3f, 0x1.e1cbcp-3f, 0x1.6daccp-3f, -0x1.343aap-1f, -0x1.46481p-2f, -0x1.b28194p-2f, -0x1.f52548p-3f, -0x1.4ba42p-4f, -0x1.e563e2p-1f, -0x1.cf3704p-2f, -0x1.d6e38p-4f, 0x1.b4012p-3f, -0x1.b6a452p-1f,
    0x1.0e9b6p-2f, 0x1.407268p-2f, -0x1.63f694p-2f, 0x1.435d6p-1f, 0x1.39279cp-1f, -0x1.47cad6p-1f, -0x1.3c4d1p-1f, 0x1.b1e3ep-3f, 0x1.dd717p-2f, -0x1.7692p-3f, -0x1.56ad7cp-1f, -0x1.57307p-4f, 0x1.f3e768p-1f, 0x1.20afcp-2f, -0x1.e30c8cp-2f, 0x1.3dce7cp-1f,
    0x1.67a904p-1f, -0x1.6cda68p-3f, -0x1.bb798p-4f, 0x1.0025d8p-1f, -0x1.25f7ep-3f, 0x1.4687c8p-1f, 0x1.a10cb8p-1f, -0x1.51b0ap-4f, -0x1.bd0e9p-3f, 0x1.b1b84p-5f, -0x1.3e1e9ep-1f, 0x1.23cd24p-1f, 0x1.78a0bp-3f, -0x1.17517cp-1f, 0x1.9d1338p-2f, -0x1.76f86ap-1f,
    0x1.888fp-3f, 0x1.7706d8p-1f, -0x1.4151fp-1f, -0x1.6bcaf8p-1f, -0x1.334ec4p-1f, 0x1.224df8p-1f, 0x1.33f258p-2f, -0x1.f46b4cp-2f, 0x1.e69a08p-2f, 0x1.830308p-2f, -0x1.5d7b7p-4f, -0x1.024a2p-5f, -0x1.2854fcp-1f, -0x1.ddb9ap-3f, 0x1.8fc14p-4f, 0x1.75668cp-1f,
};

}  // namespace

TEST_SUITE("formats.ordered_sum") {
  TEST_CASE("the three orders give the sums their definitions give, to the bit") {
    constexpr float u = 0x1p-24f;  // half an ulp of 1
    const float a[4] = {1.0f, u, u, u};
    CHECK(ordered_sum(a, 4, SumOrder::kSeq) == 1.0f);             // each 1 + u ties back to 1
    CHECK(ordered_sum(a, 4, SumOrder::kPairs) == 1.0f + 2 * u);   // (1 + u) + (u + u)
    CHECK(ordered_sum(a, 4, SumOrder::kTree) == 1.0f + 2 * u);    // (1 + u) + (u + u)
    const float b[4] = {u, 1.0f, u, 0.0f};
    CHECK(ordered_sum(b, 4, SumOrder::kSeq) == 1.0f);
    CHECK(ordered_sum(b, 4, SumOrder::kPairs) == 1.0f);           // (u + 1) + (u + 0)
    CHECK(ordered_sum(b, 4, SumOrder::kTree) == 1.0f + 2 * u);    // (u + u) + (1 + 0)
    // six terms: the odd middle term carries over a level
    const float c[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    CHECK(ordered_sum(c, 6, SumOrder::kTree) == ((c[0] + c[3]) + (c[2] + c[5])) + (c[1] + c[4]));
    CHECK(ordered_sum(c, 6, SumOrder::kPairs) == ((c[0] + c[1]) + c[2]) + ((c[3] + c[4]) + c[5]));
    CHECK(ordered_sum(c, 0, SumOrder::kTree) == 0.0f);
  }

  TEST_CASE("the streaming tree equals the in-place halving for every length up to 300 and calls each term once") {
    std::mt19937 gen(7);
    std::uniform_int_distribution<std::uint32_t> bits(0, 0xFFFFu);
    for (int n = 1; n <= 300; ++n) {
      std::vector<float> v(static_cast<std::size_t>(n));
      for (float& x : v) x = std::ldexp(static_cast<float>(bits(gen)) + 1.0f, static_cast<int>(bits(gen) % 40) - 30);
      std::vector<int> calls(static_cast<std::size_t>(n), 0);
      const float s = ordered_sum(n, SumOrder::kTree, [&](int i) {
        ++calls[static_cast<std::size_t>(i)];
        return v[static_cast<std::size_t>(i)];
      });
      CAPTURE(n);
      CHECK(s == tree_by_definition(v));
      for (const int k : calls) REQUIRE(k == 1);
    }
  }
}

TEST_SUITE("formats.four_over_six_sum_order") {
  TEST_CASE("near-tie blocks: each order alone picks the other candidate") {
    const Choices s = choices(kSeqAlone, 16);
    CHECK(s.chosen[0] == 4);
    CHECK(s.chosen[1] == 6);
    CHECK(s.chosen[2] == 6);
    CHECK(s.err4[0] == 0x1.4c417ep-5f);  // one ulp under err6: M=4 wins under seq
    CHECK(s.err6[0] == 0x1.4c418p-5f);
    const Choices p = choices(kPairsAlone, 16);
    CHECK(p.chosen[0] == 4);
    CHECK(p.chosen[1] == 6);
    CHECK(p.chosen[2] == 4);
    CHECK(p.err4[1] == p.err6[1]);  // an exact tie under pairs keeps M=6
    const Choices t = choices(kTreeAlone, 16);
    CHECK(t.chosen[0] == 6);
    CHECK(t.chosen[1] == 6);
    CHECK(t.chosen[2] == 4);
    const Choices m = choices(kMaeTreeAlone, 16, FourSixRule::kMae);
    CHECK(m.chosen[0] == 4);
    CHECK(m.chosen[1] == 4);
    CHECK(m.chosen[2] == 6);
  }

  TEST_CASE("a 16x16 tile sums its 256 values row-major in the chosen order") {
    const Choices c = choices(kTile, 256);
    CHECK(c.chosen[0] == 4);
    CHECK(c.chosen[1] == 6);
    CHECK(c.chosen[2] == 4);
    CHECK(c.err6[1] == c.err4[1]);
  }

  TEST_CASE("abs_max takes no sum: every order gives the same record") {
    const Choices c = choices(kTreeAlone, 16, FourSixRule::kAbsMax);
    CHECK(c.err6[0] == c.err6[1]);
    CHECK(c.err6[0] == c.err6[2]);
    CHECK(c.err4[0] == c.err4[2]);
  }

  TEST_CASE("a candidate's error is ordered_sum over its per-element terms, for every order") {
    // the terms from the candidate's own decode table and codes, summed by the one function
    std::mt19937 gen(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int trial = 0; trial < 300; ++trial) {
      const int n = trial % 3 == 0 ? 16 : (trial % 3 == 1 ? 32 : 24);
      std::vector<float> x(static_cast<std::size_t>(n));
      for (float& v : x) v = normal(gen);
      float bmax = 0.0f;
      for (const float v : x) bmax = std::fmax(bmax, std::fabs(v));
      for (const FourSixRule rule : {FourSixRule::kMse, FourSixRule::kMae}) {
        Recipe r;
        r.nv = NvRecipe::kFourOverSix;
        r.rule = rule;
        const TensorScale t = four_over_six_tensor_scale(rule, 2.0f * bmax);
        const float hp6 = (bmax / 6.0f) * t.encode;
        for (const float hp : {hp6, hp6 * 1.5f}) {
          // left to right, the candidate keeps magnitudes only; the block quantizer adds the signs
          const auto with_signs = [&](detail::Candidate c) {
            if (c.signless) detail::or_code_signs(x.data(), n, c.packed);
            return c;
          };
          r.sum = SumOrder::kSeq;
          const detail::Candidate seq = detail::four_over_six_candidate(r, t, BlockIO{x.data(), n}, hp);
          CHECK(seq.signless);
          const detail::Candidate ref = with_signs(seq);
          std::vector<float> terms(static_cast<std::size_t>(n));
          for (int i = 0; i < n; ++i) {
            const auto code = static_cast<std::uint8_t>((ref.packed[i / 8] >> (4 * (i % 8))) & 0xFu);
            const float d = detail::decode_from_table(ref.table, code) - x[static_cast<std::size_t>(i)];
            terms[static_cast<std::size_t>(i)] = rule == FourSixRule::kMae ? std::fabs(d) : d * d;
          }
          for (const SumOrder order : {SumOrder::kSeq, SumOrder::kPairs, SumOrder::kTree}) {
            r.sum = order;
            const detail::Candidate c = with_signs(detail::four_over_six_candidate(r, t, BlockIO{x.data(), n}, hp));
            CHECK(c.signless == (order == SumOrder::kSeq));
            CAPTURE(static_cast<int>(order));
            CHECK(c.err == ordered_sum(terms.data(), n, order));
            for (int w = 0; w < n / 8; ++w) CHECK(c.packed[w] == ref.packed[w]);
          }
        }
      }
    }
  }
}

TEST_SUITE("formats.torchao_variants") {
  TEST_CASE("PyTorch CUDA's amax * float(1/2688) is one ulp above amax / 2688 for amax = 1 + 2^-23") {
    const float amax = 0x1.000002p+0f;
    const TensorScale cpu = nvfp4_tensor_scale(NvRecipe::kTorchao, amax);
    const TensorScale cuda = nvfp4_tensor_scale(NvRecipe::kTorchao, amax, ConstDivision::kReciprocal);
    CHECK(cpu.decode == 0x1.861864p-12f);
    CHECK(cuda.decode == 0x1.861866p-12f);
    CHECK(std::nextafter(cpu.decode, 1.0f) == cuda.decode);
    // amax = 1 is exact both ways: the variants agree where the rounding agrees
    CHECK(nvfp4_tensor_scale(NvRecipe::kTorchao, 1.0f).decode ==
          nvfp4_tensor_scale(NvRecipe::kTorchao, 1.0f, ConstDivision::kReciprocal).decode);
    // te and modelopt ignore the option
    CHECK(nvfp4_tensor_scale(NvRecipe::kModelopt, amax, ConstDivision::kReciprocal).decode == cpu.decode);
  }

  TEST_CASE("the CUDA variant also computes bmax * float(1/6), which can change a block scale") {
    // single-level (tensor scale 1), so the block scale is e4m3(bmax/6) itself:
    // bmax = 0x1.c7fffep+0 gives bmax/6 on one side of an E4M3 midpoint and bmax * float(1/6)
    // on the other
    Recipe r;
    r.nv = NvRecipe::kTorchao;
    r.levels = ScaleLevels::kOne;
    const TensorScale t = nvfp4_tensor_scale(NvRecipe::kTorchao, 2.0f, ConstDivision::kDivide, ScaleLevels::kOne);
    float x[16] = {0x1.c7fffep+0f};
    const BlockRecord cpu = nvfp4_quantize_block(r, t, BlockIO{x, 16});
    r.const_div = ConstDivision::kReciprocal;
    const BlockRecord cuda = nvfp4_quantize_block(r, t, BlockIO{x, 16});
    CHECK(cpu.scale.code == 0x29);
    CHECK(cuda.scale.code == 0x2A);
  }

  TEST_CASE("two-level: the 1-ulp tensor scale moves the scale of a block elsewhere in the tensor") {
    // amax = 1 + 2^-23 (block 0) and a block with bmax = 0x1.5b6db8p-7 (block 1)
    Recipe r;
    r.nv = NvRecipe::kTorchao;
    const float amax = 0x1.000002p+0f;
    float x[16] = {0x1.5b6db8p-7f, -0.001f};
    const BlockRecord cpu = nvfp4_quantize_block(r, tensor_scale(r, amax), BlockIO{x, 16});
    r.const_div = ConstDivision::kReciprocal;
    const BlockRecord cuda = nvfp4_quantize_block(r, tensor_scale(r, amax), BlockIO{x, 16});
    CHECK(cpu.scale.code == 0x4A);
    CHECK(cuda.scale.code == 0x49);
  }

  TEST_CASE("single-level torchao: tensor scale 1, block scale e4m3(clamp(bmax/6, 2^-6, 448))") {
    Recipe r;
    r.nv = NvRecipe::kTorchao;
    r.levels = ScaleLevels::kOne;
    const TensorScale t = tensor_scale(r, 1000.0f);  // the amax plays no part
    CHECK(t.decode == 1.0f);
    CHECK(t.encode == 1.0f);
    float x[16] = {3.0f, -1.5f, 0.75f, 1e-9f};
    std::uint8_t codes[16];
    float deq[16];
    const BlockRecord rec = quantize_block(r, t, BlockIO{x, 16, nullptr, codes, deq});
    CHECK(rec.scale.code == ue4m3::from(0.5f).bits);  // 3/6
    CHECK(codes[0] == 0x7);                          // 3 / 0.5 = 6
    CHECK(codes[1] == 0xD);                          // -3
    CHECK(codes[2] == 0x3);                          // 1.5
    CHECK(deq[1] == -1.5f);
    CHECK(dequantize_code(r, t, rec.scale, codes[2]) == 0.75f);
    // a tiny block clamps at 2^-6 instead of dividing by a tiny tensor scale
    float tiny[16] = {1e-6f};
    CHECK(quantize_block(r, t, BlockIO{tiny, 16}).scale.code == ue4m3::from(0.015625f).bits);
  }
}

TEST_SUITE("formats.peer_nan_and_e8m0") {
  TEST_CASE("kToZero gives a zero with the NaN's sign, as ml_dtypes' float4_e2m1fn") {
    const float nan = std::nanf("");
    CHECK(fp4_e2m1::from(nan, Rounding::kNearestEven, 0, NanPolicy::kToZero).bits == 0x0);
    CHECK(fp4_e2m1::from(-nan, Rounding::kNearestEven, 0, NanPolicy::kToZero).bits == 0x8);
    CHECK(fp8_e4m3::from(-nan, Saturation::kSatFinite, Rounding::kNearestEven, 0, NanPolicy::kToZero).bits == 0x80);
    CHECK(fp8_e5m2::from(-nan, Saturation::kSatFinite, Rounding::kNearestEven, 0, NanPolicy::kToZero).bits == 0x80);
    CHECK(std::signbit(fp4_e2m1{0x8}.to_float()));
  }
}

// E8M0 takes only the roundings it has: nearest-even and stochastic do not compile.
template <class R>
constexpr bool kE8m0Takes = requires(float x, R r) { ue8m0::from(x, Saturation::kSatFinite, r); };
static_assert(kE8m0Takes<E8m0Rounding>);
static_assert(!kE8m0Takes<Rounding>, "ue8m0::from must refuse formats::Rounding (kNearestEven, kStochastic)");
static_assert(ue8m0::from(1.5f).bits == 0x7F);  // the default is CUDA's toward zero, by name
static_assert(ue8m0::from(1.5f, Saturation::kSatFinite, E8m0Rounding::kNearestTiesAway).bits == 0x80);
