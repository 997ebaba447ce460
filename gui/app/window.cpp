// GLFW + OpenGL 3.3 core (`#version 330 core`, as works under Xvfb's Mesa) + ImGui backends;
// the back buffer is read before the swap and flipped (STYLE.md).
#include "gui/app/window.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>

namespace fp4lab::gui {
namespace {

std::string g_glfw_error;

void on_glfw_error(int code, const char* text) {
  g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (text ? text : "?");
}

}  // namespace

std::unique_ptr<Window> Window::open(int width, int height, const char* title, std::string& error) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    error = "cannot initialise GLFW (" + g_glfw_error + ")";
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
  GLFWwindow* w = glfwCreateWindow(width, height, title, nullptr, nullptr);
  if (!w) {
    error = "cannot create a " + std::to_string(width) + "x" + std::to_string(height) +
            " window with OpenGL 3.3 core (" + g_glfw_error + ")";
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(w);
  glfwSwapInterval(1);
  if (!ImGui_ImplGlfw_InitForOpenGL(w, true) || !ImGui_ImplOpenGL3_Init("#version 330 core")) {
    error = "cannot initialise ImGui's GLFW/OpenGL3 backends";
    glfwDestroyWindow(w);
    glfwTerminate();
    return nullptr;
  }
  return std::unique_ptr<Window>(new Window(w));
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_); }

void Window::begin_frame() {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

void Window::render() {
  ImGui::Render();
  glViewport(0, 0, fb_width(), fb_height());
  // the panels draw no window background (Workbench): clear to the style's WindowBg instead
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

Image Window::read_back(int x0, int y0, int x1, int y1) const {
  const int fw = fb_width(), fh = fb_height();
  x0 = std::clamp(x0, 0, fw);
  x1 = std::clamp(x1, x0, fw);
  y0 = std::clamp(y0, 0, fh);
  y1 = std::clamp(y1, y0, fh);
  Image img{x1 - x0, y1 - y0, {}};
  std::vector<std::uint8_t> raw(std::size_t(img.width) * img.height * 4);
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  // GL's origin is bottom-left: read the flipped rectangle, then reverse the rows
  glReadPixels(x0, fh - y1, img.width, img.height, GL_RGBA, GL_UNSIGNED_BYTE, raw.data());
  img.rgba.resize(raw.size());
  const std::size_t stride = std::size_t(img.width) * 4;
  for (int y = 0; y < img.height; ++y) {
    std::copy_n(&raw[std::size_t(img.height - 1 - y) * stride], stride, &img.rgba[std::size_t(y) * stride]);
  }
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;  // opaque
  return img;
}

void Window::wait_events(double timeout_s) { glfwWaitEventsTimeout(timeout_s); }

void Window::swap() { glfwSwapBuffers(window_); }

void Window::set_vsync(bool on) { glfwSwapInterval(on ? 1 : 0); }

int Window::fb_width() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  return w;
}

int Window::fb_height() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  return h;
}

}  // namespace fp4lab::gui
