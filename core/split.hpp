// Splitting a separated list ("svg,png", "16,32,64") into its items, shared by the command-line
// parser and the figure exporter. Header-only: the commands' argument library includes it
// without linking fp4lab_core.
#pragma once

#include <string_view>
#include <vector>

namespace fp4lab::core {

/// The items of `list` between the separators `sep`, as views into it: empty items kept
/// ("a,,b" gives "a", "", "b"; "" gives one empty item), white space kept.
inline std::vector<std::string_view> split_list(std::string_view list, char sep = ',') {
  std::vector<std::string_view> items;
  std::size_t at = 0;
  while (true) {
    const std::size_t end = list.find(sep, at);
    items.push_back(
        list.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    if (end == std::string_view::npos) return items;
    at = end + 1;
  }
}

}  // namespace fp4lab::core
