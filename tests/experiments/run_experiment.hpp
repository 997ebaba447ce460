// Shared by the experiment tests: the registry, running one experiment by id, and finding a
// table of a Result by id (a missing table fails the test).
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "experiments/experiment.hpp"

namespace fp4lab::exp::testing {

/// Every registered experiment, built once.
inline const Registry& registry() {
  static const Registry reg = [] {
    Registry r;
    register_all(r);
    return r;
  }();
  return reg;
}

/// Runs experiment `id` with `params` (defaults for missing keys), no progress callback.
inline Result run(const char* id, const Params& params) {
  const Experiment* e = registry().find(id);
  REQUIRE(e != nullptr);
  return e->run(params, nullptr);
}

/// The table of `r` whose id is `id`.
inline const Table& table(const Result& r, const std::string& id) {
  for (const Table& t : r.tables) {
    if (t.id == id) return t;
  }
  FAIL("no table " << id);
  return r.tables.front();
}

}  // namespace fp4lab::exp::testing
