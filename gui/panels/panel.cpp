// Helpers the panels share: the job status line, exp::Table drawing, lookups in a Result, and
// the list of panels.
#include "gui/panels/panel.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fp4lab::gui {

void JobPanel::poll() {
  for (JobOutput& o : job_.take()) {
    if (o.batch != latest_) continue;  // a superseded batch
    if (seconds_batch_ != o.batch) {
      seconds_batch_ = o.batch;
      batch_seconds_ = 0;
    }
    batch_seconds_ += o.seconds;
    if (!o.result) {
      error_ = o.experiment + ": " + o.error;
      continue;
    }
    error_.clear();
    if (!o.reused) last_seconds_ = o.seconds;  // a reused Result took no time: keep the last run's
    hold_result_ = false;
    on_result(o.index, o.experiment, std::move(*o.result));
    if (!hold_result_) new_result();
  }
}

void JobPanel::draw_status() {
  if (job_.busy()) {
    ImGui::ProgressBar(job_.progress(), ImVec2(160, 0));
    ImGui::SameLine();
    ImGui::TextUnformatted(job_.stage().c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel (Esc)")) job_.cancel();
  } else if (!error_.empty()) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", error_.c_str());
  } else if (last_seconds_ > 0) {
    ImGui::TextDisabled("last run %.0f ms", last_seconds_ * 1000);
  } else {
    ImGui::TextDisabled("idle");
  }
}

double cell_number(const exp::Cell& c) {
  if (const double* d = std::get_if<double>(&c)) return *d;
  return NAN;
}

std::string cell_text(const exp::Cell& c) {
  if (const std::string* s = std::get_if<std::string>(&c)) return *s;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", std::get<double>(c));
  return buf;
}

namespace {
std::vector<TableView> g_table_views;  // the GUI draws on one thread
}  // namespace

const std::vector<TableView>& table_views() { return g_table_views; }

void clear_table_views() { g_table_views.clear(); }

void note_table(const std::string& id, int rows) {
  const ImGuiTable* tb = ImGui::GetCurrentTable();
  if (!tb) return;
  const ImGuiWindow* outer = tb->OuterWindow;
  const ImRect clip = outer->ClipRect, r = tb->OuterRect;
  TableView v;
  v.id = id;
  v.rows = rows;
  v.height = r.GetHeight();
  v.visible_height = std::max(0.0f, std::min(r.Max.y, clip.Max.y) - std::max(r.Min.y, clip.Min.y));
  v.row_height = ImGui::GetTextLineHeightWithSpacing();
  const float wanted = v.row_height * (1.0f + static_cast<float>(std::min(rows, 3)));
  // too small to show the rows, or cut by its window (scrolling it into view does not count:
  // a table cut to its header at first sight is what this guards against)
  v.rows_clipped = rows > 0 && (v.height + 1 < std::min(wanted, v.row_height * 4) ||
                                v.visible_height + 1 < std::min(v.height, wanted));
  const ImGuiWindow* inner = tb->InnerWindow;
  const bool inner_cut = inner != outer && inner->ContentSize.x > inner->InnerRect.GetWidth() + 1 &&
                         !inner->ScrollbarX;
  const bool outer_cut = r.Max.x > clip.Max.x + 1 && !outer->ScrollbarX;
  v.columns_clipped = inner_cut || outer_cut;
  g_table_views.push_back(std::move(v));
}

int draw_table(const exp::Table& t, float height, int highlight_row) {
  int clicked = -1;
  if (t.columns.empty()) return clicked;
  const int ncol = static_cast<int>(std::min<std::size_t>(t.columns.size(), 64));
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  const float row_h = ImGui::GetTextLineHeightWithSpacing() + 2;
  if (height <= 0) height = std::min(400.0f, row_h * (static_cast<float>(t.rows.size()) + 1.5f));
  ImGui::PushID(t.id.c_str());
  if (ImGui::BeginTable(t.id.c_str(), ncol, flags, ImVec2(0, height))) {
    ImGui::TableSetupScrollFreeze(1, 1);
    for (int c = 0; c < ncol; ++c) ImGui::TableSetupColumn(t.columns[static_cast<std::size_t>(c)].c_str());
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(t.rows.size()));
    while (clip.Step()) {
      for (int r = clip.DisplayStart; r < clip.DisplayEnd; ++r) {
        ImGui::TableNextRow();
        const auto& row = t.rows[static_cast<std::size_t>(r)];
        if (r == highlight_row) {
          ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(120, 60, 30, 255));
        }
        for (int c = 0; c < ncol && c < static_cast<int>(row.size()); ++c) {
          ImGui::TableSetColumnIndex(c);
          const std::string s = cell_text(row[static_cast<std::size_t>(c)]);
          if (c == 0) {
            ImGui::PushID(r);
            if (ImGui::Selectable(s.c_str(), r == highlight_row, ImGuiSelectableFlags_SpanAllColumns)) clicked = r;
            ImGui::PopID();
          } else {
            ImGui::TextUnformatted(s.c_str());
          }
        }
      }
    }
    note_table(t.id, static_cast<int>(t.rows.size()));
    ImGui::EndTable();
  }
  ImGui::PopID();
  return clicked;
}

const exp::Table* find_table(const exp::Result& r, const std::string& id) {
  for (const auto& t : r.tables) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const exp::Histogram* find_histogram(const exp::Result& r, const std::string& id) {
  for (const auto& h : r.histograms) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

const exp::Curve* find_curve(const exp::Result& r, const std::string& id) {
  for (const auto& c : r.curves) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::vector<std::unique_ptr<Panel>> make_panels(const exp::Registry& registry) {
  std::vector<std::unique_ptr<Panel>> p;
  p.push_back(make_format_explorer(registry));
  p.push_back(make_block_lab(registry));
  p.push_back(make_error_profile_panel(registry));
  p.push_back(make_tensor_lab(registry));
  p.push_back(make_diff_panel(registry));
  p.push_back(make_help_panel());
  return p;
}

}  // namespace fp4lab::gui
