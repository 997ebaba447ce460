// Where the model experiments find their real data: the SmolLM2-135M GGUF and the Jane Austen
// novels that data/fetch_model_data.py caches (in $FP4LAB_CACHE, else data/cache/).
#pragma once

#include <string>
#include <vector>

namespace fp4lab::exp::model {

/// The novels the fetch script writes, by their janeaustenr names ("prideprejudice", ...).
const std::vector<std::string>& novel_names();

/// The cache folder: $FP4LAB_CACHE, else $FP4LAB_DATA_DIR/cache, else the source tree's data/cache.
std::string cache_dir();

/// `spec` itself when it names an existing file, else the cached SmolLM2 GGUF for "" or
/// "smollm2"; throws std::invalid_argument saying how to fetch it when it is missing.
std::string resolve_model_path(const std::string& spec);

/// The text of `spec`: a novel name (its cached text) or a path to a UTF-8 text file; throws
/// std::invalid_argument naming the problem (unknown name, missing cache, unreadable file).
std::string load_text(const std::string& spec);

}  // namespace fp4lab::exp::model
