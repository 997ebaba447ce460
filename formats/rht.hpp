// The 16-point random Hadamard transform of FORMATS.md §6: y = x . diag(s) . H16 / 4 with the
// Sylvester H16 and TransformerEngine's sign vector. It is its own inverse up to the diagonal.
#pragma once

#include "formats/common.hpp"

namespace fp4lab::formats {

/// TransformerEngine's RHT sign vector s.
inline constexpr int kRhtSigns[16] = {1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1, -1, 1, -1, -1};

/// Entry (i, j) of the Sylvester Hadamard matrix H16: (-1)^popcount(i & j).
FP4LAB_HD constexpr int hadamard16(int i, int j) {
  int p = i & j, parity = 0;
  while (p) {
    parity ^= p & 1;
    p >>= 1;
  }
  return parity ? -1 : 1;
}

/// y = x . diag(s) . H16 / 4 for 16 values (FP32, fixed summation order i = 0..15).
FP4LAB_HD constexpr void rht16_forward(const float* x, float* y) {
  float t[16] = {};
  for (int i = 0; i < 16; ++i) t[i] = kRhtSigns[i] < 0 ? -x[i] : x[i];
  for (int j = 0; j < 16; ++j) {
    float acc = 0.0f;
    for (int i = 0; i < 16; ++i) acc += hadamard16(i, j) < 0 ? -t[i] : t[i];
    y[j] = acc * 0.25f;
  }
}

/// x = y . H16 / 4 . diag(s), the inverse of rht16_forward (exact in real arithmetic).
FP4LAB_HD constexpr void rht16_inverse(const float* y, float* x) {
  for (int i = 0; i < 16; ++i) {
    float acc = 0.0f;
    for (int j = 0; j < 16; ++j) acc += hadamard16(i, j) < 0 ? -y[j] : y[j];
    acc *= 0.25f;
    x[i] = kRhtSigns[i] < 0 ? -acc : acc;
  }
}

}  // namespace fp4lab::formats
