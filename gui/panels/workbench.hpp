// The workbench: the registry, the six panels, the menu bar, layout (single or tiled),
// keyboard shortcuts, exports, settings (config file) and scenarios. ImGui only, no backend.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/experiment.hpp"
#include "gui/panels/panel.hpp"

namespace fp4lab::gui {

/// How the panels are laid out in the main window.
enum class Layout {
  kSingle,  ///< the active panel fills the window, the others one tab away
  kTiled,   ///< as many tiles as the window holds at a usable size (3 x 2 at 1920x1080, 2 side by
            ///< side at 1280x800), the panels spread over them, tabs where a tile holds several
  kFree,    ///< every panel a movable, resizable window; positions persist in the settings
};

/// A request for a PNG of a screen rectangle, fulfilled by the app after rendering the frame.
struct CaptureRequest {
  std::string path;   ///< where the PNG goes
  ImVec2 min, max;    ///< the rectangle, in ImGui (framebuffer) pixels
};

/// The GUI's state and its per-frame drawing.
class Workbench {
 public:
  /// Registers every experiment and creates the panels.
  Workbench();
  ~Workbench();

  /// Draws one frame (between ImGui::NewFrame and ImGui::Render): menu, panels, shortcuts.
  void frame();
  /// The panels in menu order.
  const std::vector<std::unique_ptr<Panel>>& panels() const { return panels_; }
  /// The panel with this id, or nullptr.
  Panel* panel(const std::string& id) const;
  /// The visible panel in the single layout.
  Panel& active() const { return *panels_[static_cast<std::size_t>(active_)]; }
  /// Shows the panel with this id; false when there is none.
  bool set_active(const std::string& id);
  /// Sets the layout.
  void set_layout(Layout l) { layout_ = l; }
  /// The layout.
  Layout layout() const { return layout_; }
  /// True while any panel's experiments run.
  bool busy() const;
  /// True when any panel has finished runs to draw.
  bool has_news() const;

  /// Writes `<dir>/<panel>.json` (every Result via to_json), one CSV per table, histogram and
  /// curve, and asks for `<dir>/<panel>.png` of the panel's window; returns the files written.
  std::vector<std::string> export_panel(Panel& p, const std::string& dir);
  /// The PNG capture asked for this frame, if any (the app reads the back buffer and clears it).
  std::optional<CaptureRequest> take_capture();
  /// The panel's window rectangle in the last frame.
  std::pair<ImVec2, ImVec2> panel_rect(const Panel& p) const;

  /// Settings as JSON: active panel, layout, export folder, each panel's inputs, ImGui's ini.
  nlohmann::json save_settings() const;
  /// Applies settings (unknown keys ignored).
  void load_settings(const nlohmann::json& j);
  /// Applies a scenario: {"panel": id, "layout": "single"|"tiled", "<panel id>": {inputs}}.
  void apply_scenario(const nlohmann::json& j);
  /// Reads settings from `path` when it exists. A corrupt file is reported (stderr and the
  /// status message) and copied to `path` + ".bad" before any save replaces it; returns false then.
  bool load_settings_file(const std::string& path);
  /// Writes settings to `path` atomically (creating its folder); false on failure.
  bool save_settings_file(const std::string& path) const;
  /// The per-user config file: $XDG_CONFIG_HOME/fp4lab/gui.json, else ~/.config/fp4lab/gui.json.
  static std::string default_config_path();

  /// The last status message (exports, errors), shown in the status bar.
  const std::string& message() const { return message_; }
  /// Folder the exports go to.
  std::string export_dir = "fp4lab-export";
  /// Where Ctrl+S and exit save the settings; empty: nowhere (tests, screenshots).
  std::string config_path;

 private:
  void shortcuts();
  void menu_bar();
  /// The tab bar of the single layout (one tab per panel).
  void panel_tabs();
  /// The tiled layout in the area below the menu bar.
  void tiles(float top, ImVec2 area, int window_flags);

  exp::Registry registry_;
  std::vector<std::unique_ptr<Panel>> panels_;
  std::vector<std::pair<ImVec2, ImVec2>> rects_;
  int active_ = 0;
  int tab_shown_ = -1;  // the tab selected in the last tab bar drawn
  std::vector<int> tile_shown_;  // per tile of the tiled layout: the panel its tab bar showed
  Layout layout_ = Layout::kSingle;
  std::optional<CaptureRequest> capture_;
  std::optional<std::pair<int, std::string>> pending_export_;
  std::string message_;
};

}  // namespace fp4lab::gui
