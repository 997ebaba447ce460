// GUI panel logic on ImGui with no backend: a context with a display size and a built font
// atlas, frames driven by hand, and each panel's state and outputs checked after its runs.
#include <doctest/doctest.h>
#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "experiments/tensor_source.hpp"
#include "gui/panels/job.hpp"
#include "gui/panels/param_editor.hpp"
#include "gui/panels/workbench.hpp"
#include "gui/plot/plot.hpp"
#include "tests/gui/headless_imgui.hpp"

using namespace fp4lab;
using namespace fp4lab::gui;

namespace {

/// An ImGui context without a backend, the way the tests drive it.
struct Headless {
  Headless() { gui::testing::create_headless_context(); }
  ~Headless() { ImGui::DestroyContext(); }
  /// One frame of the workbench; `keys` are held down during it.
  void frame(Workbench& wb, std::initializer_list<int> keys = {}, bool ctrl = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyCtrl = ctrl;
    for (int k : keys) io.KeysDown[k] = true;
    ImGui::NewFrame();
    wb.frame();
    ImGui::Render();
    for (int k : keys) io.KeysDown[k] = false;
    io.KeyCtrl = false;
  }
  /// Frames until no panel runs and the latest Results were drawn (at most `seconds`).
  bool settle(Workbench& wb, double seconds = 60) {
    const auto t0 = std::chrono::steady_clock::now();
    int quiet = 0;
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
      frame(wb);
      quiet = wb.busy() ? 0 : quiet + 1;
      if (quiet >= 3) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
};

std::filesystem::path temp_dir(const char* name) {
  const auto d = std::filesystem::temp_directory_path() / ("fp4lab_gui_test_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

/// A small tensor source so the tensor experiments take milliseconds, also under ASan.
nlohmann::json small_source() { return {{"rows", 64}, {"cols", 128}, {"seed", 3}}; }

/// Runs one batch on `job` to the end and returns its outputs (REQUIREs it finished in 30 s).
std::vector<JobOutput> run_batch(Job& job, std::vector<JobRequest> batch) {
  job.start(std::move(batch));
  REQUIRE(job.wait_idle(30));
  return job.take();
}

}  // namespace

TEST_SUITE("gui.formats") {
  TEST_CASE("the format explorer draws every codebook of the formats experiment") {
    Headless h;
    Workbench wb;
    wb.set_active("formats");
    REQUIRE(h.settle(wb));
    const nlohmann::json p = wb.active().probe();
    CHECK(p["has_result"] == true);
    CHECK(p["rows"] == 10);  // E2M1, INT4, E4M3, E5M2, E8M0, E2M3, E3M2, E2M0, INT3, INT6 on the number line
    REQUIRE(wb.active().results().size() == 1);
    CHECK(wb.active().results()[0].second->experiment == "formats");
  }
  TEST_CASE("the converter gives every mode's code and marks CUDA's round-to-nearest-even") {
    Headless h;
    Workbench wb;
    wb.set_active("formats");
    wb.active().load({{"value", 2.7}, {"code_format", "E2M1"}, {"code", 7}});
    const nlohmann::json p = wb.active().probe();
    bool saw_rne = false, saw_rz = false;
    for (const auto& c : p["conversions"]) {
      if (c["format"] != "E2M1") continue;
      if (c["mode"].get<std::string>().rfind("nearest-even", 0) == 0) {
        saw_rne = true;
        CHECK(c["code"] == 5);  // 2.7 -> 3
        CHECK(c["value"] == 3.0);
        CHECK(c["cuda"] == true);
      }
      if (c["mode"].get<std::string>().rfind("toward zero", 0) == 0) {
        saw_rz = true;
        CHECK(c["value"] == 2.0);
        CHECK(c["cuda"] == false);
      }
    }
    CHECK(saw_rne);
    CHECK(saw_rz);
    CHECK(p["decoded"] == 6.0);  // E2M1 0x7
  }
  TEST_CASE("the converter rounds a typed value to the FP6, FP3, INT3 and INT6 element types") {
    Headless h;
    Workbench wb;
    wb.set_active("formats");
    wb.active().load({{"value", 2.7}, {"code_format", "E3M2"}, {"code", 0x1F}});
    const nlohmann::json p = wb.active().probe();
    int seen = 0;
    for (const auto& c : p["conversions"]) {
      const std::string mode = c["mode"].get<std::string>();
      if (mode.rfind("nearest-even", 0) != 0) continue;
      if (c["format"] == "E2M3") {  // 2.7 -> 2.75 (0x13), a CUDA mode
        CHECK(c["code"] == 0x13);
        CHECK(c["value"] == 2.75);
        CHECK(c["cuda"] == true);
        ++seen;
      } else if (c["format"] == "E3M2") {  // 2.7 -> 2.5 (0x11)
        CHECK(c["code"] == 0x11);
        CHECK(c["value"] == 2.5);
        ++seen;
      } else if (c["format"] == "E2M0") {  // 2.7 -> 2 (0x2)
        CHECK(c["value"] == 2.0);
        ++seen;
      } else if (c["format"] == "INT3" || c["format"] == "INT6") {  // 2.7 -> 3
        CHECK(c["value"] == 3.0);
        ++seen;
      }
    }
    CHECK(seen == 5);
    CHECK(p["decoded"] == 28.0);  // E3M2 0x1F
  }
}

TEST_SUITE("gui.block") {
  TEST_CASE("the block lab runs the walkthrough on the block it is given") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "block"}, {"block", {{"values", {15, 30, 120, 180}}}}});
    REQUIRE(h.settle(wb));
    const nlohmann::json p = wb.active().probe();
    CHECK(p["size"] == 16);  // padded with zeros to a block of 16
    CHECK(p["scale_m6"] == 30.0);  // Table 2, second column
    CHECK(p["scale_m4"] == 44.0);
    CHECK(p["choice_mse"] == 6.0);
  }
  TEST_CASE("a block of 32 drawn from a distribution is quantized whole") {
    Headless h;
    Workbench wb;
    wb.set_active("block");
    wb.active().load({{"size", 32}, {"distribution", "laplace"}, {"seed", 7}, {"draw", true}});
    REQUIRE(h.settle(wb));
    CHECK(wb.active().probe()["size"] == 32);
    const exp::Result* r = wb.active().results().at(0).second;
    int elements_te = 0;
    for (const auto& t : r->tables) {
      if (t.id != "elements") continue;
      for (const auto& row : t.rows) elements_te += std::get<std::string>(row[0]) == "nvfp4:te:bs=16";
    }
    CHECK(elements_te == 32);
  }
}

TEST_SUITE("gui.profile") {
  TEST_CASE("the cursor read-out gives each Fig. 1 curve's value at the cursor") {
    Headless h;
    Workbench wb;
    wb.set_active("profile");
    wb.active().load({{"points", 1201}, {"cursor", 0.5}});
    REQUIRE(h.settle(wb));
    const nlohmann::json p = wb.active().probe();
    REQUIRE(p.contains("readout"));
    CHECK(p["readout"].size() == 6);
    // at v/bmax = 0.5, M=6 maps v to exactly 3: no error; INT4 maps it to 3.5, halfway
    CHECK(p["readout"]["NVFP4 M=6"].get<double>() == doctest::Approx(0.0).epsilon(1e-9));
    CHECK(p["readout"]["INT4 sym"].get<double>() == doctest::Approx(0.5 / 7).epsilon(1e-6));
  }
}

TEST_SUITE("gui.tensor") {
  TEST_CASE("the tensor lab runs compare, select and threshold on one source") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "tensor"},
                       {"tensor", {{"source", small_source()}, {"recipes", {"nvfp4:te", "mxfp4:rceil"}}, {"t", 2.0}}}});
    REQUIRE(h.settle(wb));
    const nlohmann::json p = wb.active().probe();
    CHECK(p["compare"] == true);
    CHECK(p["select"] == true);
    CHECK(p["threshold"] == true);
    CHECK(p["compare_recipes"].size() == 2);
    REQUIRE(p.contains("at_t"));
    CHECK(p["at_t"]["t"].get<double>() == doctest::Approx(2.0));
    // the GUI's numbers are the experiment's: the same run through the registry agrees
    exp::Registry reg;
    exp::register_all(reg);
    exp::Params cp = small_source();
    cp["recipes"] = "nvfp4:te,mxfp4:rceil";
    cp["bins"] = 101;
    const exp::Result direct = reg.find("compare")->run(cp, nullptr);
    CHECK(exp::to_json(direct)["tables"] == exp::to_json(*wb.active().results().at(0).second)["tables"]);
    // compare runs once per recipe in the GUI; the joined Result is the one run's, all of it
    CHECK(exp::to_json(direct) == exp::to_json(*wb.active().results().at(0).second));
  }
  TEST_CASE("a recipe added to the list computes that recipe alone") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "tensor"}, {"tensor", {{"source", small_source()}, {"recipes", {"nvfp4:te", "mxfp4:rceil"}}}}});
    REQUIRE(h.settle(wb));
    auto* tensor = dynamic_cast<JobPanel*>(wb.panel("tensor"));
    REQUIRE(tensor != nullptr);
    const std::uint64_t hits = tensor->job().cache_hits(), g = tensor->result_generation();
    tensor->load({{"recipes", {"nvfp4:te", "mxfp4:rceil", "nvint4"}}});
    REQUIRE(h.settle(wb));
    CHECK(tensor->job().cache_hits() == hits + 4);  // two recipes, select and threshold
    CHECK(tensor->result_generation() == g + 3);    // compare drawn once, whole
    const nlohmann::json p = wb.active().probe();
    REQUIRE(p["compare_recipes"].size() == 3);
    CHECK(p["compare_recipes"][2].get<std::string>().rfind("nvint4", 0) == 0);
  }
  TEST_CASE("a new threshold recipe reruns only threshold; compare and select are reused") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "tensor"}, {"tensor", {{"source", small_source()}}}});
    REQUIRE(h.settle(wb));
    auto* tensor = dynamic_cast<JobPanel*>(wb.panel("tensor"));
    REQUIRE(tensor != nullptr);
    const std::uint64_t hits = tensor->job().cache_hits(), g = tensor->result_generation();
    tensor->load({{"threshold_recipe", "nvfp4:4over6:mse"}});
    REQUIRE(h.settle(wb));
    CHECK(tensor->job().cache_hits() == hits + 5);   // compare's four recipes and select
    CHECK(tensor->result_generation() == g + 3);     // all three drawn anew
    // the scale slider changes every experiment's input: nothing is reused
    tensor->load({{"source", {{"scale", 2.0}}}});
    REQUIRE(h.settle(wb));
    CHECK(tensor->job().cache_hits() == hits + 5);
    // and back to scale 1: all six from the cache
    tensor->load({{"source", {{"scale", 1.0}}}});
    REQUIRE(h.settle(wb));
    CHECK(tensor->job().cache_hits() == hits + 11);
    CHECK(wb.active().probe()["compare"] == true);
  }
  TEST_CASE("a slider dragged frame after frame runs only its last value, once it stops") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "tensor"}, {"tensor", {{"source", small_source()}}}});
    REQUIRE(h.settle(wb));
    auto* tensor = dynamic_cast<JobPanel*>(wb.panel("tensor"));
    REQUIRE(tensor != nullptr);
    for (int k = 0; k < 6; ++k) {  // a new scale every frame
      tensor->load({{"source", {{"scale", 1.5 + 0.25 * k}}}});
      h.frame(wb);
    }
    h.frame(wb);  // the first frame without a change runs the last value
    CHECK(tensor->job().busy());
    REQUIRE(h.settle(wb));
    const exp::Result* compare = wb.active().results().at(0).second;
    CHECK(compare->provenance.params["scale"].get<double>() == doctest::Approx(2.75));
    // the values between the first and the last never ran: none is in the cache
    const std::uint64_t hits = tensor->job().cache_hits();
    for (const double v : {1.75, 2.0, 2.25, 2.5}) {
      tensor->load({{"source", {{"scale", v}}}});
      REQUIRE(h.settle(wb));
      h.frame(wb);  // (settle's frames changed nothing: the next value is a single change)
    }
    CHECK(tensor->job().cache_hits() == hits);
    tensor->load({{"source", {{"scale", 2.75}}}});  // the last value did run
    REQUIRE(h.settle(wb));
    CHECK(tensor->job().cache_hits() == hits + 6);
  }
  TEST_CASE("Esc cancels a running tensor experiment and the UI keeps drawing") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "tensor"},
                       {"tensor", {{"source", {{"rows", 2048}, {"cols", 2048}}},
                                   {"recipes", {"nvfp4:te", "nvfp4:4over6:mse", "mxfp4:floor", "nvint4", "nvfp4:torchao",
                                                "nvfp4:modelopt", "int4:g128:asym"}}}}});
    h.frame(wb);  // starts the batch
    CHECK(wb.busy());
    const auto t0 = std::chrono::steady_clock::now();
    h.frame(wb, {256});  // Esc
    while (wb.busy() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30)) h.frame(wb);
    CHECK_FALSE(wb.busy());
    CHECK(wb.active().probe()["compare"] == false);  // cancelled before its first result
  }
}

TEST_SUITE("gui.diff") {
  TEST_CASE("next mismatch walks the view window's mismatches and wraps around") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "diff"},
                       {"diff", {{"source", small_source()}, {"recipe_a", "nvfp4:te"}, {"recipe_b", "nvfp4:4over6:mse"}}}});
    REQUIRE(h.settle(wb));
    Panel& d = wb.active();
    nlohmann::json p = d.probe();
    REQUIRE(p["mismatches"].get<int>() > 1);
    CHECK(p["selected"] == -1);
    CHECK(d.action("next_mismatch"));
    CHECK(d.probe()["selected"] == 0);
    CHECK(d.action("prev_mismatch"));
    CHECK(d.probe()["selected"] == p["mismatches"].get<int>() - 1);  // wrapped to the last
    CHECK(d.action("next_mismatch"));
    CHECK(d.probe()["selected"] == 0);
    CHECK(d.probe()["selected_row"] == 0.0);
    CHECK_FALSE(d.action("no_such_action"));
  }
  TEST_CASE("a recipe diffed with itself shows no mismatch") {
    Headless h;
    Workbench wb;
    wb.apply_scenario({{"panel", "diff"}, {"diff", {{"source", small_source()}, {"recipes", {"nvfp4:te", "nvfp4:te"}}}}});
    REQUIRE(h.settle(wb));
    CHECK(wb.active().probe()["mismatches"] == 0);
    CHECK(wb.active().probe()["codes_differ"] == 0.0);
  }
}

TEST_SUITE("gui.help") {
  TEST_CASE("the help panel lists every format and the 4/6 idea") {
    Headless h;
    Workbench wb;
    wb.set_active("help");
    h.frame(wb);
    CHECK(wb.active().probe()["entries"] == 8);
  }
}

TEST_SUITE("gui.workbench") {
  TEST_CASE("Ctrl+1..6 switch panels and Ctrl+T tiles them all") {
    Headless h;
    Workbench wb;
    h.frame(wb);
    h.frame(wb, {'2'}, true);
    CHECK(std::string(wb.active().id()) == "block");
    h.frame(wb, {'6'}, true);
    CHECK(std::string(wb.active().id()) == "help");
    h.frame(wb, {'T'}, true);
    CHECK(wb.layout() == Layout::kTiled);
    h.frame(wb);
    h.frame(wb);
    // tiled at 1280x800: two tiles side by side, each a half of the width, tabs for three panels;
    // the active panel (help) is shown in its tile, and Ctrl+4 shows the tensor lab in the same tile
    REQUIRE(ImGui::GetIO().DisplaySize.x == 1280);
    int shown = 0;
    for (const auto& p : wb.panels()) {
      const auto r = wb.panel_rect(*p);
      if (r.second.x - r.first.x <= 0) continue;
      ++shown;
      CHECK(r.second.x - r.first.x == doctest::Approx(1280.0 / 2).epsilon(0.01));
    }
    CHECK(shown == 2);
    CHECK(wb.panel_rect(*wb.panel("help")).first.x == doctest::Approx(640.0));
    h.frame(wb, {'4'}, true);
    h.frame(wb);
    h.frame(wb);
    CHECK(wb.panel_rect(*wb.panel("tensor")).first.x == doctest::Approx(640.0));
    CHECK(wb.panel_rect(*wb.panel("help")).second.x == 0);  // in a hidden tab now
    for (auto& p : wb.panels()) p->cancel();
  }
  TEST_CASE("tiled at 1920x1080 every panel gets a tile of its own, 3 x 2") {
    Headless h;
    ImGui::GetIO().DisplaySize = ImVec2(1920, 1080);
    Workbench wb;
    wb.set_layout(Layout::kTiled);
    h.frame(wb);
    for (const auto& p : wb.panels()) {
      const auto r = wb.panel_rect(*p);
      CHECK(r.second.x - r.first.x == doctest::Approx(1920.0 / 3).epsilon(0.01));
    }
    for (auto& p : wb.panels()) p->cancel();
  }
  TEST_CASE("settings survive a save and a load in a new workbench") {
    Headless h;
    const auto dir = temp_dir("settings");
    const std::string path = (dir / "fp4lab" / "gui.json").string();
    nlohmann::json saved;
    {
      Workbench wb;
      wb.set_active("tensor");
      wb.set_layout(Layout::kTiled);
      wb.export_dir = "somewhere";
      wb.panel("tensor")->load({{"source", small_source()}, {"recipes", {"nvint4"}}, {"t", 4.5}});
      wb.panel("formats")->load({{"value", 1.25}, {"log", true}});
      REQUIRE(wb.save_settings_file(path));
      saved = wb.save_settings();
    }
    Workbench wb2;
    wb2.load_settings_file(path);
    CHECK(std::string(wb2.active().id()) == "tensor");
    CHECK(wb2.layout() == Layout::kTiled);
    CHECK(wb2.export_dir == "somewhere");
    CHECK(wb2.save_settings()["panels"] == saved["panels"]);
    std::filesystem::remove_all(dir);
  }
  TEST_CASE("a corrupt settings file is reported and kept as .bad before a save replaces it") {
    Headless h;
    const auto dir = temp_dir("corrupt");
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "gui.json").string();
    std::ofstream(path) << "{\"active\": \"tensor\", oops";
    Workbench wb;
    CHECK_FALSE(wb.load_settings_file(path));
    CHECK(wb.message().find("settings file " + path + " is corrupt") != std::string::npos);
    CHECK(wb.message().find("kept a copy as " + path + ".bad") != std::string::npos);
    std::ifstream bad(path + ".bad");
    std::stringstream ss;
    ss << bad.rdbuf();
    CHECK(ss.str() == "{\"active\": \"tensor\", oops");
    REQUIRE(wb.save_settings_file(path));  // what closing the window does
    CHECK(std::filesystem::exists(path + ".bad"));
    Workbench wb2;
    CHECK(wb2.load_settings_file(path));                       // the saved defaults read back
    CHECK(wb2.load_settings_file((dir / "absent.json").string()));  // no file: nothing to report
    std::filesystem::remove_all(dir);
  }
  TEST_CASE("free windows keep the position the user gave them across sessions") {
    nlohmann::json saved;
    {
      Headless h;
      Workbench wb;
      wb.set_layout(Layout::kFree);
      h.frame(wb);
      ImGui::NewFrame();
      wb.frame();
      ImGui::SetWindowPos("Help###help", ImVec2(100, 120));  // what dragging the window does
      ImGui::Render();
      h.frame(wb);
      CHECK(wb.panel_rect(*wb.panel("help")).first.x == 100);
      saved = wb.save_settings();
      for (auto& p : wb.panels()) p->cancel();
    }
    CHECK(saved["layout"] == "free");
    Headless h;  // a new ImGui context: nothing remembered but the settings
    Workbench wb;
    wb.load_settings(saved);
    h.frame(wb);
    CHECK(wb.layout() == Layout::kFree);
    const auto r = wb.panel_rect(*wb.panel("help"));
    CHECK(r.first.x == 100);
    CHECK(r.first.y == 120);
    for (auto& p : wb.panels()) p->cancel();
  }
  TEST_CASE("the config file lives under XDG_CONFIG_HOME, else ~/.config") {
    const char* old = std::getenv("XDG_CONFIG_HOME");
    const std::string keep = old ? old : "";
    ::setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
    CHECK(Workbench::default_config_path() == "/tmp/xdg-test/fp4lab/gui.json");
    ::unsetenv("XDG_CONFIG_HOME");
    if (std::getenv("HOME")) CHECK(Workbench::default_config_path() == std::string(std::getenv("HOME")) + "/.config/fp4lab/gui.json");
    if (old) ::setenv("XDG_CONFIG_HOME", keep.c_str(), 1);
  }
  TEST_CASE("export writes the panel's Results as JSON, CSV and Cairo figures and asks for its PNG") {
    Headless h;
    Workbench wb;
    wb.set_active("profile");
    REQUIRE(h.settle(wb));
    const auto dir = temp_dir("export");
    const std::vector<std::string> files = wb.export_panel(wb.active(), dir.string());
    REQUIRE(files.size() >= 3);
    std::ifstream f(dir / "profile.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    CHECK(exp::result_from_json(j["error-profile"]).curves.size() == 1);
    CHECK(std::filesystem::exists(dir / "profile_error-profile_error_profile.csv"));
    CHECK(std::filesystem::exists(dir / "profile_error-profile_summary.csv"));
    // the figure as a publication would print it: Cairo's light PNG and a PDF of the same model
    const std::filesystem::path png = dir / "profile_error-profile_error_profile.png";
    REQUIRE(std::filesystem::exists(png));
    std::ifstream pf(png, std::ios::binary);
    std::string head(8, '\0');
    pf.read(head.data(), 8);
    CHECK(head == "\x89PNG\r\n\x1a\n");
    CHECK(std::filesystem::file_size(dir / "profile_error-profile_error_profile.pdf") > 1000);
    // no backend here: the PNG is a request the app fulfils after rendering the frame
    h.frame(wb);
    const auto c = wb.take_capture();
    REQUIRE(c.has_value());
    CHECK(c->path == (dir / "profile.png").string());
    CHECK(c->max.x - c->min.x == doctest::Approx(1280));
    CHECK_FALSE(wb.take_capture().has_value());
    std::filesystem::remove_all(dir);
  }
  TEST_CASE("Ctrl+E exports the active panel") {
    Headless h;
    Workbench wb;
    wb.set_active("help");
    const auto dir = temp_dir("ctrl_e");
    wb.export_dir = dir.string();
    h.frame(wb, {'E'}, true);
    CHECK(std::filesystem::exists(dir / "help.json"));
    CHECK(wb.take_capture().has_value());
    std::filesystem::remove_all(dir);
  }
  TEST_CASE("a scenario naming an unknown panel is rejected") {
    Headless h;
    Workbench wb;
    CHECK_THROWS_AS(wb.apply_scenario({{"panel", "nope"}}), std::invalid_argument);
    CHECK_THROWS_AS(wb.apply_scenario(nlohmann::json::array()), std::invalid_argument);
  }
}

TEST_SUITE("gui.job") {
  TEST_CASE("a new batch supersedes the running one and every run reports its experiment") {
    exp::Registry reg;
    exp::register_all(reg);
    Job job(reg);
    const auto b1 = job.start({{"compare", {{"rows", 2048}, {"cols", 2048}}}});
    const auto b2 = job.start({{"error-profile", {{"points", 101}}}, {"formats", {{"codebooks", false}}}});
    CHECK(b2 > b1);
    REQUIRE(job.wait_idle(60));
    std::vector<JobOutput> out = job.take();
    int latest = 0;
    for (const auto& o : out) {
      if (o.batch != b2) continue;
      ++latest;
      CHECK(o.result.has_value());
    }
    CHECK(latest == 2);
  }
  TEST_CASE("with a cache, an unchanged request is answered from it and a changed one runs") {
    exp::Registry reg;
    exp::register_all(reg);
    Job job(reg);
    job.set_cache_capacity(4);
    const exp::Params a = {{"points", 101}}, b = {{"points", 201}};
    const std::vector<JobOutput> first = run_batch(job, {{"error-profile", a}});
    REQUIRE(first.size() == 1);
    REQUIRE(first[0].result.has_value());
    CHECK_FALSE(first[0].reused);
    // the same request again: answered before start() returns, the same Result, nothing ran
    const auto b2 = job.start({{"error-profile", b}, {"error-profile", a}});
    REQUIRE(job.wait_idle(30));
    CHECK(job.waiting(b2) == 2);
    CHECK(job.waiting(b2, "error-profile") == 2);
    CHECK(job.waiting(b2, "compare") == 0);
    CHECK(job.waiting(b2 + 1) == 0);
    const std::vector<JobOutput> second = job.take();
    CHECK(job.waiting(b2) == 0);
    REQUIRE(second.size() == 2);
    int reused = 0;
    for (const JobOutput& o : second) {
      CHECK(o.batch == b2);
      REQUIRE(o.result.has_value());
      if (o.index == 1) {
        CHECK(o.reused);
        CHECK(exp::to_json(*o.result) == exp::to_json(*first[0].result));
      } else {
        CHECK_FALSE(o.reused);  // the changed request ran
        CHECK(o.result->curves.at(0).series.at(0).x.size() != first[0].result->curves.at(0).series.at(0).x.size());
      }
      reused += o.reused;
    }
    CHECK(reused == 1);
    CHECK(job.cache_hits() == 1);
    // after clear_cache the same request runs again
    job.clear_cache();
    const std::vector<JobOutput> third = run_batch(job, {{"error-profile", a}});
    REQUIRE(third.size() == 1);
    CHECK_FALSE(third[0].reused);
    CHECK(job.cache_hits() == 1);
  }
  TEST_CASE("a request naming an input file is never answered from the cache") {
    exp::Registry reg;
    exp::register_all(reg);
    Job job(reg);
    job.set_cache_capacity(4);
    const exp::Params p = {{"input", "/nonexistent/x.npy"}};
    for (int k = 0; k < 2; ++k) {
      const auto out = run_batch(job, {{"compare", p}});
      REQUIRE(out.size() == 1);
      CHECK_FALSE(out[0].reused);
    }
    CHECK(job.cache_hits() == 0);
  }
  TEST_CASE("a bad parameter comes back as an error, not a crash") {
    exp::Registry reg;
    exp::register_all(reg);
    Job job(reg);
    const auto out = run_batch(job, {{"walkthrough", {{"values", "1,x"}}}, {"no-such", {}}});
    REQUIRE(out.size() == 2);
    CHECK(out[0].error.find("'x' is not a number") != std::string::npos);
    CHECK(out[1].error.find("no experiment named") != std::string::npos);
  }
}

TEST_SUITE("gui.plot") {
  TEST_CASE("series values interpolate between points and are NaN outside them") {
    exp::Series s{"s", {0, 1, 2}, {0, 10, 0}};
    CHECK(series_value_at(s, 0.5) == doctest::Approx(5));
    CHECK(series_value_at(s, 2) == doctest::Approx(0));
    CHECK(std::isnan(series_value_at(s, 2.5)));
    CHECK(short_number(0.5) == "0.5");
    CHECK(short_number(1e-5) == "1e-05");
  }
}

TEST_SUITE("gui.param_editor") {
  TEST_CASE("the editor generated from a spec edits the Params, clamped to the spec's range") {
    Headless h;
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[ImGuiKey_Enter] = 257;
    const exp::ParamSpecs spec = {exp::int_param("rows", 16, 1, 4096, "rows"),
                                  exp::number_param("scale", 1.0, 0.5, 2.0, "scale"),
                                  exp::string_param("input", "", "a file"),
                                  exp::choice_param("dtype", "bf16", {"f32", "bf16", "f16"}, "dtype"),
                                  exp::bool_param("codebooks", true, "codebooks")};
    exp::Params values = exp::spec_defaults(spec);
    bool changed = false;
    // one frame of a window holding the editor; `focus` >= 0 asks focus for that editor
    auto frame = [&](int focus, const char* text, bool enter) {
      if (text) io.AddInputCharactersUTF8(text);
      io.KeysDown[257] = enter;
      ImGui::NewFrame();
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(ImVec2(1200, 300));
      ImGui::Begin("editor");
      if (focus >= 0) ImGui::SetKeyboardFocusHere(focus);
      changed |= draw_params("p", spec, values);
      ImGui::End();
      ImGui::Render();
      io.KeysDown[257] = false;
    };
    // focuses editor `index` (its text is selected), types `text` and presses Enter
    auto type_into = [&](int index, const char* text) {
      changed = false;
      frame(index, nullptr, false);
      frame(-1, nullptr, false);
      frame(-1, text, false);
      frame(-1, nullptr, true);
      frame(-1, nullptr, false);
      return changed;
    };
    frame(-1, nullptr, false);
    CHECK_FALSE(changed);  // drawing alone changes nothing
    CHECK(values == exp::spec_defaults(spec));
    CHECK(type_into(0, "64"));
    CHECK(values["rows"] == 64);
    CHECK(type_into(0, "100000"));  // clamped to the spec's maximum
    CHECK(values["rows"] == 4096);
    CHECK(type_into(1, "1.25"));
    CHECK(values["scale"] == 1.25);
    CHECK(type_into(1, "0.1"));  // clamped to the spec's minimum
    CHECK(values["scale"] == 0.5);
    CHECK(type_into(2, "w.npy"));
    CHECK(values["input"] == "w.npy");
    // what the editor made passes the spec's own checks
    CHECK_NOTHROW(exp::merge_params(spec, values, "editor"));
  }
  TEST_CASE("source settings of gui.json load into the Params; bad values and unknown keys are ignored") {
    const exp::ParamSpecs& spec = exp::source_params();
    exp::Params values = exp::spec_defaults(spec);
    load_params(spec,
                {{"rows", 64}, {"cols", 128.0}, {"seed", 3}, {"scale", 2}, {"distribution", "laplace"},
                 {"nu", "x"}, {"outlier_fraction", 5.0}, {"dtype", "f8"}, {"bogus", 1}},
                values);
    CHECK(values["rows"] == 64);
    CHECK(values["cols"] == 128);
    CHECK(values["cols"].is_number_integer());
    CHECK(values["seed"] == 3);
    CHECK(values["scale"] == 2.0);
    CHECK(values["distribution"] == "laplace");
    CHECK(values["nu"] == 4.0);                   // not a number: kept
    CHECK(values["outlier_fraction"] == 0.001);   // out of range: kept
    CHECK(values["dtype"] == "bf16");             // not a choice: kept
    CHECK_FALSE(values.contains("bogus"));
  }
  TEST_CASE("the tensor lab's source is the spec's Params: saved with every source key, old files load") {
    Headless h;
    Workbench wb;
    Panel* tensor = wb.panel("tensor");
    REQUIRE(tensor != nullptr);
    tensor->load({{"source", {{"rows", 64}, {"cols", 128}, {"seed", 3}, {"scale", 0.5}}}});
    const nlohmann::json src = tensor->save()["source"];
    for (const exp::ParamSpec& s : exp::source_params()) CHECK_MESSAGE(src.contains(s.key), s.key);
    CHECK(src["rows"] == 64);
    CHECK(src["scale"] == 0.5);
    CHECK(src["distribution"] == "normal");
    Panel* diff = wb.panel("diff");
    REQUIRE(diff != nullptr);
    CHECK(diff->save()["source"]["rows"] == 64);  // the diff panel's own defaults
    CHECK(diff->save()["source"]["cols"] == 256);
  }
}

TEST_SUITE("gui.layout") {
  TEST_CASE("no panel clips a table at 1280x800 or at 1920x1080, single or tiled (ImGui's clip rectangles)") {
    for (const Layout layout : {Layout::kSingle, Layout::kTiled})
    for (const ImVec2 size : {ImVec2(1280, 800), ImVec2(1920, 1080)}) {
      Headless h;
      ImGui::GetIO().DisplaySize = size;
      Workbench wb;
      wb.apply_scenario({{"tensor", {{"source", small_source()}}}, {"diff", {{"source", small_source()}}}});
      wb.set_layout(layout);
      int tables = 0;
      for (const auto& panel : wb.panels()) {
        REQUIRE(wb.set_active(panel->id()));  // tiled: the panel's tab in its tile
        REQUIRE(h.settle(wb));
        h.frame(wb);
        h.frame(wb);
        for (const TableView& v : table_views()) {
          ++tables;
          INFO(std::string(panel->id()), " at ", size.x, "x", size.y, layout == Layout::kTiled ? " tiled" : " single",
               ": table ", v.id, " height ", v.height,
               " visible ", v.visible_height, " rows ", v.rows);
          if (std::getenv("FP4LAB_TABLE_LOG")) {
            std::printf("%s %gx%g %d %s rows %d h %.0f vis %.0f rowh %.0f rc %d cc %d\n", panel->id(), size.x,
                        size.y, static_cast<int>(layout),
                        v.id.c_str(), v.rows, v.height, v.visible_height, v.row_height, v.rows_clipped, v.columns_clipped);
          }
          CHECK_FALSE(v.rows_clipped);
          CHECK_FALSE(v.columns_clipped);
        }
      }
      CHECK(tables >= 6);  // the panels do draw tables
    }
  }
}
