// Which recipes the SIMD quantizers cover, the on/off switch, and Highway's target control
// (see simd.hpp).
#include "core/simd/simd.hpp"

#include <atomic>

#include <hwy/targets.h>

namespace fp4lab::core::simd {
namespace {
std::atomic<bool> g_enabled{true};
}  // namespace

bool supports(const formats::Recipe& r) {
  if (!g_enabled.load(std::memory_order_relaxed)) return false;
  if (r.rounding != formats::ElementRounding::kNearestEven || r.overflow != formats::Fp4Overflow::kSaturate ||
      r.shape != formats::BlockShape::k1D || r.transform != formats::Transform::kNone) {
    return false;
  }
  // the SIMD twins sum 4/6 errors left to right and use the default torchao arithmetic
  if (r.sum != formats::SumOrder::kSeq || r.const_div != formats::ConstDivision::kDivide ||
      r.levels != formats::ScaleLevels::kTwo) {
    return false;
  }
  if (r.block_size % 8 != 0 || r.block_size < formats::kMinBlockSize || r.block_size > formats::kMaxBlockSize) {
    return false;
  }
  return r.format == formats::BlockFormat::kNVFP4 || r.format == formats::BlockFormat::kMXFP4 ||
         r.format == formats::BlockFormat::kNVINT4 || r.format == formats::BlockFormat::kIF4;
}

void set_enabled(bool on) { g_enabled.store(on, std::memory_order_relaxed); }
bool enabled() { return g_enabled.load(std::memory_order_relaxed); }

std::vector<std::int64_t> available_targets() {
  hwy::SetSupportedTargetsForTest(0);  // the CPU's own set, not a restriction left by use_target
  std::vector<std::int64_t> all = hwy::SupportedAndGeneratedTargets();  // lowest bit (best) first
  return all;
}

void use_target(std::int64_t target) { hwy::SetSupportedTargetsForTest(target); }

std::int64_t current_target() {
  const std::vector<std::int64_t> t = hwy::SupportedAndGeneratedTargets();
  return t.empty() ? 0 : t.front();
}

std::string target_name(std::int64_t target) {
  return target == 0 ? "none" : hwy::TargetName(target);
}

}  // namespace fp4lab::core::simd
