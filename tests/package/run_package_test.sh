#!/usr/bin/env bash
# The C++ package end to end: `cmake --install BUILD` into a temporary prefix, then configure,
# build and run tests/package/ against it with find_package(fp4lab).
#   run_package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -x "$work/prefix/bin/fp4lab"
test -f "$work/prefix/include/fp4lab/formats/block.hpp"
cmake -S "$src/tests/package" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
"$work/prefix/bin/fp4lab" formats --codebooks false >/dev/null
echo "package test: installed, found, built and ran"
