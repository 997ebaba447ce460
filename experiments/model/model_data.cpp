// Cached model data lookup (model_data.hpp).
#include "experiments/model/model_data.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fp4lab::exp::model {
namespace {

constexpr const char* kFetchHint = "fetch it with: python3 data/fetch_model_data.py";
constexpr const char* kModelFile = "SmolLM2-135M-Instruct.Q4_1.gguf";

}  // namespace

const std::vector<std::string>& novel_names() {
  static const std::vector<std::string> kNames = {"prideprejudice", "sensesensibility", "mansfieldpark",
                                                  "emma",           "northangerabbey",  "persuasion"};
  return kNames;
}

std::string cache_dir() {
  if (const char* c = std::getenv("FP4LAB_CACHE"); c && *c) return c;
  if (const char* d = std::getenv("FP4LAB_DATA_DIR"); d && *d) return std::string(d) + "/cache";
  return (std::filesystem::path(FP4LAB_SOURCE_DIR) / "data" / "cache").string();
}

std::string resolve_model_path(const std::string& spec) {
  if (!spec.empty() && spec != "smollm2") {
    if (!std::filesystem::is_regular_file(spec)) throw std::invalid_argument("model file '" + spec + "' does not exist");
    return spec;
  }
  const std::string path = cache_dir() + "/" + kModelFile;
  if (!std::filesystem::is_regular_file(path)) {
    throw std::invalid_argument("the SmolLM2-135M model is not cached at " + path + "; " + kFetchHint);
  }
  return path;
}

std::string load_text(const std::string& spec) {
  std::string path = spec;
  for (const std::string& n : novel_names()) {
    if (spec == n) {
      path = cache_dir() + "/janeausten/" + n + ".txt";
      if (!std::filesystem::is_regular_file(path)) {
        throw std::invalid_argument("the novel '" + n + "' is not cached at " + path + "; " + kFetchHint);
      }
    }
  }
  if (!std::filesystem::is_regular_file(path)) {
    std::string names;
    for (const std::string& n : novel_names()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("text '" + spec + "' is neither a novel (" + names + ") nor a readable file");
  }
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  if (!f && !f.eof()) throw std::invalid_argument("cannot read text file '" + path + "'");
  return ss.str();
}

}  // namespace fp4lab::exp::model
