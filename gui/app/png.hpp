// PNG encoding and decoding for screenshots and their tests, over Debian's libstb (which holds
// the stb_image and stb_image_write implementations); files are written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fp4lab::gui {

/// An RGBA image, 8 bits per channel, rows top to bottom.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  ///< width * height * 4 bytes
  /// The pixel at (x, y) as 0xRRGGBBAA.
  std::uint32_t pixel(int x, int y) const;
};

/// The PNG file bytes of `img`; throws std::runtime_error when encoding fails.
std::vector<std::uint8_t> encode_png(const Image& img);
/// Encodes `img` and replaces `path` atomically (core::AtomicFile); throws on failure.
void write_png(const std::string& path, const Image& img);
/// Reads a PNG file as RGBA; throws std::runtime_error naming the file.
Image read_png(const std::string& path);
/// The sub-image [x0, x1) x [y0, y1), clamped to the image.
Image crop(const Image& img, int x0, int y0, int x1, int y1);

}  // namespace fp4lab::gui
