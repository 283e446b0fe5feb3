#!/usr/bin/env bash
# The engine and its unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, in build-sanitize/
# (gcc by default; CC=clang CXX=clang++ for clang). Any report fails the test that triggered it:
# undefined behaviour is not recoverable (-fno-sanitize-recover=undefined). Run it before landing
# reader or engine changes (figures in docs/fuzzing.md). Extra arguments go to ctest, e.g. -R Safetensors.
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
start=$(date +%s)
if [ ! -f build-sanitize/CMakeCache.txt ]; then
  cmake -S . -B build-sanitize "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXWAM_SANITIZE=ON \
    -DXWAM_GUI=OFF -DXWAM_BENCH=OFF
fi
cmake --build build-sanitize -j "${XWAM_BUILD_JOBS:-$(nproc)}"
built=$(date +%s)
echo "[sanitize] build: $((built - start)) s"
# Leaks are left to valgrind-style tools: LibTorch and libhdf5 keep process-lifetime caches.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
ctest --test-dir build-sanitize --output-on-failure -j "$(nproc)" -L unit "$@"
echo "[sanitize] tests: $(( $(date +%s) - built )) s"
