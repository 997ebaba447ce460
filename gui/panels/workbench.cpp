// The workbench: panels in single, tiled or free layout, the menu bar and status bar, shortcuts
// (Ctrl+1..6, Ctrl+R, Ctrl+E, Ctrl+T, Ctrl+S, Esc, F1), exports and the settings file.
#include "gui/panels/workbench.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "experiments/export/csv.hpp"
#include "experiments/export/figure_render.hpp"
#include "experiments/export/write_file.hpp"

namespace fp4lab::gui {
namespace {

constexpr float kStatusHeight = 26;
// the smallest tile of the tiled layout in which every panel's tables and plots stay usable
// (tests/gui/panels_test.cpp checks the tables at 1280x800 and 1920x1080)
constexpr float kMinTileWidth = 600, kMinTileHeight = 480;
constexpr int kKeyF1 = 290;  // GLFW_KEY_F1 (the GLFW backend indexes KeysDown by GLFW key codes)

const char* layout_name(Layout l) {
  return l == Layout::kTiled ? "tiled" : l == Layout::kFree ? "free" : "single";
}

Layout parse_layout(const nlohmann::json& j) {
  if (j == "tiled") return Layout::kTiled;
  if (j == "free") return Layout::kFree;
  return Layout::kSingle;
}

/// A file-name-safe version of an id.
std::string safe(const std::string& s) {
  std::string o;
  for (char c : s) o += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return o;
}

}  // namespace

Workbench::Workbench() {
  exp::register_all(registry_);
  panels_ = make_panels(registry_);
  rects_.resize(panels_.size());
}

Workbench::~Workbench() {
  for (auto& p : panels_) p->cancel();
}

Panel* Workbench::panel(const std::string& id) const {
  for (const auto& p : panels_) {
    if (id == p->id()) return p.get();
  }
  return nullptr;
}

bool Workbench::set_active(const std::string& id) {
  for (std::size_t i = 0; i < panels_.size(); ++i) {
    if (id == panels_[i]->id()) {
      active_ = static_cast<int>(i);
      return true;
    }
  }
  return false;
}

bool Workbench::busy() const {
  for (const auto& p : panels_) {
    if (p->busy()) return true;
  }
  return false;
}

bool Workbench::has_news() const {
  for (const auto& p : panels_) {
    if (p->has_news()) return true;
  }
  return false;
}

std::pair<ImVec2, ImVec2> Workbench::panel_rect(const Panel& p) const {
  for (std::size_t i = 0; i < panels_.size(); ++i) {
    if (panels_[i].get() == &p) return rects_[i];
  }
  return {};
}

void Workbench::shortcuts() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl) {
    for (int k = 0; k < static_cast<int>(panels_.size()) && k < 9; ++k) {
      if (ImGui::IsKeyPressed('1' + k, false)) active_ = k;
    }
    if (ImGui::IsKeyPressed('R', false)) active().run();
    if (ImGui::IsKeyPressed('E', false)) export_panel(active(), export_dir);
    if (ImGui::IsKeyPressed('T', false)) layout_ = layout_ == Layout::kTiled ? Layout::kSingle : Layout::kTiled;
    if (ImGui::IsKeyPressed('S', false) && !config_path.empty()) {
      message_ = save_settings_file(config_path) ? "settings saved to " + config_path : "could not save " + config_path;
    }
  }
  const int esc = ImGui::GetKeyIndex(ImGuiKey_Escape);
  if (esc >= 0 && ImGui::IsKeyPressed(esc, false)) {
    for (auto& p : panels_) p->cancel();
    message_ = "cancelled";
  }
  if (ImGui::IsKeyPressed(kKeyF1, false)) set_active("help");
}

void Workbench::menu_bar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("Panels")) {
    for (std::size_t i = 0; i < panels_.size(); ++i) {
      const std::string key = "Ctrl+" + std::to_string(i + 1);
      if (ImGui::MenuItem(panels_[i]->title(), key.c_str(), active_ == static_cast<int>(i))) active_ = static_cast<int>(i);
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Run")) {
    if (ImGui::MenuItem("Run active panel", "Ctrl+R")) active().run();
    if (ImGui::MenuItem("Cancel all", "Esc")) {
      for (auto& p : panels_) p->cancel();
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Export")) {
    if (ImGui::MenuItem("Export active panel (PNG, JSON, CSV)", "Ctrl+E")) export_panel(active(), export_dir);
    ImGui::SetNextItemWidth(260);
    ImGui::InputText("folder", &export_dir);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    if (ImGui::MenuItem("Single panel", "Ctrl+T", layout_ == Layout::kSingle)) layout_ = Layout::kSingle;
    if (ImGui::MenuItem("Tile all panels", "Ctrl+T", layout_ == Layout::kTiled)) layout_ = Layout::kTiled;
    if (ImGui::MenuItem("Free windows (movable, remembered)", nullptr, layout_ == Layout::kFree)) layout_ = Layout::kFree;
    if (!config_path.empty() && ImGui::MenuItem("Save settings", "Ctrl+S")) {
      message_ = save_settings_file(config_path) ? "settings saved to " + config_path : "could not save " + config_path;
    }
    ImGui::EndMenu();
  }
  // the panel tabs as buttons, for one-click switching
  for (std::size_t i = 0; i < panels_.size(); ++i) {
    const bool on = active_ == static_cast<int>(i) && layout_ == Layout::kSingle;
    if (on) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.3f, 1.0f));
    if (ImGui::MenuItem(panels_[i]->title())) {
      active_ = static_cast<int>(i);
      layout_ = Layout::kSingle;
    }
    if (on) ImGui::PopStyleColor();
  }
  ImGui::EndMainMenuBar();
}

void Workbench::frame() {
  clear_table_views();
  for (auto& p : panels_) p->poll();
  shortcuts();
  menu_bar();
  const ImGuiIO& io = ImGui::GetIO();
  const float top = ImGui::GetFrameHeight();
  const ImVec2 area(io.DisplaySize.x, std::max(50.0f, io.DisplaySize.y - top - kStatusHeight));
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoBackground;  // the app clears to WindowBg: one full-screen
                                                                 // layer less for llvmpipe to blend
  const int n = static_cast<int>(panels_.size());
  if (layout_ == Layout::kTiled) tiles(top, area, fixed);
  for (int i = 0; i < n && layout_ != Layout::kTiled; ++i) {
    Panel& p = *panels_[static_cast<std::size_t>(i)];
    if (layout_ == Layout::kSingle && i != active_) continue;
    ImVec2 pos(0, top), size = area;
    if (layout_ != Layout::kSingle) {
      const int cols = 3, rows = (n + cols - 1) / cols;
      size = ImVec2(area.x / cols, area.y / rows);
      pos = ImVec2(size.x * (i % cols), top + size.y * (i / cols));
    }
    // free windows start tiled, then keep where the user put them (ImGui's ini, in gui.json)
    const ImGuiCond cond = layout_ == Layout::kFree ? ImGuiCond_FirstUseEver : ImGuiCond_Always;
    ImGui::SetNextWindowPos(pos, cond);
    ImGui::SetNextWindowSize(size, cond);
    const std::string name = std::string(p.title()) + "###" + p.id();
    if (ImGui::Begin(name.c_str(), nullptr, layout_ == Layout::kFree ? ImGuiWindowFlags_NoCollapse : fixed)) {
      if (layout_ == Layout::kSingle) panel_tabs();
      p.draw();
    }
    rects_[static_cast<std::size_t>(i)] = {ImGui::GetWindowPos(),
                                           ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x,
                                                  ImGui::GetWindowPos().y + ImGui::GetWindowSize().y)};
    ImGui::End();
  }
  for (auto& p : panels_) p->end_frame();
  // status bar
  ImGui::SetNextWindowPos(ImVec2(0, io.DisplaySize.y - kStatusHeight), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, kStatusHeight), ImGuiCond_Always);
  ImGui::Begin("##status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove);
  int running = 0;
  for (const auto& p : panels_) running += p->busy();
  ImGui::Text("%s | %d running | %.1f ms/frame | %s", layout_ == Layout::kSingle ? active().title() : layout_name(layout_), running,
              1000.0f / std::max(1.0f, io.Framerate), message_.c_str());
  ImGui::End();
}

void Workbench::tiles(float top, ImVec2 area, int window_flags) {
  const int n = static_cast<int>(panels_.size());
  int cols = std::clamp(static_cast<int>(area.x / kMinTileWidth), 1, 3);
  int rows = std::clamp(static_cast<int>(area.y / kMinTileHeight), 1, 2);
  while (cols * rows > n && rows > 1) --rows;
  const int count = std::min(n, cols * rows);
  tile_shown_.resize(static_cast<std::size_t>(count), -1);
  const ImVec2 size(area.x / cols, area.y / rows);
  for (auto& r : rects_) r = {};  // panels in a hidden tab have no rectangle
  for (int t = 0; t < count; ++t) {
    // tile t holds panels [first, last) in menu order; it shows the active panel when it holds
    // it, else the one its tab bar showed last
    const int first = t * n / count, last = (t + 1) * n / count;
    int& shown = tile_shown_[static_cast<std::size_t>(t)];  // what its tab bar drew last frame
    const bool holds_active = active_ >= first && active_ < last;
    const int want = holds_active ? active_ : (shown >= first && shown < last ? shown : first);
    ImGui::SetNextWindowPos(ImVec2(size.x * static_cast<float>(t % cols), top + size.y * static_cast<float>(t / cols)),
                            ImGuiCond_Always);
    ImGui::SetNextWindowSize(size, ImGuiCond_Always);
    const std::string name = std::string(panels_[static_cast<std::size_t>(want)]->title()) + "###tile" + std::to_string(t);
    if (ImGui::Begin(name.c_str(), nullptr, window_flags)) {
      int drawn = want;
      if (last - first > 1 && ImGui::BeginTabBar("##tile_tabs")) {
        for (int i = first; i < last; ++i) {
          const ImGuiTabItemFlags f = i == want && shown != want ? ImGuiTabItemFlags_SetSelected : 0;
          if (ImGui::BeginTabItem(panels_[static_cast<std::size_t>(i)]->title(), nullptr, f)) {
            if (shown == want && i != want) active_ = i;  // the user clicked this tab
            drawn = i;
            ImGui::EndTabItem();
          }
        }
        ImGui::EndTabBar();
      }
      shown = drawn;
      panels_[static_cast<std::size_t>(drawn)]->draw();
      rects_[static_cast<std::size_t>(drawn)] = {
          ImGui::GetWindowPos(), ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x,
                                        ImGui::GetWindowPos().y + ImGui::GetWindowSize().y)};
    }
    ImGui::End();
  }
}

void Workbench::panel_tabs() {
  // the panels as tabs; a switch made elsewhere (Ctrl+1..6, the menu) selects its tab
  if (!ImGui::BeginTabBar("##panels")) return;
  for (int i = 0; i < static_cast<int>(panels_.size()); ++i) {
    const Panel& q = *panels_[static_cast<std::size_t>(i)];
    const ImGuiTabItemFlags f = i == active_ && tab_shown_ != active_ ? ImGuiTabItemFlags_SetSelected : 0;
    if (ImGui::BeginTabItem(q.title(), nullptr, f)) {
      if (tab_shown_ == active_ && i != active_) active_ = i;  // the user clicked this tab
      tab_shown_ = i;
      ImGui::EndTabItem();
    }
  }
  ImGui::EndTabBar();
}

std::vector<std::string> Workbench::export_panel(Panel& p, const std::string& dir) {
  std::vector<std::string> files;
  try {
    std::filesystem::create_directories(dir);
    const std::string base = (std::filesystem::path(dir) / p.id()).string();
    nlohmann::json all = nlohmann::json::object();
    for (const auto& [name, r] : p.results()) {
      all[name] = exp::to_json(*r);
      const std::string pre = base + "_" + safe(name) + "_";
      for (const auto& t : r->tables) {
        files.push_back(pre + safe(t.id) + ".csv");
        exp::write_file_atomic(files.back(), exp::table_csv(t));
      }
      // figures: the Cairo export of the same plot model, light publication style, PNG and PDF
      for (const auto& h : r->histograms) {
        files.push_back(pre + safe(h.id) + ".csv");
        exp::write_file_atomic(files.back(), exp::histogram_csv(h));
        for (exp::ImageFormat f : {exp::ImageFormat::png, exp::ImageFormat::pdf}) {
          files.push_back(pre + safe(h.id) + "." + std::string(exp::extension(f)));
          exp::write_file_atomic(files.back(), exp::histogram_file(h, f));
        }
      }
      for (const auto& c : r->curves) {
        files.push_back(pre + safe(c.id) + ".csv");
        exp::write_file_atomic(files.back(), exp::curve_csv(c));
        for (exp::ImageFormat f : {exp::ImageFormat::png, exp::ImageFormat::pdf}) {
          files.push_back(pre + safe(c.id) + "." + std::string(exp::extension(f)));
          exp::write_file_atomic(files.back(), exp::curve_file(c, f));
        }
      }
    }
    all["panel"] = p.id();
    all["inputs"] = p.save();
    files.push_back(base + ".json");
    exp::write_file_atomic(files.back(), all.dump(2) + "\n");
    capture_ = CaptureRequest{base + ".png", {}, {}};
    files.push_back(capture_->path);
    pending_export_ = std::make_pair(0, std::string(p.id()));
    message_ = "exported " + std::to_string(files.size()) + " files to " + dir;
  } catch (const std::exception& e) {
    message_ = std::string("export failed: ") + e.what();
  }
  return files;
}

std::optional<CaptureRequest> Workbench::take_capture() {
  if (!capture_) return std::nullopt;
  CaptureRequest c = *capture_;
  if (pending_export_) {
    if (const Panel* p = panel(pending_export_->second)) {
      const auto r = panel_rect(*p);
      c.min = r.first;
      c.max = r.second;
    }
    pending_export_.reset();
  }
  capture_.reset();
  return c;
}

nlohmann::json Workbench::save_settings() const {
  nlohmann::json j = {{"version", 1}, {"active", active().id()}, {"layout", layout_name(layout_)}, {"export_dir", export_dir}};
  nlohmann::json panels = nlohmann::json::object();
  for (const auto& p : panels_) panels[p->id()] = p->save();
  j["panels"] = panels;
  if (ImGui::GetCurrentContext()) {
    size_t n = 0;
    const char* ini = ImGui::SaveIniSettingsToMemory(&n);
    j["imgui_ini"] = std::string(ini, n);
  }
  return j;
}

void Workbench::load_settings(const nlohmann::json& j) {
  if (!j.is_object()) return;
  if (j.contains("active") && j["active"].is_string()) set_active(j["active"].get<std::string>());
  if (j.contains("layout") && j["layout"].is_string()) layout_ = parse_layout(j["layout"]);
  if (j.contains("export_dir") && j["export_dir"].is_string()) export_dir = j["export_dir"].get<std::string>();
  if (j.contains("panels") && j["panels"].is_object()) {
    for (const auto& [id, v] : j["panels"].items()) {
      if (Panel* p = panel(id)) p->load(v);
    }
  }
  if (j.contains("imgui_ini") && j["imgui_ini"].is_string() && ImGui::GetCurrentContext()) {
    const std::string ini = j["imgui_ini"].get<std::string>();
    ImGui::LoadIniSettingsFromMemory(ini.c_str(), ini.size());
  }
}

void Workbench::apply_scenario(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("a scenario is a JSON object");
  if (j.contains("panel")) {
    const std::string id = j["panel"].get<std::string>();
    if (!set_active(id)) throw std::invalid_argument("scenario: no panel named '" + id + "'");
  }
  if (j.contains("layout")) layout_ = parse_layout(j["layout"]);
  for (const auto& [key, v] : j.items()) {
    if (Panel* p = panel(key)) p->load(v);
  }
  // shared shortcuts: "block", "distribution" and "recipes" at the top level
  if (j.contains("block") && j["block"].is_array()) panel("block")->load({{"values", j["block"]}});
  if (j.contains("distribution") && j["distribution"].is_object()) {
    panel("tensor")->load({{"source", j["distribution"]}});
    panel("diff")->load({{"source", j["distribution"]}});
  }
  if (j.contains("recipes") && j["recipes"].is_array()) panel("tensor")->load({{"recipes", j["recipes"]}});
}

bool Workbench::load_settings_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return true;
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    load_settings(nlohmann::json::parse(ss.str()));
    return true;
  } catch (const std::exception& e) {
    // the next save would replace it: keep the user's file as PATH.bad first, and say so
    const std::string backup = path + ".bad";
    std::string kept;
    try {
      exp::write_file_atomic(backup, ss.str());
      kept = "kept a copy as " + backup;
    } catch (const std::exception& b) {
      kept = std::string("could not keep a copy: ") + b.what();
    }
    message_ = "settings file " + path + " is corrupt (" + e.what() + "); " + kept +
               "; using default settings";
    std::cerr << "fp4lab-gui: " << message_ << "\n";
    return false;
  }
}

bool Workbench::save_settings_file(const std::string& path) const {
  try {
    const std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    exp::write_file_atomic(path, save_settings().dump(2) + "\n");
    return true;
  } catch (const std::exception& e) {
    std::cerr << "fp4lab-gui: could not save settings to " << path << ": " << e.what() << "\n";
    return false;
  }
}

std::string Workbench::default_config_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return (std::filesystem::path(xdg) / "fp4lab" / "gui.json").string();
  const char* home = std::getenv("HOME");
  if (home && *home) return (std::filesystem::path(home) / ".config" / "fp4lab" / "gui.json").string();
  return "fp4lab-gui.json";
}

}  // namespace fp4lab::gui
