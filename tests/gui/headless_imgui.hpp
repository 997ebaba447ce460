// An ImGui context without a backend, the way the GUI tests drive it: a 1280x800 display,
// 60 fps frames, no ini file, and a built font atlas (NewFrame needs one).
#pragma once

#include <imgui.h>

namespace fp4lab::gui::testing {

/// Creates and sets up the current ImGui context (the caller destroys it).
inline void create_headless_context() {
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(1280, 800);
  io.DeltaTime = 1.0f / 60.0f;
  io.KeyMap[ImGuiKey_Escape] = 256;
  unsigned char* px = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
}

}  // namespace fp4lab::gui::testing
