// The progress bar of the `fp4lab` commands (experiments/cli/progress.hpp).
#include "experiments/cli/progress.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace fp4lab::cli {

bool ProgressBar::operator()(double f, std::string_view stage) {
  if (quiet_) return true;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && f < 1.0 && now - last_ < std::chrono::milliseconds(100)) return true;
  last_ = now;
  drawn_ = true;
  const int width = 30, filled = static_cast<int>(f * width + 0.5);
  fmt::print(stderr, "\r[{}{}] {:3.0f}% {:<40.40}", std::string(filled, '#'),
             std::string(width - filled, '.'), f * 100, stage);
  std::fflush(stderr);
  return true;
}

void ProgressBar::finish() {
  if (drawn_ && !quiet_) fmt::print(stderr, "\n");
  drawn_ = false;
}

}  // namespace fp4lab::cli
