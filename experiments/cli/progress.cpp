// The progress bar of the `fp4lab` commands (experiments/cli/progress.hpp).
#include "experiments/cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace fp4lab::cli {

std::string eta_text(double f, double elapsed) {
  if (!(f >= 0.01) || f >= 1.0 || elapsed < 0.5) return "";
  const auto left = static_cast<long long>(std::lround(elapsed * (1 - f) / f));
  if (left < 60) return fmt::format("ETA {} s", left);
  if (left < 3600) return fmt::format("ETA {} min {:02} s", left / 60, left % 60);
  return fmt::format("ETA {} h {:02} min", left / 3600, left / 60 % 60);
}

ProgressBar::ProgressBar(bool quiet, ProgressMode mode, std::FILE* out)
    : quiet_(quiet),
      terminal_(mode == ProgressMode::terminal ||
                (mode == ProgressMode::automatic && ::isatty(::fileno(out)) == 1)),
      out_(out),
      start_(std::chrono::steady_clock::now()) {}

bool ProgressBar::operator()(double f, std::string_view stage) {
  if (quiet_) return true;
  f = std::clamp(std::isfinite(f) ? f : 0.0, 0.0, 1.0);
  const auto now = std::chrono::steady_clock::now();
  const auto every = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
  last_f_ = f;
  last_stage_ = stage;
  if (drawn_ && f < 1.0 && now - last_ < every) return true;
  if (!terminal_ && f >= 1.0 && final_written_) return true;
  last_ = now;
  drawn_ = true;
  const std::string eta =
      eta_text(f, std::chrono::duration<double>(now - start_).count());
  if (terminal_) {
    const int width = 30, filled = static_cast<int>(f * width + 0.5);
    fmt::print(out_, "\r[{}{}] {:3.0f}% {:<12} {:<40.40}", std::string(filled, '#'),
               std::string(width - filled, '.'), f * 100, eta, stage);
  } else {
    fmt::print(out_, "progress {:3.0f}%{}{} {}\n", f * 100, eta.empty() ? "" : " ", eta, stage);
    final_written_ = f >= 1.0;
  }
  std::fflush(out_);
  return true;
}

void ProgressBar::finish() {
  if (!drawn_ || quiet_) return;
  if (terminal_) {
    fmt::print(out_, "\n");
  } else if (!final_written_) {  // the last state, in case it was throttled away
    fmt::print(out_, "progress {:3.0f}% {}\n", last_f_ * 100, last_stage_);
  }
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace fp4lab::cli
