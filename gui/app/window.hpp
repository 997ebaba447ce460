// The platform layer of fp4lab-gui: a GLFW window with an OpenGL 3.3 core context and the
// ImGui GLFW/OpenGL3 backends, frame begin/render/swap, and back-buffer read-back for PNGs.
#pragma once

#include <memory>
#include <string>

#include "gui/app/png.hpp"

struct GLFWwindow;

namespace fp4lab::gui {

/// One application window (there is only ever one).
class Window {
 public:
  /// Opens a width x height window and initialises ImGui's backends on the current ImGui
  /// context; returns nullptr and sets `error` when there is no display or no GL 3.3.
  static std::unique_ptr<Window> open(int width, int height, const char* title, std::string& error);
  /// Shuts the backends down and closes the window.
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  /// True once the user asked to close the window.
  bool should_close() const;
  /// Polls events and starts an ImGui frame.
  void begin_frame();
  /// Renders ImGui's draw data into the back buffer (no swap yet).
  void render();
  /// Reads [x0, x1) x [y0, y1) (top-left origin, framebuffer pixels) of the back buffer,
  /// flipped to top-to-bottom rows; call after render() and before swap().
  Image read_back(int x0, int y0, int x1, int y1) const;
  /// Blocks until an input event arrives or `timeout_s` passes (an idle GUI draws nothing).
  void wait_events(double timeout_s);
  /// Presents the frame.
  void swap();
  /// Sets the swap interval (0: no vsync, for screenshots and --stats).
  void set_vsync(bool on);
  /// The framebuffer size in pixels.
  int fb_width() const;
  /// The framebuffer height in pixels.
  int fb_height() const;

 private:
  explicit Window(GLFWwindow* w) : window_(w) {}
  GLFWwindow* window_;
};

}  // namespace fp4lab::gui
