// fp4lab-gui: the desktop GUI's main. Interactive by default; --screenshot renders one panel
// (or all, tiled) and exits; --stats measures frame time and slider-to-result latency.
#include <imgui.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "experiments/cli/args.hpp"
#include "gui/app/png.hpp"
#include "gui/app/window.hpp"
#include "gui/panels/workbench.hpp"
#ifdef FP4LAB_HAVE_CUDA
#include "core/device_quantizer.hpp"
#include "kernels/cuda_quantizer.hpp"
#endif

namespace {

using namespace fp4lab::gui;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string screenshot, panel, scenario, config, export_dir;
  int frames = 5;
  int width = 1280, height = 800;
  bool stats = false;
};

/// Reads the command line into `o`; an exit status when the GUI should not start (--help, a mistake).
std::optional<int> parse(int argc, char** argv, Options& o) {
  fp4lab::cli::Args args("fp4lab-gui", "The fp4lab desktop workbench; interactive unless --screenshot or --stats.");
  args.usage("fp4lab-gui [--screenshot OUT.png --panel NAME [--frames N]] [--scenario FILE] [--stats] [--size WxH] "
             "[--config FILE]");
  args.option("screenshot", o.screenshot, "render, wait for the panel's experiments, write the window as PNG, exit")
      .placeholder("OUT.png");
  args.option("panel", o.panel, "formats, block, profile, tensor, diff, help, or all (tiled)").placeholder("NAME");
  args.option("frames", o.frames, "frames to render before the screenshot").range(3, 100000);
  args.option("scenario", o.scenario,
              "JSON inputs: {\"panel\": \"block\", \"block\": {\"values\": [..]}, \"tensor\": {\"source\": {...}, "
              "\"recipes\": [..]}, \"diff\": {...}}")
      .placeholder("FILE");
  args.option("export", o.export_dir, "with --screenshot: also export the panel (PNG, JSON, CSV) into DIR")
      .placeholder("DIR");
  args.flag("stats", o.stats, "print frame time (1280x800, every panel open) and slider latency");
  std::string size = std::to_string(o.width) + "x" + std::to_string(o.height);
  args.option("size", size, "window size, clamped to [320, 8192] x [240, 8192]").placeholder("WxH");
  args.option("config", o.config, "settings file").placeholder("FILE").default_text("$XDG_CONFIG_HOME/fp4lab/gui.json");
  args.footer("Shortcuts: Ctrl+1..6 panels, Ctrl+R run, Ctrl+E export, Ctrl+T tile, Ctrl+S save, Esc cancel.");
  if (const auto rc = args.parse(argc, argv)) return rc;
  char tail = 0;
  if (std::sscanf(size.c_str(), "%dx%d%c", &o.width, &o.height, &tail) != 2) {
    return args.usage_error("--size takes WxH, e.g. 1280x800, got '" + size + "'");
  }
  o.width = std::clamp(o.width, 320, 8192);
  o.height = std::clamp(o.height, 240, 8192);
  return std::nullopt;
}

/// Set by SIGINT/SIGTERM: the interactive loop ends and saves the settings as on closing.
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

/// One frame: draw, render, fulfil an export's PNG request, swap.
void frame(Window& w, Workbench& wb) {
  w.begin_frame();
  wb.frame();
  w.render();
  if (auto c = wb.take_capture()) {
    const float sx = ImGui::GetIO().DisplayFramebufferScale.x, sy = ImGui::GetIO().DisplayFramebufferScale.y;
    try {
      write_png(c->path, w.read_back(int(c->min.x * sx), int(c->min.y * sy), int(c->max.x * sx), int(c->max.y * sy)));
    } catch (const std::exception& e) {
      std::cerr << "fp4lab-gui: " << e.what() << "\n";
    }
  }
  w.swap();
}

/// Sleeps out the rest of a frame interval that began at `t0`: 60 fps when idle or while a widget
/// is held (a slider being dragged stays smooth; each new value supersedes the running work),
/// 5 fps while experiments run otherwise, so the worker threads get the two cores rather than
/// llvmpipe redrawing an unchanged window; a finished run cuts the wait short.
void pace(const Workbench& wb, Clock::time_point t0) {
  const double interval_ms = wb.busy() && !ImGui::IsAnyItemActive() ? 200.0 : 16.7;
  // a finished run ends the wait at once: new results are drawn without waiting out the interval
  while (ms_since(t0) < interval_ms && !wb.has_news()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

/// Renders until no panel runs and every panel drew its latest Result twice (or timeout).
bool settle(Window& w, Workbench& wb, double timeout_s) {
  const auto t0 = Clock::now();
  int quiet = 0;
  while (ms_since(t0) < timeout_s * 1000) {
    frame(w, wb);
    bool drawn = !wb.busy();
    if (drawn) {
      for (const auto& p : wb.panels()) drawn = drawn && p->frames_since_result() >= 2;
    }
    quiet = drawn ? quiet + 1 : 0;
    if (quiet >= 3) return true;
  }
  return false;
}

/// The middle value of sorted `v` (0 when empty).
double median(const std::vector<double>& v) { return v.empty() ? 0.0 : v[v.size() / 2]; }

/// Slider-to-result times of a series of scale values, each sorted ascending.
struct SliderTimes {
  std::vector<double> first;   ///< until compare's Result (histograms, metrics) is drawn
  std::vector<double> all;     ///< until compare's, select's and threshold's are drawn
  std::vector<double> run_ms;  ///< compare's own run time (its runs, one per recipe, summed)
};

/// Sets the tensor lab's source scale to each value in turn, as its slider does, and times the
/// frames until the new Results are drawn (paced as the interactive loop paces them).
SliderTimes slider_latency(Window& w, Workbench& wb, Panel& tensor, std::span<const float> scales) {
  SliderTimes t;
  auto* jp = dynamic_cast<JobPanel*>(&tensor);
  for (float s : scales) {
    const std::uint64_t g0 = tensor.result_generation();
    const auto t0 = Clock::now();
    tensor.load({{"source", {{"scale", s}}}});  // what moving the scale slider does
    double t_first = -1;
    while (ms_since(t0) < 60000) {
      const auto f0 = Clock::now();
      frame(w, wb);
      const std::uint64_t g = tensor.result_generation();
      if (g > g0 && t_first < 0) {
        t_first = ms_since(t0);  // the frame that drew compare's Result
        if (jp) t.run_ms.push_back(jp->batch_seconds() * 1000);  // compare's runs, one per recipe
      }
      if (g >= g0 + 3) break;  // compare, select and threshold all drawn
      pace(wb, f0);            // the interactive loop's pacing
    }
    t.first.push_back(t_first);
    t.all.push_back(ms_since(t0));
  }
  for (auto* v : {&t.first, &t.all, &t.run_ms}) std::sort(v->begin(), v->end());
  return t;
}

int run_stats(Window& w, Workbench& wb) {
  wb.set_layout(Layout::kTiled);
  Panel* tensor = wb.panel("tensor");
  tensor->load({{"source", {{"rows", 1024}, {"cols", 1024}, {"distribution", "normal"}}},
                {"recipes", {"nvfp4:te", "nvfp4:4over6:mse", "mxfp4:floor", "nvint4"}}});
  if (!settle(w, wb, 120)) std::cerr << "fp4lab-gui --stats: experiments still running after 120 s\n";
  std::vector<double> ft;
  for (int i = 0; i < 120; ++i) {
    const auto t0 = Clock::now();
    frame(w, wb);
    ft.push_back(ms_since(t0));
  }
  // where the time goes: building the UI (ImGui, CPU) against rendering it (llvmpipe) and swapping
  double build = 0, draw = 0;
  for (int i = 0; i < 60; ++i) {
    const auto t0 = Clock::now();
    w.begin_frame();
    wb.frame();
    const auto t1 = Clock::now();
    w.render();
    w.swap();
    build += std::chrono::duration<double, std::milli>(t1 - t0).count();
    draw += ms_since(t1);
  }
  std::printf("  of which building the UI %.2f ms, GL render + swap %.2f ms (60 frames)\n", build / 60, draw / 60);
  for (const auto& p : wb.panels()) {
    wb.set_layout(Layout::kSingle);
    wb.set_active(p->id());
    for (int i = 0; i < 3; ++i) frame(w, wb);
    const auto t0 = Clock::now();
    for (int i = 0; i < 30; ++i) frame(w, wb);
    std::printf("  %-16s alone: %.2f ms/frame (%d vertices, %d indices)\n", p->title(), ms_since(t0) / 30,
                ImGui::GetIO().MetricsRenderVertices, ImGui::GetIO().MetricsRenderIndices);
  }
  {
    // the floor: clear and swap of an empty 1280x800 frame
    for (int i = 0; i < 3; ++i) {
      w.begin_frame();
      w.render();
      w.swap();
    }
    const auto t0 = Clock::now();
    for (int i = 0; i < 30; ++i) {
      w.begin_frame();
      w.render();
      w.swap();
    }
    std::printf("  empty frame (clear + swap only): %.2f ms/frame\n", ms_since(t0) / 30);
  }
  wb.set_layout(Layout::kTiled);
  std::sort(ft.begin(), ft.end());
  double sum = 0;
  for (double v : ft) sum += v;
  std::printf("frame time, %dx%d, all 6 panels open (tiled), %zu frames: mean %.2f ms, median %.2f ms, p95 %.2f ms\n",
              w.fb_width(), w.fb_height(), ft.size(), sum / ft.size(), ft[ft.size() / 2], ft[ft.size() * 95 / 100]);
  // slider changes on the 1M-element tensor with 4 recipes: the time from the change until its
  // Results are drawn, in the single layout (the tensor lab alone, as a user moving its slider
  // sees it) and tiled (all six panels drawn every frame), each over 20 distinct values
  const float scales[] = {1.25f, 0.8f, 1.5f, 1.05f, 2.0f, 0.5f, 1.1f, 0.9f, 3.0f, 0.75f,
                          1.75f, 0.6f, 1.3f, 0.7f, 2.5f, 1.2f, 0.95f, 1.6f, 0.85f, 1.15f};
  auto* jp = dynamic_cast<JobPanel*>(tensor);
  for (const Layout layout : {Layout::kSingle, Layout::kTiled}) {
    wb.set_layout(layout);
    wb.set_active("tensor");
    if (jp) jp->job().clear_cache();  // each pass computes every value afresh
    const SliderTimes t = slider_latency(w, wb, *tensor, scales);
    std::printf("slider change -> new results drawn (1024x1024 tensor, 4 recipes, %zu distinct values, %s layout, "
                "frames paced as in the interactive loop): compare (histograms, metrics) median %.0f ms "
                "[min %.0f, max %.0f]; compare+select+threshold median %.0f ms; compare itself ran median %.0f ms\n",
                t.first.size(), layout == Layout::kSingle ? "single (tensor lab)" : "tiled",
                median(t.first), t.first.front(), t.first.back(), median(t.all), median(t.run_ms));
  }
  // the slider moved back over the last six values (what the tensor lab's cache holds): their
  // Results come from the job's cache
  wb.set_layout(Layout::kSingle);
  const std::uint64_t hits0 = jp ? jp->job().cache_hits() : 0;
  const SliderTimes back = slider_latency(w, wb, *tensor, std::span<const float>(scales + 14, 6));
  std::printf("slider moved back to 6 earlier values (single layout): all results drawn median %.0f ms "
              "[max %.0f] (%llu Results reused from the cache)\n",
              median(back.all), back.all.back(),
              static_cast<unsigned long long>(jp ? jp->job().cache_hits() - hits0 : 0));
  // a drag: a new value every frame for half a second (each supersedes the running work), then
  // the release; the time from the release until the last value's Results are drawn
  {
    wb.set_layout(Layout::kSingle);
    std::vector<double> release;
    for (int d = 0; d < 5; ++d) {
      const std::uint64_t g0 = tensor->result_generation();
      for (int k = 0; k < 30; ++k) {
        const auto f0 = Clock::now();
        tensor->load({{"source", {{"scale", 0.4 + 0.05 * k + 0.003 * d}}}});
        frame(w, wb);
        while (ms_since(f0) < 16.7) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // 60 fps
      }
      const std::uint64_t runs = tensor->result_generation() - g0;  // Results drawn during the drag
      const auto t0 = Clock::now();
      const std::uint64_t g1 = tensor->result_generation();
      while (tensor->result_generation() < g1 + 1 && ms_since(t0) < 60000) {
        const auto f0 = Clock::now();
        frame(w, wb);
        if (tensor->result_generation() < g1 + 1) pace(wb, f0);
      }
      release.push_back(ms_since(t0));
      if (d == 0) std::printf("  a 0.5 s drag of the scale slider drew %llu intermediate Results\n",
                              static_cast<unsigned long long>(runs));
      settle(w, wb, 60);
    }
    std::sort(release.begin(), release.end());
    std::printf("slider dragged for 0.5 s (30 values at 60 fps), then released (5 drags, single layout): release -> "
                "compare's Result drawn median %.0f ms [min %.0f, max %.0f]\n",
                median(release), release.front(), release.back());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const auto rc = parse(argc, argv, o)) return *rc;
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // ImGui's ini lives inside gui.json (Workbench::save_settings)
#ifdef FP4LAB_HAVE_CUDA  // the experiments' "cuda" device, probed on first use
  fp4lab::core::set_device_quantizer_factory(fp4lab::kernels::make_cuda_quantizer);
#endif
  std::string error;
  std::unique_ptr<Window> w = Window::open(o.width, o.height, "fp4lab", error);
  if (!w) {
    const char* display = std::getenv("DISPLAY");
    std::cerr << "fp4lab-gui: no display: " << error << ".\n"
              << "  DISPLAY is " << (display && *display ? std::string("'") + display + "'" : std::string("not set"))
              << ". Run on a desktop, or headless under Xvfb:\n"
              << "  xvfb-run -a -s \"-screen 0 1280x800x24\" fp4lab-gui --screenshot out.png --panel tensor\n";
    ImGui::DestroyContext();
    return 3;
  }
  ImGui::StyleColorsDark();
  int rc = 0;
  {
    Workbench wb;
    const bool headless = !o.screenshot.empty() || o.stats;
    if (!headless) {
      wb.config_path = o.config.empty() ? Workbench::default_config_path() : o.config;
      wb.load_settings_file(wb.config_path);
    } else if (!o.config.empty()) {
      wb.load_settings_file(o.config);
    }
    try {
      if (!o.scenario.empty()) {
        std::ifstream f(o.scenario);
        if (!f) throw std::invalid_argument("cannot read scenario file " + o.scenario);
        std::stringstream ss;
        ss << f.rdbuf();
        wb.apply_scenario(nlohmann::json::parse(ss.str()));
      }
      if (!o.panel.empty()) {
        if (o.panel == "all") {
          wb.set_layout(Layout::kTiled);
        } else if (!wb.set_active(o.panel)) {
          throw std::invalid_argument("no panel named '" + o.panel + "' (formats, block, profile, tensor, diff, help, all)");
        } else {
          wb.set_layout(Layout::kSingle);
        }
      }
    } catch (const std::exception& e) {
      std::cerr << "fp4lab-gui: " << e.what() << "\n";
      rc = 2;
    }
    if (rc == 0 && o.stats) {
      w->set_vsync(false);
      rc = run_stats(*w, wb);
    } else if (rc == 0 && !o.screenshot.empty()) {
      w->set_vsync(false);
      for (int i = 0; i < o.frames; ++i) frame(*w, wb);
      if (!settle(*w, wb, 120)) std::cerr << "fp4lab-gui: experiments still running after 120 s; capturing anyway\n";
      // the picture is written either way, but a panel whose experiment failed fails the run
      for (const auto& p : wb.panels()) {
        if (const std::string e = p->last_error(); !e.empty()) {
          std::cerr << "fp4lab-gui: panel " << p->id() << ": " << e << "\n";
          rc = 1;
        }
      }
      if (!o.export_dir.empty()) {
        // what Ctrl+E does: JSON and CSV now, the panel's PNG from the next rendered frame
        const std::vector<std::string> files = wb.export_panel(wb.active(), o.export_dir);
        frame(*w, wb);
        std::cout << wb.message() << "\n";
        if (files.empty()) rc = 1;
      }
      w->begin_frame();
      wb.frame();
      w->render();
      try {
        write_png(o.screenshot, w->read_back(0, 0, w->fb_width(), w->fb_height()));
        std::cout << "wrote " << o.screenshot << " (" << w->fb_width() << "x" << w->fb_height() << ")\n";
      } catch (const std::exception& e) {
        std::cerr << "fp4lab-gui: " << e.what() << "\n";
        rc = 1;
      }
      w->swap();
    } else if (rc == 0) {
      // idle (nothing running, nothing new): sleep until input, then draw a few frames so ImGui
      // settles hover and animation states; the two shared cores stay free for other work
      int settle_frames = 3;
      std::signal(SIGINT, on_stop_signal);
      std::signal(SIGTERM, on_stop_signal);
      while (!w->should_close() && !g_stop) {
        const auto t0 = Clock::now();
        frame(*w, wb);
        pace(wb, t0);
        if (wb.busy() || wb.has_news() || ImGui::IsAnyItemActive()) {
          settle_frames = 3;
        } else if (--settle_frames <= 0) {
          w->wait_events(0.5);
          settle_frames = 3;
        }
      }
      wb.save_settings_file(wb.config_path);
    }
  }
  w.reset();
  ImGui::DestroyContext();
  return rc;
}
