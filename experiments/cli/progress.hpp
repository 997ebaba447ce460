// The progress bar of the `fp4lab` commands: one line on stderr, redrawn at most every 100 ms,
// silent under --quiet (stdout stays free for the summary or --json).
#pragma once

#include <chrono>
#include <string_view>

namespace fp4lab::cli {

/// Progress bar on stderr, redrawn at most every 100 ms.
class ProgressBar {
 public:
  /// A bar that draws nothing when `quiet`.
  explicit ProgressBar(bool quiet) : quiet_(quiet) {}
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  /// Draws fraction `f` in [0, 1] and the stage name; always returns true (never cancels).
  bool operator()(double f, std::string_view stage);
  /// Ends the bar's line (once drawn).
  void finish();

 private:
  bool quiet_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace fp4lab::cli
