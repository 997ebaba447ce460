// The panel interface of the GUI (one panel per file in gui/panels/) and helpers they share:
// drawing an exp::Table, the job status line (parameter editors: param_editor.hpp).
#pragma once

#include <imgui.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/experiment.hpp"
#include "gui/panels/job.hpp"
#include "gui/panels/param_editor.hpp"

namespace fp4lab::gui {

/// A named Result a panel shows (the key names it in exports, e.g. "compare").
using NamedResult = std::pair<std::string, const exp::Result*>;

/// One panel: draws Results of experiments it runs; computes nothing itself.
class Panel {
 public:
  virtual ~Panel() = default;
  /// Short name used by --panel, the config file and scenarios, e.g. "tensor".
  virtual const char* id() const = 0;
  /// Window title, e.g. "Tensor lab".
  virtual const char* title() const = 0;
  /// Draws the contents inside the panel's window (the caller opens and closes the window).
  virtual void draw() = 0;
  /// Collects finished runs (called every frame, visible or not).
  virtual void poll() {}
  /// Starts (or restarts) the panel's experiments (Ctrl+R).
  virtual void run() {}
  /// Cancels the panel's running experiments (Esc).
  virtual void cancel() {}
  /// True while the panel's experiments run.
  virtual bool busy() const { return false; }
  /// True when finished runs wait for poll() (the app then draws a frame at once).
  virtual bool has_news() const { return false; }
  /// The Results the panel shows, for export.
  virtual std::vector<NamedResult> results() const { return {}; }
  /// The panel's inputs and view settings as JSON (config file).
  virtual nlohmann::json save() const { return nlohmann::json::object(); }
  /// Applies inputs from JSON (config file or --scenario); unknown keys are ignored.
  virtual void load(const nlohmann::json&) {}
  /// Performs a named action (e.g. "next_mismatch"); false when the panel has no such action.
  virtual bool action(const std::string&) { return false; }
  /// The error of the panel's latest run ("" when it succeeded or none ran).
  virtual std::string last_error() const { return {}; }
  /// What the panel shows now, for tests (e.g. the chosen 4/6 candidate, the selected mismatch).
  virtual nlohmann::json probe() const { return nlohmann::json::object(); }
  /// Increments whenever new Results arrived (the --stats latency measure watches it).
  std::uint64_t result_generation() const { return generation_; }
  /// Frames drawn since the last new Result arrived; 0 in the frame that first draws it.
  int frames_since_result() const { return frames_since_result_; }
  /// Called once per frame after draw() by the workbench.
  void end_frame() { ++frames_since_result_; }

 protected:
  /// Marks that new Results arrived.
  void new_result() {
    ++generation_;
    frames_since_result_ = -1;
  }

 private:
  std::uint64_t generation_ = 0;
  int frames_since_result_ = 0;
};

/// A panel whose experiments run on its own Job.
class JobPanel : public Panel {
 public:
  /// Its job runs experiments of `registry`.
  explicit JobPanel(const exp::Registry& registry) : job_(registry) {}
  void poll() override;
  void cancel() override { job_.cancel(); }
  bool busy() const override { return job_.busy(); }
  bool has_news() const override { return job_.has_output(); }
  /// The job (tests wait on it).
  Job& job() { return job_; }
  /// Wall time of the last successful run, in seconds.
  double last_seconds() const { return last_seconds_; }
  /// Wall time of the latest batch's runs taken so far (reused Results count 0), in seconds.
  double batch_seconds() const { return batch_seconds_; }
  std::string last_error() const override { return error_; }

 protected:
  /// Receives each successful run of the latest batch.
  virtual void on_result(std::size_t index, const std::string& experiment, exp::Result r) = 0;
  /// Set by on_result when the Result is one part of what the panel draws and the whole is not
  /// complete yet: it counts as new (result_generation) only once the last part arrived.
  bool hold_result_ = false;
  /// Draws "running: stage [progress] Cancel", the last error, or the last run time.
  void draw_status();
  /// Starts a batch and remembers it as the latest.
  void start(std::vector<JobRequest> batch) { latest_ = job_.start(std::move(batch)); }
  /// True before the first batch was started (panels run themselves on first draw).
  bool never_ran() const { return latest_ == 0; }

  Job job_;
  std::uint64_t latest_ = 0;
  std::string error_;
  double last_seconds_ = 0;
  double batch_seconds_ = 0;
  std::uint64_t seconds_batch_ = 0;  ///< the batch batch_seconds_ sums
};

/// What one table showed in a frame, from ImGui's own rectangles (not pixels): tests check
/// that no table is clipped.
struct TableView {
  std::string id;               ///< the table's id
  int rows = 0;                 ///< data rows
  float height = 0;             ///< the table's outer height
  float visible_height = 0;     ///< of it inside its window's clip rectangle
  float row_height = 0;         ///< one row
  bool rows_clipped = false;    ///< fewer than min(rows, 3) data rows can be seen
  bool columns_clipped = false; ///< columns run past the visible width with no scrollbar
};

/// The tables drawn since clear_table_views() (the workbench clears them each frame).
const std::vector<TableView>& table_views();
/// Forgets the recorded table views.
void clear_table_views();
/// Records the current table (call between ImGui::BeginTable and EndTable) with `rows` rows.
void note_table(const std::string& id, int rows);

/// Draws an exp::Table with ImGui tables (scrolling, at most `height` pixels; 0: fit rows).
/// `highlight_row` is drawn highlighted; returns the clicked row or -1.
int draw_table(const exp::Table& t, float height = 0, int highlight_row = -1);

/// A table of `r` with this id, or nullptr.
const exp::Table* find_table(const exp::Result& r, const std::string& id);
/// A histogram of `r` with this id, or nullptr.
const exp::Histogram* find_histogram(const exp::Result& r, const std::string& id);
/// A curve of `r` with this id, or nullptr.
const exp::Curve* find_curve(const exp::Result& r, const std::string& id);
/// A cell as a number (text cells: NaN).
double cell_number(const exp::Cell& c);
/// A cell as text (numbers with %.6g).
std::string cell_text(const exp::Cell& c);

/// The six panels of the GUI, in menu order (Ctrl+1..6).
std::vector<std::unique_ptr<Panel>> make_panels(const exp::Registry& registry);
/// Format explorer (format_explorer.cpp).
std::unique_ptr<Panel> make_format_explorer(const exp::Registry& registry);
/// Block lab (block_lab.cpp).
std::unique_ptr<Panel> make_block_lab(const exp::Registry& registry);
/// Error profile (error_profile.cpp).
std::unique_ptr<Panel> make_error_profile_panel(const exp::Registry& registry);
/// Tensor lab (tensor_lab.cpp).
std::unique_ptr<Panel> make_tensor_lab(const exp::Registry& registry);
/// Diff (diff_panel.cpp).
std::unique_ptr<Panel> make_diff_panel(const exp::Registry& registry);
/// Help (help.cpp).
std::unique_ptr<Panel> make_help_panel();

}  // namespace fp4lab::gui
