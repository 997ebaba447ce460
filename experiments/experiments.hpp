// Factories of every experiment; register_all() in registry_all.cpp lists them explicitly.
#pragma once

#include <memory>

#include "experiments/experiment.hpp"

namespace fp4lab::exp {

std::unique_ptr<Experiment> make_formats();        ///< formats.cpp
std::unique_ptr<Experiment> make_walkthrough();    ///< walkthrough.cpp
std::unique_ptr<Experiment> make_error_profile();  ///< error_profile.cpp
std::unique_ptr<Experiment> make_compare();        ///< compare.cpp
std::unique_ptr<Experiment> make_sweep();          ///< sweep.cpp
std::unique_ptr<Experiment> make_diff();           ///< diff.cpp
std::unique_ptr<Experiment> make_gemm();           ///< gemm.cpp
std::unique_ptr<Experiment> make_perplexity();     ///< perplexity.cpp
std::unique_ptr<Experiment> make_select();         ///< select.cpp
std::unique_ptr<Experiment> make_threshold();      ///< threshold.cpp
std::unique_ptr<Experiment> make_ablate();         ///< ablate.cpp
std::unique_ptr<Experiment> make_model_report();   ///< model_report.cpp

}  // namespace fp4lab::exp
