// PNG encode/decode through libstb's stbi_write_png_to_func and stbi_load_from_memory; the
// implementation is in libstb.so, so STB_IMAGE_WRITE_IMPLEMENTATION is not defined (STYLE.md).
#include "gui/app/png.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>

#include "core/io/atomic_write.hpp"

namespace fp4lab::gui {

std::uint32_t Image::pixel(int x, int y) const {
  const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

std::vector<std::uint8_t> encode_png(const Image& img) {
  if (img.width <= 0 || img.height <= 0 || img.rgba.size() != std::size_t(img.width) * img.height * 4) {
    throw std::runtime_error("encode_png: bad image size");
  }
  std::vector<std::uint8_t> out;
  auto sink = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<std::uint8_t>*>(ctx);
    const auto* b = static_cast<const std::uint8_t*>(data);
    v->insert(v->end(), b, b + size);
  };
  if (!stbi_write_png_to_func(sink, &out, img.width, img.height, 4, img.rgba.data(), img.width * 4)) {
    throw std::runtime_error("encode_png: stb_image_write failed");
  }
  return out;
}

void write_png(const std::string& path, const Image& img) {
  const std::vector<std::uint8_t> bytes = encode_png(img);
  core::write_file_atomic(path, std::span<const std::uint8_t>(bytes.data(), bytes.size()));
}

Image read_png(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("read_png: cannot open " + path);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  int w = 0, h = 0, n = 0;
  stbi_uc* data = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()),
                                        &w, &h, &n, 4);
  if (!data) throw std::runtime_error("read_png: " + path + " is not a PNG stb can read");
  Image img{w, h, std::vector<std::uint8_t>(data, data + std::size_t(w) * h * 4)};
  stbi_image_free(data);
  return img;
}

Image crop(const Image& img, int x0, int y0, int x1, int y1) {
  x0 = std::clamp(x0, 0, img.width);
  x1 = std::clamp(x1, x0, img.width);
  y0 = std::clamp(y0, 0, img.height);
  y1 = std::clamp(y1, y0, img.height);
  Image out{x1 - x0, y1 - y0, {}};
  out.rgba.reserve(std::size_t(out.width) * out.height * 4);
  for (int y = y0; y < y1; ++y) {
    const auto* row = &img.rgba[(std::size_t(y) * img.width + x0) * 4];
    out.rgba.insert(out.rgba.end(), row, row + std::size_t(out.width) * 4);
  }
  return out;
}

}  // namespace fp4lab::gui
