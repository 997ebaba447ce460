// fp4lab-gui in a real window under Xvfb: one --screenshot per panel, each PNG checked for
// size, content and the regions its panel draws; and the clear failure without a display.
// The first test starts Xvfb itself when DISPLAY is unset, and skips when Xvfb is missing.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "gui/app/png.hpp"

using namespace fp4lab::gui;
namespace fs = std::filesystem;

namespace {

/// The X server the tests use: the caller's DISPLAY, or an Xvfb started here (and stopped at exit).
struct Display {
  pid_t xvfb = -1;
  bool ok = false;
  std::string why;
  Display() {
    const char* d = std::getenv("DISPLAY");
    if (d && *d) {
      ok = true;
      return;
    }
    const char* candidates[] = {"/usr/bin/Xvfb", "/usr/local/bin/Xvfb"};
    std::string exe;
    for (const char* c : candidates) {
      if (fs::exists(c)) exe = c;
    }
    if (exe.empty()) {
      why = "Xvfb is not installed (apt-get install xvfb) and DISPLAY is unset";
      return;
    }
    const int n = 90 + static_cast<int>(::getpid() % 100);
    const std::string disp = ":" + std::to_string(n);
    std::fflush(stdout);  // or the child would flush our buffered output a second time
    std::fflush(stderr);
    xvfb = ::fork();
    if (xvfb == 0) {
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
      ::execl(exe.c_str(), exe.c_str(), disp.c_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const std::string sock = "/tmp/.X11-unix/X" + std::to_string(n);
    for (int i = 0; i < 100 && !fs::exists(sock); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!fs::exists(sock)) {
      why = "Xvfb " + disp + " did not start";
      return;
    }
    ::setenv("DISPLAY", disp.c_str(), 1);
    ok = true;
  }
  ~Display() {
    if (xvfb > 0) {
      ::kill(xvfb, SIGTERM);
      ::waitpid(xvfb, nullptr, 0);
    }
  }
};

Display& display() {
  static Display d;
  return d;
}

fs::path work_dir() {
  static const fs::path d = [] {
    const fs::path p = fs::temp_directory_path() / ("fp4lab_gui_window_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return d;
}

struct RunResult {
  int rc = -1;
  std::string output;
};

/// Runs fp4lab-gui with `args` (and `env` prefixed); stdout and stderr together.
RunResult run_gui(const std::string& args, const std::string& env = "") {
  const fs::path out = work_dir() / "out.txt";
  // Mesa's dlopen'ed llvmpipe driver leaves small allocations unfreed at exit (LeakSanitizer
  // reports them from an "<unknown module>"); under ASan (FP4LAB_SANITIZE) leak checking of the
  // GUI process would fail on them, so only this child runs with detect_leaks=0.
  const std::string cmd = "env " + env + " ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 '" FP4LAB_GUI_EXE "' " + args +
                          " > '" + out.string() + "' 2>&1";
  RunResult r;
  const int status = std::system(cmd.c_str());
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  r.output = ss.str();
  return r;
}

/// The share of pixels in a region that differ from the region's most common colour.
double busy_share(const Image& img) {
  std::map<std::uint32_t, int> count;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) ++count[img.pixel(x, y)];
  }
  int top = 0;
  for (const auto& [c, n] : count) top = std::max(top, n);
  const double total = double(img.width) * img.height;
  return total > 0 ? 1.0 - top / total : 0.0;
}

/// Pixels of a region in a saturated colour (plot lines, bars, highlights), not grey UI chrome.
int colourful(const Image& img) {
  int n = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const std::uint32_t p = img.pixel(x, y);
      const int r = p >> 24, g = (p >> 16) & 255, b = (p >> 8) & 255;
      n += std::max({r, g, b}) - std::min({r, g, b}) > 90;
    }
  }
  return n;
}

/// Renders one panel to PNG and checks the whole image.
Image shoot(const std::string& panel, const std::string& scenario_json = "") {
  std::string args = "--screenshot '" + (work_dir() / (panel + ".png")).string() + "' --panel " + panel + " --frames 4";
  if (!scenario_json.empty()) {
    const fs::path s = work_dir() / (panel + "_scenario.json");
    std::ofstream(s) << scenario_json;
    args += " --scenario '" + s.string() + "'";
  }
  const RunResult r = run_gui(args);
  INFO("fp4lab-gui said: " << r.output);
  REQUIRE(r.rc == 0);
  const Image img = read_png((work_dir() / (panel + ".png")).string());
  CHECK(img.width == 1280);
  CHECK(img.height == 800);
  std::set<std::uint32_t> colours;
  for (int y = 0; y < img.height; y += 3) {
    for (int x = 0; x < img.width; x += 3) colours.insert(img.pixel(x, y));
  }
  CHECK(colours.size() > 6);  // not blank (text-only panels have few distinct colours)
  return img;
}

#define SKIP_WITHOUT_DISPLAY()                                             \
  if (!display().ok) {                                                     \
    MESSAGE("skipped: " << display().why);                                 \
    return;                                                                \
  }

}  // namespace

TEST_SUITE("gui.window") {
  TEST_CASE("without a display fp4lab-gui says so on stderr and exits non-zero") {
    const RunResult r = run_gui("--screenshot '" + (work_dir() / "none.png").string() + "' --panel help", "-u DISPLAY -u WAYLAND_DISPLAY");
    CHECK(r.rc != 0);
    CHECK(r.output.find("no display") != std::string::npos);
    CHECK(r.output.find("xvfb-run") != std::string::npos);
    CHECK_FALSE(fs::exists(work_dir() / "none.png"));
  }
  TEST_CASE("--frames below the documented minimum of 3 is refused") {
    const RunResult r = run_gui("--screenshot '" + (work_dir() / "f0.png").string() + "' --panel help --frames 0");
    CHECK(r.rc == 2);
    CHECK(r.output.find("--frames") != std::string::npos);
    CHECK_FALSE(fs::exists(work_dir() / "f0.png"));
  }
  TEST_CASE("screenshot mode writes the PNG but exits 1 when a panel's experiment failed") {
    SKIP_WITHOUT_DISPLAY();
    const fs::path s = work_dir() / "failing_scenario.json";
    std::ofstream(s) << R"({"diff": {"recipe_a": "nvfp4:tee", "source": {"rows": 16, "cols": 32}}})";
    const RunResult r = run_gui("--screenshot '" + (work_dir() / "failing.png").string() +
                                "' --panel diff --frames 3 --scenario '" + s.string() + "'");
    INFO("fp4lab-gui said: " << r.output);
    CHECK(r.rc == 1);
    CHECK(r.output.find("panel diff: diff:") != std::string::npos);
    CHECK(fs::exists(work_dir() / "failing.png"));
  }
  TEST_CASE("the format explorer's number line and tables are drawn") {
    SKIP_WITHOUT_DISPLAY();
    const Image img = shoot("formats");
    CHECK(colourful(crop(img, 70, 110, 1260, 300)) > 500);  // the format rows' ticks
    CHECK(busy_share(crop(img, 10, 340, 700, 700)) > 0.05);  // the converter table
  }
  TEST_CASE("the block lab's steps, tables and error bars are drawn") {
    SKIP_WITHOUT_DISPLAY();
    const Image img = shoot("block", R"({"block": {"values": [15, 30, 120, 180, -3, 7, 1, 2, 60, -90, 5, 8, 150, -1, 0, 4]}})");
    CHECK(busy_share(crop(img, 10, 110, 640, 460)) > 0.05);
    CHECK(colourful(crop(img, 700, 500, 1260, 760)) > 300);  // bars
  }
  TEST_CASE("the error profile's curves are drawn in the plot area") {
    SKIP_WITHOUT_DISPLAY();
    const Image img = shoot("profile");
    CHECK(colourful(crop(img, 80, 120, 1250, 540)) > 2000);
  }
  TEST_CASE("the tensor lab's histogram, heat map and threshold curve are drawn") {
    SKIP_WITHOUT_DISPLAY();
    const Image img = shoot("tensor", R"({"tensor": {"source": {"rows": 256, "cols": 512}, "recipes": ["nvfp4:te", "mxfp4:floor"]}})");
    CHECK(colourful(crop(img, 80, 200, 620, 420)) > 800);    // histogram outlines
    CHECK(colourful(crop(img, 15, 510, 600, 760)) > 10000);  // decision heat map
    CHECK(colourful(crop(img, 715, 530, 1250, 740)) > 300);  // threshold curve and t marker
  }
  TEST_CASE("the diff's code grids show the mismatches") {
    SKIP_WITHOUT_DISPLAY();
    const Image img = shoot("diff", R"({"diff": {"source": {"rows": 32, "cols": 64}}})");
    CHECK(colourful(crop(img, 15, 180, 630, 550)) > 2000);   // red mismatching codes in A
    CHECK(colourful(crop(img, 650, 180, 1265, 550)) > 2000);  // and in B
  }
  TEST_CASE("the help panel's text is drawn") {
    SKIP_WITHOUT_DISPLAY();
    const Image img = shoot("help");
    CHECK(busy_share(crop(img, 0, 30, 900, 400)) > 0.02);
  }
  TEST_CASE("an export from a real window writes the panel's PNG beside its JSON and CSV") {
    SKIP_WITHOUT_DISPLAY();
    const fs::path dir = work_dir() / "export";
    const RunResult r = run_gui("--screenshot '" + (work_dir() / "e.png").string() + "' --panel profile --frames 3 --export '" +
                                dir.string() + "'");
    INFO("fp4lab-gui said: " << r.output);
    REQUIRE(r.rc == 0);
    const Image img = read_png((dir / "profile.png").string());
    CHECK(img.width == 1280);                 // the panel's window: the full width ...
    CHECK(img.height < 800);                  // ... between the menu bar and the status bar
    CHECK(img.height > 700);
    CHECK(colourful(img) > 2000);             // with its curves
    CHECK(fs::exists(dir / "profile.json"));
    CHECK(fs::exists(dir / "profile_error-profile_error_profile.csv"));
  }
  TEST_CASE("all panels tiled in one window") {
    SKIP_WITHOUT_DISPLAY();
    const Image img = shoot("all", R"({"tensor": {"source": {"rows": 128, "cols": 256}}})");
    CHECK(busy_share(img) > 0.1);
  }
}
