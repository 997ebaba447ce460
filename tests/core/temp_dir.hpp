// A fresh directory under the system temp directory for one test, removed with everything in it
// when the test ends (tests of core/io).
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace fp4lab::testing {

/// A directory made with mkdtemp, removed (recursively) by the destructor.
class TempDir {
 public:
  /// Creates "<temp>/fp4lab_io_test.XXXXXX".
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "fp4lab_io_test.XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The path of `name` inside the directory.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// The names of the files in the directory, sorted.
  std::vector<std::string> listing() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace fp4lab::testing
