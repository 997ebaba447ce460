// The FP32 summation orders of the 4/6 (and IF) error sums (FORMATS.md §3: the order decides
// near-ties, and the peers differ): one host+device function over (values, n, order), plus the
// same sum over terms computed on demand, so a caller need not store them.
#pragma once

#include "formats/common.hpp"

namespace fp4lab::formats {

/// The order in which n per-element error terms are added in FP32. A 2-D tile is summed as
/// its values in row-major order (n = rows x cols, e.g. 256 for a 16x16 tile).
enum class SumOrder : std::uint8_t {
  kSeq,    ///< left to right: ((t0 + t1) + t2) + ... (the default)
  kPairs,  ///< each half left to right (the first ceil(n/2) terms, then the rest), then
           ///< first half + second half
  kTree,   ///< repeated halving: with m terms left and h = ceil(m/2), term i += term i + h
           ///< for every i + h < m (an odd middle term carries over), until one remains
};

namespace detail {

/// Levels of the halving tree for n <= 2^15 terms (a 128x128 tile is 2^14).
inline constexpr int kMaxTreeLevels = 16;

/// The tree order without storing the terms: node (i, L) is the value at position i after L
/// halvings, = node(i, L-1) + node(i + m[L], L-1) when i + m[L] < m[L-1] (m[0] = n, m[L] =
/// ceil(m[L-1]/2)); an explicit stack visits each term once (no recursion in device code).
template <class Term>
FP4LAB_HD constexpr float tree_sum(int n, Term& term) {
  int m[kMaxTreeLevels + 1] = {};
  int levels = 0;
  m[0] = n;
  while (m[levels] > 1 && levels < kMaxTreeLevels) {
    m[levels + 1] = (m[levels] + 1) / 2;
    ++levels;
  }
  // a frame is node (idx, top) whose left part is summed up to level `next - 1` into acc
  int idx[kMaxTreeLevels + 1] = {}, top[kMaxTreeLevels + 1] = {}, next[kMaxTreeLevels + 1] = {};
  float acc[kMaxTreeLevels + 1] = {};
  int sp = 0;
  idx[0] = 0;
  top[0] = levels;
  next[0] = 1;
  acc[0] = term(0);
  while (true) {
    if (next[sp] > top[sp]) {  // node complete: hand it to its parent
      if (sp == 0) return acc[0];
      const float v = acc[sp--];
      acc[sp] = acc[sp] + v;
      ++next[sp];
      continue;
    }
    const int l = next[sp], j = idx[sp] + m[l];
    if (j < m[l - 1]) {  // the right child, node (j, l - 1)
      ++sp;
      idx[sp] = j;
      top[sp] = l - 1;
      next[sp] = 1;
      acc[sp] = term(j);
    } else {
      ++next[sp];  // an odd middle term: nothing to add at this level
    }
  }
}

}  // namespace detail

/// The sum of term(0) .. term(n - 1) in `order`; term(i) is called exactly once per i (in
/// index order for kSeq and kPairs, in tree order for kTree); 0 for n <= 0. kTree needs n <= 2^15.
template <class Term>
FP4LAB_HD constexpr float ordered_sum(int n, SumOrder order, Term&& term) {
  if (n <= 0) return 0.0f;
  if (order == SumOrder::kTree) return detail::tree_sum(n, term);
  if (order == SumOrder::kPairs) {
    const int h = n - n / 2;
    float first = 0.0f, second = 0.0f;
    for (int i = 0; i < h; ++i) first += term(i);
    for (int i = h; i < n; ++i) second += term(i);
    return first + second;
  }
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += term(i);
  return s;
}

/// The sum of values[0 .. n) in `order` (the one function the error sums use).
FP4LAB_HD constexpr float ordered_sum(const float* values, int n, SumOrder order) {
  return ordered_sum(n, order, [values](int i) { return values[i]; });
}

}  // namespace fp4lab::formats
