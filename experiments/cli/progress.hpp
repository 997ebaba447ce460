// The progress bar of the `fp4lab` commands, on stderr so stdout stays free for the summary or
// --json: on a terminal one line redrawn at most every 100 ms with an ETA; elsewhere (a file, a
// pipe, CI logs) a plain line at most every 2 s and one at the end; nothing under --quiet.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace fp4lab::cli {

/// How the bar writes.
enum class ProgressMode {
  automatic,  ///< terminal when the output is a TTY, else lines
  terminal,   ///< a redrawn bar ("\r") with an ETA
  lines,      ///< plain periodic lines with an ETA
};

/// The ETA text after `elapsed` seconds at fraction f: "ETA 12 s", "ETA 3 min 05 s", or "" while
/// f is too small (< 1%) or the run is under half a second old to estimate.
std::string eta_text(double f, double elapsed);

/// Progress bar on stderr (or `out`).
class ProgressBar {
 public:
  /// A bar that draws nothing when `quiet`.
  explicit ProgressBar(bool quiet, ProgressMode mode = ProgressMode::automatic,
                       std::FILE* out = stderr);
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  /// Draws fraction `f` in [0, 1] and the stage name; always returns true (never cancels).
  bool operator()(double f, std::string_view stage);
  /// Ends the bar's line (once drawn); in lines mode writes the final line if it was not.
  void finish();

 private:
  bool quiet_;
  bool terminal_;
  std::FILE* out_;
  bool drawn_ = false;
  double last_f_ = 0;
  std::string last_stage_;
  bool final_written_ = false;
  std::chrono::steady_clock::time_point start_, last_{};
};

}  // namespace fp4lab::cli
