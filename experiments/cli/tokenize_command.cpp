// `fp4lab tokenize`: a text through a GGUF model's byte-level BPE tokenizer, the token ids written
// one per line (what the tokenizer oracle test compares with HF `tokenizers`).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "core/io/atomic_write.hpp"
#include "core/io/gguf.hpp"
#include "experiments/cli/args.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/model/bpe_tokenizer.hpp"
#include "experiments/model/model_data.hpp"

namespace fp4lab::cli {

int run_tokenize_command(int argc, char** argv) {
  std::string model = "smollm2", text = "prideprejudice", out;
  bool force = false;
  Args args("fp4lab tokenize", "Token ids of a text under a GGUF model's tokenizer (one id per line).");
  args.option("model", model, "GGUF file, or 'smollm2' for the cached SmolLM2-135M").placeholder("GGUF");
  args.option("text", text, "a cached novel's name or a UTF-8 text file").placeholder("TEXT");
  args.option("out", out, "where to write the ids (one per line)").placeholder("FILE").required();
  args.flag("force", force, "overwrite an existing --out");
  if (const auto rc = args.parse(argc, argv)) return *rc;
  if (!force && std::filesystem::exists(out)) {
    return args.usage_error("--out " + out + " exists; pass --force to overwrite it");
  }
  const core::GgufFile gguf = core::open_gguf(exp::model::resolve_model_path(model));
  const auto tok = exp::model::BpeTokenizer::from_gguf(gguf);
  const std::vector<std::int32_t> ids = tok.encode(exp::model::load_text(text));
  std::string body;
  body.reserve(ids.size() * 6);
  for (const std::int32_t id : ids) body += fmt::format("{}\n", id);
  core::write_file_atomic(out, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  std::fprintf(stderr, "fp4lab tokenize: %zu tokens -> %s\n", ids.size(), out.c_str());
  return 0;
}

}  // namespace fp4lab::cli
