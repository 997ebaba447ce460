// INT3 (-3..3) and INT6 (-31..31): symmetric sign-magnitude integers as fouroversix 1.1 stores
// them (kernels/triton/int3.py, int6.py; quantize/pytorch/reference.py fake_quantize_to_int6):
// code = (sign << (bits - 1)) | |v|, round to nearest even and clamp to +-max (FORMATS.md §9).
#pragma once

#include "formats/element_base.hpp"
#include "formats/minifloat.hpp"

namespace fp4lab::formats {

/// A symmetric sign-magnitude integer of `Bits` bits (3 or 6), values -kMax..kMax with
/// kMax = 2^(Bits-1) - 1. Codes 0..kMax are the nonnegative values, kSignBit | m the negatives;
/// kSignBit alone (-0) is never written (a negative input that rounds to 0 gives code 0, as the
/// reference's cast of -0.0 does) and decodes to -0.0.
template <int Bits>
struct int_symmetric : element_base<int_symmetric<Bits>> {
  static_assert(Bits >= 2 && Bits <= 8);
  static constexpr int kBits = Bits;                                        ///< storage bits
  static constexpr std::uint8_t kSignBit = std::uint8_t{1} << (Bits - 1);  ///< the sign bit of a code
  static constexpr int kMaxInt = (1 << (Bits - 1)) - 1;                     ///< largest value, 3 or 31
  static constexpr float kMax = static_cast<float>(kMaxInt);               ///< largest value as a float
  static constexpr float kMin = -kMax;                                      ///< smallest value

  using element_base<int_symmetric<Bits>>::from;  // fp16 and bf16 inputs

  /// Encodes a float or double: round under `rounding` (nearest even by default, as the
  /// reference's rint/torch.round; random_bits feed kStochastic), clamp to +-kMax; NaN gives 0.
  template <class T>
    requires is_real_input<T>
  FP4LAB_HD static constexpr int_symmetric from(T x, Rounding rounding = Rounding::kNearestEven,
                                                std::uint32_t random_bits = 0) {
    return of_int(detail::round_to_int_clamped(x, -kMaxInt, kMaxInt, rounding, random_bits));
  }
  /// The code of an integer already in -kMax..kMax.
  FP4LAB_HD static constexpr int_symmetric of_int(int v) {
    return int_symmetric{static_cast<std::uint8_t>(v < 0 ? kSignBit | static_cast<std::uint8_t>(-v)
                                                         : static_cast<std::uint8_t>(v))};
  }
  /// The integer value, -kMax..kMax (bits above the code are ignored).
  FP4LAB_HD constexpr int value() const {
    const int m = this->bits & (kSignBit - 1);
    return (this->bits & kSignBit) ? -m : m;
  }
  /// The value as a float (the code kSignBit gives -0.0).
  FP4LAB_HD constexpr float to_float() const {
    const float m = static_cast<float>(this->bits & (kSignBit - 1));
    return (this->bits & kSignBit) ? -m : m;
  }
};

/// INT3: codes 0x0-0x3 are 0..3, 0x5-0x7 are -1..-3 (0x4 is -0, never written). Not named
/// `int3`: CUDA's vector type int3 would make that name ambiguous under a using-directive.
using int3_sym = int_symmetric<3>;
/// INT6: codes 0x00-0x1F are 0..31, 0x21-0x3F are -1..-31 (0x20 is -0, never written).
using int6_sym = int_symmetric<6>;

}  // namespace fp4lab::formats
