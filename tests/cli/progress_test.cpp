// The commands' progress bar: an ETA once it can be estimated, a redrawn bar on a terminal,
// plain throttled lines elsewhere (always ending at the last state), nothing under --quiet.
#include "experiments/cli/progress.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

using namespace fp4lab::cli;

namespace {

/// Everything written to `f` so far.
std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
  return s;
}

int count(const std::string& s, const std::string& part) {
  int n = 0;
  for (std::size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_SUITE("cli.progress") {
  TEST_CASE("the ETA extrapolates the elapsed time, and is empty until it can") {
    CHECK(eta_text(0.5, 10) == "ETA 10 s");
    CHECK(eta_text(0.25, 60) == "ETA 3 min 00 s");
    CHECK(eta_text(0.001, 60) == "");  // under 1%: no estimate
    CHECK(eta_text(0.5, 0.1) == "");   // too early
    CHECK(eta_text(1.0, 10) == "");    // done
    CHECK(eta_text(0.01, 7200) == "ETA 198 h 00 min");
  }
  TEST_CASE("off a terminal: one line per call at most every 2 s, ending at 100%") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    {
      ProgressBar bar(false, ProgressMode::lines, f);
      for (int i = 0; i <= 100; ++i) bar(i / 100.0, "stage");
    }
    const std::string s = contents(f);
    CHECK(s.find('\r') == std::string::npos);
    CHECK(count(s, "\n") == 2);  // the first call and the final 100% (the rest throttled)
    CHECK(count(s, "progress 100% stage\n") == 1);
    std::fclose(f);
  }
  TEST_CASE("off a terminal, the last state is written when the run stops short of 100%") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    {
      ProgressBar bar(false, ProgressMode::lines, f);
      bar(0.1, "a");
      bar(0.7, "b");
    }
    const std::string s = contents(f);
    CHECK(s.find("progress  10% a\n") == 0);
    CHECK(s.find("progress  70% b\n") != std::string::npos);
    std::fclose(f);
  }
  TEST_CASE("on a terminal the bar is redrawn with \\r and shows an ETA once it has one") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    {
      ProgressBar bar(false, ProgressMode::terminal, f);
      bar(0.0, "start");
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
      bar(0.5, "half");
    }
    const std::string s = contents(f);
    CHECK(count(s, "\r[") == 2);
    CHECK(s.find("50% ETA ") != std::string::npos);
    CHECK(s.back() == '\n');
    std::fclose(f);
  }
  TEST_CASE("quiet writes nothing") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    {
      ProgressBar bar(true, ProgressMode::lines, f);
      bar(0.5, "x");
      bar(1.0, "y");
    }
    CHECK(contents(f).empty());
    std::fclose(f);
  }
}
