// `fp4lab`: the headless command-line tool. Subcommands run experiments over the format
// library; `fp4lab formats` prints the format table (the README's main job for now).
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "experiments/formats_table.hpp"

namespace {

void print_usage(std::FILE* to) {
  std::fputs(
      "usage: fp4lab <command> [options]\n"
      "commands:\n"
      "  formats [--codebooks]   element and block format table\n"
      "  --version               version and git revision\n",
      to);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    print_usage(stdout);
    return 0;
  }
  if (cmd == "--version") {
    fmt::print("fp4lab {} ({})\n", FP4LAB_VERSION, FP4LAB_GIT_REVISION);
    return 0;
  }
  if (cmd == "formats") {
    bool codebooks = false;
    for (int i = 2; i < argc; ++i) {
      if (std::strcmp(argv[i], "--codebooks") == 0) {
        codebooks = true;
      } else {
        fmt::print(stderr, "fp4lab formats: unknown option '{}' (accepted: --codebooks)\n", argv[i]);
        return 2;
      }
    }
    std::fputs(fp4lab::exp::formats_table(codebooks).c_str(), stdout);
    return 0;
  }
  fmt::print(stderr, "fp4lab: unknown command '{}'\n", cmd);
  print_usage(stderr);
  return 2;
}
